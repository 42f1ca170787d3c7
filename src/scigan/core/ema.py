"""Exponential moving average of the generator's weights, set by a half-life in images."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """Keeps ``self.model``, a frozen copy of ``source`` whose weights trail it.

    The decay per step is 0.5 ** (batch / half_life), so a weight's influence halves
    every ``half_life_images`` images; early in training the half-life is capped at
    ``rampup`` × images seen, as in StyleGAN2-ADA, so the average is not stuck at the
    random initialisation. Buffers (batch-norm statistics) are copied, not averaged.
    """

    def __init__(self, source: nn.Module, half_life_images: float, rampup: float = 0.05):
        self.model = copy.deepcopy(source).eval().requires_grad_(False)
        self.half_life = float(half_life_images)
        self.rampup = rampup

    def decay(self, batch: int, images_seen: int) -> float:
        """The averaging factor for one step of ``batch`` images after ``images_seen``."""
        half_life = self.half_life
        if self.rampup:
            half_life = min(half_life, images_seen * self.rampup)
        return 0.5 ** (batch / max(half_life, 1e-8))

    @torch.no_grad()
    def update(self, source: nn.Module, batch: int, images_seen: int) -> None:
        """Move the average towards ``source`` after a step of ``batch`` images."""
        beta = self.decay(batch, images_seen)
        ema_params: list[torch.Tensor] = list(self.model.parameters())
        src_params: list[torch.Tensor] = list(source.parameters())
        torch._foreach_lerp_(ema_params, src_params, 1.0 - beta)
        for b_ema, b_src in zip(self.model.buffers(), source.buffers()):
            b_ema.copy_(b_src)
