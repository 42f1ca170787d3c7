"""Tiled inference: apply an image-to-image network to an image of any size in
overlapping tiles, so memory stays bounded and no seam shows.

Each tile's input window is ``tile`` pixels square (clipped to the image). Its output
is weighted by a separable ramp: zero within ``margin`` pixels of a window edge that
lies inside the image (those pixels saw too little context), rising linearly over
``blend`` pixels to one; edges on the image border keep full weight. Overlapping tiles
are averaged with these weights. When ``margin`` covers the network's receptive field
the result equals running the network on the whole image at once; otherwise the
blend hides the remaining differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.nn import functional as F


def _starts(length: int, tile: int, stride: int, align: int) -> list[int]:
    """Window starts covering [0, length) (a multiple of ``align``, as is ``tile``): every
    ``stride`` rounded down to a multiple of ``align``, the last window flush right."""
    if length <= tile:
        return [0]
    step = max(align, stride // align * align)
    return [*range(0, length - tile, step), length - tile]


def _ramp(n: int, at_start: bool, at_end: bool, margin: int, blend: int) -> torch.Tensor:
    """Weights (n,) of one window axis; ``at_start``/``at_end``: that edge is the image border."""
    d = torch.arange(n, dtype=torch.float32)
    w = torch.ones(n)
    if not at_start:
        w = torch.minimum(w, ((d - margin + 1) / (blend + 1)).clamp(0, 1))
    if not at_end:
        w = torch.minimum(w, ((n - 1 - d - margin + 1) / (blend + 1)).clamp(0, 1))
    return w


@torch.no_grad()
def tiled_apply(
    net: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    *,
    scale: int = 1,
    tile: int = 128,
    margin: int = 16,
    blend: int = 8,
    align: int = 1,
) -> torch.Tensor:
    """``net`` applied to (1, C, H, W) ``x`` in overlapping tiles.

    Args:
        net: maps (1, C, h, w) to (1, C', h·scale, w·scale) for every h, w that are
            multiples of ``align``.
        x: the input image; H and W multiples of ``align``.
        scale: the network's output/input size ratio.
        tile: window side in input pixels (a multiple of ``align``).
        margin, blend: see the module docstring, in input pixels.
        align: window starts and sides are multiples of it (a U-Net's 2**depth).

    Returns:
        (1, C', H·scale, W·scale) float32.
    """
    _, _, h, w = x.shape
    tile = max(align, tile // align * align)
    stride = max(align, tile - 2 * margin - blend)
    out: torch.Tensor | None = None
    acc = torch.zeros(h * scale, w * scale, device=x.device)
    for top in _starts(h, tile, stride, align):
        for left in _starts(w, tile, stride, align):
            window = x[:, :, top : top + tile, left : left + tile]
            y = net(window).float()
            th, tw = window.shape[-2:]
            wy = _ramp(th * scale, top == 0, top + th >= h, margin * scale, blend * scale)
            wx = _ramp(tw * scale, left == 0, left + tw >= w, margin * scale, blend * scale)
            weight = (wy[:, None] * wx[None, :]).to(y.device)
            if out is None:
                out = torch.zeros(1, y.shape[1], h * scale, w * scale, device=y.device)
                acc = acc.to(y.device)
            rows = slice(top * scale, top * scale + th * scale)
            cols = slice(left * scale, left * scale + tw * scale)
            out[:, :, rows, cols] += y * weight
            acc[rows, cols] += weight
    assert out is not None  # at least one window covers the image
    return out / acc.clamp_min(1e-8)


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, int, int]:
    """Reflect-pad (N, C, H, W) on the bottom and right to multiples of ``multiple``;
    returns the padded tensor and the original H, W."""
    h, w = x.shape[-2:]
    ph, pw = math.ceil(h / multiple) * multiple - h, math.ceil(w / multiple) * multiple - w
    if ph or pw:
        mode = "reflect" if ph < h and pw < w else "replicate"
        x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, h, w
