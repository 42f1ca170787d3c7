"""The documented degradations that turn a clean (high-resolution) image into a
network input, and the baselines the trained networks are measured against.

Pixels are float in [0, 1], tensors (N, C, H, W). In order:

1. blur: a Gaussian of standard deviation ``blur`` high-resolution pixels (0: none);
2. downsampling by ``scale`` (super-resolution): bicubic with antialiasing, the "BI"
   degradation of the super-resolution literature;
3. noise: Gaussian with standard deviation ``sigma``/255, or Poisson (shot noise, the
   microscopy case) with ``peak`` expected photons at intensity 1;
4. clipping to [0, 1] (what a camera stores).

Every random draw comes from the generator passed in, so a training step (and the
held-out evaluation, drawn with a fixed seed) is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from scigan.errors import ScienceError

NOISES = ("gaussian", "poisson", "none")


@dataclass(frozen=True)
class Degradation:
    """Clean image -> degraded input (see the module docstring for the steps)."""

    scale: int = 1
    blur: float = 0.0
    noise: str = "none"
    sigma: float = 0.0
    peak: float = 30.0

    def __post_init__(self) -> None:
        if self.noise not in NOISES:
            raise ScienceError(f"unknown noise {self.noise!r}; choose {', '.join(NOISES)}")
        if self.scale < 1 or self.blur < 0 or self.sigma < 0 or self.peak <= 0:
            raise ScienceError("scale must be >= 1, blur and sigma >= 0, peak > 0")

    def __call__(self, clean: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        """(N, C, H, W) in [0, 1] -> (N, C, H/scale, W/scale) in [0, 1]."""
        x = gaussian_blur(clean, self.blur) if self.blur > 0 else clean
        if self.scale > 1:
            x = F.interpolate(x, scale_factor=1 / self.scale, mode="bicubic", antialias=True, align_corners=False)
        if self.noise == "gaussian" and self.sigma > 0:
            x = x + torch.randn(x.shape, generator=rng, device=x.device, dtype=x.dtype) * (self.sigma / 255)
        elif self.noise == "poisson":
            x = torch.poisson(x.clamp(0, 1).float() * self.peak, generator=rng).to(x.dtype) / self.peak
        return x.clamp(0, 1)

    def baseline(self, degraded: torch.Tensor) -> torch.Tensor:
        """What one gets without a network: bicubic upsampling for super-resolution, the
        degraded input itself otherwise; (N, C, h, w) -> (N, C, h·scale, w·scale) in [0, 1]."""
        if self.scale == 1:
            return degraded
        return F.interpolate(degraded, scale_factor=self.scale, mode="bicubic", align_corners=False).clamp(0, 1)

    def describe(self) -> str:
        """One line for logs and reports."""
        parts = []
        if self.blur:
            parts.append(f"Gaussian blur σ={self.blur} px")
        if self.scale > 1:
            parts.append(f"bicubic ×1/{self.scale} (antialiased)")
        if self.noise == "gaussian" and self.sigma:
            parts.append(f"Gaussian noise σ={self.sigma:g}/255")
        if self.noise == "poisson":
            parts.append(f"Poisson noise, peak {self.peak:g} photons")
        return ", then ".join(parts) or "none"


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of (N, C, H, W) with std ``sigma`` pixels, reflect padding."""
    radius = max(1, int(3 * sigma + 0.5))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    x = F.pad(x, (radius, radius, radius, radius), mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)
