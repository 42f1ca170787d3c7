"""The part of ``scigan augment`` shared by kinds whose samples become feature rows
(tables, expression matrices): a scikit-learn model (:data:`~.tables.MODELS`) with SMOTE
or class re-weighting (:data:`~.tables.CLASSIC`) as the classic augmentation.

A kind subclasses :class:`RowAugmenter` and says only how its samples become rows
(:meth:`RowAugmenter.row_map`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from scigan.augment.protocol import BaseAugmenter, GanDefaults
from scigan.downstream.tables import CLASSIC, MODELS, TableClassifier
from scigan.modalities.base import Dataset


class RowAugmenter(BaseAugmenter, ABC):
    """An :class:`~scigan.augment.protocol.Augmenter` for data whose features are float
    rows (N, F). Defaults: 2000 GAN steps, quick evaluations every 500, a batch that
    PacGAN's pack of 4 divides, and synthetic samples that bring every class to twice
    the largest."""

    classifiers: ClassVar[tuple[str, ...]] = MODELS
    classics: ClassVar[tuple[str, ...]] = CLASSIC
    labels_hint: ClassVar[str] = "name it with --label-column"
    _rows: Callable[[Dataset], np.ndarray] | None = None

    def gan_defaults(self, subset: Dataset) -> GanDefaults:
        """2000 steps, quick evaluations every 500, batch a multiple of 4."""
        return GanDefaults(steps=2000, eval_every=500, batch_multiple=4)

    def synthetic_counts(self, y: np.ndarray) -> np.ndarray:
        """Enough per class (C,) to bring every class of labels ``y`` (N,) to twice the largest."""
        counts = np.bincount(y, minlength=self.num_classes)
        return 2 * counts.max() - counts

    @abstractmethod
    def row_map(self, real: Dataset) -> Callable[[Dataset], np.ndarray]:
        """The kind's map from a Dataset to its float feature rows (N, F), fitted on the
        real subset ``real`` (each kind that subclasses this says how)."""

    def fit_features(self, real: Dataset) -> None:
        """Fit the kind's :meth:`row_map` on the real subset."""
        self._rows = self.row_map(real)

    def features(self, data: Dataset) -> np.ndarray:
        """The feature rows (N, F) of ``data``."""
        assert self._rows is not None, "fit_features first"
        return self._rows(data)

    def fit(
        self, x: np.ndarray, y: np.ndarray, synthetic: tuple[np.ndarray, np.ndarray] | None, classic: bool, seed: int
    ) -> Any:
        """A fitted :class:`~.tables.TableClassifier` (its synthetic rows weighted by ``mix``)."""
        return TableClassifier(self.classifier, self.classic, seed).fit(
            x, y, synthetic=synthetic, mix=self.cfg.mix, augment=classic
        )

    def proba(self, model: Any, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, C); classes the training rows lacked get 0."""
        return np.asarray(model.predict_proba(x, self.num_classes))
