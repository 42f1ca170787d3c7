"""The expression kind's part of ``scigan augment``: cells as rows of log values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scigan.downstream.rows import RowAugmenter
from scigan.modalities.base import Dataset


class ExpressionAugmenter(RowAugmenter):
    """Expression: raw counts become log1p(counts); log-normalised values stay as they are."""

    def row_map(self, real: Dataset) -> Callable[[Dataset], np.ndarray]:
        """log1p of counts, or the log values themselves (as the real subset's ``values`` says)."""
        if real.info.get("values") == "counts":
            return lambda d: np.log1p(np.asarray(d.x, float))
        return lambda d: np.asarray(d.x, float)
