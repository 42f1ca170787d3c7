"""Which scores a data kind, a task or a run declares: the shared ones of the metric
registry (:mod:`scigan.metrics.registry`) with the kind's ``DataKind.scores`` and the
task's ``Task.scores``. Standard library only (the kind and task registries are light)."""

from __future__ import annotations

from scigan.metrics.registry import SHARED, Score, merged
from scigan.modalities import get_kind, kinds
from scigan.tasks import TASKS, get_task


def scores_for(kind: str) -> list[Score]:
    """The scores of the data kind called ``kind``: its own first, then the shared ones
    (ScienceError for an unknown kind)."""
    return merged(get_kind(kind).scores, SHARED)


def scores_for_task(task: str) -> list[Score]:
    """The scores only the task called ``task`` reports (enhancement: PSNR, SSIM; none for
    ``generate``, whose scores are its kind's)."""
    return list(get_task(task).scores)


def scores_for_run(kind: str, task: str) -> list[Score]:
    """Every score a run of ``task`` on data of ``kind`` may report."""
    return merged(scores_for(kind), scores_for_task(task))


def any_score(key: str) -> Score | None:
    """The score declared under ``key`` anywhere: shared, by a registered kind or by a task."""
    everywhere = merged(SHARED, *(k.scores for k in kinds()), *(t.scores for t in TASKS))
    return next((s for s in everywhere if s.key == key), None)
