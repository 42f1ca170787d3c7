"""The registry of training tasks: what ``--task`` takes and which package trains it.

``generate`` trains a GAN that samples new data of any kind; the enhancement tasks
(:mod:`scigan.enhance`) train image-to-image generators on patches of pictures. Each
task names its options section, the scores its evaluation reports (declared in the
metric registry) and the functions that train and evaluate it, imported only when
used. Standard library only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from scigan.enhance.options import EnhanceOptions
from scigan.enhance.scores import SCORES as ENHANCE_SCORES
from scigan.errors import ScienceError
from scigan.metrics.registry import Score
from scigan.options import NoOptions


@dataclass(frozen=True)
class Task:
    """One training task.

    Attributes:
        name: what ``--task`` takes.
        options: the dataclass of its own options (``section`` of config.toml).
        section: the config.toml table its options are written to ("" when it has none).
        train: ``"module:function"`` that trains it: ``(config, out, *, resume, overwrite,
            log, **inputs) -> (RunInfo, TrainResult)``.
        evaluate: ``"module:function"`` that scores a run of it.
        command: the command that uses a trained run (``sample``, ``enhance``, ``translate``).
        uses_kind: whether its data is read by a data kind (and so has a kind's options).
        scores: the scores only this task's evaluation reports (``generate``: none, its
            kind's are used).
    """

    name: str
    train: str
    evaluate: str
    command: str
    options: type = NoOptions
    section: str = ""
    uses_kind: bool = True
    scores: tuple[Score, ...] = ()

    def function(self, which: str) -> Any:
        """The ``train`` or ``evaluate`` function, imported now."""
        module, _, attr = getattr(self, which).partition(":")
        return getattr(importlib.import_module(module), attr)


def _enhancement(name: str, command: str) -> Task:
    """An image-to-image task of :mod:`scigan.enhance` (its options: the [enhance] table)."""
    return Task(
        name,
        train="scigan.enhance.train:train_enhancer",
        evaluate="scigan.enhance.evaluate:evaluate_enhancer",
        command=command,
        options=EnhanceOptions,
        section="enhance",
        uses_kind=False,
        scores=ENHANCE_SCORES,
    )


TASKS: tuple[Task, ...] = (
    Task(
        "generate",
        train="scigan.workflows.train:train_generator",
        evaluate="scigan.workflows.evaluate:evaluate_generator",
        command="sample",
    ),
    _enhancement("superres", "enhance"),
    _enhancement("denoise", "enhance"),
    _enhancement("translate", "translate"),
    _enhancement("cyclegan", "translate"),
)


def get_task(name: str) -> Task:
    """The task called ``name``; ScienceError naming the known tasks otherwise."""
    for task in TASKS:
        if task.name == name:
            return task
    raise ScienceError(f"unknown task {name!r}; choose one of: {', '.join(t.name for t in TASKS)}")
