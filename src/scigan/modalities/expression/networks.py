"""scGAN-style networks (Marouf et al. 2020) for cells × genes.

The generator is an MLP (256, 512, 1024 units at width 32) with class-conditional
batch norm; for counts its last layer is a library-size normalisation (LSN): ReLU
expression rescaled to sum to the target library size L, then log1p, plus a separate
head for the cell's log library size. For quantised log values (see :mod:`.codec`) the
same head gives the cell's standardised log size factor s, and the output is put on the
grid log1p(round(expm1(x) / s) · s) with a straight-through gradient, so the critic
never sees values real cells cannot have. The critic is an MLP with a projection head
(Miyato & Koyama 2018) for the cell type.
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from scigan.nets.layers import ConditionalBatchNorm, ProjectionHead, spectral


class ExpressionGenerator(nn.Module):
    """(z (N, z_dim), y (N,) or None) -> model-space cells (N, genes [+ 1])."""

    def __init__(
        self,
        z_dim: int,
        genes: int,
        num_classes: int,
        width: int,
        library: float,
        scale: tuple[float, float] | None = None,
    ):
        super().__init__()
        dims = [z_dim, 8 * width, 16 * width, 32 * width]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(dims))
        self.norms = nn.ModuleList(ConditionalBatchNorm(d, num_classes) for d in dims[1:])
        self.out = nn.Linear(dims[-1], genes)
        self.library = library
        self.lib_head = nn.Linear(dims[-1], 1) if library > 0 or scale is not None else None
        self.scale = scale

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = z
        for linear, norm in zip(self.linears, self.norms):
            h = torch.relu(norm(linear(h), y))
        x = torch.relu(self.out(h))
        if self.lib_head is None:
            return x
        if self.scale is not None:
            t = self.lib_head(h)
            s = torch.exp(t * self.scale[1] + self.scale[0])
            k = torch.expm1(x.clamp(max=12.0)) / s
            k = k + (torch.round(k) - k).detach()
            return torch.cat([torch.log1p(k * s), t], dim=1)
        normalised = x / (x.sum(dim=1, keepdim=True) + 1e-8) * self.library
        return torch.cat([torch.log1p(normalised), self.lib_head(h)], dim=1)


class ExpressionCritic(nn.Module):
    """(cells (N, genes [+ 1]), y (N,) or None) -> scores (N,)."""

    def __init__(self, inputs: int, num_classes: int, width: int, sn: bool):
        super().__init__()
        dims = [inputs, 32 * width, 16 * width, 8 * width]
        layers: list[nn.Module] = []
        for a, b in pairwise(dims):
            layers += [spectral(nn.Linear(a, b), sn), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.head = ProjectionHead(dims[-1], num_classes, sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.body(x), y)


def build(
    z_dim: int,
    genes: int,
    num_classes: int,
    width: int,
    library: float,
    spectral_norm: bool,
    scale: tuple[float, float] | None = None,
) -> tuple[nn.Module, nn.Module]:
    """Generator and critic for ``genes`` genes; ``library`` > 0 adds the LSN layer (counts),
    ``scale`` (mean, std of log size factors) the quantised log output."""
    return (
        ExpressionGenerator(z_dim, genes, num_classes, width, library, scale),
        ExpressionCritic(genes + (library > 0 or scale is not None), num_classes, width, spectral_norm),
    )
