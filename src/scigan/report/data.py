"""What the report reads from a run folder: metrics.jsonl, the newest checkpoint's state,
evaluation.json, and which scores the run's kind and task declare.

Every reader tolerates a run that is still training or was killed: a missing file gives
nothing and a truncated line is counted, not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scigan.metrics.declared import scores_for_run
from scigan.metrics.registry import Score
from scigan.runs import RunInfo


@dataclass(frozen=True)
class Point:
    """One line of ``metrics.jsonl``: where training was, and what it logged there.

    Attributes:
        step: the training step.
        images: real samples seen so far (images, rows or cells).
        seconds: training time so far (None when the line lacks it).
        values: the loss terms of a loss line, or the quick scores of an evaluation line.
    """

    step: int = field(metadata={"required": True})
    images: int = field(metadata={"required": True})
    seconds: float | None = None
    values: dict[str, Any] = field(default_factory=dict)


#: The fields of a line that say where training was (the rest are its values).
POSITION = tuple(f.name for f in fields(Point) if f.name != "values")
#: Those a line must hold as numbers to be read at all.
REQUIRED = tuple(f.name for f in fields(Point) if f.metadata.get("required"))
#: The key of an evaluation line's quick scores.
EVAL = "eval"


@dataclass(frozen=True)
class Metrics:
    """A run's ``metrics.jsonl``: loss lines, quick-evaluation lines, unreadable lines."""

    losses: list[Point]
    evals: list[Point]
    skipped: int

    @property
    def points(self) -> list[Point]:
        """Every readable line, losses and evaluations."""
        return [*self.losses, *self.evals]


def is_number(value: Any) -> bool:
    """Whether ``value`` is an int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_json(path: Path) -> Any:
    """The JSON in ``path``, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_metrics(path: Path) -> Metrics:
    """The lines of a ``metrics.jsonl`` at ``path`` (a missing file gives none)."""
    losses: list[Point] = []
    evals: list[Point] = []
    skipped = 0
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []
    for line in filter(str.strip, lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            skipped += 1
            continue
        if not (isinstance(record, dict) and all(is_number(record.get(k)) for k in REQUIRED)):
            skipped += 1
            continue
        where: dict[str, Any] = {k: record.get(k) for k in POSITION}
        if isinstance(record.get(EVAL), dict):
            evals.append(Point(**where, values=record[EVAL]))
        else:
            losses.append(Point(**where, values={k: v for k, v in record.items() if k not in POSITION}))
    return Metrics(losses, evals, skipped)


def latest_state(run: Path) -> dict[str, Any]:
    """``state.json`` of the newest step checkpoint (else of ``best``); {} when none is readable."""
    root = run / "checkpoints"
    steps = sorted((p for p in root.glob("*") if p.name.isdigit()), key=lambda p: int(p.name)) if root.is_dir() else []
    for directory in [*reversed(steps), root / "best"]:
        state = read_json(directory / "state.json")
        if isinstance(state, dict):
            return state
    return {}


def checkpoint_point(state: dict[str, Any]) -> Point | None:
    """Where a checkpoint's ``state`` says training was (None when it does not say)."""
    if not all(is_number(state.get(k)) for k in REQUIRED):
        return None
    where: dict[str, Any] = {k: state.get(k) for k in POSITION}
    return Point(**where)


def best_of(state: dict[str, Any], evals: list[Point], score: Score) -> tuple[int | None, float | None]:
    """Best step and its value of the selection ``score``: from the checkpoint's state,
    else the best logged quick evaluation."""
    if state.get("best_step") is not None:
        return state["best_step"], state.get("best_score")
    best: Point | None = None
    for point in evals:
        value = point.values.get(score.key)
        if isinstance(value, (int, float)) and score.better(value, None if best is None else best.values[score.key]):
            best = point
    return (None, None) if best is None else (best.step, best.values[score.key])


def declared_scores(info: RunInfo) -> list[Score]:
    """The scores a run may report: the shared ones, its data kind's and its task's."""
    return scores_for_run(str(info.data.get("modality", "")), info.config.task)


def selection_score(info: RunInfo, declared: list[Score], state: dict[str, Any]) -> Score:
    """The quick score that picked the run's checkpoints: the one its checkpoint names,
    else its kind's ``selects`` (older checkpoints do not name it)."""
    from scigan.modalities import get_kind

    key = state.get("selects") or get_kind(str(info.data.get("modality", ""))).selects
    return next((s for s in declared if s.key == key), declared[0])
