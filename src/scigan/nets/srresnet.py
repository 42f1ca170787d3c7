"""SRResNet-style residual generator for super-resolution and denoising (Ledig et al.,
2017, sized for a CPU): a head convolution, residual blocks without batch norm (as EDSR),
×2 pixel-shuffle stages, and a tail convolution. It predicts the residual over the
bicubic upsampling of its input (over the input itself at scale 1), so an untrained
network already starts at the baseline.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

#: Residual blocks in the body.
BLOCKS = 8


class _Block(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1), nn.PReLU(width), nn.Conv2d(width, width, 3, padding=1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + 0.2 * self.body(x)


class SRResNet(nn.Module):
    """(N, C_in, h, w) in [-1, 1] -> (N, C_out, h·scale, w·scale), unclamped.

    Args:
        channels_in, channels_out: image channels of input and output.
        scale: 1 (denoising) or a power of two (super-resolution).
        width: feature channels.
        blocks: residual blocks.
    """

    def __init__(self, channels_in: int, channels_out: int, scale: int, width: int = 32, blocks: int = BLOCKS):
        super().__init__()
        if scale < 1 or scale & (scale - 1):
            raise ValueError(f"scale must be 1 or a power of two, got {scale}")
        self.scale, self.channels_in, self.channels_out = scale, channels_in, channels_out
        self.head = nn.Sequential(nn.Conv2d(channels_in, width, 3, padding=1), nn.PReLU(width))
        self.body = nn.Sequential(*[_Block(width) for _ in range(blocks)], nn.Conv2d(width, width, 3, padding=1))
        up: list[nn.Module] = []
        for _ in range(scale.bit_length() - 1):
            up += [nn.Conv2d(width, 4 * width, 3, padding=1), nn.PixelShuffle(2), nn.PReLU(width)]
        self.up = nn.Sequential(*up)
        self.tail = nn.Conv2d(width, channels_out, 3, padding=1)
        nn.init.zeros_(self.tail.weight)
        assert self.tail.bias is not None  # built with bias=True
        nn.init.zeros_(self.tail.bias)

    def base(self, x: torch.Tensor) -> torch.Tensor:
        """The baseline the network corrects: bicubic upsampling (the input at scale 1),
        with grayscale replicated when the output is colour."""
        if self.scale > 1:
            x = F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        if self.channels_out != self.channels_in:
            x = x.mean(dim=1, keepdim=True).expand(-1, self.channels_out, -1, -1)
        return x

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``y`` is ignored (the trainer's conditioning slot)."""
        h = self.head(x)
        return self.base(x) + self.tail(self.up(h + self.body(h)))
