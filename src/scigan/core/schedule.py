"""When the training loop stops, and what falls due after each step: a progress line,
a preview, a quick evaluation, a checkpoint. It reads only the config, the step reached
and the seconds trained, so every rank agrees on it without talking."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scigan.config import TrainConfig


@dataclass(frozen=True)
class Due:
    """What is due after one step."""

    log: bool  # a metrics.jsonl line and a progress line
    preview: bool  # preview samples (rank 0, when the run has a previewer)
    eval: bool  # a quick evaluation (when the run has an evaluator)
    save: bool  # a step checkpoint: the last step, a periodic one, or a stop request

    @property
    def anything(self) -> bool:
        """Whether anything is due (the loop first checks the mean losses for divergence)."""
        return self.log or self.preview or self.eval or self.save


class Schedule:
    """The limits (``--steps``, ``--minutes``) and periods (``--log-every``,
    ``--sample-every``, ``--eval-every``, ``--checkpoint-every``) of one run.

    Args:
        config: the resolved training config.
    """

    def __init__(self, config: TrainConfig):
        self.config = config
        self.max_steps = config.steps or math.inf
        self.max_seconds = config.minutes * 60 if config.minutes > 0 else math.inf

    def running(self, step: int, seconds: float) -> bool:
        """Whether training goes on after ``step`` steps and ``seconds`` s."""
        return step < self.max_steps and seconds < self.max_seconds

    def finished(self, run: object, step: int, seconds: float) -> str | None:
        """Why a run at ``step`` after ``seconds`` s has nothing left to train, else None."""
        cfg = self.config
        if step >= self.max_steps:
            return f"{run} is already at step {step} ≥ --steps {cfg.steps}; nothing to do"
        if seconds >= self.max_seconds:
            return f"{run} has trained {seconds / 60:.1f} min ≥ --minutes {cfg.minutes:g}; nothing to do"
        return None

    def due(self, step: int, seconds: float, stopping: bool, previews: bool, evaluates: bool) -> Due:
        """What falls due once step ``step`` is done after ``seconds`` s.

        ``stopping``: a stop was requested (a checkpoint is then due); ``previews``: this
        process writes previews (rank 0 with a previewer); ``evaluates``: the run has a
        quick evaluator (on any rank)."""
        cfg = self.config

        def every(period: int) -> bool:
            return bool(period) and step % period == 0

        return Due(
            log=step % cfg.log_every == 0,
            preview=previews and every(cfg.sample_every),
            eval=evaluates and every(cfg.eval_every),
            save=not self.running(step, seconds) or stopping or every(cfg.checkpoint_every),
        )
