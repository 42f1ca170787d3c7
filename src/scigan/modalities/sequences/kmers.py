"""k-mer spectra and per-position letter composition of sequences.

Every function takes sequences as strings of the alphabet's letters (decoded, no END)
and the alphabet as ``letters`` (token i = ``letters[i]``), except
:func:`position_composition`, which also takes a token array.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scigan.errors import ScienceError

#: The k values whose k-mer spectra :func:`kmer_js` averages over, per alphabet.
KS: dict[str, tuple[int, ...]] = {
    "dna": (1, 2, 3, 4, 5, 6),
    "rna": (1, 2, 3, 4, 5, 6),
    "protein": (1, 2, 3),
}

#: Largest table of k-mers (len(letters)**k) a spectrum is counted into.
MAX_KMERS = 1 << 24


def _indices(seqs: Sequence[str], letters: str) -> tuple[np.ndarray, np.ndarray]:
    """All sequences joined: each letter's index (M,) int64 with -1 between sequences,
    and the sequence (M,) int64 each position belongs to (-1 between sequences)."""
    table = np.full(256, -2, dtype=np.int64)
    for i, letter in enumerate(letters):
        table[ord(letter)] = i
    table[0] = -1  # the separator
    joined = "".join(s + "\0" for s in seqs)
    try:
        raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    except UnicodeEncodeError:
        raise ScienceError("sequences hold non-ASCII characters; expected only the letters " + letters) from None
    idx = table[raw]
    if (idx == -2).any():
        bad = sorted({chr(c) for c in np.unique(raw[idx == -2])})
        raise ScienceError(f"sequences hold letters {''.join(bad)!r} outside the alphabet {letters}")
    lengths = np.array([len(s) + 1 for s in seqs], dtype=np.int64)
    owner = np.repeat(np.arange(len(seqs), dtype=np.int64), lengths)
    owner[idx < 0] = -1
    return idx, owner


def _kmer_codes(seqs: Sequence[str], letters: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The code (base len(letters)) of every k-mer (K,) int64 of the sequences and the
    sequence (K,) int64 it lies in; k-mers never span two sequences."""
    if k < 1:
        raise ScienceError(f"k-mers need k >= 1, got {k}")
    if len(letters) ** k > MAX_KMERS:
        raise ScienceError(f"{len(letters)}**{k} k-mers is too many to count; use a smaller k")
    idx, owner = _indices(seqs, letters)
    if len(idx) < k:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(idx, k)
    valid = windows.min(axis=1) >= 0
    powers = len(letters) ** np.arange(k - 1, -1, -1, dtype=np.int64)
    codes = windows[valid] @ powers
    return codes, owner[: len(windows)][valid]


def spectrum(seqs: Sequence[str], k: int, letters: str) -> np.ndarray:
    """The k-mer spectrum of a set of sequences: counts of each of the len(letters)**k
    k-mers (in lexicographic order of ``letters``) over all sequences, divided by their
    sum; float64 (len(letters)**k,). All zeros when no sequence is k letters long."""
    codes, _ = _kmer_codes(seqs, letters, k)
    counts = np.bincount(codes, minlength=len(letters) ** k).astype(np.float64)
    total = counts.sum()
    return counts / total if total > 0 else counts


def _js(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon distance (base 2, in [0, 1]) of two normalised spectra; 1 when one
    is empty and the other not, 0 when both are."""
    from scipy.spatial.distance import jensenshannon

    p_empty, q_empty = p.sum() == 0, q.sum() == 0
    if p_empty or q_empty:
        return 0.0 if p_empty and q_empty else 1.0
    return float(jensenshannon(p, q, base=2))


def kmer_js(a: Sequence[str], b: Sequence[str], letters: str, ks: Sequence[int]) -> float:
    """Mean over k in ``ks`` of the Jensen–Shannon distance (base 2, unitless in [0, 1])
    between the k-mer spectra (:func:`spectrum`) of the sequence sets ``a`` and ``b``.
    0 for sets with the same spectra."""
    if not ks:
        raise ScienceError("kmer_js needs at least one k")
    return float(np.mean([_js(spectrum(a, k, letters), spectrum(b, k, letters)) for k in ks]))


def kmer_features(seqs: Sequence[str], letters: str, k: int) -> np.ndarray:
    """Per-sequence k-mer spectra: float32 (N, len(letters)**k), each row the counts of
    the sequence's k-mers divided by their number (a zero row for a sequence shorter
    than k). Memory is N·len(letters)**k·4 bytes: keep k small for proteins."""
    width = len(letters) ** k
    if len(seqs) * width > 1 << 28:
        raise ScienceError(f"{len(seqs)} sequences × {width} k-mers is too large a table; use a smaller k")
    codes, owner = _kmer_codes(seqs, letters, k)
    counts = np.bincount(owner * width + codes, minlength=len(seqs) * width).astype(np.float32)
    counts = counts.reshape(len(seqs), width)
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals > 0, totals, 1.0)


def position_composition(seqs: Sequence[str] | np.ndarray, letters: str, length: int | None = None) -> np.ndarray:
    """Letter frequencies per position: float64 (L, A), A = len(letters), row i the share
    of each letter at position i among the sequences that reach it (a zero row where
    none does).

    Args:
        seqs: strings of letters, or a token array (N, L) int where token A (END) and
            anything above it count as no letter.
        letters: the alphabet.
        length: L; default the token array's width, or the longest string. Strings
            are cut at L.
    """
    a = len(letters)
    if isinstance(seqs, np.ndarray):
        tokens = np.asarray(seqs, dtype=np.int64)
        if tokens.ndim != 2:
            raise ScienceError(f"position_composition takes tokens shaped (N, L), got {tokens.shape}")
        if length is not None:
            width = min(length, tokens.shape[1])
            tokens = np.pad(tokens[:, :width], ((0, 0), (0, length - width)), constant_values=a)
    else:
        strings = list(seqs)
        length = max((len(s) for s in strings), default=0) if length is None else length
        idx, _ = _indices([s[:length] for s in strings], letters)
        tokens = np.full((len(strings), length), a, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum([min(len(s), length) + 1 for s in strings])])
        for row, (lo, hi) in enumerate(zip(starts[:-1], starts[1:] - 1)):
            tokens[row, : hi - lo] = idx[lo:hi]
    width = tokens.shape[1]
    ok = (tokens >= 0) & (tokens < a)
    flat = np.where(ok, np.arange(width)[None, :] * a + tokens, width * a)
    counts = np.bincount(flat.ravel(), minlength=width * a + 1)[: width * a].reshape(width, a).astype(np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals > 0, totals, 1.0)


def position_tv(p: np.ndarray, q: np.ndarray) -> float:
    """Mean over positions of the total-variation distance (unitless, in [0, 1]) between
    two per-position frequency matrices (L, A) of :func:`position_composition`; a
    position one side has letters at and the other not counts 1. Matrices of different
    lengths are compared over the longer, the shorter padded with empty positions."""
    if p.shape[1] != q.shape[1]:
        raise ScienceError(f"position compositions over {p.shape[1]} and {q.shape[1]} letters cannot be compared")
    width = max(len(p), len(q))
    if width == 0:
        return 0.0
    p = np.pad(p, ((0, width - len(p)), (0, 0)))
    q = np.pad(q, ((0, width - len(q)), (0, 0)))
    tv = 0.5 * np.abs(p - q).sum(axis=1)
    p_empty, q_empty = p.sum(axis=1) == 0, q.sum(axis=1) == 0
    tv[p_empty != q_empty] = 1.0
    return float(tv.mean())
