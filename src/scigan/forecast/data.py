"""The forecaster's data: one series read by the time-series kind, cut into (past window,
next move of the target) pairs, split by time and scaled with the training days only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scigan.errors import ScienceError


@dataclass(frozen=True)
class ForecastData:
    """Windows and targets of one series, split by time.

    ``x_*`` (N, W, C) the past W days of every column relative to the window's last day
    (log-ratios when every value is positive, else differences) divided by the training
    spread; ``y_*`` (N,) the target's move ``horizon`` days after the window's last day,
    likewise. ``today_test`` (N,) and ``truth_test`` (N,) are the test windows' last
    target value and the value to forecast, in user units; ``dates_test`` the forecast
    days; ``series`` (D,) the target over all days in user units, of which the first
    ``n_fit`` are the training days (what ARIMA is fitted on). Moves, not levels, make the
    networks independent of a price level the training years never reached.
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
    log_moves: bool
    y_scale: float

    def unscale(self, y: np.ndarray, today: np.ndarray) -> np.ndarray:
        """Scaled moves (N,) from ``today`` (N,) -> forecasts in user units."""
        move = np.asarray(y, dtype=np.float64) * self.y_scale
        return today * np.exp(move) if self.log_moves else today + move


def prepare(frame: Any, target: str, window: int, horizon: int, test_share: float) -> ForecastData:
    """Pairs of ``frame`` (a SeriesFrame of one series): the first (1 − ``test_share``) of
    them for training, the rest, whose targets are the last days, forecast walk-forward;
    the spreads that scale them come from the training pairs only."""
    if len(frame.values) != 1:
        raise ScienceError(
            f"{frame.source} holds {len(frame.values)} series; forecast takes one: pass a file of one series"
        )
    if target not in frame.columns:
        raise ScienceError(
            f"--target {target!r} is not a column of {frame.source}; columns: {', '.join(frame.columns)}"
        )
    values = np.asarray(frame.values[0], dtype=np.float64)
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
    log_moves = bool((values > 0).all())
    level = np.log(values) if log_moves else values
    starts = np.arange(pairs)
    last = starts + window - 1
    x = np.stack([level[s : s + window] - level[s + window - 1] for s in starts])
    y = level[last + horizon, col] - level[last, col]
    x_scale = x[:n_train].reshape(-1, x.shape[2]).std(axis=0)
    y_scale = float(y[:n_train].std())
    if y_scale == 0:
        raise ScienceError(f"the target {target!r} does not move over the training days; choose another --target")
    x = x / np.where(x_scale > 0, x_scale, 1.0)
    y = y / y_scale
    today, truth = values[last, col], values[last + horizon, col]
    times = frame.times[0]
    dates = times[last + horizon] if times is not None else last + horizon
    return ForecastData(
        x[:n_train],
        y[:n_train],
        x[n_train:],
        y[n_train:],
        today[n_train:],
        truth[n_train:],
        dates[n_train:],
        values[:, col],
        n_train + window - 1 + horizon,
        target,
        list(frame.columns),
        log_moves,
        y_scale,
    )
