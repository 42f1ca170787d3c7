"""Discriminator regularizers as phase terms."""

from __future__ import annotations

import torch

from scigan.core.phases import StepContext, Term


def _grad_norm_sq(outputs: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """Squared L2 norm per output (M,) of d(sum outputs)/d(inputs), kept differentiable.

    Usually M = N, one norm per sample; a packing critic (PacGAN) scores groups of
    N / M consecutive samples, and the norm is then taken over each group jointly.
    """
    (grad,) = torch.autograd.grad(outputs.sum(), inputs, create_graph=True)
    return grad.reshape(outputs.shape[0], -1).pow(2).sum(dim=1)


class GradientPenalty(Term):
    """WGAN-GP (Gulrajani et al., 2017): weight · E[(‖∇D(x̂)‖ − 1)²] at random points x̂
    on lines between real and fake samples."""

    name = "gp"

    def __init__(self, weight: float):
        self.weight = weight

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        real, fake = ctx.real, ctx.fake().detach()
        n = min(real.shape[0], fake.shape[0])
        shape = (n,) + (1,) * (real.dim() - 1)
        alpha = torch.rand(shape, generator=ctx.rng, device=real.device, dtype=real.dtype)
        x = (alpha * real[:n] + (1 - alpha) * fake[:n]).requires_grad_(True)
        labels = None if ctx.labels is None else ctx.labels[:n]
        norm = (_grad_norm_sq(ctx.D(ctx.augment(x), labels), x) + 1e-12).sqrt()
        return self.weight * ((norm - 1) ** 2).mean()


class R1Penalty(Term):
    """R1 (Mescheder et al., 2018): γ/2 · E[‖∇D(x_real)‖²], lazily every ``interval`` steps."""

    name = "r1"

    def __init__(self, gamma: float, interval: int = 1):
        self.gamma = gamma
        self.interval = interval

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        x = ctx.real.detach().requires_grad_(True)
        penalty = _grad_norm_sq(ctx.D(ctx.augment(x), ctx.labels), x).mean()
        return 0.5 * self.gamma * self.interval * penalty
