"""The time-series scores as pure functions (NumPy in, floats out), gathered from the
modules that hold them: TimeGAN's post-hoc discriminative and predictive scores
(:mod:`.posthoc`), the ACF distance and the stylised facts of returns
(:mod:`.statistics`), the Fréchet distance of flattened windows and the baselines a GAN
should beat (:mod:`.baselines`). The scorer that calls them is :mod:`.scorer`.
"""

from __future__ import annotations

import numpy as np

from scigan.metrics.fidelity import frechet_distance
from scigan.modalities.timeseries.baselines import block_bootstrap, fit_var1, gaussian_var1
from scigan.modalities.timeseries.posthoc import discriminative_score, hidden_units, predictive_score
from scigan.modalities.timeseries.statistics import (
    acf_distance,
    excess_kurtosis,
    log_returns,
    price_column,
    stylised_curves,
    stylised_facts,
    window_acf,
)

__all__ = [
    "acf_distance",
    "block_bootstrap",
    "discriminative_score",
    "excess_kurtosis",
    "fit_var1",
    "flatten",
    "gaussian_var1",
    "hidden_units",
    "log_returns",
    "predictive_score",
    "price_column",
    "stylised_curves",
    "stylised_facts",
    "window_acf",
    "window_fd",
]


def flatten(x: np.ndarray) -> np.ndarray:
    """Windows (N, T, C) as feature rows (N, T·C), float64 (steps outer, columns inner)."""
    arr = np.asarray(x, dtype=np.float64)
    return arr.reshape(len(arr), -1)


def window_fd(real: np.ndarray, fake: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to flattened windows ``real`` (N, T, C)
    and ``fake`` (M, T, C) (no projection; the scorer projects long windows first), in
    squared normalised units; inf when either set has < 2 windows or a non-finite value."""
    a, b = flatten(real), flatten(fake)
    if len(a) < 2 or len(b) < 2 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    return frechet_distance(a, b)
