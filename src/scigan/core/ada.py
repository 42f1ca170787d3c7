"""Adaptive discriminator augmentation (Karras et al., 2020, "ADA"), as a step hook.

DiffAugment is applied to each image of a batch with probability ``p``. Every
``interval`` steps the controller looks at the discriminator's outputs on the real
images it saw since the last adjustment: the overfitting heuristic
``r_t = E[sign(D(real))]`` is near 0 while D generalises and approaches 1 when it
memorises the training set. ``p`` rises while ``r_t`` exceeds the target and falls
otherwise, by ``batch × interval / speed`` per adjustment (so it can move from 0 to 1
within ``speed`` real images), clamped to [0, 1].

The controller's state (``p`` and the signs accumulated since the last adjustment) is
saved with every checkpoint, so a resumed run continues bit for bit.
"""

from __future__ import annotations

from typing import Any

import torch

from scigan.core import distributed
from scigan.core.diffaugment import diff_augment
from scigan.core.phases import Phase, StepContext, StepHook

#: Generator steps between adjustments of ``p`` (as stylegan2-ada-pytorch).
ADA_INTERVAL = 4


class AdaptiveAugment(StepHook):
    """The ADA controller: a trainer step hook that sets each step's augmentation
    probability and logs ``ada/p`` and ``ada/rt`` in ``metrics.jsonl``.

    Args:
        policy: the DiffAugment parts to apply, e.g. ("color", "translation", "cutout").
        target: the wanted r_t = E[sign(D(real))] (0.6 in the paper); > 0.
        speed: real images over which p may move from 0 to 1.
        batch_size: real images per discriminator step.
    """

    name = "ada"

    def __init__(self, policy: tuple[str, ...], target: float, speed: float, batch_size: int):
        self.policy, self.target, self.speed, self.batch_size = policy, target, speed, batch_size
        self.p = 0.0
        self.rt = 0.0
        self._sign_sum = 0.0
        self._count = 0
        self._pending: list[torch.Tensor] = []
        self._steps = 0

    def prepare(self, phase: Phase, ctx: StepContext) -> None:
        """Make the step's augmentation apply each part with probability ``p``."""
        p, rng, policy = self.p, ctx.rng, self.policy
        ctx.augment = lambda x: diff_augment(x, policy, rng, p=p)

    def after_phase(self, phase: Phase, ctx: StepContext) -> None:
        """Collect sign(D(real)) from a discriminator phase (``ctx.outputs["d_real"]``)."""
        real = ctx.outputs.get("d_real")
        if not phase.trains_generator and real is not None:
            self._pending.append(torch.sign(real.detach().float()).sum())
            self._count += int(real.numel())

    def after_step(self) -> None:
        """Count a finished training step; every ``ADA_INTERVAL`` steps adjust ``p`` from
        r_t over every rank's real batches (the ranks therefore keep the same ``p``)."""
        self._steps += 1
        if self._steps % ADA_INTERVAL or not self._count:
            return
        device = self._pending[0].device if self._pending else torch.device("cpu")
        self._sign_sum += float(torch.stack(self._pending).sum()) if self._pending else 0.0
        sign_sum, count = distributed.sum_values([self._sign_sum, self._count], device)  # over every rank
        self.rt = sign_sum / count
        step = self.batch_size * distributed.world_size() * ADA_INTERVAL / self.speed
        self.p = min(max(self.p + (step if self.rt > self.target else -step), 0.0), 1.0)
        self._sign_sum, self._count, self._pending = 0.0, 0, []

    def values(self) -> dict[str, float]:
        """What goes into metrics.jsonl: the current ``p`` and the last ``r_t``."""
        return {"p": round(self.p, 5), "rt": round(self.rt, 5)}

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable state for a checkpoint's state.json."""
        pending = float(torch.stack(self._pending).sum()) if self._pending else 0.0
        return {
            "p": self.p,
            "rt": self.rt,
            "sign_sum": self._sign_sum + pending,
            "count": self._count,
            "steps": self._steps,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` wrote."""
        self.p, self.rt = float(state["p"]), float(state["rt"])
        self._sign_sum, self._count = float(state["sign_sum"]), int(state["count"])
        self._steps, self._pending = int(state["steps"]), []
