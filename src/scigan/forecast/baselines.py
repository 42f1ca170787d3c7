"""The forecaster's baselines: persistence (tomorrow = today) and ARIMA, fitted once on
the training days and run walk-forward over the test days with its parameters fixed."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from scigan.errors import ScienceError

#: The ARIMA orders tried on the training days (the lowest AIC is kept).
ORDERS = tuple((p, 1, q) for p, q in itertools.product(range(3), range(3)))


def persistence(today: np.ndarray) -> np.ndarray:
    """The forecast of every test day: the last known value (N,)."""
    return np.asarray(today, dtype=np.float64).copy()


def arima(series: np.ndarray, n_fit: int, horizon: int) -> tuple[np.ndarray, str]:
    """One-step-ahead ARIMA forecasts of ``series[n_fit:]`` ((D − n_fit,), user units): the
    order with the lowest AIC among :data:`ORDERS` fitted on ``series[:n_fit]``, then run
    over the whole series with those parameters (each day's forecast uses the days before it
    only). Returns the forecasts and the order's name. Horizon 1 only."""
    if horizon != 1:
        raise ScienceError("the ARIMA row forecasts one step ahead; use --horizon 1")
    from statsmodels.tsa.arima.model import ARIMA

    fit = np.asarray(series[:n_fit], dtype=np.float64)
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the order search
        for order in ORDERS:
            trend = "t" if order[1] == 1 else "c"
            result = ARIMA(fit, order=order, trend=trend).fit()
            if best is None or result.aic < best[1].aic:
                best = (order, result)
        assert best is not None
        order, result = best
        applied = result.apply(np.asarray(series, dtype=np.float64))
        forecast = applied.get_prediction(start=n_fit, end=len(series) - 1).predicted_mean
    return np.asarray(forecast, dtype=np.float64), "ARIMA({},{},{})".format(*order)
