"""The forecaster's data: one series read by the time-series kind, cut into (past window,
next target) pairs, split by time and scaled with the training days only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scigan.errors import ScienceError


@dataclass(frozen=True)
class ForecastData:
    """Windows and targets of one series, split by time.

    ``x_*`` (N, W, C) scaled features of the past W days, ``y_*`` (N,) the scaled target
    ``horizon`` days after the window's last day; ``today_test`` (N,) and ``truth_test``
    (N,) the test windows' last target value and the value to forecast, in user units;
    ``dates_test`` the forecast days; ``series`` (D,) the target over all days in user
    units, of which the first ``n_fit`` are the training days (what ARIMA is fitted on).
    ``low``/``span`` undo the target's scaling.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    today_test: np.ndarray
    truth_test: np.ndarray
    dates_test: np.ndarray
    series: np.ndarray
    n_fit: int
    target: str
    columns: list[str]
    low: float
    span: float

    def unscale(self, y: np.ndarray) -> np.ndarray:
        """Scaled targets -> user units."""
        return np.asarray(y, dtype=np.float64) * self.span + self.low


def prepare(frame: Any, target: str, window: int, horizon: int, test_share: float) -> ForecastData:
    """Pairs of ``frame`` (a SeriesFrame of one series): features min-max scaled with the
    training days' range, the first (1 − ``test_share``) of the pairs for training and the
    rest, whose targets are the last days, forecast walk-forward."""
    if len(frame.values) != 1:
        raise ScienceError(
            f"{frame.source} holds {len(frame.values)} series; forecast takes one: pass a file of one series"
        )
    if target not in frame.columns:
        raise ScienceError(
            f"--target {target!r} is not a column of {frame.source}; columns: {', '.join(frame.columns)}"
        )
    values = frame.values[0]
    col = frame.columns.index(target)
    n_days = len(values)
    pairs = n_days - window - horizon + 1
    if pairs < 20:
        raise ScienceError(
            f"{frame.source} has {n_days} days: too few for --window {window} and --horizon {horizon}; "
            "pass a shorter --window"
        )
    n_test = max(round(test_share * pairs), 1)
    n_train = pairs - n_test
    if n_train < 10:
        raise ScienceError(f"--test-share {test_share:g} leaves {n_train} training windows; lower it")
    seen = values[: n_train + window - 1 + horizon]  # every day a training pair touches
    low, high = seen.min(axis=0), seen.max(axis=0)
    if high[col] <= low[col]:
        raise ScienceError(f"the target {target!r} is constant over the training days; choose another --target")
    span = np.where(high > low, high - low, 1.0)
    scaled = (values - low) / span
    starts = np.arange(pairs)
    x = np.stack([scaled[s : s + window] for s in starts])
    y = scaled[starts + window - 1 + horizon, col]
    today = values[starts + window - 1, col]
    truth = values[starts + window - 1 + horizon, col]
    times = frame.times[0]
    dates = times[starts + window - 1 + horizon] if times is not None else starts + window - 1 + horizon
    return ForecastData(
        x[:n_train],
        y[:n_train],
        x[n_train:],
        y[n_train:],
        today[n_train:],
        truth[n_train:],
        dates[n_train:],
        values[:, col],
        len(seen),
        target,
        list(frame.columns),
        float(low[col]),
        float(span[col]),
    )
