"""DCGAN (Radford et al., 2016): transposed convolutions up, strided convolutions down.

Conditional variant: class-conditional batch norm in G, projection head in D. With
``spec.attention`` a self-attention block (SAGAN) follows the stage of that resolution in
both networks.
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from scigan.nets.attention import SelfAttention, attention_at
from scigan.nets.layers import ConditionalBatchNorm, ProjectionHead, spectral
from scigan.nets.spec import NetSpec, upsampling_plan


def channel_plan(spec: NetSpec, stages: int) -> list[int]:
    """Channels at each resolution, coarsest first: width·2^stages down to width."""
    return [min(spec.width * 2 ** (stages - i), 512) for i in range(stages + 1)]


def _attention_stage(spec: NetSpec, start: int, stages: int) -> int:
    """Stage index (coarsest = 0) of ``--attention``; -1 when off."""
    return attention_at([start * 2**i for i in range(stages + 1)], spec.attention, "dcgan")


class DCGANGenerator(nn.Module):
    """z (N, z_dim) -> (N, C, size, size): a linear map to start×start, ×2 stages, 3×3 out."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.start, stages = upsampling_plan(spec.size, "dcgan")
        ch = channel_plan(spec, stages)
        self.ch0 = ch[0]
        self.stem = nn.Linear(spec.z_dim, ch[0] * self.start * self.start)
        self.stem_norm = ConditionalBatchNorm(ch[0], spec.num_classes)
        self.ups = nn.ModuleList(nn.ConvTranspose2d(a, b, 4, stride=2, padding=1, bias=False) for a, b in pairwise(ch))
        self.norms = nn.ModuleList(ConditionalBatchNorm(b, spec.num_classes) for b in ch[1:])
        self.out = nn.Conv2d(ch[-1], spec.channels, 3, padding=1)
        self.attention_stage = at = _attention_stage(spec, self.start, stages)
        self.attention = SelfAttention(ch[at]) if at >= 0 else None

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.stem(z).view(-1, self.ch0, self.start, self.start)
        h = torch.relu(self.stem_norm(h, y))
        for stage, (up, norm) in enumerate(zip([None, *self.ups], [None, *self.norms])):
            if up is not None:
                h = torch.relu(norm(up(h), y))
            if stage == self.attention_stage and self.attention is not None:
                h = self.attention(h)
        return torch.tanh(self.out(h))


class DCGANDiscriminator(nn.Module):
    """(N, C, size, size) -> logits (N,): 3×3 stem, 4×4 stride-2 convolutions, linear head."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        start, stages = upsampling_plan(spec.size, "dcgan")
        at = _attention_stage(spec, start, stages)
        ch, sn = channel_plan(spec, stages)[::-1], spec.spectral_norm
        layers: list[nn.Module] = [spectral(nn.Conv2d(spec.channels, ch[0], 3, padding=1), sn)]
        layers.append(nn.LeakyReLU(0.2))
        for i, (a, b) in enumerate(zip([None, *ch], ch)):
            if a is not None:
                layers += [spectral(nn.Conv2d(a, b, 4, stride=2, padding=1), sn), nn.LeakyReLU(0.2)]
            if stages - i == at:
                layers.append(SelfAttention(b, sn))
        self.body = nn.Sequential(*layers)
        self.head = ProjectionHead(ch[-1] * start * start, spec.num_classes, sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.body(x).flatten(1), y)


def build(spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of the DCGAN for ``spec``."""
    return DCGANGenerator(spec), DCGANDiscriminator(spec)
