"""SNGAN-style residual networks (Miyato et al., 2018): up-sampling residual blocks with
conditional batch norm in G, down-sampling spectral-norm residual blocks in D. With
``spec.attention`` a self-attention block (SAGAN) follows the block of that resolution in
both networks (resolutions from the start size up to half the image size)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from scigan.nets.attention import SelfAttention, attention_at
from scigan.nets.layers import ConditionalBatchNorm, ProjectionHead, spectral
from scigan.nets.spec import NetSpec, upsampling_plan


class UpBlock(nn.Module):
    """BN-ReLU-up×2-conv3-BN-ReLU-conv3 with a 1×1 up-sampled shortcut."""

    def __init__(self, cin: int, cout: int, num_classes: int):
        super().__init__()
        self.bn1 = ConditionalBatchNorm(cin, num_classes)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn2 = ConditionalBatchNorm(cout, num_classes)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        h = F.interpolate(torch.relu(self.bn1(x, y)), scale_factor=2.0)
        h = self.conv2(torch.relu(self.bn2(self.conv1(h), y)))
        return h + self.skip(F.interpolate(x, scale_factor=2.0))


class DownBlock(nn.Module):
    """(ReLU)-conv3-ReLU-conv3-avgpool with a 1×1 pooled shortcut; spectral norm optional."""

    def __init__(self, cin: int, cout: int, sn: bool, first: bool):
        super().__init__()
        self.first = first
        self.conv1 = spectral(nn.Conv2d(cin, cout, 3, padding=1), sn)
        self.conv2 = spectral(nn.Conv2d(cout, cout, 3, padding=1), sn)
        self.skip = spectral(nn.Conv2d(cin, cout, 1), sn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else torch.relu(x)
        h = F.avg_pool2d(self.conv2(torch.relu(self.conv1(h))), 2)
        skip = self.skip(F.avg_pool2d(x, 2)) if self.first else F.avg_pool2d(self.skip(x), 2)
        return h + skip


def _attention_stage(spec: NetSpec, start: int, stages: int) -> int:
    """G stage index (0 = after the stem, at start×start) of ``--attention``; -1 when off."""
    return attention_at([start * 2**i for i in range(stages)], spec.attention, "resnet")


class ResNetGenerator(nn.Module):
    """z (N, z_dim) -> (N, C, size, size): linear to start×start×4w, residual ×2 stages."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.start, stages = upsampling_plan(spec.size, "resnet")
        self.ch = 4 * spec.width
        self.stem = nn.Linear(spec.z_dim, self.ch * self.start * self.start)
        self.blocks = nn.ModuleList(UpBlock(self.ch, self.ch, spec.num_classes) for _ in range(stages))
        self.out_norm = ConditionalBatchNorm(self.ch, spec.num_classes)
        self.out = nn.Conv2d(self.ch, spec.channels, 3, padding=1)
        self.attention_stage = _attention_stage(spec, self.start, stages)
        self.attention = SelfAttention(self.ch) if self.attention_stage >= 0 else None

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.stem(z).view(-1, self.ch, self.start, self.start)
        for stage, block in enumerate([None, *self.blocks]):
            if block is not None:
                h = block(h, y)
            if stage == self.attention_stage and self.attention is not None:
                h = self.attention(h)
        return torch.tanh(self.out(torch.relu(self.out_norm(h, y))))


class ResNetDiscriminator(nn.Module):
    """(N, C, size, size) -> logits (N,): residual ×½ stages, ReLU, global sum pool, head."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        start, stages = upsampling_plan(spec.size, "resnet")
        ch, sn = 2 * spec.width, spec.spectral_norm
        at = _attention_stage(spec, start, stages)
        blocks: list[nn.Module] = []
        for i in range(stages):  # block i halves the map to start·2^(stages-1-i)
            blocks.append(DownBlock(ch if i else spec.channels, ch, sn, first=i == 0))
            if stages - 1 - i == at:
                blocks.append(SelfAttention(ch, sn))
        self.blocks = nn.Sequential(*blocks)
        self.head = ProjectionHead(ch, spec.num_classes, sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = torch.relu(self.blocks(x)).sum(dim=(2, 3))
        return self.head(h, y)


def build(spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of the SNGAN-style ResNet for ``spec``."""
    return ResNetGenerator(spec), ResNetDiscriminator(spec)
