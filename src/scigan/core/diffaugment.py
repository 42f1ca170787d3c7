"""Differentiable augmentation (Zhao et al., 2020), applied to real and fake images alike
in both the discriminator and the generator step. Parameter-free; all randomness comes
from the caller's ``torch.Generator`` so runs are reproducible and resumable.

Images are (N, C, H, W) in [-1, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from scigan.errors import ScienceError


def _color(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    rand = lambda: torch.rand(n, 1, 1, 1, generator=g, device=x.device, dtype=x.dtype)  # noqa: E731
    x = x + (rand() - 0.5)
    if x.shape[1] > 1:
        mean = x.mean(dim=1, keepdim=True)
        x = (x - mean) * (rand() * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (rand() + 0.5) + mean


def _translation(x: torch.Tensor, g: torch.Generator, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), generator=g, device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), generator=g, device=x.device)
    rows = torch.arange(h, device=x.device)[None, :, None]
    cols = torch.arange(w, device=x.device)[None, None, :]
    rows = torch.clamp(rows + dy + 1, 0, h + 1)
    cols = torch.clamp(cols + dx + 1, 0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1])
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)


def _cutout(x: torch.Tensor, g: torch.Generator, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    oy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), generator=g, device=x.device)
    ox = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), generator=g, device=x.device)
    rows = torch.arange(h, device=x.device)[None, :, None]
    cols = torch.arange(w, device=x.device)[None, None, :]
    inside = (rows >= oy - ch // 2) & (rows < oy - ch // 2 + ch)
    inside = inside & (cols >= ox - cw // 2) & (cols < ox - cw // 2 + cw)
    return x * (~inside)[:, None].to(x.dtype)


AUGMENTS = {"color": _color, "translation": _translation, "cutout": _cutout}
#: The policy used when one is needed but none was given (ADA, limited-data defaults).
DEFAULT_POLICY = ("color", "translation", "cutout")


def parse_policy(policy: str) -> tuple[str, ...]:
    """Split a policy such as ``"color,translation,cutout"`` into its parts, checked."""
    parts = tuple(p.strip() for p in policy.split(",") if p.strip())
    unknown = [p for p in parts if p not in AUGMENTS]
    if unknown:
        raise ScienceError(f"unknown DiffAugment part {unknown[0]!r}; choose from: {', '.join(AUGMENTS)}")
    return parts


def diff_augment(x: torch.Tensor, policy: tuple[str, ...], g: torch.Generator, p: float = 1.0) -> torch.Tensor:
    """Apply each augmentation of ``policy`` to the batch ``x`` (N, C, H, W), in order.

    With ``p`` < 1 each part is applied to each image with probability ``p`` (as the ADA
    controller sets it); ``p`` = 0 returns ``x`` unchanged and draws nothing.
    """
    if p <= 0.0:
        return x
    for part in policy:
        if p >= 1.0:
            x = AUGMENTS[part](x, g)
        else:
            chosen = torch.rand(x.shape[0], 1, 1, 1, generator=g, device=x.device) < p
            x = torch.where(chosen, AUGMENTS[part](x, g), x)
    return x
