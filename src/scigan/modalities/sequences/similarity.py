"""How close synthetic sequences lie to the training ones: identity to the nearest
training sequence (edit distance), exact copies, and uniqueness."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scigan.errors import ScienceError

#: Most distances held in memory at once (float32) while searching the nearest.
CHUNK_CELLS = 1 << 22


def nearest_identity(query: Sequence[str], reference: Sequence[str], *, workers: int = 1) -> np.ndarray:
    """Identity of each query sequence to its nearest reference sequence: float64 (N,)
    in [0, 1], 1 − the smallest Levenshtein distance divided by the longer length
    (rapidfuzz's normalised distance; 1.0 is an exact copy; two empty strings are
    copies, an empty string against a non-empty one has identity 0).

    Costs N·M edit distances (about 0.7 µs each for lengths up to 174 on one core); the
    distances are computed in chunks of query rows holding at most
    :data:`CHUNK_CELLS` values. ``workers`` is rapidfuzz's thread count.
    """
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    query, reference = list(query), list(reference)
    if not reference:
        raise ScienceError("nearest_identity needs at least one reference sequence")
    out = np.empty(len(query), dtype=np.float64)
    rows = max(1, CHUNK_CELLS // len(reference))
    for start in range(0, len(query), rows):
        chunk = query[start : start + rows]
        d = cdist(chunk, reference, scorer=Levenshtein.normalized_distance, workers=workers, dtype=np.float32)
        out[start : start + len(chunk)] = 1.0 - d.min(axis=1).astype(np.float64)
    return out


def exact_copy_share(fake: Sequence[str], train: Sequence[str]) -> float:
    """Share (0 to 1) of the ``fake`` sequences that are identical to some ``train``
    sequence (empty strings included); NaN when ``fake`` is empty."""
    fake = list(fake)
    if not fake:
        return float("nan")
    seen = set(train)
    return sum(s in seen for s in fake) / len(fake)


def uniqueness(fake: Sequence[str]) -> float:
    """Distinct sequences over the number of sequences (0 to 1, 1: no repeats; empty
    strings count as one value); NaN for an empty list."""
    fake = list(fake)
    if not fake:
        return float("nan")
    return len(set(fake)) / len(fake)
