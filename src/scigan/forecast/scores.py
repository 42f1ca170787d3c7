"""How good a forecast is: errors, direction and a long/flat strategy that follows it."""

from __future__ import annotations

import numpy as np


def forecast_scores(forecast: np.ndarray, truth: np.ndarray, today: np.ndarray) -> dict[str, float]:
    """MAE and RMSE (user units), MAPE (%), directional accuracy (the share of days the
    sign of forecast − today matches that of truth − today, over the days that moved and
    whose forecast moved: NaN for persistence)
    and the mean daily return (%) of going long the next day when the forecast is above
    today's value, else flat. Arrays (N,)."""
    error = forecast - truth
    called = (truth != today) & (forecast != today)  # days that moved and that the forecast called
    direction = np.sign(forecast - today)[called] == np.sign(truth - today)[called]
    daily = truth / today - 1.0
    return {
        "mae": float(np.abs(error).mean()),
        "rmse": float(np.sqrt((error**2).mean())),
        "mape": float(100 * np.abs(error / truth).mean()),
        "direction": float(direction.mean()) if direction.size else float("nan"),
        "strategy_return": float(100 * (daily * (forecast > today)).mean()),
    }


def buy_and_hold(truth: np.ndarray, today: np.ndarray) -> float:
    """The mean daily return (%) of holding over the test days."""
    return float(100 * (truth / today - 1.0).mean())
