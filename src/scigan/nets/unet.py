"""The pix2pix generator (Isola et al., 2017): a U-Net whose encoder halves the
resolution ``depth`` times and whose decoder mirrors it with skip connections. No
normalisation layers, so a tile's output does not depend on the other tiles (tiled
inference on large images)."""

from __future__ import annotations

import torch
from torch import nn


class UNet(nn.Module):
    """(N, C_in, H, W) in [-1, 1] -> (N, C_out, H, W) in [-1, 1]; H and W divisible by
    ``2 ** depth``.

    Args:
        channels_in, channels_out: image channels of input and output.
        width: channels of the first level (doubling per level, capped at 8×).
        depth: resolution halvings.
    """

    def __init__(self, channels_in: int, channels_out: int, width: int = 32, depth: int = 4):
        super().__init__()
        self.depth = depth
        widths = [width * min(2**i, 8) for i in range(depth + 1)]
        self.stem = nn.Sequential(nn.Conv2d(channels_in, widths[0], 3, padding=1), nn.LeakyReLU(0.2))
        self.down = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(widths[i], widths[i + 1], 4, stride=2, padding=1),
                nn.LeakyReLU(0.2),
                nn.Conv2d(widths[i + 1], widths[i + 1], 3, padding=1),
                nn.LeakyReLU(0.2),
            )
            for i in range(depth)
        )
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(widths[i + 1], widths[i], 4, stride=2, padding=1) for i in range(depth)
        )
        self.merge = nn.ModuleList(
            nn.Sequential(nn.Conv2d(2 * widths[i], widths[i], 3, padding=1), nn.ReLU()) for i in range(depth)
        )
        self.tail = nn.Conv2d(widths[0], channels_out, 3, padding=1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``y`` is ignored (the trainer's conditioning slot)."""
        skips = [self.stem(x)]
        for down in self.down:
            skips.append(down(skips[-1]))
        h = skips.pop()
        for i in reversed(range(self.depth)):
            h = self.merge[i](torch.cat([self.up[i](h), skips.pop()], dim=1))
        return torch.tanh(self.tail(h))
