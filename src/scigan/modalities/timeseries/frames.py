"""Reading series: a CSV, TSV or Parquet table, a DataFrame or a built-in as a
:class:`SeriesFrame`, one time-ordered float array per series.

Every refusal is a :class:`ScienceError` naming the problem and the fix; the cutting into
windows is in :mod:`.io`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.warn import warn

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

#: Column names (any case) taken as the time column when --time-column is left empty.
TIME_NAMES = ("date", "time", "timestamp", "datetime")
#: File endings read as tables of series.
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")
#: The --fill choices.
FILLS = ("refuse", "ffill", "drop")
#: Column names listed in a message before "...".
SHOWN = 12


@dataclass(frozen=True)
class SeriesFrame:
    """Series read from one source, each in time order.

    Attributes:
        values: one float64 array (T_i, C) per series, in the user's units.
        times: per series its timestamps (T_i,) as datetime64[ns] (float64 for a numeric
            time column), or None when there is no time column (row order).
        ids: the series' names (one series: the source's name).
        labels: int64 (n_series,) indexing ``class_names``, or None when unlabelled.
        class_names: the label values, sorted, as text.
        columns: the value columns, in the user's names.
        time_column: the time column's name, "" for none.
        source: the built-in name, the path or "DataFrame".
        info: n_series, n_rows, n_filled, n_dropped, n_sorted, and when timed first_time
            and last_time (ISO text).
    """

    values: list[np.ndarray]
    times: list[np.ndarray | None]
    ids: list[str]
    labels: np.ndarray | None
    class_names: list[str]
    columns: list[str]
    time_column: str
    source: str
    info: dict[str, Any]

    @property
    def lengths(self) -> list[int]:
        """The number of steps of each series."""
        return [len(v) for v in self.values]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ScienceError("time series need pandas: pip install 'scigan[timeseries]'") from None
    return pd


def iso(t: Any) -> str:
    """A timestamp as ISO text (a date alone at midnight); a number as itself."""
    if isinstance(t, np.floating | float):
        return f"{float(t):g}"
    stamp = _pandas().Timestamp(t)
    return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()


def _listed(names: list[str]) -> str:
    return ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV, TSV or Parquet file of series as a DataFrame (the tabular kind's reader)."""
    from scigan.modalities.tabular.io import read_frame as read_tabular

    suffix = path.suffix.lower()
    if suffix == ".npz":
        raise ScienceError(f"{path}: .npz files hold windows; read them with load_windows")
    if suffix not in TABLE_SUFFIXES:
        raise ScienceError(
            f"{path}: series are read from .csv, .tsv, .parquet (a table) or .npz (windows); convert it to one of them"
        )
    if not path.is_file():
        raise ScienceError(f"{path} does not exist; give a CSV/Parquet file or a built-in (sp500, gunpoint)")
    return read_tabular(path)


def read_frame(
    source: str | Path | pd.DataFrame,
    *,
    time_column: str = "",
    columns: str = "",
    id_column: str = "",
    label_column: str = "",
    fill: str = "refuse",
) -> SeriesFrame:
    """The series of a built-in (``sp500``, ``gunpoint``), a .csv/.tsv/.parquet file or a
    DataFrame, each sorted by time (within ``id_column``), checked and filled.

    ``time_column``: the timestamps ("" = a column named date/time/timestamp/datetime, else
    the row order); ``columns``: comma-separated value columns ("" = every numeric column
    but the time, id and label columns); ``id_column``: which series a row belongs to;
    ``label_column``: one class per series; ``fill``: refuse, ffill or drop missing cells.
    """
    from scigan.modalities.timeseries import builtins

    pd = _pandas()
    if fill not in FILLS:
        raise ScienceError(f"--fill {fill!r}: choose one of {', '.join(FILLS)}")
    where: Callable[[int], str] = lambda i: f"row {i + 1}"  # noqa: E731
    if isinstance(source, pd.DataFrame):
        table, name = source.reset_index(drop=not _named_index(source)), "DataFrame"
    elif str(source).strip().lower() in builtins.DEFAULTS:
        name = str(source).strip().lower()
        table, defaults = builtins.builtin_table(name)
        time_column = time_column or defaults.get("time_column", "")
        id_column = id_column or defaults.get("id_column", "")
        label_column = label_column or defaults.get("label_column", "")
    else:
        path = Path(source)
        table, name = read_table(path), str(path)
        if path.suffix.lower() in (".csv", ".tsv"):
            where = lambda i: f"line {i + 2}"  # noqa: E731
    return frame_series(table, name, where, time_column, columns, id_column, label_column, fill)


def _named_index(table: pd.DataFrame) -> bool:
    """Whether a DataFrame's index is data (named, e.g. a Date index) rather than row numbers."""
    return any(n is not None for n in table.index.names)


def frame_series(
    table: pd.DataFrame,
    name: str,
    where: Callable[[int], str],
    time_column: str,
    columns: str,
    id_column: str,
    label_column: str,
    fill: str,
) -> SeriesFrame:
    """The :class:`SeriesFrame` of a table (``name`` for messages, ``where(i)`` naming row i)."""
    if table.shape[0] < 2 or table.shape[1] == 0:
        raise ScienceError(f"{name}: the table is empty or has one row ({table.shape[0]} rows); give a series")
    table = table.copy()
    table.columns = [str(c) for c in table.columns]
    known = list(table.columns)
    twice = table.columns[table.columns.duplicated()].tolist()
    if twice:
        raise ScienceError(f"{name}: column {twice[0]!r} appears twice; give every column its own name")
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns else []
    for option, names in (
        ("--time-column", [time_column]),
        ("--id-column", [id_column]),
        ("--label-column", [label_column]),
        ("--columns", wanted),
    ):
        for column in filter(None, names):
            if column not in known:
                raise ScienceError(f"{option}: {name} has no column {column!r}; it has: {_listed(known)}")
    if not time_column:
        time_column = next(
            (c for c in known if c.lower() in TIME_NAMES and c not in (id_column, label_column) and c not in wanted),
            "",
        )
    special = [c for c in (time_column, id_column, label_column) if c]
    for column in wanted:
        if column in special:
            raise ScienceError(f"--columns: {column!r} is the time, id or label column; leave it out of --columns")
    value_columns = wanted or _numeric_columns(table, name, special)
    values = np.column_stack([_numbers(table[c], name, where) for c in value_columns])
    codes, ids = _series_codes(table, name, id_column, where)
    times = _times(table[time_column], name, where) if time_column else None
    order = np.argsort(codes, kind="stable")
    n_sorted = 0
    if times is not None:
        key = times.astype(np.int64) if times.dtype.kind == "M" else times
        timed = np.lexsort((key, codes))
        n_sorted = int((timed != order).sum())
        order = timed
        _refuse_duplicates(codes[order], key[order], order, times, ids, name, time_column, where)
        if n_sorted:
            warn(f"{name}: {n_sorted} rows were out of time order; sorted them by {time_column}")
    values, codes = values[order], codes[order]
    times = None if times is None else times[order]
    rows = order
    _refuse_infinite(values, value_columns, name)
    n_filled = n_dropped = 0
    missing = np.isnan(values)
    if missing.any():
        n_filled, keep = _fill(values, missing, codes, value_columns, ids, name, fill)
        if keep is not None:
            n_dropped = int((~keep).sum())
            values, codes, rows = values[keep], codes[keep], rows[keep]
            times = None if times is None else times[keep]
            if len(values) < 2:
                raise ScienceError(
                    f"{name}: dropping the rows with empty cells leaves {len(values)}; fill them instead"
                )
    _refuse_constant(values, value_columns, name)
    labels, class_names = _labels(table, label_column, codes, rows, ids, name, where) if label_column else (None, [])
    present = np.unique(codes)
    if len(present) < len(ids):  # series whose every row was dropped
        ids = [ids[k] for k in present]
        codes = np.searchsorted(present, codes)
    bounds = np.flatnonzero(np.diff(codes)) + 1
    series = np.split(values, bounds)
    stamps: list[np.ndarray | None] = list(np.split(times, bounds)) if times is not None else [None] * len(series)
    counts = {"n_filled": n_filled, "n_dropped": n_dropped, "n_sorted": n_sorted}
    info: dict[str, Any] = {"n_series": len(series), "n_rows": len(values), **counts}
    if times is not None:
        info["first_time"], info["last_time"] = iso(times.min()), iso(times.max())
    series = [np.ascontiguousarray(v) for v in series]
    return SeriesFrame(series, stamps, ids, labels, class_names, list(value_columns), time_column, name, info)


def _numeric_columns(table: pd.DataFrame, name: str, special: list[str]) -> list[str]:
    """Every numeric column but ``special`` (text columns are skipped with a warning)."""
    pd = _pandas()
    chosen, skipped = [], []
    for column in table.columns:
        if column in special:
            continue
        series = table[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            skipped.append(column)
        elif pd.api.types.is_numeric_dtype(series):
            chosen.append(column)
        else:
            parsed = pd.to_numeric(series, errors="coerce")
            if parsed.notna().any():
                chosen.append(column)  # _numbers names its first text value
            else:
                skipped.append(column)
    if not chosen:
        raise ScienceError(
            f"{name}: no numeric value column; name them with --columns (it has: {_listed(list(table.columns))})"
        )
    if skipped:
        warn(
            f"{name}: column(s) {_listed(skipped)} are not numeric and were left out; name value columns with --columns"
        )
    return chosen


def _numbers(series: pd.Series, name: str, where: Callable[[int], str]) -> np.ndarray:
    """A value column as float64 (N,), NaN for empty cells; text is refused."""
    pd = _pandas()
    column = series.name
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        raise ScienceError(
            f"{name}: value column {column!r} is not numeric ({series.dtype}); leave it out of --columns"
        )
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    parsed = pd.to_numeric(series, errors="coerce")
    bad = np.flatnonzero((parsed.isna() & series.notna()).to_numpy())
    if len(bad):
        i = int(bad[0])
        raise ScienceError(
            f"{name}: value column {column!r} is not numeric ({where(i)}: {series.iloc[i]!r}); "
            "fix the values, or leave it out with --columns"
        )
    return parsed.to_numpy(dtype=np.float64, na_value=np.nan)


def _series_codes(
    table: pd.DataFrame, name: str, id_column: str, where: Callable[[int], str]
) -> tuple[np.ndarray, list[str]]:
    """Which series each row is in (N,) int64, and the series' names (first-seen order)."""
    pd = _pandas()
    if not id_column:
        return np.zeros(len(table), dtype=np.int64), [Path(name).name]
    column = table[id_column]
    empty = np.flatnonzero(column.isna().to_numpy())
    if len(empty):
        raise ScienceError(f"{name}: id column {id_column!r} is empty at {where(int(empty[0]))}; fill or drop that row")
    codes, uniques = pd.factorize(column.astype(str))
    return codes.astype(np.int64), [str(u) for u in uniques]


def _times(series: pd.Series, name: str, where: Callable[[int], str]) -> np.ndarray:
    """The time column as datetime64[ns] (UTC when zoned), or float64 when numeric."""
    pd = _pandas()
    column = series.name
    empty = np.flatnonzero(series.isna().to_numpy())
    if len(empty):
        raise ScienceError(f"{name}: time column {column!r} is empty at {where(int(empty[0]))}; fill or drop that row")
    if pd.api.types.is_bool_dtype(series):
        raise ScienceError(f"{name}: time column {column!r} holds true/false; choose another --time-column")
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(series, errors="coerce", utc=True)
        except (ValueError, TypeError):
            parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
        failed = parsed.isna()
        if failed.any():
            again = pd.to_datetime(series[failed].astype(str), errors="coerce", utc=True, format="mixed")
            parsed = parsed.astype("datetime64[ns, UTC]")
            parsed[failed] = again
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        raise ScienceError(
            f"{name}: time column {column!r} does not parse at {where(i)}: {series.iloc[i]!r} is not a date or "
            "time; fix it, or choose another column with --time-column"
        )
    return parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")


def _refuse_duplicates(
    codes: np.ndarray,
    key: np.ndarray,
    rows: np.ndarray,
    times: np.ndarray,
    ids: list[str],
    name: str,
    time_column: str,
    where: Callable[[int], str],
) -> None:
    """Refuse a timestamp that appears twice in one series (``codes``/``key`` in sorted order)."""
    same = np.flatnonzero((codes[1:] == codes[:-1]) & (key[1:] == key[:-1]))
    if not len(same):
        return
    k = int(same[0])
    first, second = sorted((int(rows[k]), int(rows[k + 1])))
    inside = f" of series {ids[codes[k]]!r}" if len(ids) > 1 else ""
    hint = "" if len(ids) > 1 else ", or name the series of each row with --id-column"
    raise ScienceError(
        f"{name}: {time_column} {iso(times[first])}{inside} appears twice ({where(first)} and {where(second)}); "
        f"remove the duplicate rows{hint}"
    )


def _refuse_infinite(values: np.ndarray, columns: list[str], name: str) -> None:
    counts = np.isinf(values).sum(axis=0)
    if counts.any():
        listed = ", ".join(f"{c!r} ({int(n)})" for c, n in zip(columns, counts, strict=True) if n)
        raise ScienceError(
            f"{name}: infinite values in column(s) {listed}; replace them with numbers, or empty the cells "
            "and pass --fill ffill or --fill drop"
        )


def _fill(
    values: np.ndarray,
    missing: np.ndarray,
    codes: np.ndarray,
    columns: list[str],
    ids: list[str],
    name: str,
    fill: str,
) -> tuple[int, np.ndarray | None]:
    """Fill ``values`` in place (ffill) or choose the rows to keep (drop); (cells filled,
    rows kept or None)."""
    counts = missing.sum(axis=0)
    total = int(counts.sum())
    listed = ", ".join(f"{c!r} ({int(n)})" for c, n in zip(columns, counts, strict=True) if n)
    if fill == "refuse":
        raise ScienceError(
            f"{name}: {total} empty or NaN cell(s) in column(s) {listed}; fill them in the file, or pass "
            "--fill ffill (carry the last value forward) or --fill drop (drop those rows)"
        )
    if fill == "drop":
        keep = np.asarray(~missing.any(axis=1), dtype=bool)
        warn(f"{name}: dropped {int((~keep).sum())} row(s) with empty cells in column(s) {listed}")
        return 0, keep
    pd = _pandas()
    filled = pd.DataFrame(values).groupby(codes, sort=False).ffill()
    filled = filled.groupby(codes, sort=False).bfill()
    left = filled.isna().to_numpy()
    if left.any():
        row, col = (int(v[0]) for v in np.nonzero(left))
        raise ScienceError(
            f"{name}: column {columns[col]!r} of series {ids[codes[row]]!r} has no value at all, so --fill "
            "ffill has nothing to carry; leave the column out with --columns or drop that series"
        )
    values[:] = filled.to_numpy(dtype=np.float64)
    warn(f"{name}: filled {total} empty cell(s) in column(s) {listed} with the last (or first) value")
    return total, None


def _refuse_constant(values: np.ndarray, columns: list[str], name: str) -> None:
    spread = np.ptp(values, axis=0)
    for k in np.flatnonzero(spread == 0):
        others = [c for c in columns if c != columns[k]]
        fix = f"leave it out with --columns {','.join(others)}" if others else "choose another column with --columns"
        raise ScienceError(
            f"{name}: column {columns[k]!r} is constant ({values[0, k]:g}); a constant channel cannot be scaled "
            f"or learned: {fix}"
        )


def _labels(
    table: pd.DataFrame,
    label_column: str,
    codes: np.ndarray,
    rows: np.ndarray,
    ids: list[str],
    name: str,
    where: Callable[[int], str],
) -> tuple[np.ndarray, list[str]]:
    """One label per series (int64 indexing the sorted class names) from the kept ``rows``."""
    column = table[label_column]
    values = column.to_numpy()[rows]
    empty = np.flatnonzero(column.isna().to_numpy()[rows])
    if len(empty):
        raise ScienceError(
            f"{name}: label column {label_column!r} is empty at {where(int(rows[empty[0]]))}; fill or drop that row"
        )
    per_series: dict[int, Any] = {}
    for code, value, row in zip(codes.tolist(), values.tolist(), rows.tolist(), strict=True):
        seen = per_series.setdefault(code, value)
        if seen != value:
            raise ScienceError(
                f"{name}: series {ids[code]!r} has two labels ({seen!r} and {value!r}, {where(row)}); give each "
                "series one label, or name the series of each row with --id-column"
            )
    ordered = [per_series[c] for c in sorted(per_series)]
    classes = sorted(set(ordered), key=lambda v: (str(type(v)), v))
    if len(classes) < 2:
        raise ScienceError(
            f"{name}: label column {label_column!r} has one class ({classes[0]!r}); a label needs two: choose "
            "another --label-column or drop it"
        )
    index = {v: k for k, v in enumerate(classes)}
    return np.array([index[v] for v in ordered], dtype=np.int64), [str(v) for v in classes]
