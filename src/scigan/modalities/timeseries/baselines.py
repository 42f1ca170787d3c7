"""Simple generators of windows a GAN should beat: a block bootstrap of real increments
and a Gaussian VAR(1).

Both take and return windows (N, T, C) in the normalised space (each column in [0, 1]
by the training split's range) and start every new window from the first row of a
random real training window.
"""

from __future__ import annotations

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.timeseries.statistics import windows


def block_bootstrap(train_x: np.ndarray, n: int, *, block: int, seed: int) -> np.ndarray:
    """``n`` new windows (n, T, C) stitched from blocks of first differences of real ones.

    Each new window starts at the first row of a random window of ``train_x`` (N, T, C)
    and adds up its T − 1 increments, taken as consecutive runs of ``block`` steps (fewer
    when T − 1 < block) from random windows at random offsets (all columns together, so
    their co-movement is kept); the path is clipped to [0, 1]. Seeded by ``seed``.
    """
    x = windows(train_x, "training windows")
    if len(x) == 0 or n < 0 or block < 1:
        raise ScienceError(
            f"block_bootstrap needs training windows, n >= 0 and block >= 1 (got {x.shape}, {n}, {block})"
        )
    rng = np.random.default_rng(seed)
    steps = x.shape[1] - 1
    start = x[rng.integers(len(x), size=n), 0, :]
    if steps == 0:
        return np.clip(start[:, None, :], 0.0, 1.0)
    diffs = np.diff(x, axis=1)  # (N, T - 1, C)
    size = min(block, steps)
    count = -(-steps // size)
    source = rng.integers(len(x), size=(n, count))
    offset = rng.integers(steps - size + 1, size=(n, count))
    at = (offset[:, :, None] + np.arange(size)).reshape(n, -1)[:, :steps]  # (n, T - 1)
    rows = np.repeat(source, size, axis=1)[:, :steps]
    path = start[:, None, :] + np.cumsum(diffs[rows, at], axis=1)
    return np.clip(np.concatenate([start[:, None, :], path], axis=1), 0.0, 1.0)


def fit_var1(train_x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Gaussian VAR(1) x_{t+1} = A x_t + b + ε, ε ~ N(0, Σ), fitted by least squares to
    every within-window transition of ``train_x`` (N, T, C): (A (C, C), b (C,), Σ (C, C))."""
    x = windows(train_x, "training windows")
    c = x.shape[2]
    before, after = x[:, :-1].reshape(-1, c), x[:, 1:].reshape(-1, c)
    if len(before) < c + 2:
        raise ScienceError(f"a VAR(1) of {c} columns needs at least {c + 2} transitions, got {len(before)}")
    design = np.hstack([before, np.ones((len(before), 1))])
    coef, *_ = np.linalg.lstsq(design, after, rcond=None)
    resid = after - design @ coef
    cov = resid.T @ resid / max(len(resid) - c - 1, 1)
    return coef[:c].T, coef[c], cov


def gaussian_var1(train_x: np.ndarray, n: int, *, seed: int) -> np.ndarray:
    """``n`` windows (n, T, C) simulated from the Gaussian VAR(1) :func:`fit_var1` fits to
    ``train_x`` (N, T, C), each from the first row of a random training window (not
    clipped: a VAR may leave [0, 1]). Seeded by ``seed``."""
    x = windows(train_x, "training windows")
    a, b, cov = fit_var1(x)
    rng = np.random.default_rng(seed)
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    root = v * np.sqrt(np.clip(w, 0.0, None))  # root @ root.T == Σ, also when Σ is singular
    out = np.empty((n, x.shape[1], x.shape[2]))
    out[:, 0] = x[rng.integers(len(x), size=n), 0]
    for t in range(1, x.shape[1]):
        out[:, t] = out[:, t - 1] @ a.T + b + rng.standard_normal((n, x.shape[2])) @ root.T
    return out
