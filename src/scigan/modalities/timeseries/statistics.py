"""Summary statistics of windows of series: autocorrelation and the stylised facts of
financial returns.

Windows are float arrays (N, T, C): N windows of T steps and C columns. The ACF scores
are meant for the normalised space (each column min-max scaled with the training
split's range); the stylised facts for one positive price column in the user's own
units. Every statistic stays inside a window (no pair of steps crosses two windows).
NaN marks what a set is too small or too flat to define.
"""

from __future__ import annotations

import math

import numpy as np

from scigan.errors import ScienceError

#: Lags of the default ACF distance (at most; fewer when windows are shorter).
ACF_LAGS = 10
#: Lags the vol-clustering and leverage facts average over (k = 1..5).
FACT_LAGS = 5
#: Column names taken for a price, most preferred first (compared in lower case, with
#: "_" and "-" read as spaces).
PRICE_NAMES = ("adj close", "adjclose", "adjusted close", "close")
#: The stylised facts, in the order they are reported.
FACTS = ("kurtosis", "vol_clustering", "leverage")


def windows(x: np.ndarray, name: str = "windows") -> np.ndarray:
    """``x`` as a float64 array (N, T, C); ScienceError for any other number of axes."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 3:
        raise ScienceError(f"{name}: expected windows shaped (N, T, C), got shape {arr.shape}")
    return arr


def window_acf(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Mean autocorrelation (max_lag, C) at lags 1..max_lag of windows ``x`` (N, T, C).

    Each window's ACF is the usual biased estimate (centred on the window's own mean,
    divided by its own sum of squares); windows where a column is constant are left out
    of that column's mean. NaN where no window defines it (or the lag is >= T).
    """
    x = windows(x)
    n, t, c = x.shape
    out = np.full((max(max_lag, 0), c), np.nan)
    if n == 0:
        return out
    xc = x - x.mean(axis=1, keepdims=True)
    denom = (xc * xc).sum(axis=1)  # (N, C)
    ok = denom > 1e-12 * np.maximum(1.0, np.abs(x).max(axis=1) ** 2)
    counts = ok.sum(axis=0)
    safe = np.where(ok, denom, 1.0)
    for k in range(1, min(max_lag, t - 1) + 1):
        acf = (xc[:, :-k] * xc[:, k:]).sum(axis=1) / safe
        total = np.where(ok, acf, 0.0).sum(axis=0)
        out[k - 1] = np.where(counts > 0, total / np.maximum(counts, 1), np.nan)
    return out


def acf_distance(real: np.ndarray, fake: np.ndarray, max_lag: int | None = None) -> float:
    """Mean over columns and lags 1..L of |mean ACF of ``real`` − mean ACF of ``fake``|.

    ``real`` (N, T, C) and ``fake`` (M, T, C) windows, normalised alike; L = min(T − 1, 10)
    unless ``max_lag`` is given. Unitless, in [0, 2]; 0 for sets of the same mean ACF.
    NaN when T < 2 or no (column, lag) is defined on both sides.
    """
    real, fake = windows(real, "real windows"), windows(fake, "synthetic windows")
    if real.shape[1:] != fake.shape[1:]:
        raise ScienceError(f"window shapes differ: real {real.shape[1:]}, synthetic {fake.shape[1:]}")
    lags = min(real.shape[1] - 1, ACF_LAGS) if max_lag is None else min(max_lag, real.shape[1] - 1)
    if lags < 1:
        return math.nan
    gap = np.abs(window_acf(real, lags) - window_acf(fake, lags))
    return float(gap[np.isfinite(gap)].mean()) if np.isfinite(gap).any() else math.nan


def price_column(columns: list[str], x: np.ndarray | None = None) -> str | None:
    """The column (of ``columns``) holding a price: "Adj Close" before "Close" (any case,
    "_"/"-" for spaces); None when there is none, or when ``x`` (N, T, C; user units) is
    given and that column is not positive throughout (log-returns need prices > 0)."""
    names = {" ".join(c.lower().replace("_", " ").replace("-", " ").split()): c for c in reversed(columns)}
    chosen = next((names[p] for p in PRICE_NAMES if p in names), None)
    if chosen is None or x is None:
        return chosen
    values = windows(x)[:, :, list(columns).index(chosen)]
    return chosen if values.size and np.isfinite(values).all() and (values > 0).all() else None


def log_returns(x: np.ndarray, column: int) -> np.ndarray:
    """Log-returns (N', T − 1) of column ``column`` of windows ``x`` (N, T, C; user units),
    keeping only the N' windows whose values there are finite and positive."""
    values = windows(x)[:, :, column]
    keep = np.isfinite(values).all(axis=1) & (values > 0).all(axis=1)
    return np.diff(np.log(values[keep]), axis=1)


def lagged_corr(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Pearson correlation of the pairs (a[i, t], b[i, t + k]) pooled over rows i of two
    (N, L) arrays (centred on the pooled means, so differences in level between rows,
    e.g. calm and volatile windows, count too); NaN with fewer than 3 pairs or a constant
    side."""
    if k >= a.shape[1]:
        return math.nan
    u, v = a[:, : a.shape[1] - k].reshape(-1), b[:, k:].reshape(-1)
    if len(u) < 3:
        return math.nan
    u, v = u - u.mean(), v - v.mean()
    den = math.sqrt(float(u @ u) * float(v @ v))
    return float(u @ v) / den if den > 0 else math.nan


def excess_kurtosis(r: np.ndarray) -> float:
    """Excess kurtosis m4 / m2² − 3 of the values ``r`` (any shape, pooled); about 0 for
    Gaussian values, NaN with fewer than 4 values or none spread."""
    flat = np.asarray(r, dtype=np.float64).reshape(-1)
    if len(flat) < 4:
        return math.nan
    d = flat - flat.mean()
    m2 = float(np.mean(d * d))
    return float(np.mean(d**4)) / (m2 * m2) - 3.0 if m2 > 0 else math.nan


def stylised_curves(x: np.ndarray, column: int, max_lag: int = ACF_LAGS) -> dict[str, np.ndarray]:
    """The curves behind :func:`stylised_facts`: ``returns`` (K,) pooled log-returns,
    ``abs_acf`` (max_lag,) the correlation of |r_t| with |r_{t+k}| and ``leverage``
    (max_lag,) that of r_t with |r_{t+k}|, k = 1..max_lag, from pairs inside a window
    pooled over windows (:func:`lagged_corr`; NaN where k >= T − 1)."""
    r = log_returns(x, column)
    a = np.abs(r)
    lags = range(1, max_lag + 1)
    return {
        "returns": r.reshape(-1),
        "abs_acf": np.array([lagged_corr(a, a, k) for k in lags]),
        "leverage": np.array([lagged_corr(r, a, k) for k in lags]),
    }


def stylised_facts(x: np.ndarray, column: int) -> dict[str, float]:
    """The stylised facts of financial returns in column ``column`` (an index) of windows
    ``x`` (N, T, C), in user units (a positive price; windows with a value <= 0 or NaN
    there are left out), on the log-returns inside each window:

    - ``kurtosis``: excess kurtosis of all returns pooled (heavy tails: > 0);
    - ``vol_clustering``: mean over k = 1..5 of corr(|r_t|, |r_{t+k}|);
    - ``leverage``: mean over k = 1..5 of corr(r_t, |r_{t+k}|) (equities: < 0).

    NaN entries where windows are too short (vol clustering and leverage need T >= 7) or
    too few; never an exception for short or flat data.
    """
    curves = stylised_curves(x, column, FACT_LAGS)
    short = windows(x).shape[1] - 1 <= FACT_LAGS

    def mean_of(values: np.ndarray) -> float:
        return math.nan if short or not np.isfinite(values).all() else float(values.mean())

    return {
        "kurtosis": excess_kurtosis(curves["returns"]),
        "vol_clustering": mean_of(curves["abs_acf"]),
        "leverage": mean_of(curves["leverage"]),
    }
