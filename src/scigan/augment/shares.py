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


class HoldoutChoice:
    """Choices made on the GAN's holdout of one seed's subset: the real rows ``held``
    (positions into ``real``, (M,)) score, the rest of ``real`` trains. ``--filter``'s
    real-only classifier of the rows outside ``held`` (``keep_at`` > 0) is fitted on the
    first call and serves every later one of the seed (each GAN candidate, then the
    shares), since it depends on neither.

    Raises ScienceError when a class has no row outside ``held``.
    """

    def __init__(self, task: Augmenter, real: Dataset, held: np.ndarray, keep_at: float, seed: int):
        valid = np.zeros(len(real), dtype=bool)
        valid[held] = True
        self.inner, self.check = real.subset(~valid), real.subset(valid)
        if len(np.unique(labels(self.inner))) < task.num_classes:
            raise ScienceError(
                "--synthetic-shares / --class-consistency-choices: a class has no training example outside "
                "the GAN's holdout; give more examples per class or drop the option"
            )
        self.task, self.keep_at, self.seed = task, keep_at, seed
        self._filter_model: Any = None

    def choose_shares(
        self, synthetic: Dataset, conditions: tuple[str, ...], shares: tuple[float, ...], caps: np.ndarray
    ) -> dict[str, dict[str, Any]]:
        """For each GAN condition in ``conditions`` (its name holds "classic" when classic
        augmentation applies), the share of ``synthetic`` chosen on the holdout: {"share",
        "validation_macro_f1" (one per share)}. The samples are first selected as the
        conditions select them (:func:`scigan.augment.selection.kept`: ``--filter`` by the
        classifier of the rows outside the holdout, and ``caps`` (C,) the most kept per
        class). Leaves the task's feature map fitted on those rows; fit it again before
        scoring the test split."""
        from scigan.augment.selection import kept
        from scigan.augment.stats import scores

        task, seed = self.task, self.seed
        task.fit_features(self.inner)
        ix, iy, vx = task.features(self.inner), labels(self.inner), task.features(self.check)
        sx, sy = task.features(synthetic), labels(synthetic)
        proba = None
        if self.keep_at > 0:
            if self._filter_model is None:
                self._filter_model = task.fit(ix, iy, None, False, seed)
            proba = task.proba(self._filter_model, sx)
        keep = kept(sy, caps, proba, self.keep_at)
        sx, sy = sx[keep], sy[keep]
        chosen = {}
        for name in conditions:
            f1 = []
            for share in shares:
                take = take_share(sy, share)
                syn = (sx[take], sy[take]) if len(take) else None
                model = task.fit(ix, iy, syn, "classic" in name, seed)
                f1.append(scores(labels(self.check), task.proba(model, vx))["macro_f1"])
            best = shares[int(np.argmax(f1))]  # argmax takes the first of equals: the least share
            chosen[name] = {"share": best, "validation_macro_f1": [round(v, 4) for v in f1]}
        return chosen
