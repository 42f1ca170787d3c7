"""CycleGAN's two generators and two discriminators (Zhu et al., 2017), each pair held
in one module so the core Trainer (one G, one D) trains them as a phase list."""

from __future__ import annotations

import torch
from torch import nn

from scigan.nets.patchgan import PatchDiscriminator
from scigan.nets.unet import UNet


class CycleGenerators(nn.Module):
    """``forward`` maps domain A to B (what ``scigan translate`` applies); ``reverse``
    maps B to A. Images (N, C, H, W) in [-1, 1], H and W divisible by 2**depth."""

    def __init__(self, channels_a: int, channels_b: int, width: int, depth: int):
        super().__init__()
        self.a_to_b = UNet(channels_a, channels_b, width=width, depth=depth)
        self.b_to_a = UNet(channels_b, channels_a, width=width, depth=depth)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """A -> B; ``y`` is ignored (the trainer's conditioning slot)."""
        return self.a_to_b(x)

    def reverse(self, x: torch.Tensor) -> torch.Tensor:
        """B -> A."""
        return self.b_to_a(x)


class CycleDiscriminators(nn.Module):
    """``forward`` judges domain B (real B against A -> B); ``judge_a`` domain A."""

    def __init__(self, channels_a: int, channels_b: int, width: int, sn: bool):
        super().__init__()
        self.b = PatchDiscriminator(channels_b, 0, width=width, sn=sn)
        self.a = PatchDiscriminator(channels_a, 0, width=width, sn=sn)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Patch logits of domain-B images."""
        return self.b(x)

    def judge_a(self, x: torch.Tensor) -> torch.Tensor:
        """Patch logits of domain-A images."""
        return self.a(x)
