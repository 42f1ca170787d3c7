"""Progressive growing (ProGAN, Karras et al., 2018), small.

Both networks start at the coarsest resolution (4×4 or 7×7) and grow by ×2 stages up to
the image size. Each new stage is faded in: during its fade-in the generator's image is
(1-α)·upsampled(previous stage's RGB) + α·(new stage's RGB), and the discriminator reads
the input through the new stage with weight α and through the previous stage's
from-RGB layer with weight 1-α, α rising linearly from 0 to 1.

The schedule is counted in images seen (``spec.grow_images`` per fade-in and per stable
stage: stable at the start size, fade in ×2, stable, fade in ×2, ...), so it is a pure
function of training progress and a resumed run continues exactly. The trainer passes
images seen through ``set_progress`` (called by the trainer's step hook, see
:class:`scigan.nets.progress.ProgressHook`); the level is a buffer, so checkpoints
carry it. The generator always returns full-size images (the current resolution
upsampled, nearest neighbour), and the discriminator average-pools its input to the
current resolution, so nothing outside the networks changes while they grow.

Simplifications against the paper: conditional batch norm instead of pixel norm,
no equalised learning rate, no minibatch-stddev layer.
"""

from __future__ import annotations

import math
from itertools import pairwise

import torch
import torch.nn.functional as F
from torch import nn

from scigan.nets.dcgan import channel_plan
from scigan.nets.layers import ConditionalBatchNorm, ProjectionHead, spectral
from scigan.nets.spec import NetSpec, upsampling_plan


def grow_level(images: int, grow_images: int, stages: int) -> float:
    """The resolution level after ``images`` images: 0 is the start size, ``stages`` the
    full size; a fraction k + α means stage k+1 is faded in with weight α. Stages last
    ``grow_images`` images each, alternating stable and fade-in, starting stable."""
    period, into = divmod(images / grow_images, 1.0)
    level = period / 2 if period % 2 == 0 else (period - 1) / 2 + into
    return float(min(level, stages))


def _split(level: float) -> tuple[int, float]:
    """(top stage k, weight α of stage k against k-1) of a level."""
    top = math.ceil(level)
    return top, (level - (top - 1) if top > level else 1.0)


class _Progress(nn.Module):
    """A level buffer set from images seen (a pure function of them)."""

    level: torch.Tensor

    def __init__(self, spec: NetSpec, model: str):
        super().__init__()
        self.start, self.stages = upsampling_plan(spec.size, model)
        self.grow_images = spec.grow_images
        self.register_buffer("level", torch.zeros(()))

    def set_progress(self, images: int) -> dict[str, float]:
        """Set the level for ``images`` images seen; returns it for the log."""
        level = grow_level(images, self.grow_images, self.stages)
        self.level.fill_(level)
        return {"level": round(level, 5)}


class ProgressiveGenerator(_Progress):
    """z (N, z_dim) -> (N, C, size, size) in [-1, 1] at the current level's resolution,
    upsampled to ``size``."""

    def __init__(self, spec: NetSpec):
        super().__init__(spec, "progressive")
        ch = channel_plan(spec, self.stages)
        k = spec.num_classes
        self.ch0 = ch[0]
        self.stem = nn.Linear(spec.z_dim, ch[0] * self.start**2)
        self.stem_norm = ConditionalBatchNorm(ch[0], k)
        self.convs = nn.ModuleList([nn.Conv2d(ch[0], ch[0], 3, padding=1)])
        self.norms = nn.ModuleList([ConditionalBatchNorm(ch[0], k)])
        for a, b in pairwise(ch):  # stage i: up ×2, conv a->b, conv b->b
            self.convs.extend([nn.Conv2d(a, b, 3, padding=1), nn.Conv2d(b, b, 3, padding=1)])
            self.norms.extend([ConditionalBatchNorm(b, k), ConditionalBatchNorm(b, k)])
        self.to_rgb = nn.ModuleList(nn.Conv2d(c, spec.channels, 1) for c in ch)

    def _layer(self, i: int, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return F.leaky_relu(self.norms[i](self.convs[i](h), y), 0.2)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        top, alpha = _split(float(self.level))
        h = self.stem(z).view(-1, self.ch0, self.start, self.start)
        h = self._layer(0, F.leaky_relu(self.stem_norm(h, y), 0.2), y)
        previous = h  # the stage before the top one, for the fade-in
        for stage in range(1, top + 1):
            previous = h
            h = F.interpolate(h, scale_factor=2.0)
            h = self._layer(2 * stage, self._layer(2 * stage - 1, h, y), y)
        rgb = self.to_rgb[top](h)
        if alpha < 1.0:
            rgb = torch.lerp(F.interpolate(self.to_rgb[top - 1](previous), scale_factor=2.0), rgb, alpha)
        return torch.tanh(F.interpolate(rgb, scale_factor=2.0 ** (self.stages - top)))


class ProgressiveDiscriminator(_Progress):
    """(N, C, size, size) -> logits (N,), reading the input at the current resolution.

    While stage k fades in, every input (real or fake) is also blended with its own
    ×½-then-×2 blur by 1-α, as ProGAN does with the real images.
    """

    def __init__(self, spec: NetSpec):
        super().__init__(spec, "progressive")
        ch, sn = channel_plan(spec, self.stages), spec.spectral_norm
        self.from_rgb = nn.ModuleList(spectral(nn.Conv2d(spec.channels, c, 1), sn) for c in ch)
        self.blocks = nn.ModuleList([nn.Identity()])  # stage i: conv b->b, conv b->a, pool ×½
        for a, b in pairwise(ch):
            self.blocks.append(
                nn.Sequential(
                    spectral(nn.Conv2d(b, b, 3, padding=1), sn),
                    nn.LeakyReLU(0.2),
                    spectral(nn.Conv2d(b, a, 3, padding=1), sn),
                    nn.LeakyReLU(0.2),
                    nn.AvgPool2d(2),
                )
            )
        self.final = nn.Sequential(spectral(nn.Conv2d(ch[0], ch[0], 3, padding=1), sn), nn.LeakyReLU(0.2))
        self.head = ProjectionHead(ch[0] * self.start**2, spec.num_classes, sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        top, alpha = _split(float(self.level))
        x = F.avg_pool2d(x, 2 ** (self.stages - top)) if top < self.stages else x
        if alpha < 1.0:
            coarse = F.avg_pool2d(x, 2)
            x = torch.lerp(F.interpolate(coarse, scale_factor=2.0), x, alpha)
            new = self.blocks[top](F.leaky_relu(self.from_rgb[top](x), 0.2))
            h = torch.lerp(F.leaky_relu(self.from_rgb[top - 1](coarse), 0.2), new, alpha)
            top -= 1
        else:
            h = F.leaky_relu(self.from_rgb[top](x), 0.2)
        for stage in range(top, 0, -1):
            h = self.blocks[stage](h)
        return self.head(self.final(h).flatten(1), y)


def build(spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """Generator and discriminator of the progressive GAN for ``spec``."""
    return ProgressiveGenerator(spec), ProgressiveDiscriminator(spec)
