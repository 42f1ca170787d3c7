"""The vanilla GAN of Goodfellow et al. (2014): fully connected G and D."""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from scigan.nets.layers import ConditionalBatchNorm, ProjectionHead, spectral
from scigan.nets.spec import NetSpec


class MLPGenerator(nn.Module):
    """z (N, z_dim) [+ label] -> image (N, C, H, W) through hidden layers of 4w, 8w, 16w."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.spec = spec
        dims = [spec.z_dim, 4 * spec.width, 8 * spec.width, 16 * spec.width]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(dims))
        self.norms = nn.ModuleList(ConditionalBatchNorm(d, spec.num_classes) for d in dims[1:])
        self.out = nn.Linear(dims[-1], spec.channels * spec.size * spec.size)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = z
        for linear, norm in zip(self.linears, self.norms):
            h = torch.relu(norm(linear(h), y))
        s = self.spec
        return torch.tanh(self.out(h)).view(-1, s.channels, s.size, s.size)


class MLPDiscriminator(nn.Module):
    """image (N, C, H, W) [+ label] -> logit (N,) through hidden layers of 8w and 4w."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        sn = spec.spectral_norm
        inputs = spec.channels * spec.size * spec.size
        self.body = nn.Sequential(
            spectral(nn.Linear(inputs, 8 * spec.width), sn),
            nn.LeakyReLU(0.2),
            spectral(nn.Linear(8 * spec.width, 4 * spec.width), sn),
            nn.LeakyReLU(0.2),
        )
        self.head = ProjectionHead(4 * spec.width, spec.num_classes, sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.body(x.flatten(1)), y)


def build(spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of the MLP GAN; any image size."""
    return MLPGenerator(spec), MLPDiscriminator(spec)
