"""Reading series: a CSV, TSV or Parquet table, a DataFrame or a built-in as a
:class:`SeriesFrame`, one time-ordered float array per series.

Every refusal is a :class:`ScienceError` naming the problem and the fix; the cutting into
windows is in :mod:`.io`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.timeseries.checks import (
    fill_gaps,
    iso,
    listed,
    numeric_columns,
    pandas_module,
    parse_numbers,
    parse_times,
    refuse_constant,
    refuse_duplicates,
    refuse_infinite,
    series_codes,
    series_labels,
)
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

    pd = pandas_module()
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
                raise ScienceError(f"{option}: {name} has no column {column!r}; it has: {listed(known)}")
    if not time_column:
        time_column = next(
            (c for c in known if c.lower() in TIME_NAMES and c not in (id_column, label_column) and c not in wanted),
            "",
        )
    special = [c for c in (time_column, id_column, label_column) if c]
    for column in wanted:
        if column in special:
            raise ScienceError(f"--columns: {column!r} is the time, id or label column; leave it out of --columns")
    value_columns = wanted or numeric_columns(table, name, special)
    values = np.column_stack([parse_numbers(table[c], name, where) for c in value_columns])
    codes, ids = series_codes(table, name, id_column, where)
    times = parse_times(table[time_column], name, where) if time_column else None
    order = np.argsort(codes, kind="stable")
    n_sorted = 0
    if times is not None:
        key = times.astype(np.int64) if times.dtype.kind == "M" else times
        timed = np.lexsort((key, codes))
        n_sorted = int((timed != order).sum())
        order = timed
        refuse_duplicates(codes[order], key[order], order, times, ids, name, time_column, where)
        if n_sorted:
            warn(f"{name}: {n_sorted} rows were out of time order; sorted them by {time_column}")
    values, codes = values[order], codes[order]
    times = None if times is None else times[order]
    rows = order
    refuse_infinite(values, value_columns, name)
    n_filled = n_dropped = 0
    missing = np.isnan(values)
    if missing.any():
        n_filled, keep = fill_gaps(values, missing, codes, value_columns, ids, name, fill)
        if keep is not None:
            n_dropped = int((~keep).sum())
            values, codes, rows = values[keep], codes[keep], rows[keep]
            times = None if times is None else times[keep]
            if len(values) < 2:
                raise ScienceError(
                    f"{name}: dropping the rows with empty cells leaves {len(values)}; fill them instead"
                )
    refuse_constant(values, value_columns, name)
    labels, class_names = (
        series_labels(table, label_column, codes, rows, ids, name, where) if label_column else (None, [])
    )
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
