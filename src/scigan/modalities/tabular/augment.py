"""The table kind's part of ``scigan augment``: rows standardised (numbers) and one-hot
encoded (categories) as fitted on the real subset, the label column left out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scigan.downstream.rows import RowAugmenter
from scigan.modalities.base import Dataset


class TableAugmenter(RowAugmenter):
    """Tables: :class:`~scigan.modalities.tabular.metrics.TableFeatures` rows."""

    def row_map(self, real: Dataset) -> Callable[[Dataset], np.ndarray]:
        """The standardisation and one-hot columns fitted on the real subset's rows."""
        from scigan.modalities.tabular.metrics import TableFeatures

        feats = TableFeatures(real.x, real.info["schema"], exclude=(real.info["label_column"],))
        return lambda d: feats(d.x)
