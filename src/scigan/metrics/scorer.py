"""Scoring a generator against real data it never saw, in a learned feature space.

One :class:`Scorer` serves both the quick evaluations during training (FD, KID against
the validation split) and the full ``scigan evaluate`` set (FD with its real-vs-real
floor, KID, PRDC, class coverage, per-class FD against the holdout). Reference features
are computed once and reused. Its keys are declared in :mod:`scigan.metrics.registry`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scigan.metrics import fairness, fidelity
from scigan.modalities.base import Dataset, proportional_labels


def reference_name(reference: Dataset) -> str:
    """What a reference split is called in a result: ``"test split"`` when it is the
    source's official test split, else ``"holdout"``."""
    mask = reference.test_mask
    return "test split" if mask is not None and bool(mask.any()) else "holdout"


class Scorer:
    """Measures samples of a modality against a real split never shown to the GAN.

    Args:
        modality: the data's modality (provides ``features``).
        train: the real training split (the extractor learns from it; floors draw from it).
        holdout: the reference: the validation split (training's quick scores) or the
            holdout (``evaluate``).
        device: where the extractor runs.
        log: receives one-line progress messages.
    """

    def __init__(
        self,
        modality: Any,
        train: Dataset,
        holdout: Dataset,
        *,
        device: str = "cpu",
        log: Callable[[str], None] = print,
    ):
        from scigan.metrics.features import cache_dir

        self.modality, self.train, self.holdout = modality, train, holdout
        # one split for both (a private run's scorer, fitted on its validation split): the
        # extractor's accuracy on it would be its training accuracy, so it is not measured
        test = None if holdout is train else holdout
        self.extractor = modality.features(train, test, cache_dir=cache_dir(), device=device, log=log)
        self._holdout_features: np.ndarray | None = None

    def _reference(self) -> np.ndarray:
        """Features of the whole reference split, computed once."""
        if self._holdout_features is None:
            self._holdout_features = self.extractor.features(self.holdout.x)
        return self._holdout_features

    def fake_labels(self, n: int, seed: int) -> np.ndarray | None:
        """Labels for ``n`` conditional samples, in the holdout's class proportions."""
        return proportional_labels(self.holdout.y, n, seed)

    def sizes(self, n: int) -> int:
        """Samples to generate for ``n`` asked: capped at the reference split's size."""
        return min(n, len(self.holdout))

    def provenance(self) -> dict[str, Any]:
        """What a score depends on: the extractor, its accuracy and the reference split."""
        return {
            "extractor_hash": self.extractor.hash,
            "extractor_task": self.extractor.task,
            "extractor_test_accuracy": self.extractor.test_accuracy,
            "reference": reference_name(self.holdout),
            "n_reference_available": len(self.holdout),
        }

    def quick(self, fake_x: np.ndarray, fake_y: np.ndarray | None = None) -> dict[str, Any]:
        """FD and KID of stored-form samples (N, ...) against the whole reference split
        (for training); with ``fake_y`` (N,), the labels they were generated for, and an
        extractor that classifies, also ``label_accuracy``: the share of samples it gives
        their own label (the live class fidelity of a conditional run)."""
        fake = self.extractor.features(fake_x)
        real = self._reference()
        kid, _ = fidelity.kernel_inception_distance(fake, real, subsets=10, subset_size=min(1000, len(fake), len(real)))
        out: dict[str, Any] = {
            "fd": fidelity.frechet_distance(fake, real),
            "kid": kid,
            "n": len(fake),
            "extractor_hash": self.extractor.hash,
        }
        if fake_y is not None and self.extractor.task == "labels":
            out["label_accuracy"] = fidelity.label_accuracy(self.extractor.predict_features(fake), fake_y)
        return out

    def full(
        self,
        fake_x: np.ndarray,
        fake_y: np.ndarray | None,
        *,
        seed: int = 0,
        untrained_x: np.ndarray | None = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        """The full metric set for ``n = len(fake_x)`` samples (``fake_y``: the labels they
        were generated for, or None), beside the real-vs-real floor at the same n.

        The reference is ``n`` rows of the reference split; the floor compares ``n`` training rows with
        the same reference. ``untrained_x`` adds ``fd_untrained`` for scale; ``picture``
        names a PNG for the PCA of real and synthetic features.
        """
        rng = np.random.default_rng(seed)
        n = len(fake_x)
        ref_rows = rng.permutation(len(self.holdout))[:n]
        floor_rows = rng.permutation(len(self.train))[:n]
        ref = self._reference()[ref_rows]
        floor = self.extractor.features(self.train.x[floor_rows])
        fake = self.extractor.features(fake_x)
        kid_size = min(1000, n)
        kid, kid_std = fidelity.kernel_inception_distance(fake, ref, subset_size=kid_size, seed=seed)
        kid_floor, _ = fidelity.kernel_inception_distance(floor, ref, subset_size=kid_size, seed=seed)
        out: dict[str, Any] = {
            "n": n,
            "fd": fidelity.frechet_distance(fake, ref),
            "fd_real_floor": fidelity.frechet_distance(floor, ref),
            "kid": kid,
            "kid_std": kid_std,
            "kid_real_floor": kid_floor,
            **fidelity.prdc(ref, fake, k=5),
            **self.provenance(),
        }
        if untrained_x is not None:
            out["fd_untrained"] = fidelity.frechet_distance(self.extractor.features(untrained_x), ref)
        if self.extractor.task == "labels" and self.holdout.y is not None:
            out.update(self._per_class(fake, fake_y, ref, self.holdout.y[ref_rows]))
        if picture is not None:
            from scigan.report.embedding import plot_embedding

            plot_embedding(
                ref,
                fake,
                picture,
                real_labels=None if self.holdout.y is None else self.holdout.y[ref_rows],
                fake_labels=fake_y,
                class_names=self.holdout.class_names,
                seed=seed,
                umap=umap,
                title="CNN features: real (dots) and synthetic (crosses), PCA",
            )
        return out

    def _per_class(
        self, fake: np.ndarray, fake_y: np.ndarray | None, ref: np.ndarray, ref_y: np.ndarray
    ) -> dict[str, Any]:
        """Class coverage, conditional accuracy and FD per class (mode collapse shows here)."""
        names = self.holdout.class_names
        predicted = self.extractor.predict_features(fake)
        out: dict[str, Any] = {
            "class_coverage": fidelity.class_coverage(predicted, ref_y, len(names)),
        }
        if fake_y is not None:
            out["label_accuracy"] = fidelity.label_accuracy(predicted, fake_y)
        groups = fake_y if fake_y is not None else predicted
        if self.train.y is not None:  # unconditional: the group the extractor's classifier predicts
            out.update(fairness.representation(self.train.y, np.asarray(groups), list(names)))
        per_class = {}
        for c, name in enumerate(names):
            mine, theirs = fake[groups == c], ref[ref_y == c]
            if len(mine) >= 2 and len(theirs) >= 2:
                per_class[name] = fidelity.frechet_distance(mine, theirs)
        out["fd_per_class"] = per_class
        if per_class:
            worst = max(per_class, key=lambda name: per_class[name])
            out["worst_class"] = {
                "name": worst,
                "fd": per_class[worst],
                "gap": per_class[worst] - min(per_class.values()),
            }
        return out
