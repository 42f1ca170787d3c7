"""Checkpoint choice: which quick evaluation was best so far, by the score that picks.

The score is named by its key (a data kind's ``selects``) and read from the metric
registry, which says whether lower or higher is better (or closest to an ideal value).
Early stopping counts the evaluations since the best one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scigan.errors import ScienceError
from scigan.metrics.declared import any_score
from scigan.metrics.registry import Score


def check_choice(key: str, flag: str, eval_every: int, evals_flag: str) -> None:
    """Refuse, in one line, a user's choice ``flag key`` of the score that picks checkpoints
    when no scorer declares ``key`` or when there are no quick evaluations to pick from
    (``eval_every`` 0, set by the option ``evals_flag``)."""
    if any_score(key) is None:
        raise ScienceError(f"{flag} {key}: not a declared score; pass a quick score such as fd or label_accuracy")
    if not eval_every:
        raise ScienceError(f"{flag} needs quick evaluations; pass {evals_flag} N (N > 0) or drop {flag}")


class Selection:
    """The best step and value of the quick score ``key`` so far.

    Args:
        key: the quick score that picks checkpoints, declared in the metric registry.
    """

    def __init__(self, key: str = "fd"):
        score = any_score(key)
        if score is None:
            raise ScienceError(
                f"the quick score {key!r} that is to pick checkpoints is not declared "
                "in the metric registry; declare it in the data kind's scores"
            )
        self.score: Score = score
        self.best_step: int | None = None
        self.best_score: float | None = None
        self.evals_since_best = 0

    def offer(self, scores: dict[str, Any], step: int) -> bool:
        """Take a quick evaluation's ``scores`` at ``step``; True when it is the best so far."""
        key = self.score.key
        if key not in scores:
            raise ScienceError(
                f"the quick evaluation returned no {key!r} ({self.score.label}), the score that "
                f"picks checkpoints; it returned: {', '.join(scores)}"
            )
        if self.score.better(scores[key], self.best_score):
            self.best_score, self.best_step, self.evals_since_best = scores[key], step, 0
            return True
        self.evals_since_best += 1
        return False

    def state(self) -> dict[str, Any]:
        """What a checkpoint records of the choice (``selects``: the score's key)."""
        return dict(
            best_step=self.best_step,
            best_score=self.best_score,
            evals_since_best=self.evals_since_best,
            selects=self.score.key,
        )

    def restore(self, state: dict[str, Any], log: Callable[[str], None]) -> None:
        """Continue the choice recorded in a checkpoint's ``state``.

        Checkpoints written before the registry hold no ``selects``: their ``best_score``
        is a value of the kind's selection score then (expression's penalised FD was
        logged as ``fd``). One chosen by another score starts the choice afresh.
        """
        self.best_step, self.best_score = state["best_step"], state["best_score"]
        self.evals_since_best = state["evals_since_best"]
        chosen_by = state.get("selects", self.score.key)
        if chosen_by != self.score.key:
            log(
                f"the best checkpoint so far was chosen by {chosen_by!r}, now by {self.score.key!r}: "
                "the next quick evaluation starts the choice afresh"
            )
            self.best_score, self.evals_since_best = None, 0

    def shown(self, scores: dict[str, Any]) -> dict[str, str]:
        """The selection score of ``scores`` for the progress bar: {label: value} ({} when absent)."""
        key = self.score.key
        return {self.score.label: self.score.format(scores[key])} if key in scores else {}

    def waited(self, patience: int) -> bool:
        """Whether ``patience`` (> 0) evaluations passed without a better score."""
        return bool(patience) and self.evals_since_best >= patience

    def stop_message(self, patience: int) -> str:
        """The line that says training stops early after ``patience`` evaluations."""
        return (
            f"stopping early: the quick score ({self.score.label}, {self.score.hint}) "
            f"did not improve in {patience} evaluations"
        )
