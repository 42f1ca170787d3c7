"""Training as a list of phases: each phase updates one network with the sum of its
loss terms. A term is a small object (an adversarial loss, a gradient penalty, R1) with
an interval, so options compose by adding terms rather than by branching in one step.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from scigan.core.objectives import Objective


@dataclass
class StepContext:
    """Everything one optimisation step of a phase may look at.

    ``real`` is a batch of real samples in model space (N, ...); ``labels`` (N,) or None;
    ``z`` (M, z_dim) latents with ``fake_labels`` (M,) or None; ``rng`` the step's own
    generator (all randomness of the step comes from it); ``augment`` maps a batch to an
    augmented batch (identity without DiffAugment). With ``grad_to_generator`` the fake
    batch keeps its graph, so the generator phase can reuse the batch the discriminator
    phase drew. ``outputs`` holds detached tensors that terms report for step hooks
    (``"d_real"``: the discriminator's logits on the real batch, (N,)).
    """

    G: nn.Module
    D: nn.Module
    real: torch.Tensor
    labels: torch.Tensor | None
    z: torch.Tensor
    fake_labels: torch.Tensor | None
    rng: torch.Generator
    augment: Callable[[torch.Tensor], torch.Tensor]
    grad_to_generator: bool
    outputs: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)
    _fake: torch.Tensor | None = field(default=None, repr=False)

    def fake(self) -> torch.Tensor:
        """G(z, fake_labels), computed once per step; detached unless G is being trained."""
        if self._fake is None:
            if self.grad_to_generator:
                self._fake = self.G(self.z, self.fake_labels)
            else:
                with torch.no_grad():
                    self._fake = self.G(self.z, self.fake_labels)
        return self._fake


class Term(ABC):
    """One summand of a phase's loss. ``interval`` > 1 makes it lazy (every k-th step,
    scaled by k so its average strength is unchanged); ``start`` > 0 switches it on only
    from that training step (a phase none of whose terms has started is skipped)."""

    name: str = ""
    interval: int = 1
    start: int = 0

    @abstractmethod
    def __call__(self, ctx: StepContext) -> torch.Tensor:
        """The term's scalar loss for this step, weight included."""


class DiscriminatorLoss(Term):
    """The objective's discriminator loss on real and fake, in one batched D forward."""

    name = "adv"

    def __init__(self, objective: Objective):
        self.objective = objective

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        fake = ctx.fake().detach()
        x = ctx.augment(torch.cat([ctx.real, fake]))
        y = None
        if ctx.labels is not None:
            assert ctx.fake_labels is not None, "a labelled real batch needs labelled fakes"
            y = torch.cat([ctx.labels, ctx.fake_labels])
        logits = ctx.D(x, y)
        # a packing critic (PacGAN) scores groups of rows: split its scores in proportion
        n = ctx.real.shape[0] * logits.shape[0] // x.shape[0]
        ctx.outputs["d_real"] = logits[:n].detach()
        return self.objective.d_loss(logits[:n], logits[n:])


class GeneratorLoss(Term):
    """The objective's generator loss on the discriminator's view of fresh fakes."""

    name = "adv"

    def __init__(self, objective: Objective):
        self.objective = objective

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        return self.objective.g_loss(ctx.D(ctx.augment(ctx.fake()), ctx.fake_labels))


class ConditionLoss(Term):
    """Cross-entropy that each fake holds what its condition asks for (CTGAN's
    conditional-vector loss). The last ``len(positions)`` entries of ``fake_labels``
    (N, C) are a 0/1 mask of asked categories; ``positions`` (M,) gives the column of the
    generator's output (N, W; probabilities per category) that each mask entry asks to
    be 1. Rows that ask nothing add 0; the mean is over the whole batch."""

    name = "cond"

    def __init__(self, positions: torch.Tensor, weight: float = 1.0):
        self.positions, self.weight = positions, weight

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        labels = ctx.fake_labels
        assert labels is not None, "the condition loss reads its mask from fake_labels"
        asked = labels[:, labels.shape[1] - len(self.positions) :].float()
        held = (ctx.fake().float()[:, self.positions] * asked).sum(1)
        return -self.weight * (torch.log(held.clamp_min(1e-8)) * asked.sum(1)).mean()


@dataclass
class Phase:
    """Updates ``module`` with ``optimizer`` on the sum of ``terms``, ``repeats`` times
    per training step (``repeats`` > 1 on the discriminator is ``n_critic``)."""

    name: str
    module: nn.Module
    optimizer: torch.optim.Optimizer
    terms: list[Term]
    repeats: int = 1
    trains_generator: bool = False

    def loss(
        self, ctx: StepContext, step: int, repeat: int, autocast: torch.dtype | None, losses: dict[str, torch.Tensor]
    ) -> torch.Tensor | None:
        """The sum of the terms due at training step ``step``'s ``repeat``-th update (a
        term starts at its ``start`` and runs every ``interval`` updates), computed under
        ``autocast`` when given; adds each term's detached value ÷ :attr:`repeats` to
        ``losses`` under ``<phase>/<term>``. None when no term is due."""
        total: torch.Tensor | None = None
        for term in self.terms:
            if step < term.start or (step * self.repeats + repeat) % term.interval:
                continue
            device = ctx.real.device.type
            with torch.autocast(device, autocast or torch.float32, enabled=autocast is not None):
                value = term(ctx)
            total = value.float() if total is None else total + value.float()
            key = f"{self.name}/{term.name}"
            losses[key] = losses.get(key, 0.0) + value.detach() / self.repeats
        return total


class StepHook:
    """An object the trainer consults around every step (the ADA controller of
    :mod:`scigan.core.ada`, a data kind's condition sampler, a pair maker, a growing
    network's schedule). Subclasses override what they need; the defaults do nothing.
    :meth:`values` are logged in metrics.jsonl under ``<name>/<key>`` and
    :meth:`state_dict` is saved with every checkpoint."""

    name: str = ""

    def before_step(self, images: int) -> None:
        """Called before every step with the real images seen so far (a schedule that is a
        pure function of it keeps resume exact)."""

    def prepare(self, phase: Phase, ctx: StepContext) -> None:
        """Adjust a phase's context (e.g. its ``augment``) before its terms run."""

    def after_phase(self, phase: Phase, ctx: StepContext) -> None:
        """Look at a phase's context (e.g. ``ctx.outputs``) after its terms ran."""

    def after_step(self) -> None:
        """Called once after every training step."""

    def values(self) -> dict[str, float]:
        """Numbers to log."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable state for checkpoints (none by default)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s state on resume."""
