"""The unlabeled pool of ``--unlabeled`` and its pseudo-labels (semi-supervised GANs).

A seed's pool is either N training examples outside its labelled subset, their labels
hidden, or the examples of a second source of the same kind. The classifier trained on
the labelled subset alone labels the pool; the examples it assigns a class with at least
``--pseudo-confidence`` join the GAN's training set (and the self-training baseline's),
with that class. The test split never enters the pool: a pool drawn from the data comes
from the training rows, and a second source is refused when it holds a test example.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from scigan.augment.subsets import labels
from scigan.errors import ScienceError
from scigan.modalities.base import Dataset


@dataclass(frozen=True)
class PseudoLabels:
    """One seed's pseudo-labelled examples and what they cost.

    Attributes:
        data: the confident examples of the pool, labelled by the real-only classifier.
        pool: how many examples the pool held.
        accuracy: the share of ``data`` whose pseudo-label is the true one, where the
            pool came from the labelled data set (None for a second source).
    """

    data: Dataset
    pool: int
    accuracy: float | None


def parse_unlabeled(text: str) -> int | Path | None:
    """``--unlabeled``: a count of examples (int > 0), a path, or None for ""."""
    if not text:
        return None
    if text.strip().isdigit():
        n = int(text)
        if n < 1:
            raise ScienceError("--unlabeled 0: give a count of at least 1, a path, or leave it out")
        return n
    path = Path(text).expanduser()
    if not path.exists():
        raise ScienceError(f"--unlabeled {text}: no such file or folder; give a count of examples or a path")
    return path


def draw_pool(candidates: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` rows drawn at random (with ``seed``) from ``candidates`` (the training rows
    outside a seed's labelled subset), sorted; ScienceError when there are fewer."""
    if n > len(candidates):
        raise ScienceError(
            f"--unlabeled {n}: only {len(candidates)} training examples lie outside the labelled "
            f"subset; choose --unlabeled {len(candidates)} or less"
        )
    return np.sort(np.random.default_rng([seed, 11]).choice(candidates, n, replace=False))


def check_pool(pool: Dataset, labelled: Dataset, test: Dataset) -> None:
    """Refuse a second source whose samples, labelled the labelled data's way, have
    another shape than the labelled data's or that holds an example of the test split
    (the test split must stay unseen; examples are compared without their labels)."""
    try:
        pool = pool.with_labels(np.zeros(len(pool), dtype=np.int64), labelled)
    except ScienceError as err:
        raise ScienceError(f"--unlabeled {pool.source}: {err}; give data of the same kind and columns") from None
    if pool.sample_shape != labelled.sample_shape:
        raise ScienceError(
            f"--unlabeled {pool.source}: samples of shape {pool.sample_shape}, the labelled data's are "
            f"{labelled.sample_shape}; give data of the same kind and size (or set --size)"
        )
    test = test.with_labels(np.zeros(len(test), dtype=np.int64), labelled)
    seen = {_row_key(pool.x, i) for i in range(len(pool))}
    shared = sum(_row_key(test.x, i) in seen for i in range(len(test)))
    if shared:
        raise ScienceError(
            f"--unlabeled {pool.source}: {shared} of its examples are in the test split; the pool must "
            "not hold test data (pass a count instead to draw it from the training rows)"
        )


def pseudo_label(task: Any, real: Dataset, pool: Dataset, threshold: float, seed: int) -> PseudoLabels:
    """Label ``pool`` with the augmenter ``task``'s classifier trained on ``real`` alone;
    keep the examples whose most probable class has at least ``threshold`` probability.
    ``pool.y``, when present, is only read to report the pseudo-labels' accuracy."""
    task.fit_features(real)
    model = task.fit(task.features(real), labels(real), None, False, seed)
    proba = task.proba(model, task.features(pool))
    keep = np.flatnonzero(proba.max(1) >= threshold)
    guessed = proba.argmax(1)[keep].astype(np.int64)
    accuracy = None if pool.y is None or not len(keep) else float((pool.y[keep] == guessed).mean())
    kept = pool.subset(keep).with_labels(guessed, real)
    return PseudoLabels(kept, len(pool), accuracy)


def concat(parts: list[Dataset]) -> Dataset:
    """The rows of ``parts`` (same kind, all labelled) one after the other, as the first
    part's Dataset (arrays stacked; DataFrames' rows renumbered from 0)."""
    first = parts[0]
    if isinstance(first.x, np.ndarray):
        x = np.concatenate([p.x for p in parts])
    else:
        import pandas as pd

        x = pd.concat([p.x for p in parts], ignore_index=True)
    return replace(first, x=x, y=np.concatenate([labels(p) for p in parts]).astype(np.int64), test_mask=None)


def _row_key(x: Any, i: int) -> bytes:
    """The bytes of row ``i`` of an array or DataFrame, to find identical examples."""
    row = x.iloc[i].to_numpy() if hasattr(x, "iloc") else x[i]
    return np.ascontiguousarray(row).tobytes() if row.dtype != object else repr(row.tolist()).encode()
