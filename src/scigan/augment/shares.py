"""How much of the synthetic data each GAN condition uses (``--synthetic-shares``).

For every seed and GAN condition (real+gan, real+classic+gan), the downstream model is
trained once per candidate share on the seed's subset without the GAN's own holdout,
plus that share of every class's kept synthetic samples, and scored by macro-F1 on the
holdout: rows the GAN never trained on, drawn from the training subset, never from the
test split. The best share (the least of those tied) is the one the condition then uses
with the whole subset. The feature map and ``--filter``'s classifier of the choice are
fitted on the rows without the holdout too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scigan.augment.protocol import Augmenter
from scigan.augment.subsets import labels
from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, split_holdout


def take_share(y: np.ndarray, share: float) -> np.ndarray:
    """Positions (M,) into synthetic labels ``y`` (N,): the first ``round(share · n_c)``
    samples of every class c (the samples are in drawing order, so any prefix is a random
    draw), sorted."""
    taken = [np.flatnonzero(y == c)[: round(share * int((y == c).sum()))] for c in np.unique(y)]
    return np.sort(np.concatenate(taken)) if taken else np.zeros(0, dtype=np.int64)


def gan_holdout(gan_data: Dataset, fraction: float, seed: int) -> np.ndarray:
    """Positions (M,) into ``gan_data`` (the seed's GAN training set, ``test_mask`` None)
    of the holdout its GAN run draws with ``fraction`` and ``seed`` (the run's own
    :func:`~scigan.modalities.base.split_holdout`), sorted."""
    rows = Dataset(
        x=np.arange(len(gan_data)),
        y=gan_data.y,
        class_names=gan_data.class_names,
        source=gan_data.source,
        modality=gan_data.modality,
    )
    _, held = split_holdout(rows, fraction, seed)
    return np.sort(held.x)


def choose_shares(
    task: Augmenter,
    real: Dataset,
    held: np.ndarray,
    synthetic: Dataset,
    conditions: tuple[str, ...],
    shares: tuple[float, ...],
    keep_at: float,
    caps: np.ndarray,
    seed: int,
) -> dict[str, dict[str, Any]]:
    """For each GAN condition in ``conditions`` (its name holds "classic" when classic
    augmentation applies), the share of ``synthetic`` chosen on the rows ``held`` of the
    seed's subset ``real`` (positions, (M,)): {"share", "validation_macro_f1" (one per
    share)}. The samples are first selected as the conditions select them
    (:func:`scigan.augment.selection.kept`: ``keep_at`` is ``--filter``, by the
    classifier of the rows outside ``held``, and ``caps`` (C,) the most kept per class).
    Leaves ``task``'s feature map fitted on those rows; fit it again before scoring the
    test split."""
    from scigan.augment.selection import kept
    from scigan.augment.stats import scores

    valid = np.zeros(len(real), dtype=bool)
    valid[held] = True
    inner, check = real.subset(~valid), real.subset(valid)
    if len(np.unique(labels(inner))) < task.num_classes:
        raise ScienceError(
            "--synthetic-shares / --class-consistency-choices: a class has no training example outside "
            "the GAN's holdout; give more examples per class or drop the option"
        )
    task.fit_features(inner)
    ix, iy, vx = task.features(inner), labels(inner), task.features(check)
    sx, sy = task.features(synthetic), labels(synthetic)
    proba = task.proba(task.fit(ix, iy, None, False, seed), sx) if keep_at > 0 else None
    keep = kept(sy, caps, proba, keep_at)
    sx, sy = sx[keep], sy[keep]
    chosen = {}
    for name in conditions:
        f1 = []
        for share in shares:
            take = take_share(sy, share)
            syn = (sx[take], sy[take]) if len(take) else None
            model = task.fit(ix, iy, syn, "classic" in name, seed)
            f1.append(scores(labels(check), task.proba(model, vx))["macro_f1"])
        best = shares[int(np.argmax(f1))]  # argmax takes the first of equals: the least share
        chosen[name] = {"share": best, "validation_macro_f1": [round(v, 4) for v in f1]}
    return chosen
