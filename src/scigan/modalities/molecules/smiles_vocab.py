"""SMILES as token ids: the atom-level tokenizer, the vocabulary and randomized SMILES.

The tokenizer is the usual atom-level regular expression of SMILES language models
(Schwaller et al. 2019): a bracket atom ``[...]`` is one token (``[nH]``, ``[C@@H]``,
``[O-]``), so are the two-letter halogens ``Br`` and ``Cl`` and a two-digit ring closure
``%NN``; every other character is a token of its own. Joining the tokens of a string
gives the string back.

:class:`SmilesVocab` maps tokens to ids, with four special tokens in front: ``<pad>`` = 0,
``<bos>`` = 1, ``<eos>`` = 2 and ``<unk>`` = 3. A SMILES is encoded as
``<bos> tokens... <eos> <pad>...``; a token the vocabulary lacks becomes ``<unk>``.
Decoding stops at the first ``<eos>`` and never writes a special token.

:func:`randomized_smiles` writes a molecule from a random atom ordering ("restricted"
randomized SMILES, Arús-Pous et al. 2019, J. Cheminform. 11:71), the augmentation of
the autoencoder's training (:mod:`scigan.modalities.molecules.autoencoder`). Only it
imports RDKit (when called).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from scigan.errors import ScienceError

#: One SMILES token: a bracket atom, Br, Cl, a two-digit ring closure or one character.
TOKEN_PATTERN = re.compile(r"\[[^\]]*\]|Br|Cl|%\d\d|.", re.DOTALL)

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
#: The special tokens, in id order (``<pad>`` is 0).
SPECIALS = (PAD, BOS, EOS, UNK)
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3

_FORMAT = "scigan-smiles-vocab"


def tokenize(smiles: str) -> list[str]:
    """The tokens of ``smiles`` (see the module doc); ``"".join(tokenize(s)) == s``.

    A string (L characters) -> a list of at most L tokens.
    """
    return TOKEN_PATTERN.findall(smiles)


def _mirror(token: str) -> str | None:
    """The bracket atom ``token`` with the other chirality (``[C@H]`` <-> ``[C@@H]``), or
    None when it has none."""
    if not token.startswith("[") or "@" not in token:
        return None
    if "@@" in token:
        return token.replace("@@", "@", 1)
    return token.replace("@", "@@", 1)


class SmilesVocab:
    """Tokens <-> ids for SMILES: the four special tokens, then the training tokens.

    ``tokens[i]`` is the token of id ``i``; ``max_tokens`` is the length (in tokens,
    without ``<bos>``/``<eos>``) of the longest training SMILES.
    """

    def __init__(self, tokens: Sequence[str], max_tokens: int) -> None:
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ScienceError(f"a SMILES vocabulary starts with {', '.join(SPECIALS)}; this one starts {tokens[:4]}")
        if len(set(tokens)) != len(tokens):
            raise ScienceError("a SMILES vocabulary holds each token once; this one repeats some")
        if max_tokens < 0:
            raise ScienceError(f"a SMILES vocabulary's max_tokens is at least 0, not {max_tokens}")
        self.tokens: list[str] = tokens
        self.max_tokens = int(max_tokens)
        self.index: dict[str, int] = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(cls, smiles: Iterable[str], *, randomized: bool = False) -> SmilesVocab:
        """The vocabulary of the training ``smiles`` (N strings): the specials, then the
        tokens that occur, most frequent first (ties in character order).

        With ``randomized``, it also holds the tokens that randomized SMILES of the same
        molecules can hold though these strings do not: the ring-closure digits 1-9,
        the other chirality of each chiral bracket atom and both bond directions ``/``
        and ``\\`` when one occurs. ``max_tokens`` counts the given strings only.
        """
        counts: Counter[str] = Counter()
        longest = 0
        for s in smiles:
            toks = tokenize(s)
            counts.update(toks)
            longest = max(longest, len(toks))
        if randomized:
            extra: set[str] = {str(d) for d in range(1, 10)}
            extra.update(m for t in counts if (m := _mirror(t)) is not None)
            if "/" in counts or "\\" in counts:
                extra.update(("/", "\\"))
            for t in extra:
                counts.setdefault(t, 0)
        for t in SPECIALS:
            counts.pop(t, None)
        ordered = sorted(counts, key=lambda t: (-counts[t], t))
        return cls([*SPECIALS, *ordered], longest)

    def __len__(self) -> int:
        """The number of tokens, specials included (the model's V)."""
        return len(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SmilesVocab) and self.tokens == other.tokens and self.max_tokens == other.max_tokens

    def __hash__(self) -> int:
        return hash((tuple(self.tokens), self.max_tokens))

    def __repr__(self) -> str:
        return f"SmilesVocab({len(self)} tokens, max_tokens={self.max_tokens})"

    def covers(self, smiles: str) -> bool:
        """Whether every token of ``smiles`` (one string) is in the vocabulary."""
        return all(t in self.index for t in tokenize(smiles))

    def encode(self, smiles_list: Sequence[str], max_len: int | None = None) -> np.ndarray:
        """Token ids of N SMILES as int64 (N, max_len + 2): ``<bos>``, the tokens,
        ``<eos>``, then ``<pad>`` (0). A token not in the vocabulary becomes ``<unk>``.

        ``max_len`` (tokens, without ``<bos>``/``<eos>``) defaults to the longest of
        ``smiles_list``; a longer SMILES is a ScienceError (it is never cut).
        """
        tokenized = [tokenize(s) for s in smiles_list]
        longest = max((len(t) for t in tokenized), default=0)
        if max_len is None:
            max_len = longest
        elif longest > max_len:
            i = next(i for i, t in enumerate(tokenized) if len(t) > max_len)
            raise ScienceError(
                f"SMILES {smiles_list[i]!r} has {len(tokenized[i])} tokens, more than the {max_len} allowed; "
                "drop longer molecules or allow more tokens"
            )
        out = np.full((len(tokenized), max_len + 2), PAD_ID, dtype=np.int64)
        out[:, 0] = BOS_ID
        for row, toks in enumerate(tokenized):
            ids = [self.index.get(t, UNK_ID) for t in toks]
            out[row, 1 : 1 + len(ids)] = ids
            out[row, 1 + len(ids)] = EOS_ID
        return out

    def decode(self, ids: np.ndarray | Sequence[Sequence[int]]) -> list[str]:
        """SMILES of token ids (N, L) (ints; a torch tensor works too): each row's
        tokens up to its first ``<eos>``, without special tokens. An id outside the
        vocabulary is skipped like a special token. -> N strings."""
        arr = np.asarray(ids, dtype=np.int64)
        if arr.ndim != 2:
            raise ScienceError(f"token ids to decode are (N, L), not shape {arr.shape}")
        n_special, size = len(SPECIALS), len(self.tokens)
        out = []
        for row in arr.tolist():
            parts = []
            for i in row:
                if i == EOS_ID:
                    break
                if n_special <= i < size:
                    parts.append(self.tokens[i])
            out.append("".join(parts))
        return out

    def to_json(self) -> dict[str, Any]:
        """The vocabulary as plain JSON values: ``{"format", "tokens", "max_tokens"}``."""
        return {"format": _FORMAT, "tokens": list(self.tokens), "max_tokens": self.max_tokens}

    @classmethod
    def from_json(cls, data: Any) -> SmilesVocab:
        """The vocabulary :meth:`to_json` wrote; ScienceError when ``data`` is not one."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ScienceError("not a SMILES vocabulary (no 'format': 'scigan-smiles-vocab')")
        tokens, max_tokens = data.get("tokens"), data.get("max_tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ScienceError("a SMILES vocabulary's 'tokens' is a list of strings")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
            raise ScienceError("a SMILES vocabulary's 'max_tokens' is an integer")
        return cls(tokens, max_tokens)


def randomized_smiles(smiles: str, rng: np.random.Generator) -> str:
    """A SMILES of the molecule ``smiles`` (one string) written from a random atom
    ordering: the atoms are renumbered by a permutation drawn from ``rng`` and written
    with ``canonical=False`` (RDKit starts at atom 0 and follows the new numbering), so
    the same ``rng`` state gives the same string.

    These are the "restricted" randomized SMILES of Arús-Pous et al. 2019 (the variant
    that trained the best models there). RDKit's ``doRandom=True`` is not used: it
    draws from RDKit's global random generator, which a NumPy seed does not reach.
    ScienceError when RDKit cannot parse ``smiles``.
    """
    from rdkit import Chem

    from scigan.modalities.molecules.chem import parse

    mol = parse(smiles)
    if mol is None:
        raise ScienceError(f"SMILES {smiles!r} is not a valid molecule")
    order = rng.permutation(mol.GetNumAtoms()).tolist()
    return Chem.MolToSmiles(Chem.RenumberAtoms(mol, order), canonical=False)
