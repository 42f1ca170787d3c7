"""The PatchGAN discriminator (pix2pix): strided 4×4 convolutions that score
overlapping patches, one logit per patch, optionally conditioned on an input image
(concatenated, resized to the judged image's size)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from scigan.nets.layers import spectral


class PatchDiscriminator(nn.Module):
    """(N, C, H, W) images [and (N, C_cond, h, w) conditions] -> (N, H/2^L', W/2^L') logits.

    Args:
        channels: channels of the judged images.
        cond_channels: channels of the condition image; 0 for an unconditional D.
        width: channels of the first layer (doubling per layer, capped at 8×).
        layers: stride-2 layers (the patch side grows as 2^layers).
        sn: spectral normalisation on every convolution.
    """

    def __init__(self, channels: int, cond_channels: int = 0, width: int = 32, layers: int = 3, sn: bool = True):
        super().__init__()
        self.cond_channels = cond_channels
        c_in, blocks = channels + cond_channels, []
        for i in range(layers):
            c_out = width * min(2**i, 8)
            blocks += [spectral(nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), sn), nn.LeakyReLU(0.2)]
            c_in = c_out
        blocks += [
            spectral(nn.Conv2d(c_in, c_in, 3, padding=1), sn),
            nn.LeakyReLU(0.2),
            spectral(nn.Conv2d(c_in, 1, 3, padding=1), sn),
        ]
        self.body = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.cond_channels:
            if y is None:
                raise ValueError(f"this discriminator is conditioned: pass y ({self.cond_channels} channels)")
            if y.shape[-2:] != x.shape[-2:]:
                y = F.interpolate(y, size=x.shape[-2:], mode="bicubic", align_corners=False)
            x = torch.cat([x, y.to(x.dtype)], dim=1)
        return self.body(x)[:, 0]
