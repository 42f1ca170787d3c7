"""Building blocks shared by the architectures: conditioning and normalisation."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrizations


def spectral(module: nn.Module, enabled: bool) -> nn.Module:
    """Wrap ``module`` in spectral normalisation when ``enabled`` (one power iteration)."""
    return parametrizations.spectral_norm(module) if enabled else module


class ConditionalBatchNorm(nn.Module):
    """Batch norm whose scale and shift depend on the class label.

    With ``num_classes == 0`` it is an ordinary affine batch norm. Works on (N, C) and
    (N, C, H, W) inputs; ``y`` is (N,) int64 or None.
    """

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        self.bn = nn.BatchNorm2d(channels, affine=num_classes == 0)
        if num_classes:
            self.gain = nn.Embedding(num_classes, channels)
            self.bias = nn.Embedding(num_classes, channels)
            nn.init.ones_(self.gain.weight)
            nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        squeeze = x.dim() == 2
        if squeeze:
            x = x[:, :, None, None]
        h = self.bn(x)
        if self.num_classes:
            h = h * self.gain(y)[:, :, None, None] + self.bias(y)[:, :, None, None]
        return h[:, :, 0, 0] if squeeze else h


class ProjectionHead(nn.Module):
    """The discriminator's output: a linear score plus, when conditional, the projection
    term <embed(y), h> of Miyato & Koyama (2018). ``h`` is (N, F); returns logits (N,)."""

    def __init__(self, features: int, num_classes: int, sn: bool):
        super().__init__()
        self.linear = spectral(nn.Linear(features, 1), sn)
        self.embed = spectral(nn.Embedding(num_classes, features), sn) if num_classes else None

    def forward(self, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        out = self.linear(h)[:, 0]
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(dim=1)
        return out
