"""Loss terms of paired training, composed with the core's adversarial terms into the
phases of the core :class:`~scigan.core.trainer.Trainer` (no second training loop)."""

from __future__ import annotations

from typing import Callable

import torch
from torch.nn import functional as F

from scigan.core.phases import StepContext, Term
from scigan.core.trainer import build_phases


class PixelLoss(Term):
    """Mean absolute error between G's output and the target, times ``weight``."""

    name = "l1"

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        return self.weight * (ctx.fake().float() - ctx.real.float()).abs().mean()


class FeatureLoss(Term):
    """Mean squared distance between feature maps of G's output and of the target, times
    ``weight``; ``features`` maps images in [-1, 1] to feature maps (a frozen network)."""

    name = "feature"

    def __init__(self, features: Callable[[torch.Tensor], torch.Tensor], weight: float, start: int):
        self.features, self.weight, self.start = features, weight, start

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        with torch.no_grad():
            want = self.features(ctx.real)
        return self.weight * F.mse_loss(self.features(ctx.fake()).float(), want.float())


class Weighted(Term):
    """Another term times ``weight``, switched on from step ``start``."""

    def __init__(self, term: Term, weight: float, start: int):
        self.term, self.weight, self.start = term, weight, start
        self.name, self.interval = term.name, term.interval

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        return self.weight * self.term(ctx)


def paired_phases(config, features: Callable[[torch.Tensor], torch.Tensor] | None):
    """A phase builder for the Trainer: the config's D and G phases (objective and
    regularizers as for any GAN), with every D term and G's adversarial term starting
    after ``config.warmup`` steps, G's adversarial term weighted by ``adv_weight``, and
    G's L1 pixel loss (from step 0) and feature loss (after the warm-up) added."""

    def build(G: torch.nn.Module, D: torch.nn.Module):
        d_phase, g_phase = build_phases(config, G, D)
        for term in d_phase.terms:
            term.start = config.warmup
        g_terms: list[Term] = [PixelLoss()]
        if config.adv_weight > 0:
            g_terms += [Weighted(t, config.adv_weight, config.warmup) for t in g_phase.terms]
        if features is not None and config.feature_weight > 0:
            g_terms.append(FeatureLoss(features, config.feature_weight, config.warmup))
        g_phase.terms = g_terms
        if config.adv_weight <= 0:
            return [g_phase]
        return [d_phase, g_phase]

    return build
