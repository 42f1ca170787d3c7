"""Loss terms of paired training, composed with the core's adversarial terms into the
phases of the core :class:`~scigan.core.trainer.Trainer` (no second training loop)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import torch
from torch.nn import functional as F

from scigan.config import TrainConfig
from scigan.core.phases import Phase, StepContext, Term
from scigan.core.recipe import build_phases
from scigan.nets.cycle import CycleDiscriminators, CycleGenerators

#: What the Trainer's ``phases`` argument takes: (G, D) -> the phases of one step.
PhaseBuilder = Callable[[torch.nn.Module, torch.nn.Module], list[Phase]]


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


def paired_phases(config: TrainConfig, features: Callable[[torch.Tensor], torch.Tensor] | None) -> PhaseBuilder:
    """A phase builder for the Trainer: the config's D and G phases (objective and
    regularizers as for any GAN), with every D term and G's adversarial term starting
    after the ``warmup`` steps of ``config.task_options``, G's adversarial term weighted
    by its ``adv_weight``, and G's L1 pixel loss (from step 0) and feature loss (weight
    ``feature_weight``, after the warm-up) added."""
    options = config.task_options

    def build(G: torch.nn.Module, D: torch.nn.Module) -> list[Phase]:
        d_phase, g_phase = build_phases(config, G, D)
        for term in d_phase.terms:
            term.start = options.warmup
        g_terms: list[Term] = [PixelLoss()]
        if options.adv_weight > 0:
            g_terms += [Weighted(t, options.adv_weight, options.warmup) for t in g_phase.terms]
        if features is not None and options.feature_weight > 0:
            g_terms.append(FeatureLoss(features, options.feature_weight, options.warmup))
        g_phase.terms = g_terms
        if options.adv_weight <= 0:
            return [g_phase]
        return [d_phase, g_phase]

    return build


def _cycle_nets(ctx: StepContext) -> tuple[CycleGenerators, CycleDiscriminators]:
    """The step's networks as CycleGAN's pairs of generators and discriminators."""
    return cast(CycleGenerators, ctx.G), cast(CycleDiscriminators, ctx.D)


#: CycleGAN's cycle-consistency weight λ (the paper's 10); the identity loss weighs λ/2.
CYCLE_WEIGHT = 10.0


class ReverseDiscriminatorLoss(Term):
    """Domain A's discriminator: real A (``ctx.z``) against B -> A of real B (``ctx.real``)."""

    name = "adv_a"

    def __init__(self, objective):
        self.objective = objective

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, D = _cycle_nets(ctx)
        with torch.no_grad():
            fake_a = G.reverse(ctx.real)
        logits = D.judge_a(torch.cat([ctx.z, fake_a]))
        n = ctx.z.shape[0]
        return self.objective.d_loss(logits[:n], logits[n:])


class CycleLosses(Term):
    """The generators' other CycleGAN terms: domain A's adversarial loss on B -> A, the
    cycle losses λ·(|B->A(A->B(a)) - a| + |A->B(B->A(b)) - b|), and, when both domains
    have the same channels, the identity losses λ/2·(|A->B(b) - b| + |B->A(a) - a|);
    ``adv_weight`` scales the adversarial part as it does domain B's."""

    name = "cycle"

    def __init__(self, objective, adv_weight: float, identity: bool):
        self.objective, self.adv_weight, self.identity = objective, adv_weight, identity

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, D = _cycle_nets(ctx)
        a, b = ctx.z, ctx.real
        fake_b, fake_a = ctx.fake(), G.reverse(b)
        loss = self.adv_weight * self.objective.g_loss(D.judge_a(fake_a))
        loss = loss + CYCLE_WEIGHT * ((G.reverse(fake_b) - a).abs().mean() + (G(fake_a) - b).abs().mean())
        if self.identity:
            loss = loss + CYCLE_WEIGHT / 2 * ((G(b) - b).abs().mean() + (G.reverse(a) - a).abs().mean())
        return loss


def cycle_phases(config: TrainConfig, identity: bool) -> PhaseBuilder:
    """A phase builder for unpaired translation (CycleGAN): the config's D phase for
    domain B plus domain A's discriminator loss; the G phase's adversarial term for
    domain B (times the ``adv_weight`` of ``config.task_options``) plus
    :class:`CycleLosses`. No pixel loss: the domains are not paired."""
    from scigan.core.objectives import make_objective

    adv_weight = config.task_options.adv_weight

    def build(G: torch.nn.Module, D: torch.nn.Module) -> list[Phase]:
        d_phase, g_phase = build_phases(config, G, D)
        objective = make_objective(config.loss)
        d_phase.terms.append(ReverseDiscriminatorLoss(objective))
        g_phase.terms = [
            *[Weighted(t, adv_weight, 0) for t in g_phase.terms],
            CycleLosses(objective, adv_weight, identity),
        ]
        return [d_phase, g_phase]

    return build
