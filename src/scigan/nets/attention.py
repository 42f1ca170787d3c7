"""Self-attention over feature-map positions (SAGAN, Zhang et al., 2019).

Selected with ``--attention RES``: dcgan and resnet then insert one block in G and one
in D at the stage whose feature map is RES×RES.
"""

from __future__ import annotations

import torch
from torch import nn

from scigan.errors import ScienceError
from scigan.nets.layers import spectral


class SelfAttention(nn.Module):
    """x (N, C, H, W) -> x + γ·attention(x), γ learned and starting at 0 (so the block
    begins as the identity). Queries and keys have C/8 channels, values C/2; every
    position attends to every other (softmax of scaled dot products; cost ∝ (H·W)²)."""

    def __init__(self, channels: int, sn: bool = False):
        super().__init__()
        inner = max(channels // 8, 1)
        self.query = spectral(nn.Conv2d(channels, inner, 1, bias=False), sn)
        self.key = spectral(nn.Conv2d(channels, inner, 1, bias=False), sn)
        self.value = spectral(nn.Conv2d(channels, max(channels // 2, 1), 1, bias=False), sn)
        self.out = spectral(nn.Conv2d(max(channels // 2, 1), channels, 1, bias=False), sn)
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)  # (N, HW, C/8)
        k = self.key(x).flatten(2).transpose(1, 2)
        v = self.value(x).flatten(2).transpose(1, 2)  # (N, HW, C/2)
        attended = nn.functional.scaled_dot_product_attention(q, k, v)
        return x + self.gamma * self.out(attended.transpose(1, 2).reshape(n, -1, h, w))


def attention_at(resolutions: list[int], wanted: int, model: str) -> int:
    """Index into ``resolutions`` (the feature-map sizes of a model's stages) of the
    stage ``--attention wanted`` names; -1 when attention is off (``wanted`` 0)."""
    if not wanted:
        return -1
    if wanted not in resolutions:
        raise ScienceError(
            f"--attention {wanted}: --model {model} has feature maps of "
            f"{', '.join(map(str, resolutions))} pixels at this image size; pass one of those, or 0 for none"
        )
    return resolutions.index(wanted)
