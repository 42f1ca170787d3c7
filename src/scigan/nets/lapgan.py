"""LAPGAN (Denton et al., 2015): a Laplacian pyramid of conditional GANs.

Generation runs coarse to fine. Level 0 makes a small image I_0 (the start size, 4×4
or 7×7) from z; level k ≥ 1 is a conditional generator that sees the upsampled coarser
image up(I_{k-1}) and a noise plane and returns the band-pass residual h_k, so
I_k = up(I_{k-1}) + h_k, doubling the size each level (upsampling is bilinear; the
final image is clipped to [-1, 1] with a straight-through gradient). The noise plane of
each level is a learned linear map of z, so every draw of the pyramid is a function of
z alone (resume stays exact, and latent edits move the whole pyramid).

The discriminator splits its input into the same pyramid, g_K = x, g_{k-1} = avgpool(g_k),
and scores every level with its own conditional discriminator: D_0 judges g_0, D_k judges
the band h_k = g_k - up(g_{k-1}) beside the low-pass up(g_{k-1}) it is conditioned on.
The logits of the levels are averaged.

How it is trained: jointly, as one GAN with the trainer's usual phases (one optimiser
per side, every level updated at every step through the averaged logits), not level by
level as in the paper, where each G_k was trained on the low-pass of real images. The
class label (conditional runs) enters every level: conditional batch norm in the
generators, a projection head in each discriminator.
"""

from __future__ import annotations

from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

from scigan.nets.dcgan import channel_plan
from scigan.nets.layers import ConditionalBatchNorm, ProjectionHead, spectral
from scigan.nets.spec import NetSpec, upsampling_plan


def upsample(x: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, 2H, 2W), bilinear: the pyramid's expansion operator."""
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


def laplacian_pyramid(x: torch.Tensor, levels: int) -> list[torch.Tensor]:
    """x (N, C, H, W) -> [g_0, h_1, ..., h_levels]: the coarsest image (H/2^levels) and
    the band-pass residuals h_k = g_k - up(g_{k-1}), coarse to fine; summing
    g_0 upsampled with the residuals level by level gives back x exactly."""
    gaussians = [x]
    for _ in range(levels):
        gaussians.append(F.avg_pool2d(gaussians[-1], 2))
    gaussians.reverse()
    return [gaussians[0]] + [g - upsample(c) for c, g in pairwise(gaussians)]


class _ConvStack(nn.Module):
    """conv3-CBN-ReLU twice, then a 3×3 convolution to ``cout`` channels."""

    def __init__(self, cin: int, ch: int, cout: int, num_classes: int):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(cin, ch, 3, padding=1), nn.Conv2d(ch, ch, 3, padding=1)
        self.norm1, self.norm2 = ConditionalBatchNorm(ch, num_classes), ConditionalBatchNorm(ch, num_classes)
        self.out = nn.Conv2d(ch, cout, 3, padding=1)

    def forward(self, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        h = torch.relu(self.norm1(self.conv1(h), y))
        return self.out(torch.relu(self.norm2(self.conv2(h), y)))


class LapGenerator(nn.Module):
    """z (N, z_dim) [+ y (N,)] -> (N, C, size, size) in [-1, 1], coarse to fine."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.start, self.levels = upsampling_plan(spec.size, "lapgan")
        ch = channel_plan(spec, self.levels)
        self.ch0 = ch[0]
        self.stem = nn.Linear(spec.z_dim, ch[0] * self.start**2)
        self.stem_norm = ConditionalBatchNorm(ch[0], spec.num_classes)
        self.coarse = _ConvStack(ch[0], ch[0], spec.channels, spec.num_classes)
        self.noise = nn.ModuleList(nn.Linear(spec.z_dim, (self.start * 2**k) ** 2) for k in range(1, self.levels + 1))
        self.residuals = nn.ModuleList(
            _ConvStack(spec.channels + 1, c, spec.channels, spec.num_classes) for c in ch[1:]
        )

    def pyramid(self, z: torch.Tensor, y: torch.Tensor | None = None) -> list[torch.Tensor]:
        """[I_0, h_1, ..., h_K]: the coarse image and each level's band-pass residual."""
        h = self.stem(z).view(-1, self.ch0, self.start, self.start)
        out = [torch.tanh(self.coarse(torch.relu(self.stem_norm(h, y)), y))]
        image = out[0]
        for noise, residual in zip(self.noise, self.residuals):
            low = upsample(image)
            plane = noise(z).view(-1, 1, *low.shape[2:])
            out.append(residual(torch.cat([low, plane], dim=1), y))
            image = low + out[-1]
        return out

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        levels = self.pyramid(z, y)
        image = levels[0]
        for band in levels[1:]:
            image = upsample(image) + band
        return image + (image.clamp(-1.0, 1.0) - image).detach()


class LapDiscriminator(nn.Module):
    """(N, C, size, size) [+ y] -> logits (N,): the mean of one conditional
    discriminator per pyramid level."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        start, self.levels = upsampling_plan(spec.size, "lapgan")
        ch, sn = channel_plan(spec, self.levels), spec.spectral_norm
        self.judges = nn.ModuleList()
        for k in range(self.levels + 1):  # level k: 2^k × start, halved k times to start
            cin = spec.channels * (2 if k else 1)
            layers: list[nn.Module] = [spectral(nn.Conv2d(cin, ch[k], 3, padding=1), sn), nn.LeakyReLU(0.2)]
            for a, b in zip(ch[k:0:-1], ch[k - 1 :: -1] if k else []):
                layers += [spectral(nn.Conv2d(a, b, 4, stride=2, padding=1), sn), nn.LeakyReLU(0.2)]
            self.judges.append(nn.Sequential(*layers))
        self.heads = nn.ModuleList(
            ProjectionHead(ch[0] * start**2, spec.num_classes, sn) for _ in range(self.levels + 1)
        )

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        levels = laplacian_pyramid(x, self.levels)
        low = levels[0]
        logits = self.heads[0](self.judges[0](low).flatten(1), y)
        for k in range(1, self.levels + 1):
            low_up = upsample(low)
            h = self.judges[k](torch.cat([low_up, levels[k]], dim=1))
            logits = logits + self.heads[k](h.flatten(1), y)
            low = low_up + levels[k]
        return logits / (self.levels + 1)


def build(spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of the LAPGAN for ``spec``."""
    return LapGenerator(spec), LapDiscriminator(spec)
