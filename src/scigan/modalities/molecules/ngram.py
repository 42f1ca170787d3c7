"""The MOSES "NGram" baseline: a character n-gram language model on SMILES.

Polykovskiy et al. (2020), *Molecular Sets (MOSES)*: the model counts which character
follows each context of up to 10 previous characters (a begin marker counts as one), backs
off to a shorter context by dropping its oldest character when a context was never seen,
and samples with additive smoothing of 0.01 on every character and the end marker. MOSES
reports validity 0.238 and FCD/Test 5.507 for it on the full MOSES training set; a
molecular GAN that does not beat it has learnt little more than local SMILES syntax.

This is an independent implementation (MOSES is not imported): contexts are nodes of a
trie read right to left, so the longest seen context of a whole batch of histories is
found with a few sorted-array look-ups, and all samples grow one character at a time.
"""

from __future__ import annotations

import numpy as np

from scigan.errors import ScienceError

#: Token ids shared by every fitted model; characters follow from id 2.
BOS, END = 0, 1


class SmilesNGram:
    """A character n-gram model of SMILES strings with MOSES's backoff and smoothing.

    ``n`` is the n-gram order: the next character is predicted from the previous
    ``n - 1`` tokens, the begin marker included. MOSES's ``NGram(max_context_len=10)``
    is ``n = 11``; ``n = 1`` draws characters from their overall frequencies.
    """

    def __init__(self) -> None:
        self.n = 0
        self.chars: list[str] = []
        self._edge_keys = np.zeros(0, dtype=np.int64)  # (E,) sorted parent·V + token of every trie edge
        self._edge_child = np.zeros(0, dtype=np.int64)  # (E,) the child node of each edge
        self._first = np.zeros(1, dtype=np.int64)  # (nodes+1,) each node's first row in the count table
        self._next = np.zeros(0, dtype=np.int64)  # (R,) next token of each count row, rows grouped by node
        self._cum = np.zeros(0, dtype=np.int64)  # (R,) running total of the counts over all rows

    @property
    def vocab(self) -> int:
        """Number of token ids: the begin and end markers plus the characters seen in fitting."""
        return len(self.chars) + 2

    def fit(self, smiles: list[str], n: int = 11) -> SmilesNGram:
        """Count next tokens after every context of 0 to ``n - 1`` tokens in ``smiles``
        (N strings, each read as begin marker + characters + end marker); returns self.

        Fitting 5,000 MOSES SMILES at n = 11 takes about 0.3 s (one ``np.unique`` per context length).
        """
        if n < 1:
            raise ScienceError(f"the n-gram order n must be at least 1, got {n}")
        if not smiles or not any(smiles):
            raise ScienceError("an n-gram model needs at least one non-empty SMILES string to fit")
        self.n = int(n)
        self.chars = sorted(set("".join(smiles)))
        lookup = {c: i + 2 for i, c in enumerate(self.chars)}
        v = self.vocab
        tokens = np.fromiter(
            (t for s in smiles for t in (BOS, *(lookup[c] for c in s), END)),
            dtype=np.int64,
            count=sum(len(s) + 2 for s in smiles),
        )
        lengths = np.array([len(s) + 2 for s in smiles], dtype=np.int64)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)  # (T,) where each token's string begins
        target = np.flatnonzero(np.arange(len(tokens)) > starts)  # every token but the begin markers
        # Walk back from each target position: depth d's node is the context of the d previous tokens.
        node = np.zeros(len(target), dtype=np.int64)  # the empty context is node 0
        pair_keys = [node * v + tokens[target]]
        edge_keys, edge_child, nodes = [], [], 1
        alive = np.arange(len(target))
        for d in range(1, self.n):
            alive = alive[target[alive] - d >= starts[target[alive]]]
            if len(alive) == 0:
                break
            keys = node[alive] * v + tokens[target[alive] - d]
            unique, inverse = np.unique(keys, return_inverse=True)
            edge_keys.append(unique)
            edge_child.append(nodes + np.arange(len(unique), dtype=np.int64))
            node = np.zeros(len(target), dtype=np.int64)
            node[alive] = nodes + inverse
            pair_keys.append(node[alive] * v + tokens[target[alive]])
            nodes += len(unique)
        # Parents of depth d have larger ids than those of depth d - 1, so the edge keys stay sorted.
        self._edge_keys = np.concatenate(edge_keys) if edge_keys else np.zeros(0, dtype=np.int64)
        self._edge_child = np.concatenate(edge_child) if edge_child else np.zeros(0, dtype=np.int64)
        rows, counts = np.unique(np.concatenate(pair_keys), return_counts=True)
        self._next = rows % v
        self._cum = np.cumsum(counts)
        self._first = np.searchsorted(rows // v, np.arange(nodes + 1))
        return self

    def _contexts(self, history: np.ndarray, rows: np.ndarray, length: int) -> np.ndarray:
        """The node of the longest seen context ending the first ``length`` tokens of the
        ``rows`` (B,) of ``history`` (N, L): one node id per row, (B,)."""
        node = np.zeros(len(rows), dtype=np.int64)
        active = np.arange(len(rows))
        for d in range(1, min(self.n - 1, length) + 1):
            keys = node[active] * self.vocab + history[rows[active], length - d]
            at = np.minimum(np.searchsorted(self._edge_keys, keys), len(self._edge_keys) - 1)
            seen = self._edge_keys[at] == keys
            active, at = active[seen], at[seen]
            if len(active) == 0:
                break
            node[active] = self._edge_child[at]
        return node

    def sample(self, num: int, seed: int, max_len: int = 100, *, smoothing: float = 0.01) -> list[str]:
        """``num`` raw SMILES strings (unchecked: RDKit decides validity), reproducible with ``seed``.

        Each string grows until the end marker is drawn or it holds ``max_len`` characters
        (then it is returned cut, as MOSES does). The next token is drawn from the counts
        after the longest seen context plus ``smoothing`` on every character and the end
        marker (MOSES: 0.01). All strings grow together, one vectorised step per character:
        10,000 samples of a model fitted on 5,000 MOSES SMILES take about 0.4 s on one idle core.
        """
        if self.n == 0:
            raise ScienceError("fit the n-gram model before sampling from it")
        if num < 0 or max_len < 1 or smoothing < 0:
            raise ScienceError(
                f"sample needs num >= 0, max_len >= 1, smoothing >= 0; got {num}, {max_len}, {smoothing}"
            )
        rng = np.random.default_rng(seed)
        history = np.full((num, max_len + 1), END, dtype=np.int64)  # (num, max_len+1): begin marker + characters
        history[:, 0] = BOS
        lengths = np.full(num, max_len, dtype=np.int64)
        running = np.arange(num)
        extra = smoothing * (len(self.chars) + 1)  # smoothing mass: every character and the end marker
        for t in range(1, max_len + 1):
            if len(running) == 0:
                break
            node = self._contexts(history, running, t)
            first = self._first[node]
            base = np.where(first > 0, self._cum[first - 1], 0)
            total = self._cum[self._first[node + 1] - 1] - base
            # The smoothed distribution is a mixture: the counts, or uniform over characters and end.
            uniform = rng.random(len(running)) * (total + extra) >= total
            row = np.searchsorted(self._cum, base + rng.integers(0, total), side="right")
            token = np.where(uniform, rng.integers(END, self.vocab, len(running)), self._next[row])
            history[running, t] = token
            ended = token == END
            lengths[running[ended]] = t - 1
            running = running[~ended]
        table = np.array(["", "", *self.chars], dtype=object)
        return ["".join(table[row[1 : k + 1]]) for row, k in zip(history, lengths)]
