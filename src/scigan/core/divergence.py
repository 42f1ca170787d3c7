"""Divergence: a loss that is not finite or explodes, or a generator that collapsed.

The trainer asks :class:`Guard` before every metrics line, checkpoint, evaluation and
preview whether training diverged since the last check: a loss term's mean that is NaN
or infinite, above :data:`LIMIT` in size, or :data:`GROWTH` times its recent median
(and above :data:`GROWTH` × :data:`FLOOR`); or a fake batch whose spread across the
batch is below :data:`COLLAPSE` of the real batch's (a generator pushed into saturation
draws one constant sample). The first time, the trainer rolls back to the last good
checkpoint (every checkpoint is written after a check, so each one is good; before the
first, to an in-memory :class:`Snapshot` of where training started), lowers every
learning rate by :data:`LR_FACTOR` and goes on; the second time it stops with a
:class:`~scigan.errors.ScienceError` that says what diverged and what to try.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from scigan.core import checkpoint as ckpt
from scigan.errors import ScienceError

#: A loss term whose mean exceeds this in size has exploded.
LIMIT = 1e4
#: ... as has one this many times its median over the last :data:`WINDOW` lines,
GROWTH = 100.0
#: ... a median below this counting as this (so a small loss may wander).
FLOOR = 10.0
#: Metrics lines whose losses make the recent median.
WINDOW = 10
#: A fake batch spread below this share of the real batch's has collapsed.
COLLAPSE = 1e-3
#: Every learning rate is multiplied by this after the first divergence.
LR_FACTOR = 0.1


@dataclass(frozen=True)
class Divergence:
    """What diverged (a loss term's key, or ``samples``), its value and why it counts."""

    what: str
    value: float
    why: str

    def __str__(self) -> str:
        if self.what == "samples":
            return f"the generator's samples collapsed ({self.why})"
        return f"{self.what} = {self.value:.3g} ({self.why})"

    def record(self) -> dict[str, Any]:
        """A JSON-able form for metrics.jsonl (a non-finite value as its name)."""
        value: Any = self.value if math.isfinite(self.value) else str(self.value)
        return {"what": self.what, "value": value, "why": self.why}


def spread(real: torch.Tensor, fake: torch.Tensor) -> float | None:
    """The fake batch's mean per-feature standard deviation across the batch over the
    real batch's (both (N, ...)); None when the shapes differ or the real batch has no
    spread to compare with."""
    if real.shape[1:] != fake.shape[1:] or len(real) < 2 or len(fake) < 2:
        return None
    real_sd = float(real.float().flatten(1).std(0).mean())
    if not real_sd > 0:
        return None
    return float(fake.float().flatten(1).std(0).mean()) / real_sd


class Guard:
    """Watches a run's logged losses and sample spread; counts the learning-rate cuts.

    ``private`` (a DP run): it watches only the generator's terms, functions of the private
    networks alone (post-processing), and never the real batch: the discriminator's terms
    and the real batch's spread read the training rows outside the privacy budget.
    """

    def __init__(self, private: bool = False) -> None:
        self.history: dict[str, deque[float]] = {}
        self.cuts = 0
        self.private = private

    def _watched(self, losses: dict[str, float]) -> dict[str, float]:
        """The terms of ``losses`` this guard may read (every one, or the generator's under ``private``)."""
        return {k: v for k, v in losses.items() if k.startswith("G/")} if self.private else losses

    def watch(self, losses: dict[str, float], batch: tuple[torch.Tensor, torch.Tensor] | None) -> Divergence | None:
        """:meth:`check` of a metrics line's ``losses`` and the last step's (real, fake)
        ``batch`` (None before the first step), minus what ``private`` may not read."""
        if self.private or batch is None:
            return self.check(self._watched(losses))
        return self.check(losses, spread(*batch))

    def check(self, losses: dict[str, float], sample_spread: float | None = None) -> Divergence | None:
        """The first sign of divergence in ``losses`` (term -> mean since the last line)
        or the fake/real ``sample_spread`` (see :func:`spread`); None when there is none."""
        broken = [key for key, value in losses.items() if not math.isfinite(value)]
        if broken:  # a NaN spreads to every term after a step: name all of them
            return Divergence(", ".join(broken), losses[broken[0]], "not finite")
        for key, value in losses.items():
            if abs(value) > LIMIT:
                return Divergence(key, value, f"above {LIMIT:.0e} in size")
            seen = self.history.get(key, ())
            if len(seen) >= 3:
                median = statistics.median(seen)
                if abs(value) > GROWTH * max(median, FLOOR):
                    return Divergence(key, value, f"over {GROWTH:g}× its recent median {median:.3g}")
        if sample_spread is not None and not sample_spread >= COLLAPSE:
            return Divergence("samples", sample_spread, f"their spread is {sample_spread:.2g} of the real data's")
        return None

    def remember(self, losses: dict[str, float]) -> None:
        """Add a metrics line's (finite) losses to the recent history."""
        for key, value in self._watched(losses).items():
            self.history.setdefault(key, deque(maxlen=WINDOW)).append(abs(value))

    def lower(self, optimizers: dict[str, torch.optim.Optimizer]) -> dict[str, tuple[float, float]]:
        """Multiply every learning rate by :data:`LR_FACTOR` (once); returns each
        optimizer's (old, new) rate of its first parameter group."""
        self.cuts += 1
        changed = {}
        for name, optimizer in optimizers.items():
            old = float(optimizer.param_groups[0]["lr"])
            for group in optimizer.param_groups:
                group["lr"] = float(group["lr"]) * LR_FACTOR
            changed[name] = (old, old * LR_FACTOR)
        return changed

    def refusal(self, found: Divergence, step: int, rates: dict[str, float]) -> ScienceError:
        """The error that stops a run diverging again after its rates were lowered."""
        now = ", ".join(f"{name} {lr:.3g}" for name, lr in rates.items())
        return ScienceError(
            f"training diverged again at step {step}, after the learning rates were lowered "
            f"×{LR_FACTOR:g}: {found}; train with lower --g-lr and --d-lr than those rates ({now}), "
            "or a steadier recipe (--loss hinge with --r1-gamma 1, --precision fp32)"
        )

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint records: the learning-rate cuts made."""
        return {"lr_cuts": self.cuts}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (a checkpoint without one had no cuts)."""
        self.cuts = int(state.get("lr_cuts", 0))


def _cpu_copy(value: Any) -> Any:
    """``value`` with every tensor in it copied to the CPU (dicts, lists and tuples walked)."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, dict):
        return {k: _cpu_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cpu_copy(v) for v in value)
    return value


class Snapshot:
    """An in-memory copy of modules, optimizers and a JSON-able ``state`` on the CPU:
    the place to roll back to before the first checkpoint is written."""

    def __init__(self, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer], state: dict):
        self.modules = {k: _cpu_copy(m.state_dict()) for k, m in modules.items()}
        self.optimizers = {k: _cpu_copy(o.state_dict()) for k, o in optimizers.items()}
        self.state = _cpu_copy(state)

    @property
    def step(self) -> int:
        """The step the snapshot was taken at."""
        return int(self.state["step"])

    def load(self, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer]) -> dict[str, Any]:
        """Put the copies back into ``modules`` and ``optimizers``; returns the state."""
        for name, module in modules.items():
            module.load_state_dict(self.modules[name])
        for name, optimizer in optimizers.items():
            optimizer.load_state_dict(_cpu_copy(self.optimizers[name]))
        return dict(self.state)


class Recovery:
    """Where a diverged run in ``run`` goes back to, and its one learning-rate cut.

    :meth:`begin` keeps a :class:`Snapshot` when training starts at a step no checkpoint
    holds; :meth:`saved` drops it once a checkpoint is on disk; :meth:`roll_back` loads
    the newest of the two and lowers the learning rates, or refuses a second time.
    """

    def __init__(self, run: Path, private: bool = False):
        self.run, self.guard = run, Guard(private)
        self.start: Snapshot | None = None

    def begin(
        self, step: int, modules: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer], state: dict
    ):
        """Training starts at ``step``: keep a snapshot unless a checkpoint holds it."""
        newest = ckpt.step_checkpoints(self.run)
        self.start = None
        if not newest or int(newest[-1].name) != step:
            self.start = Snapshot(modules, optimizers, state)

    def saved(self) -> None:
        """A step checkpoint was written: roll back to checkpoints from now on."""
        self.start = None

    def roll_back(
        self,
        found: Divergence,
        step: int,
        modules: dict[str, nn.Module],
        optimizers: dict[str, torch.optim.Optimizer],
    ) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
        """Load the last good state into ``modules`` and ``optimizers`` after ``found``
        at ``step`` and lower the learning rates; returns the state loaded and each
        optimizer's (old, new) rate. ScienceError when the rates were lowered before."""
        if self.guard.cuts:
            rates = {name: float(o.param_groups[0]["lr"]) for name, o in optimizers.items()}
            raise self.guard.refusal(found, step, rates)
        newest = ckpt.resume_point(self.run)
        if self.start is not None and (newest is None or int(newest.name) < self.start.step):
            state = self.start.load(modules, optimizers)
        else:
            assert newest is not None  # without a start snapshot the guard rolls back to a checkpoint
            state = ckpt.load_checkpoint(newest, modules, optimizers)
        return state, self.guard.lower(optimizers)


def rolled_back(found: Divergence, at: int, to: int, changed: dict[str, tuple[float, float]]) -> str:
    """The line that says a run diverged at step ``at`` and went back to step ``to``."""
    rates = ", ".join(f"{name} {old:.3g} → {new:.3g}" for name, (old, new) in changed.items())
    return (
        f"training diverged at step {at}: {found}; rolled back to step {to} and lowered "
        f"the learning rates ×{LR_FACTOR:g} ({rates})"
    )
