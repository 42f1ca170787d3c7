"""Image-quality metrics against a reference: PSNR and SSIM.

Both take float tensors or arrays in [0, 1] shaped (C, H, W) or (N, C, H, W) and use a
data range of 1. SSIM follows Wang et al. (2004) with an 11×11 Gaussian window of
σ = 1.5, K1 = 0.01, K2 = 0.03, population covariances, averaged over channels and over
the pixels whose window lies inside the image (as ``skimage.metrics.structural_similarity``
with ``gaussian_weights=True, use_sample_covariance=False, data_range=1``).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.nn import functional as F


def _as4d(x) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).double()
    return t[None] if t.dim() == 3 else t


def psnr(estimate, reference) -> float:
    """Peak signal-to-noise ratio in dB, 10·log10(1 / MSE); inf for identical images."""
    mse = float(((_as4d(estimate) - _as4d(reference)) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(1.0 / mse)


def ssim(estimate, reference, sigma: float = 1.5, size: int = 11) -> float:
    """Mean structural similarity in [-1, 1] (1 for identical images)."""
    x, y = _as4d(estimate), _as4d(reference)
    _, c, h, w = x.shape
    if min(h, w) < size:
        raise ValueError(f"SSIM needs images of at least {size}x{size} pixels, got {h}x{w}")
    t = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-0.5 * (t / sigma) ** 2)
    g = g / g.sum()
    kernel = (g[:, None] * g[None, :]).expand(c, 1, size, size)

    def blur(a: torch.Tensor) -> torch.Tensor:
        return F.conv2d(a, kernel, groups=c)

    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    c1, c2 = 0.01**2, 0.03**2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())
