"""The recipe of a GAN run as the trainer runs it: the D and G phases (objective,
regularizers, Adam optimisers) and the step hooks the config asks for."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from scigan.config import TrainConfig
from scigan.core.ada import AdaptiveAugment
from scigan.core.diffaugment import DEFAULT_POLICY
from scigan.core.objectives import make_objective
from scigan.core.phases import DiscriminatorLoss, GeneratorLoss, Phase, StepHook, Term
from scigan.core.private import PrivacyPlan, PrivateDiscriminatorLoss
from scigan.core.regularizers import GradientPenalty, R1Penalty


def _adam(module: nn.Module, lr: float, betas: tuple[float, float], device: torch.device) -> torch.optim.Optimizer:
    """Adam with the fused kernel on CPU and CUDA (one kernel for all parameters)."""
    fused = device.type in ("cpu", "cuda")
    return torch.optim.Adam(module.parameters(), lr=lr, betas=betas, fused=fused)


def critic_steps(config: TrainConfig) -> int:
    """Discriminator steps per generator step (``n_critic``; auto: 5 for wgan, else 1)."""
    return config.n_critic or (5 if config.loss == "wgan" else 1)


def build_phases(config: TrainConfig, G: nn.Module, D: nn.Module, privacy: PrivacyPlan | None = None) -> list[Phase]:
    """The D and G phases for ``config``: the objective plus the regularizers it asks for;
    with ``privacy``, the discriminator's terms are one DP-SGD term (:mod:`.private`)."""
    objective = make_objective(config.loss)
    betas = (config.beta1, config.beta2)
    gp = config.gp_weight if config.gp_weight >= 0 else (10.0 if config.loss == "wgan" else 0.0)
    d_terms: list[Term]
    if privacy is not None:
        d_terms = [
            PrivateDiscriminatorLoss(
                objective, privacy, gp_weight=gp, r1_gamma=config.r1_gamma, r1_interval=config.r1_interval
            )
        ]
    else:
        d_terms = [DiscriminatorLoss(objective)]
        if gp > 0:
            d_terms.append(GradientPenalty(gp))
        if config.r1_gamma > 0:
            d_terms.append(R1Penalty(config.r1_gamma, config.r1_interval))
    device = next(G.parameters()).device
    return [
        Phase("D", D, _adam(D, config.d_lr, betas, device), d_terms, critic_steps(config)),
        Phase("G", G, _adam(G, config.g_lr, betas, device), [GeneratorLoss(objective)], 1, trains_generator=True),
    ]


def with_terms(
    phases: list[Phase], *, generator: Sequence[Term] = (), discriminator: Sequence[Term] = ()
) -> list[Phase]:
    """``phases`` with ``generator`` terms added to the generator phase and
    ``discriminator`` terms to the others (a data kind's own losses: a conditional-vector
    loss, MolGAN's reward); returns the same list."""
    for phase in phases:
        phase.terms.extend(generator if phase.trains_generator else discriminator)
    return phases


def build_hooks(config: TrainConfig, policy: tuple[str, ...]) -> list[StepHook]:
    """The step hooks ``config`` asks for: the ADA controller when ``ada_target`` > 0
    (on ``policy``, or the default DiffAugment policy when it is empty)."""
    hooks: list[StepHook] = []
    if config.ada_target > 0:
        hooks.append(AdaptiveAugment(policy or DEFAULT_POLICY, config.ada_target, config.ada_speed, config.batch_size))
    return hooks
