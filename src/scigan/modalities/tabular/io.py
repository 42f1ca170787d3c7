"""Reading and writing tables: CSV, TSV, Parquet or a DataFrame, with column types
inferred (numeric, integer, categorical, boolean, datetime) and overridable.

Every refusal is a :class:`ScienceError` naming the column and the fix.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset, write_sidecar
from scigan.modalities.textfiles import not_utf8, sniff_delimiter

if TYPE_CHECKING:
    import pandas as pd

#: Column kinds a table may hold.
KINDS = ("numeric", "integer", "categorical", "boolean", "datetime")
#: Integer-valued columns with at most this many distinct values are inferred categorical.
MAX_INTEGER_CATEGORIES = 10
#: Default label column of each built-in table.
BUILTIN_LABELS = {"breast-cancer": "target", "gbsg2": "cens"}
#: File endings read and written as tables.
FORMATS = {".csv": ",", ".tsv": "\t", ".parquet": None, ".pq": None}


@dataclass
class TableData(Dataset):
    """A table in the user's own columns and dtypes: ``x`` is a pandas DataFrame (N rows).

    ``info`` holds ``schema`` (column -> kind) and ``label_column`` ("" when unlabelled);
    ``y`` indexes ``class_names``, the label's values in sorted order.
    """

    x: pd.DataFrame

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """(number of columns,)."""
        return (int(self.x.shape[1]),)

    def with_labels(self, y: np.ndarray, like: Dataset) -> TableData:
        """These rows labelled ``y`` (N,), indices into the class names of the labelled
        table ``like``: its label column (added when these rows lack it) holds the label
        values of ``like``, and the columns come in ``like``'s order; ScienceError when
        these rows lack another of its columns."""
        assert isinstance(like, TableData) and like.y is not None, f"{like.source} is not a labelled table"
        label = like.info["label_column"]
        missing = [c for c in like.x.columns if c != label and c not in self.x.columns]
        if missing:
            raise ScienceError(f"{self.source} lacks the column(s) {', '.join(map(repr, missing))} of {like.source}")
        values = {c: like.x[label].iloc[int(np.flatnonzero(like.y == c)[0])] for c in np.unique(like.y)}
        frame = self.x.copy()
        frame[label] = [values[int(c)] for c in y]
        y = np.asarray(y, dtype=np.int64)
        return replace(
            self, x=frame[list(like.x.columns)], y=y, class_names=list(like.class_names), test_mask=None, info=like.info
        )


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ScienceError("tables need pandas: pip install 'scigan[tabular]'") from None
    return pd


def builtin_frame(name: str) -> pd.DataFrame:
    """The built-in table ``name`` as shipped by its package (nothing is downloaded)."""
    pd = _pandas()
    if name == "breast-cancer":
        from sklearn.datasets import load_breast_cancer

        bunch = load_breast_cancer(as_frame=True)
        frame = bunch.frame.copy()
        frame["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()].astype(object)
        return frame
    if name == "gbsg2":
        spec = importlib.util.find_spec("lifelines")
        if spec is None or not spec.submodule_search_locations:
            raise ScienceError("built-in gbsg2 needs lifelines: pip install 'scigan[tabular]'")
        return pd.read_csv(Path(next(iter(spec.submodule_search_locations))) / "datasets" / "gbsg2.csv")
    raise ScienceError(f"unknown built-in table {name!r}; choose one of: {', '.join(BUILTIN_LABELS)}")


def read_frame(path: Path) -> pd.DataFrame:
    """A CSV, TSV or Parquet file as a DataFrame (by its ending; a text table's
    delimiter is sniffed, see :func:`sniff_delimiter`)."""
    pd = _pandas()
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ScienceError(f"{path}: tables are read from {', '.join(FORMATS)}; convert it to one of them")
    if not path.is_file():
        raise ScienceError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise ScienceError(f"{path} is empty (0 bytes); give a table with a header and rows")
    sep = FORMATS[suffix]
    try:
        if sep is None:
            return pd.read_parquet(path)
        return pd.read_csv(path, sep=sniff_delimiter(path, sep))
    except ImportError:
        raise ScienceError("Parquet needs pyarrow: pip install 'scigan[tabular]'") from None
    except UnicodeDecodeError as err:
        raise ScienceError(not_utf8(path, err)) from None
    except Exception as err:  # any parser failure means the file is damaged or not a table
        what = "Parquet file" if sep is None else "table"
        raise ScienceError(f"{path} is not a readable {what}: {brief(err)}") from None


def joined_by(frame: pd.DataFrame) -> str:
    """The character that seems to join a one-column table's header and values
    (e.g. ":" for ``age:bmi:stage``), or "" when the table does not look joined."""
    if frame.shape[1] != 1:
        return ""
    name = str(frame.columns[0])
    marks = Counter(c for c in name if not c.isalnum() and c not in "_-.()[]'\"%")
    values = [str(v) for v in frame.iloc[:20, 0].dropna()]
    for mark, count in marks.most_common():
        if all(v.count(mark) == count for v in values):
            return mark
    return ""


def _joined_hint(frame: pd.DataFrame) -> str:
    mark = joined_by(frame)
    if not mark:
        return ""
    shown = {" ": "spaces", "\t": "tabs"}.get(mark, repr(mark))
    return (
        f" (one column whose name looks like several joined by {shown}: if {shown} separates "
        "the columns, save the file comma-separated)"
    )


def parse_column_types(text: str | dict[str, str]) -> dict[str, str]:
    """``"age=integer,stage=categorical"``, a JSON object or a dict -> {column: kind},
    kinds checked (JSON holds any column name, commas included)."""
    if isinstance(text, dict):
        pairs = dict(text)
    elif text.strip().startswith("{"):
        try:
            pairs = json.loads(text)
        except json.JSONDecodeError as err:
            raise ScienceError(f"--column-types is not valid JSON: {err}") from None
    else:
        pairs = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, kind = item.rpartition("=")
            if not sep or not name:
                raise ScienceError(f"--column-types item {item!r} is not name=type; e.g. age=integer")
            pairs[name.strip()] = kind.strip()
    for name, kind in pairs.items():
        if kind not in KINDS:
            raise ScienceError(f"--column-types {name}={kind}: unknown type; choose one of: {', '.join(KINDS)}")
    return pairs


def _check_known(frame: pd.DataFrame, names: list[str], option: str) -> None:
    columns = [str(c) for c in frame.columns]
    for name in names:
        if name not in columns:
            shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
            raise ScienceError(f"{option}: unknown column {name!r}; the table has: {shown}{_joined_hint(frame)}")


def infer_kind(series: pd.Series) -> str:
    """The kind of one column: booleans, datetimes, integer-valued numbers with at most
    :data:`MAX_INTEGER_CATEGORIES` values (categorical), other integers, other numbers,
    else categorical. Text mixed with numbers is refused."""
    pd = _pandas()
    name = series.name
    values = series.dropna()
    if len(values) == 0:
        raise ScienceError(f"column {name!r} has no values (all missing); drop it from the table")
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        numbers = values.to_numpy(dtype=np.float64)
        if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
            return "categorical" if values.nunique() <= MAX_INTEGER_CATEGORIES else "integer"
        return "numeric"
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return "boolean"
    parsed = pd.to_numeric(values, errors="coerce")
    numeric = int(parsed.notna().sum())
    if 0 < numeric < len(values):
        bad = values[parsed.isna()].iloc[0]
        good = values[parsed.notna()].iloc[0]
        raise ScienceError(
            f"column {name!r} mixes numbers and text (e.g. {good!r} and {bad!r}); clean it, "
            f"or declare it with --column-types {name}=categorical"
        )
    if numeric == len(values):
        return infer_kind(pd.to_numeric(series))
    if (
        all(isinstance(v, str) for v in values)
        and values.str.contains(r"^\d{4}-\d{2}-\d{2}").all()
        and pd.to_datetime(values, errors="coerce").notna().all()
    ):
        return "datetime"
    return "categorical"


def _coerce(series: pd.Series, kind: str) -> pd.Series:
    """``series`` converted to what ``kind`` needs (numbers, datetimes), or a clear error."""
    pd = _pandas()
    name = series.name
    try:
        if kind in ("numeric", "integer") and not pd.api.types.is_numeric_dtype(series):
            return pd.to_numeric(series)
        if kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(series):
            return pd.to_datetime(series)
    except (ValueError, TypeError) as err:
        raise ScienceError(
            f"column {name!r} cannot be read as {kind}: {str(err).splitlines()[0]}; "
            "fix the values or choose another --column-types"
        ) from None
    if kind == "integer":
        values = series.dropna().to_numpy(dtype=np.float64)
        if not np.all(values == np.round(values)):
            raise ScienceError(
                f"column {name!r} holds fractions, so it cannot be integer; declare it --column-types {name}=numeric"
            )
    return series


def load_table(
    source: str | Path | pd.DataFrame,
    *,
    label_column: str = "",
    column_types: str | dict[str, str] = "",
    drop_columns: str = "",
) -> TableData:
    """A built-in table (``breast-cancer``, ``gbsg2``), a CSV/TSV/Parquet file or a
    DataFrame, checked and typed.

    ``label_column`` names the label ("" takes a built-in's own, else none);
    ``column_types`` overrides inferred kinds (``"age=integer,..."`` or a dict);
    ``drop_columns`` ("a,b") leaves columns out, never the label.
    """
    pd = _pandas()
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), "DataFrame"
    elif str(source).strip().lower() in BUILTIN_LABELS:
        name = str(source).strip().lower()
        frame = builtin_frame(name)
        label_column = label_column or BUILTIN_LABELS[name]
    else:
        name = str(source)
        frame = read_frame(Path(source))
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ScienceError(f"{name}: the table is empty ({frame.shape[0]} rows, {frame.shape[1]} columns)")
    frame.columns = [str(c) for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise ScienceError(f"{name}: column {duplicated[0]!r} appears twice; give every column its own name")
    if label_column:
        _check_known(frame, [label_column], "--label-column")
    frame = _dropped(frame, drop_columns, label_column)
    overrides = parse_column_types(column_types)
    _check_known(frame, list(overrides), "--column-types")
    schema: dict[str, str] = {}
    for column in frame.columns:
        if column in overrides:
            if frame[column].isna().all():
                raise ScienceError(f"column {column!r} has no values (all missing); drop it from the table")
            schema[column] = overrides[column]
            frame[column] = _coerce(frame[column], overrides[column])
        elif column == label_column:
            if frame[column].isna().all():
                raise ScienceError(f"label column {column!r} has no values; choose another --label-column")
            schema[column] = "categorical"
        else:
            schema[column] = infer_kind(frame[column])
            frame[column] = _coerce(frame[column], schema[column])
    if not label_column and _joined_hint(frame):
        raise ScienceError(f"{name}: the table reads as one column, {frame.columns[0]!r}{_joined_hint(frame)}")
    _check_infinite(frame, schema, name)
    y: np.ndarray | None = None
    class_names: list[str] = []
    if label_column:
        y, class_names = _labels(frame[label_column])
    return TableData(
        x=frame,
        y=y,
        class_names=class_names,
        source=name,
        modality="tabular",
        info={"schema": schema, "label_column": label_column},
    )


def _dropped(frame: pd.DataFrame, drop_columns: str, label_column: str) -> pd.DataFrame:
    """``frame`` without the comma-separated ``drop_columns``; ScienceError for a name
    not in it, for the label column and when no column would be left."""
    names = list(dict.fromkeys(c.strip() for c in drop_columns.split(",") if c.strip()))
    if not names:
        return frame
    _check_known(frame, names, "--drop-columns")
    if label_column in names:
        raise ScienceError(f"--drop-columns: {label_column!r} is the label column; drop it from --drop-columns")
    if len(names) == frame.shape[1]:
        raise ScienceError("--drop-columns would leave no column; keep at least one")
    return frame.drop(columns=names)


def _check_infinite(frame: pd.DataFrame, schema: dict[str, str], name: str) -> None:
    """Refuse ±inf in the number columns of ``frame``, naming them and their row counts
    (missing values are allowed: they are learned as missing)."""
    pd = _pandas()
    bad: dict[str, int] = {}
    for column, kind in schema.items():
        series = frame[column]
        if kind in ("numeric", "integer") and pd.api.types.is_numeric_dtype(series):
            count = int(np.isinf(series.to_numpy(dtype=np.float64, na_value=np.nan)).sum())
            if count:
                bad[column] = count
    if not bad:
        return
    rows = {c: f"{n} row{'s' * (n != 1)}" for c, n in bad.items()}
    if len(bad) == 1:
        column = next(iter(bad))
        what = f"column {column!r} holds ±inf in {rows[column]}"
    else:
        listed = ", ".join(f"{c!r} ({r})" for c, r in list(rows.items())[:6]) + (", ..." if len(bad) > 6 else "")
        what = f"columns {listed} hold ±inf"
    raise ScienceError(f"{name}: {what}; replace them with numbers, or leave those cells empty (missing)")


def _labels(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer labels (N,) and class names (sorted values) of the label column."""
    name = series.name
    missing = int(series.isna().sum())
    if missing:
        raise ScienceError(f"label column {name!r} has {missing} missing value(s); fill or drop those rows")
    values = sorted(series.unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(values) < 2:
        raise ScienceError(
            f"label column {name!r} has one class ({values[0]!r}); a label needs at least two "
            "values: choose another --label-column or drop it"
        )
    index = {v: i for i, v in enumerate(values)}
    return np.array([index[v] for v in series.tolist()], dtype=np.int64), [str(v) for v in values]


def save_table(
    frame: pd.DataFrame, path: Path, *, overwrite: bool = False, provenance: dict[str, str] | None = None
) -> None:
    """Write ``frame`` as CSV, TSV or Parquet (by ``path``'s ending); Parquet keeps
    ``provenance`` (e.g. scigan:synthetic) in its schema metadata, CSV and TSV in a
    ``<file>.provenance.json`` sidecar (:func:`write_sidecar`). Written atomically."""
    import os

    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ScienceError(f"--out {path}: tables are written as {', '.join(FORMATS)}; choose one of them")
    if path.exists() and not overwrite:
        raise ScienceError(f"{path} already exists; pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if FORMATS[suffix] is None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ScienceError("Parquet needs pyarrow: pip install 'scigan[tabular]'; or write .csv") from None
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in (provenance or {}).items()}}
        pq.write_table(table.replace_schema_metadata(meta), tmp)
    else:
        frame.to_csv(tmp, sep=FORMATS[suffix], index=False)
    os.replace(tmp, path)
    if FORMATS[suffix] is not None:
        write_sidecar(path, provenance)
