"""Feedback (FBGAN, Gupta & Zou 2019): every ``every`` steps, generated samples that an
outside predictor scores above a threshold replace the oldest rows of the training data,
so the generator drifts toward what the predictor likes.

The training rows are a queue: accepted samples are written over the real rows first (in
their order), then over the oldest accepted ones. Only the trainer's copy of the training
split changes; the validation split and the holdout stay real. The rows written (at most
one training set's worth) are saved with every checkpoint, so a resumed or rolled-back
run sees the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from scigan.core.phases import StepHook


@dataclass(frozen=True)
class FeedbackPlan:
    """What a data kind asks of feedback.

    Args:
        score: stored rows (N, …) as a NumPy array -> one score per row (N,), higher is better.
        every: steps between rounds.
        threshold: rows scoring strictly above it are accepted.
        samples: samples generated per round.
        source: what ``score`` is (a file or entry point), for the log.
    """

    score: Callable[[np.ndarray], np.ndarray]
    every: int
    threshold: float
    samples: int
    source: str


class Feedback(StepHook):
    """The FBGAN queue as a trainer step hook (see the module doc).

    ``draw(n, seed)`` gives ``n`` generated samples in stored form (N, …) and their labels
    (N,) or None, from the trainer's sampling generator; :meth:`bind` hands the hook the
    trainer's data and labels, which it changes in place."""

    name = "feedback"

    def __init__(self, plan: FeedbackPlan, draw: Callable[[int, int], tuple[np.ndarray, np.ndarray | None]], seed: int):
        self.plan, self.draw, self.seed = plan, draw, seed
        self.step = self.written = self.accepted = 0
        self.mean_score = float("nan")
        self.data: torch.Tensor | None = None
        self.labels: torch.Tensor | None = None

    def bind(self, data: torch.Tensor, labels: torch.Tensor | None) -> None:
        """Take the trainer's training rows (N, …) and labels (N,) to change in place."""
        self.data, self.labels = data, labels
        self._original = (data.clone(), None if labels is None else labels.clone())

    def after_step(self) -> None:
        """Every ``every`` steps: draw, score, and queue the accepted samples."""
        self.step += 1
        if self.step % self.plan.every:
            return
        rows, labels = self.draw(self.plan.samples, self.seed + self.step)
        scores = np.asarray(self.plan.score(rows), dtype=np.float64)
        keep = np.flatnonzero(scores > self.plan.threshold)
        self.mean_score, self.accepted = float(np.nanmean(scores)), len(keep)
        self._write(rows[keep], None if labels is None else labels[keep])

    def _written_at(self) -> torch.Tensor:
        """Queue positions of the rows written so far that are still in the data, oldest first."""
        assert self.data is not None, "bind the trainer's data first"
        n = len(self.data)
        kept = min(self.written, n)
        return (torch.arange(self.written - kept, self.written) % n).to(self.data.device)

    def _write(self, rows: np.ndarray, labels: np.ndarray | None) -> None:
        """Write ``rows`` (K, …) and their ``labels`` (K,) over the oldest queue positions."""
        assert self.data is not None, "bind the trainer's data first"
        n = len(self.data)
        skipped = max(len(rows) - n, 0)  # a round longer than the data overwrites itself
        self.written += skipped
        rows = rows[skipped:]
        at = (torch.arange(self.written, self.written + len(rows)) % n).to(self.data.device)
        self.data[at] = torch.as_tensor(rows, dtype=self.data.dtype, device=self.data.device)
        if self.labels is not None and labels is not None:
            self.labels[at] = torch.as_tensor(labels[skipped:], dtype=self.labels.dtype, device=self.labels.device)
        self.written += len(rows)

    def values(self) -> dict[str, float]:
        """Accepted in the last round, the mean score of its samples, and the share of
        training rows that are accepted samples."""
        n = 1 if self.data is None else len(self.data)
        return {"accepted": self.accepted, "mean_score": self.mean_score, "share": min(self.written, n) / n}

    def state_dict(self) -> dict[str, Any]:
        """The step count, how many rows were written, and those still in the data (with
        their labels), oldest first."""
        assert self.data is not None, "bind the trainer's data first"
        at = self._written_at()
        return {
            "step": self.step,
            "written": self.written,
            "accepted": self.accepted,
            "mean_score": None if np.isnan(self.mean_score) else self.mean_score,
            "rows": self.data[at].tolist(),
            "labels": [] if self.labels is None else self.labels[at].tolist(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Put the data back as it was when ``state`` was saved: the real rows, then the
        saved accepted rows at their queue positions."""
        assert self.data is not None, "bind the trainer's data first"
        data, labels = self._original
        self.data.copy_(data)
        if self.labels is not None and labels is not None:
            self.labels.copy_(labels)
        self.step, self.accepted = int(state["step"]), int(state["accepted"])
        self.mean_score = float("nan") if state["mean_score"] is None else float(state["mean_score"])
        rows = np.asarray(state["rows"]).reshape(-1, *self.data.shape[1:])
        saved_labels = np.asarray(state["labels"], dtype=np.int64) if state["labels"] else None
        self.written = int(state["written"]) - len(rows)
        self._write(rows, saved_labels)
