"""The Markov-chain baseline: a k-th order chain over the letters, fitted by counting,
with add-one (Laplace) smoothing and, for sets of differing lengths, an end symbol so
that lengths are modelled too. :func:`fit_markov` picks the order by the likelihood of
held-out sequences. A labelled set is modelled by one chain per class (the caller's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from scigan.errors import ScienceError


class MarkovChain:
    """A k-th order Markov chain over ``letters`` (and an end symbol unless fixed-length).

    The state is the previous ``order`` symbols, with a start symbol before the first
    letter; the next symbol's probability is (count + 1) / (context count + S), S the
    number of symbols (len(letters), plus 1 for the end symbol when lengths vary).

    Attributes:
        letters: the alphabet (symbol i = letters[i]; symbol len(letters) = end).
        order: k, letters of context (0: independent letters).
        fixed_length: every training sequence had the same length ``length``: samples
            have that length and no end symbol is modelled.
        length: the fixed length, or the longest training sequence (samples stop there).
        validation: held-out log-likelihood per letter (nats) of each order tried by
            :func:`fit_markov`; empty when fitted directly.
    """

    def __init__(self, letters: str, order: int) -> None:
        """An unfitted chain (it cannot sample); :meth:`fit` makes fitted ones."""
        if order < 0:
            raise ScienceError(f"a Markov chain's order must be >= 0, got {order}")
        self.letters = letters
        self.order = order
        self.fixed_length = True
        self.length = 0
        self.validation: dict[int, float] = {}
        self._contexts = np.zeros(0, dtype=np.int64)
        self._counts = np.zeros((0, len(letters) + 1), dtype=np.float64)

    @property
    def _symbols(self) -> int:
        """Symbols emitted: the letters, and the end symbol when lengths vary."""
        return len(self.letters) + (0 if self.fixed_length else 1)

    def _tokens(self, seqs: Sequence[str]) -> list[np.ndarray]:
        """Each sequence as letter indices (len,) int64; ScienceError for a foreign letter."""
        table = np.full(256, -1, dtype=np.int64)
        for i, letter in enumerate(self.letters):
            table[ord(letter)] = i
        out = []
        for s in seqs:
            try:
                t = table[np.frombuffer(s.encode("ascii"), dtype=np.uint8)]
            except UnicodeEncodeError:
                t = np.array([-1])
            if (t < 0).any():
                raise ScienceError(f"sequence {s[:30]!r} holds letters outside the alphabet {self.letters}")
            out.append(t)
        return out

    def _events(self, seqs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every emission of the sequences: its context code (E,) int64 (base
        len(letters)+1, the start symbol = len(letters)) and its symbol (E,) int64."""
        a = len(self.letters)
        contexts, symbols = [], []
        powers = (a + 1) ** np.arange(self.order - 1, -1, -1, dtype=np.int64)
        for t in self._tokens(seqs):
            emitted = t if self.fixed_length else np.append(t, a)
            padded = np.concatenate([np.full(self.order, a, dtype=np.int64), t])
            if self.order:
                windows = np.lib.stride_tricks.sliding_window_view(padded, self.order)[: len(emitted)]
                contexts.append(windows @ powers)
            else:
                contexts.append(np.zeros(len(emitted), dtype=np.int64))
            symbols.append(emitted)
        if not symbols:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(contexts), np.concatenate(symbols)

    @classmethod
    def fit(cls, seqs: Sequence[str], letters: str, order: int, fixed_length: bool | None = None) -> MarkovChain:
        """A chain of ``order`` over ``letters`` fitted by counting the transitions in
        ``seqs`` (strings of letters). ``fixed_length`` None: fixed when all sequences
        have one length; False models an end symbol whatever the lengths."""
        seqs = list(seqs)
        if not seqs:
            raise ScienceError("a Markov chain needs at least one training sequence")
        chain = cls(letters, order)
        lengths = {len(s) for s in seqs}
        chain.fixed_length = len(lengths) == 1 if fixed_length is None else fixed_length and len(lengths) == 1
        chain.length = max(lengths)
        contexts, symbols = chain._events(seqs)
        chain._contexts, inverse = np.unique(contexts, return_inverse=True)
        counts = np.zeros((len(chain._contexts), len(letters) + 1))
        np.add.at(counts, (inverse, symbols), 1.0)
        chain._counts = counts
        return chain

    def _probabilities(self, contexts: np.ndarray) -> np.ndarray:
        """Smoothed next-symbol probabilities (E, S) for context codes (E,)."""
        counts = np.zeros((len(contexts), len(self.letters) + 1))
        if len(self._contexts):
            at = np.clip(np.searchsorted(self._contexts, contexts), 0, len(self._contexts) - 1)
            seen = self._contexts[at] == contexts
            counts[seen] = self._counts[at[seen]]
        counts = counts[:, : self._symbols] + 1.0
        return counts / counts.sum(axis=1, keepdims=True)

    def log_likelihood(self, seqs: Sequence[str]) -> np.ndarray:
        """Mean log-probability per emitted symbol (nats, float64 (N,)) of each sequence:
        its letters and, when lengths vary, its end; NaN for an empty sequence of a
        fixed-length chain. Sequences of a fixed-length chain may have other lengths
        (their letters are scored, not their length)."""
        seqs = list(seqs)
        out = np.full(len(seqs), np.nan)
        for i, s in enumerate(seqs):
            contexts, symbols = self._events([s])
            if len(symbols):
                p = self._probabilities(contexts)[np.arange(len(symbols)), symbols]
                out[i] = float(np.log(p).mean())
        return out

    def total_log_likelihood(self, seqs: Sequence[str]) -> tuple[float, int]:
        """Summed log-probability (nats) of all emitted symbols of ``seqs`` and their number."""
        contexts, symbols = self._events(list(seqs))
        if not len(symbols):
            return 0.0, 0
        p = self._probabilities(contexts)[np.arange(len(symbols)), symbols]
        return float(np.log(p).sum()), len(symbols)

    def sample(self, n: int, seed: int = 0, max_length: int = 0) -> list[str]:
        """Draw ``n`` sequences with a seeded generator: each ``length`` letters long for
        a fixed-length chain, else letters until the end symbol (never before the first
        letter) or ``max_length`` letters (default: the longest training sequence)."""
        if not len(self._contexts):
            raise ScienceError("sample from a fitted Markov chain: call fit() first")
        rng = np.random.default_rng(seed)
        a = len(self.letters)
        limit = self.length if self.fixed_length or max_length <= 0 else max_length
        tokens = np.full((n, limit), a, dtype=np.int64)
        history = np.full((n, self.order), a, dtype=np.int64)
        alive = np.ones(n, dtype=bool)
        powers = (a + 1) ** np.arange(self.order - 1, -1, -1, dtype=np.int64)
        for pos in range(limit):
            rows = np.flatnonzero(alive)
            if not len(rows):
                break
            contexts = history[rows] @ powers if self.order else np.zeros(len(rows), dtype=np.int64)
            p = self._probabilities(contexts)
            if not self.fixed_length and pos == 0:
                p[:, a] = 0.0
                p /= p.sum(axis=1, keepdims=True)
            cumulative = np.cumsum(p, axis=1)
            draw = (rng.random(len(rows))[:, None] > cumulative).sum(axis=1)
            draw = np.minimum(draw, p.shape[1] - 1)
            tokens[rows, pos] = draw
            alive[rows[draw == a]] = False
            if self.order:
                history[rows] = np.concatenate([history[rows, 1:], draw[:, None]], axis=1)
        return ["".join(self.letters[t] for t in row if t < a) for row in tokens]


def fit_markov(
    seqs: Sequence[str],
    letters: str,
    orders: Iterable[int] = range(0, 7),
    validation: float = 0.2,
    seed: int = 0,
) -> MarkovChain:
    """The Markov chain of the order (among ``orders``) whose fit on a random
    ``1 - validation`` share of ``seqs`` gives the highest log-likelihood per symbol on
    the rest; refitted on all of ``seqs``. The held-out scores per order (nats per
    symbol) are in the result's ``validation``. Needs at least 2 sequences."""
    seqs = list(seqs)
    orders = sorted(set(orders))
    if not orders:
        raise ScienceError("fit_markov needs at least one order to try")
    if len(seqs) < 2:
        raise ScienceError(f"fitting a Markov chain needs at least 2 sequences, got {len(seqs)}")
    if not 0 < validation < 1:
        raise ScienceError(f"the validation share must lie in (0, 1), got {validation}")
    order_rng = np.random.default_rng(seed).permutation(len(seqs))
    n_val = min(max(1, round(validation * len(seqs))), len(seqs) - 1)
    held = [seqs[i] for i in order_rng[:n_val]]
    fit_on = [seqs[i] for i in order_rng[n_val:]]
    fixed = len({len(s) for s in seqs}) == 1  # of the whole set, which the split may hide
    scores: dict[int, float] = {}
    for k in orders:
        total, count = MarkovChain.fit(fit_on, letters, k, fixed).total_log_likelihood(held)
        scores[k] = total / max(count, 1)
    best = max(orders, key=lambda k: (scores[k], -k))
    chain = MarkovChain.fit(seqs, letters, best, fixed)
    chain.validation = scores
    return chain
