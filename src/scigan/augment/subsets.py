"""Which rows the experiment tests on and which each seed trains on.

The test split is fixed once (the source's own, else a stratified share); every seed
draws its training subset from the rest: K per class, then one class made rare.
"""

from __future__ import annotations

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, split_holdout


def labels(data: Dataset) -> np.ndarray:
    """The labels (N,) of data that has them."""
    assert data.y is not None, f"{data.source} has no labels"
    return data.y


def test_split(data: Dataset, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(pool, test) row indices of ``data``: the source's test split when it has one, else
    a stratified random ``fraction`` drawn with ``seed``. Disjoint, sorted."""
    rows = Dataset(
        x=np.arange(len(data)),
        y=data.y,
        class_names=data.class_names,
        source=data.source,
        modality=data.modality,
        test_mask=data.test_mask,
    )
    pool, test = split_holdout(rows, fraction, seed)
    return np.sort(pool.x), np.sort(test.x)


def parse_imbalance(text: str, class_names: list[str]) -> tuple[int, float] | None:
    """ "CLASS=FRACTION" -> (class index, fraction); CLASS is a name or an index; None for ""."""
    if not text:
        return None
    name, sep, value = text.partition("=")
    if not sep:
        raise ScienceError(f"--imbalance {text!r}: write CLASS=FRACTION, e.g. --imbalance {class_names[0]}=0.1")
    name = name.strip()
    if name in class_names:
        index = class_names.index(name)
    elif name.isdigit() and int(name) < len(class_names):
        index = int(name)
    else:
        raise ScienceError(f"--imbalance: no class {name!r}; classes: {', '.join(class_names)}")
    try:
        fraction = float(value)
    except ValueError:
        raise ScienceError(f"--imbalance: {value!r} is not a number; give a fraction in (0, 1)") from None
    if not 0.0 < fraction < 1.0:
        raise ScienceError(f"--imbalance fraction must be in (0, 1), got {fraction}")
    return index, fraction


def draw_subset(
    y: np.ndarray, num_classes: int, per_class: int, imbalance: tuple[int, float] | None, seed: int
) -> np.ndarray:
    """Positions into ``y`` (the pool's labels, (N,)) of one seed's training subset:
    ``per_class`` examples of every class (all when 0), then only ``fraction`` of the
    rare class (at least 2). Sorted int64."""
    rng = np.random.default_rng([seed, 5])
    chosen = []
    for c in range(num_classes):
        rows = rng.permutation(np.flatnonzero(y == c))
        if per_class:
            rows = rows[:per_class]
        if imbalance is not None and imbalance[0] == c:
            rows = rows[: max(2, round(imbalance[1] * len(rows)))]
        chosen.append(rows)
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def check_counts(pool_y: np.ndarray, names: list[str], per_class: int) -> None:
    """Refuse a K larger than the smallest class of the training pool (labels ``pool_y``,
    (N,)), or below 2."""
    if per_class < 0 or per_class == 1:
        raise ScienceError(f"--per-class must be at least 2 (or 0 for every example), got {per_class}")
    counts = np.bincount(pool_y, minlength=len(names))
    smallest = int(counts.argmin())
    if counts[smallest] < max(per_class, 2):
        raise ScienceError(
            f"--per-class {per_class}: class {names[smallest]!r} has only {counts[smallest]} training "
            f"examples; choose --per-class {counts[smallest]} or less"
        )
