"""Series as windows: series read by :mod:`.frames` cut into (N, T, C) windows with a
split by time, ``.npz`` windows read as they are, and generated windows written as
.csv, .parquet or .npz.

Every refusal is a :class:`ScienceError` naming the problem and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset, check_output_file
from scigan.modalities.timeseries.frames import SeriesFrame, iso, read_frame

if TYPE_CHECKING:
    import pandas as pd

#: Window of long series (the TimeGAN protocol) when --window is -1.
AUTO_WINDOW = 24
#: Series of one length shorter than this are taken whole when --window is -1.
WHOLE_BELOW = 200
#: Series ids listed in a Dataset's info up to this many series.
MAX_IDS = 1000
#: File endings windows are written as.
WRITE_SUFFIXES = (".csv", ".parquet", ".npz")
#: Columns of the long table written before the value columns.
LONG_COLUMNS = ("sample", "step", "label")


def load_windows(
    source: str | Path | pd.DataFrame,
    *,
    window: int = -1,
    stride: int = 1,
    holdout: float = 0.1,
    time_column: str = "",
    columns: str = "",
    id_column: str = "",
    label_column: str = "",
    fill: str = "refuse",
) -> Dataset:
    """Windows of a built-in (``sp500``, ``gunpoint``), a CSV/TSV/Parquet file, a DataFrame
    or an ``.npz`` of windows, as a Dataset (modality "timeseries").

    ``x`` is float64 (N, T, C) in the user's units, ``y`` int64 (N,) the label of each
    window's series or None. ``window`` -1: the whole series when all are shorter than
    :data:`WHOLE_BELOW` steps and of one length, else :data:`AUTO_WINDOW`. For windowed
    series the holdout is the last ``holdout`` share of each series' steps (``test_mask``;
    windows straddling the cut are dropped) and ``time_rank`` (N,) is each window's end
    over the series' last index; with one window per series both are None (whole series
    are held out). The other options are :func:`~.frames.read_frame`'s.
    """
    if isinstance(source, str | Path) and Path(source).suffix.lower() == ".npz":
        return load_npz(Path(source), window)
    frame = read_frame(
        source, time_column=time_column, columns=columns, id_column=id_column, label_column=label_column, fill=fill
    )
    return cut_windows(frame, window=window, stride=stride, holdout=holdout)


def cut_windows(frame: SeriesFrame, *, window: int = -1, stride: int = 1, holdout: float = 0.1) -> Dataset:
    """The windows (N, window, C) of ``frame``'s series, split by time (see :func:`load_windows`)."""
    name, lengths = frame.source, frame.lengths
    if window != -1 and window < 2:
        raise ScienceError(f"--window {window}: a window needs at least 2 steps (or -1 for the default)")
    if stride < 1:
        raise ScienceError(f"--stride {stride}: the stride must be at least 1")
    if window == -1:
        whole = max(lengths) < WHOLE_BELOW and len(set(lengths)) == 1
        window = lengths[0] if whole else AUTO_WINDOW
    short = [i for i, n in enumerate(lengths) if n < window]
    if short:
        i = min(short, key=lambda k: lengths[k])
        which = "the series" if len(lengths) == 1 else f"series {frame.ids[i]!r}"
        raise ScienceError(
            f"{name}: the window ({window} steps) is longer than {which} ({lengths[i]} steps); "
            f"pass a shorter --window (at most {min(lengths)})"
        )
    info: dict[str, Any] = {
        "columns": list(frame.columns),
        "time_column": frame.time_column,
        "window": int(window),
        "stride": int(stride),
        **{k: frame.info[k] for k in ("n_series", "n_rows", "n_filled", "n_dropped", "n_sorted")},
    }
    for key in ("first_time", "last_time"):
        if key in frame.info:
            info[key] = frame.info[key]
    if len(frame.ids) <= MAX_IDS:
        info["series_ids"] = list(frame.ids)
    if all(n == window for n in lengths):
        if len(lengths) < 2:
            raise ScienceError(
                f"{name}: one series of {window} steps makes one window; pass a shorter --window to cut it into several"
            )
        x = np.stack(frame.values).astype(np.float64)
        info.update(n_windows=len(x), n_straddling=0)
        return Dataset(x, frame.labels, list(frame.class_names), name, "timeseries", None, info, None)
    if not 0.0 < holdout < 1.0:
        raise ScienceError(f"--holdout must be in (0, 1) to hold out the end of each series, got {holdout}")
    parts: list[np.ndarray] = []
    tests: list[np.ndarray] = []
    ranks: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    straddling = 0
    for i, values in enumerate(frame.values):
        n = len(values)
        starts = np.arange(0, n - window + 1, stride)
        ends = starts + window - 1
        if n == window:  # one window only: kept whole for training
            train, test = np.ones(1, bool), np.zeros(1, bool)
        else:
            cut = n - max(1, round(holdout * n))
            train, test = ends < cut, starts >= cut
            if len(lengths) == 1 and frame.times[0] is not None:
                info["cut_time"] = iso(frame.times[0][cut])
        keep = train | test
        straddling += int((~keep).sum())
        view = np.lib.stride_tricks.sliding_window_view(values, window, axis=0)  # (n - window + 1, C, window)
        parts.append(view[starts[keep]].transpose(0, 2, 1))
        tests.append(test[keep])
        ranks.append(ends[keep] / (n - 1))
        owners.append(np.full(int(keep.sum()), i, dtype=np.int64))
    x = np.ascontiguousarray(np.concatenate(parts), dtype=np.float64)
    test_mask = np.concatenate(tests)
    n_train, n_test = int((~test_mask).sum()), int(test_mask.sum())
    if n_train < 2:
        raise ScienceError(
            f"{name}: only {n_train} training window(s) of {window} steps lie before the holdout cut; need at least "
            "2: lower --window or --stride, lower --holdout, or add data"
        )
    if n_test == 0:
        raise ScienceError(
            f"{name}: no {window}-step window fits in the last {holdout:.0%} of the series (the holdout); "
            "raise --holdout or lower --window"
        )
    y = None if frame.labels is None else frame.labels[np.concatenate(owners)]
    info.update(n_windows=len(x), n_straddling=straddling)
    return Dataset(
        x, y, list(frame.class_names), name, "timeseries", test_mask, info, np.concatenate(ranks).astype(np.float64)
    )


def load_npz(path: Path, window: int = -1) -> Dataset:
    """Windows saved as ``.npz``: ``x`` (N, T, C) or (N, T), optional ``y`` (N,) labels,
    ``class_names``, ``columns`` (else value_0..), ``test_mask`` and ``time_rank`` (N,)."""
    if not path.is_file():
        raise ScienceError(f"{path} does not exist; give an .npz of windows, a CSV/Parquet file or a built-in")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as err:  # a damaged or foreign file
        raise ScienceError(f"{path} is not a readable .npz file: {brief(err)}") from None
    if "x" not in arrays:
        raise ScienceError(
            f"{path} has no array 'x' (it has: {', '.join(arrays) or 'none'}); save windows as x (N, T, C)"
        )
    x = arrays["x"]
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim != 3 or x.dtype.kind not in "fiu":
        raise ScienceError(f"{path}: x is {x.dtype} {x.shape}; windows are numbers of shape (N, T, C) or (N, T)")
    x = x.astype(np.float64)
    n, steps, channels = x.shape
    if not np.isfinite(x).all():
        raise ScienceError(
            f"{path}: x holds {int(np.isnan(x).sum())} NaN and {int(np.isinf(x).sum())} infinite value(s); "
            "replace them with numbers"
        )
    if window not in (-1, steps):
        raise ScienceError(f"{path} holds windows of {steps} steps; pass --window -1 (or {steps}) for .npz windows")
    if n < 2:
        raise ScienceError(f"{path} holds {n} window(s); give at least 2")
    columns = [str(c) for c in arrays["columns"].tolist()] if "columns" in arrays else []
    columns = columns or [f"value_{k}" for k in range(channels)]
    if len(columns) != channels:
        raise ScienceError(f"{path}: {len(columns)} columns named for {channels} channels of x; fix 'columns'")
    spread = np.ptp(x, axis=(0, 1))
    if (spread == 0).any():
        column = columns[int(np.flatnonzero(spread == 0)[0])]
        raise ScienceError(
            f"{path}: column {column!r} is constant; a constant channel cannot be scaled or learned: drop it from x"
        )
    y, class_names = _npz_labels(arrays, n, path)
    extra = {k: arrays[k] for k in ("test_mask", "time_rank") if k in arrays}
    for key, value in extra.items():
        if value.shape != (n,):
            raise ScienceError(f"{path}: {key} has shape {value.shape}, x has {n} windows; fix or drop {key}")
    info: dict[str, Any] = {
        "columns": columns,
        "time_column": "",
        "window": steps,
        "stride": 1,
        "n_windows": n,
        "n_straddling": 0,
    }
    if "provenance" in arrays:
        text = str(arrays["provenance"])
        try:
            info["provenance"] = json.loads(text)
        except json.JSONDecodeError:
            info["provenance"] = text
    test_mask = extra["test_mask"].astype(bool) if "test_mask" in extra else None
    time_rank = extra["time_rank"].astype(np.float64) if "time_rank" in extra else None
    return Dataset(x, y, class_names, str(path), "timeseries", test_mask, info, time_rank)


def _npz_labels(arrays: dict[str, np.ndarray], n: int, path: Path) -> tuple[np.ndarray | None, list[str]]:
    """Labels (N,) int64 indexing the class names: ``class_names`` when given, else the
    sorted distinct values of ``y``."""
    if "y" not in arrays:
        return None, []
    y = arrays["y"]
    if y.shape != (n,):
        raise ScienceError(f"{path}: y has shape {y.shape}, x has {n} windows; give one label per window")
    names = [str(c) for c in arrays["class_names"].tolist()] if "class_names" in arrays else []
    if names and y.dtype.kind in "iu":
        if y.min() < 0 or y.max() >= len(names):
            raise ScienceError(f"{path}: labels run to {y.max()} but {len(names)} class_names are given; fix y")
        return y.astype(np.int64), names
    if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
        raise ScienceError(f"{path}: y holds fractions; labels are integers or text")
    values, index = np.unique(y, return_inverse=True)
    labels = [str(v) if y.dtype.kind in "USO" else str(int(v)) for v in values]
    return index.astype(np.int64), labels


def save_windows(
    x: np.ndarray,
    path: Path,
    *,
    columns: Sequence[str],
    labels: np.ndarray | None = None,
    class_names: Sequence[str] = (),
    provenance: dict[str, str] | None = None,
    overwrite: bool = False,
    test_mask: np.ndarray | None = None,
    time_rank: np.ndarray | None = None,
) -> None:
    """Write windows ``x`` (N, T, C) in the user's units, atomically, by ``path``'s ending.

    ``.csv``/``.parquet``: a long table of columns sample, step, [label (class name)] and
    ``columns``; a CSV's ``provenance`` goes to a ``<file>.provenance.json`` beside it
    (:func:`scigan.modalities.base.write_sidecar`),
    Parquet's into its key-value metadata. ``.npz``: ``x``, ``columns``, [``y``,
    ``class_names``], [``test_mask``, ``time_rank``] and ``provenance`` as a JSON string.
    An existing file is replaced only with ``overwrite``.
    """
    from scigan.modalities.images.writers import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    check_output_file(
        path,
        suffix,
        WRITE_SUFFIXES,
        what="windows",
        example="windows.csv",
        overwrite=overwrite,
        note="; choose one of them",
    )
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != len(columns):
        raise ScienceError(f"windows of shape {x.shape} do not match {len(columns)} column(s) {list(columns)}")
    n, steps, _ = x.shape
    if labels is not None and len(labels) != n:
        raise ScienceError(f"{len(labels)} labels for {n} windows; give one label per window")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".npz":
        arrays: dict[str, np.ndarray] = {"x": x, "columns": np.asarray([str(c) for c in columns], dtype=str)}
        if labels is not None:
            arrays["y"] = np.asarray(labels, dtype=np.int64)
            arrays["class_names"] = np.asarray([str(c) for c in class_names], dtype=str)
        if test_mask is not None:
            arrays["test_mask"] = np.asarray(test_mask, dtype=bool)
        if time_rank is not None:
            arrays["time_rank"] = np.asarray(time_rank, dtype=np.float64)
        if provenance:
            arrays["provenance"] = np.asarray(json.dumps(provenance))
        atomic_write(path, lambda f: np.savez_compressed(f, **arrays))  # type: ignore[arg-type]
        return
    from scigan.modalities.tabular.io import save_table

    clash = [c for c in columns if c in LONG_COLUMNS]
    if clash:
        raise ScienceError(f"value column {clash[0]!r} has the name of a column of the long table; write .npz instead")
    pd = _pandas()
    table: dict[str, Any] = {"sample": np.repeat(np.arange(n), steps), "step": np.tile(np.arange(steps), n)}
    if labels is not None:
        names = np.asarray([str(c) for c in class_names], dtype=object)
        table["label"] = np.repeat(names[np.asarray(labels, dtype=np.int64)], steps)
    for k, column in enumerate(columns):
        table[str(column)] = x[:, :, k].reshape(-1)
    save_table(pd.DataFrame(table), path, overwrite=overwrite, provenance=provenance)


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ScienceError(
            "writing .csv or .parquet needs pandas: pip install 'scigan[timeseries]'; or write .npz"
        ) from None
    return pd
