"""The sequences kind's part of ``scigan augment``: sequences as rows of k-mer counts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scigan.downstream.rows import RowAugmenter
from scigan.modalities.base import Dataset
from scigan.modalities.sequences.codec import SequenceCodec
from scigan.modalities.sequences.kmers import kmer_features
from scigan.modalities.sequences.metrics import DETECTION_KS


class SequenceAugmenter(RowAugmenter):
    """Sequences: each becomes its normalised k-mer counts (k = 1…4 for DNA and RNA,
    1…2 for protein), the rows the downstream classifier (and SMOTE) work on."""

    def row_map(self, real: Dataset) -> Callable[[Dataset], np.ndarray]:
        """k-mer count rows (N, Σ A^k) in the real subset's alphabet."""
        info = real.info
        codec = SequenceCodec(info["letters"], int(info["length"]), bool(info["fixed_length"]))
        ks = DETECTION_KS[info["alphabet"]]

        def rows(data: Dataset) -> np.ndarray:
            seqs = codec.strings(data.x)
            return np.hstack([kmer_features(seqs, codec.letters, k) for k in ks]).astype(np.float64)

        return rows
