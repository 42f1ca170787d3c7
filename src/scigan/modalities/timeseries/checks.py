"""Parsing and checking the columns of a table of series: numbers, timestamps, series
ids, labels, gaps, duplicates, infinite and constant values. Each refusal is one
:class:`ScienceError` line naming the problem and the fix; :mod:`.frames` calls these.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.warn import warn

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

#: Column names listed in a message before "...".
SHOWN = 12


def pandas_module() -> Any:
    """pandas, or ScienceError saying how to install it."""
    try:
        import pandas as pd
    except ImportError:
        raise ScienceError("time series need pandas: pip install 'scigan[timeseries]'") from None
    return pd


def iso(t: Any) -> str:
    """A timestamp as ISO text (a date alone at midnight); a number as itself."""
    if isinstance(t, np.floating | float):
        return f"{float(t):g}"
    stamp = pandas_module().Timestamp(t)
    return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()


def listed(names: list[str]) -> str:
    """``names`` joined by commas, cut after :data:`SHOWN` with "..."."""
    return ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")


def numeric_columns(table: pd.DataFrame, name: str, special: list[str]) -> list[str]:
    """Every numeric column but ``special`` (text columns are skipped with a warning)."""
    pd = pandas_module()
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
                chosen.append(column)  # numbers names its first text value
            else:
                skipped.append(column)
    if not chosen:
        raise ScienceError(
            f"{name}: no numeric value column; name them with --columns (it has: {listed(list(table.columns))})"
        )
    if skipped:
        warn(
            f"{name}: column(s) {listed(skipped)} are not numeric and were left out; name value columns with --columns"
        )
    return chosen


def parse_numbers(series: pd.Series, name: str, where: Callable[[int], str]) -> np.ndarray:
    """A value column as float64 (N,), NaN for empty cells; text is refused."""
    pd = pandas_module()
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


def series_codes(
    table: pd.DataFrame, name: str, id_column: str, where: Callable[[int], str]
) -> tuple[np.ndarray, list[str]]:
    """Which series each row is in (N,) int64, and the series' names (first-seen order)."""
    pd = pandas_module()
    if not id_column:
        return np.zeros(len(table), dtype=np.int64), [Path(name).name]
    column = table[id_column]
    empty = np.flatnonzero(column.isna().to_numpy())
    if len(empty):
        raise ScienceError(f"{name}: id column {id_column!r} is empty at {where(int(empty[0]))}; fill or drop that row")
    codes, uniques = pd.factorize(column.astype(str))
    return codes.astype(np.int64), [str(u) for u in uniques]


def parse_times(series: pd.Series, name: str, where: Callable[[int], str]) -> np.ndarray:
    """The time column as datetime64[ns] (UTC when zoned), or float64 when numeric."""
    pd = pandas_module()
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


def refuse_duplicates(
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


def refuse_infinite(values: np.ndarray, columns: list[str], name: str) -> None:
    counts = np.isinf(values).sum(axis=0)
    if counts.any():
        listed = ", ".join(f"{c!r} ({int(n)})" for c, n in zip(columns, counts, strict=True) if n)
        raise ScienceError(
            f"{name}: infinite values in column(s) {listed}; replace them with numbers, or empty the cells "
            "and pass --fill ffill or --fill drop"
        )


def fill_gaps(
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
    pd = pandas_module()
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


def refuse_constant(values: np.ndarray, columns: list[str], name: str) -> None:
    spread = np.ptp(values, axis=0)
    for k in np.flatnonzero(spread == 0):
        others = [c for c in columns if c != columns[k]]
        fix = f"leave it out with --columns {','.join(others)}" if others else "choose another column with --columns"
        raise ScienceError(
            f"{name}: column {columns[k]!r} is constant ({values[0, k]:g}); a constant channel cannot be scaled "
            f"or learned: {fix}"
        )


def series_labels(
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
