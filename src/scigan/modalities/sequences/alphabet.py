"""Sequences as strings, before and after files: the alphabets' letters and IUPAC
ambiguity codes, detection, cleaning, the checks on letters, lengths and labels, and
letters <-> int8 tokens (file formats are :mod:`.io`'s).

Token i < A is ``LETTERS[alphabet][i]`` (A letters); token ``A`` (:func:`end_token`)
pads a variable-length sequence after its last letter. Every refusal is a one-line
:class:`ScienceError` naming the record and the fix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from scigan.errors import ScienceError
from scigan.warn import warn

#: The letters of each alphabet, in token order (token i = LETTERS[alphabet][i]).
LETTERS: dict[str, str] = {"dna": "ACGT", "rna": "ACGU", "protein": "ACDEFGHIKLMNPQRSTVWY"}
#: The alphabets, in the order :func:`detect_alphabet` tries them.
ALPHABETS = tuple(LETTERS)

_DNA_CODES = {
    "N": "ACGT",
    "R": "AG",
    "Y": "CT",
    "K": "GT",
    "M": "AC",
    "S": "CG",
    "W": "AT",
    "B": "CGT",
    "D": "AGT",
    "H": "ACT",
    "V": "ACG",
}
#: IUPAC ambiguity codes per alphabet -> the letters each stands for. Protein's U
#: (selenocysteine) and O (pyrrolysine) are not among the 20 letters and stand for
#: their closest standard residue (C and K).
AMBIGUITY: dict[str, dict[str, str]] = {
    "dna": _DNA_CODES,
    "rna": {code: meant.replace("T", "U") for code, meant in _DNA_CODES.items()},
    "protein": {"X": LETTERS["protein"], "B": "DN", "Z": "EQ", "J": "IL", "U": "C", "O": "K"},
}
#: Characters that mark an alignment's gaps.
GAPS = "-."
#: The ambiguity modes of :func:`resolve_ambiguous`.
AMBIGUOUS_MODES = ("refuse", "drop", "sample")


def end_token(letters: str) -> int:
    """The token that pads a sequence after its last letter: ``len(letters)``."""
    return len(letters)


def _named(names: Sequence[str], i: int) -> str:
    name = names[i] if i < len(names) else ""
    return f"record {name!r}" if name else f"record {i + 1} (no ID)"


def _shown(chars: set[str]) -> str:
    return "".join(sorted(chars))


def clean(strings: Sequence[str], names: Sequence[str]) -> list[str]:
    """The sequences upper-cased, whitespace removed, and one '*' (a protein's stop) at
    the end stripped; gaps ('-', '.') refused, naming the first record that holds one.

    ``strings`` (N,) and ``names`` (N,) record names for the messages. Returns (N,) str.
    """
    out = []
    for i, s in enumerate(strings):
        s = "".join(s.split()).upper()
        if s.endswith("*"):
            s = s[:-1]
        gaps = set(s) & set(GAPS)
        if gaps:
            count = sum(1 for t in strings if set(t) & set(GAPS))
            raise ScienceError(
                f"{_named(names, i)} holds alignment gaps {_shown(gaps)!r} ({count} record(s) do); "
                "scigan learns unaligned sequences: remove the gaps (e.g. seqkit seq -g) and train again"
            )
        out.append(s)
    return out


def _allowed(alphabet: str) -> set[str]:
    return set(LETTERS[alphabet]) | set(AMBIGUITY[alphabet])


def _holder(strings: Sequence[str], names: Sequence[str], bad: set[str]) -> str:
    """ "record 'x' holds 'EL'" for the first record holding characters of ``bad`` (and
    every such character, when the others hold more)."""
    i = next(i for i, s in enumerate(strings) if set(s) & bad)
    own = set(strings[i]) & bad
    more = f" (all records: {_shown(bad)!r})" if own != bad else ""
    return f"{_named(names, i)} holds {_shown(own)!r}{more}"


def detect_alphabet(strings: Sequence[str], names: Sequence[str] = ()) -> str:
    """The alphabet of cleaned sequences (N,): "dna" when they hold only ACGT and DNA
    ambiguity codes, "rna" when they hold U and no T (and only RNA letters and codes),
    else "protein" when every letter is a protein letter or code.

    Refused (naming the letters and a record holding them) when no alphabet has them all.
    """
    used: set[str] = set().union(*(set(s) for s in strings)) if strings else set()
    if used <= _allowed("dna"):
        return "dna"
    if "U" in used and "T" not in used and used <= _allowed("rna"):
        return "rna"
    if used <= _allowed("protein"):
        return "protein"
    bad = used - _allowed("protein")
    raise ScienceError(
        f"{_holder(strings, names, bad)}, which is no DNA, RNA or protein letter "
        "(IUPAC codes included); remove those characters or fix the file"
    )


def check_alphabet(strings: Sequence[str], names: Sequence[str], alphabet: str) -> None:
    """Refuse cleaned sequences (N,) that hold letters outside ``alphabet`` (its codes
    included), naming the letters, a record and the alphabet they look like; and refuse
    "protein" for sequences that are all ACGT(N) or ACGU(N) (they look like DNA/RNA)."""
    if alphabet not in LETTERS:
        raise ScienceError(f"--alphabet {alphabet!r} is unknown; choose one of: auto, {', '.join(ALPHABETS)}")
    used: set[str] = set().union(*(set(s) for s in strings)) if strings else set()
    bad = used - _allowed(alphabet)
    if bad:
        try:
            looks = detect_alphabet(strings, names)
            hint = f"; is this {looks}? pass --alphabet {looks}" if looks != alphabet else ""
        except ScienceError:
            hint = "; remove those characters or fix the file"
        raise ScienceError(
            f"{_holder(strings, names, bad)}, outside the {alphabet} alphabet "
            f"{LETTERS[alphabet]} and its ambiguity codes{hint}"
        )
    if alphabet == "protein" and used:
        for nucleic in ("dna", "rna"):
            if used <= set(LETTERS[nucleic]) | {"N"}:
                raise ScienceError(
                    f"--alphabet protein, but every sequence holds only {_shown(used)}: it looks like "
                    f"{nucleic.upper()}; pass --alphabet {nucleic}"
                )


def resolve_ambiguous(
    strings: Sequence[str], names: Sequence[str], alphabet: str, mode: str, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """Deal with the IUPAC ambiguity codes of checked sequences (N,) of ``alphabet``.

    ``mode`` "refuse": a ScienceError with the count of records holding codes, the
    first one's name and code, and the fix; "drop": those records get False in the mask;
    "sample": each code is replaced by one of the letters it stands for, drawn uniformly
    with ``seed``. Returns (strings (N,), keep mask (N,) bool).
    """
    if mode not in AMBIGUOUS_MODES:
        raise ScienceError(f"--ambiguous {mode!r} is unknown; choose one of: {', '.join(AMBIGUOUS_MODES)}")
    codes = AMBIGUITY[alphabet]
    code_set = set(codes)
    holding = [i for i, s in enumerate(strings) if set(s) & code_set]
    keep = np.ones(len(strings), dtype=bool)
    out = list(strings)
    if not holding:
        return out, keep
    if mode == "refuse":
        first = holding[0]
        code = next(c for c in strings[first] if c in code_set)
        raise ScienceError(
            f"{len(holding)} record(s) hold IUPAC ambiguity codes (first: {_named(names, first)} "
            f"holds {code!r}); pass --ambiguous drop to leave them out, or --ambiguous sample "
            "to draw a letter each code stands for"
        )
    if mode == "drop":
        keep[holding] = False
        return out, keep
    rng = np.random.default_rng(seed)
    for i in holding:
        out[i] = "".join(c if c not in code_set else codes[c][rng.integers(len(codes[c]))] for c in strings[i])
    return out, keep


def token_length(strings: Sequence[str], names: Sequence[str], max_length: int, source: str) -> tuple[int, bool]:
    """(L, fixed_length) for cleaned sequences (N,): their one length when ``max_length``
    is 0 (refused when lengths differ), else ``max_length`` with an end token (refused
    when a sequence is longer), naming ``source`` and the first record in the message."""
    lengths = [len(s) for s in strings]
    lo, hi = min(lengths), max(lengths)
    if max_length <= 0:
        if lo != hi:
            raise ScienceError(
                f"{source}: {len(strings)} sequences have lengths {lo} to {hi}; "
                f"pass --max-length {hi} to train on variable lengths"
            )
        return hi, True
    longer = [i for i, n in enumerate(lengths) if n > max_length]
    if longer:
        i = longer[0]
        raise ScienceError(
            f"{source}: {len(longer)} sequence(s) are longer than --max-length {max_length} (first: "
            f"{_named(names, i)}, {lengths[i]} letters); pass --max-length {hi} or shorten them"
        )
    return max_length, False


def class_labels(
    labels: Sequence[str] | None, names: Sequence[str], what: str, source: str, auto: bool = False
) -> tuple[np.ndarray | None, list[str]]:
    """Labels (N,) int64 indexing the class names (the sorted label strings), or
    (None, []) for ``labels`` None. Refused: empty labels, one class (only warned, and
    read unlabelled, when ``auto``: labels nobody asked for), a class with one sequence.
    ``what`` names the option in messages (e.g. "--label-column kind")."""
    if labels is None:
        return None, []
    empty = [i for i, v in enumerate(labels) if not v]
    if empty:
        raise ScienceError(
            f"{what}: {_named(names, empty[0])} has an empty label ({len(empty)} record(s) do); fill or drop them"
        )
    counts = Counter(labels)
    if len(counts) < 2:
        only = next(iter(counts))
        if auto:
            warn(f"{source}: every header has label={only} (one class), so the sequences are read unlabelled")
            return None, []
        raise ScienceError(f"{what}: every record has the label {only!r}; a label needs two classes, or drop it")
    single = sorted(c for c, n in counts.items() if n == 1)
    if single:
        more = f" ({len(single)} classes have one)" if len(single) > 1 else ""
        raise ScienceError(
            f"{what}: class {single[0]!r} has one sequence ({_named(names, list(labels).index(single[0]))}){more}; "
            "drop it or add sequences"
        )
    class_names = sorted(counts)
    index = {c: i for i, c in enumerate(class_names)}
    return np.array([index[v] for v in labels], dtype=np.int64), class_names


def encode_tokens(strings: Sequence[str], letters: str, length: int, end: bool) -> np.ndarray:
    """Sequences (N,) of ``letters`` -> int8 tokens (N, ``length``): token i is
    ``letters[i]``; with ``end``, positions after a sequence's last letter hold the end
    token ``len(letters)``, else every sequence must have exactly ``length`` letters."""
    table = np.full(256, -1, dtype=np.int16)
    table[np.frombuffer(letters.encode("ascii"), dtype=np.uint8)] = np.arange(len(letters))
    out = np.full((len(strings), length), end_token(letters), dtype=np.int8)
    for i, s in enumerate(strings):
        if len(s) > length or (not end and len(s) != length):
            raise ScienceError(f"sequence {i + 1} has {len(s)} letters, not {length}; pass --max-length {len(s)}")
        row = table[np.frombuffer(s.encode("ascii", errors="replace"), dtype=np.uint8)]
        if (row < 0).any():
            bad = {c for c in s if c not in letters}
            raise ScienceError(f"sequence {i + 1} holds {_shown(bad)!r}, outside the letters {letters}")
        out[i, : len(s)] = row
    return out


def decode_tokens(tokens: np.ndarray, letters: str) -> list[str]:
    """int8 tokens (N, L) -> the sequences (N,) as strings, each cut at its first token
    ``>= len(letters)`` (the end token; anything after it is ignored)."""
    table = np.frombuffer(letters.encode("ascii"), dtype=np.uint8)
    out = []
    for row in np.asarray(tokens, dtype=np.int64):
        stop = np.flatnonzero((row >= len(letters)) | (row < 0))
        row = row[: stop[0]] if len(stop) else row
        out.append(table[row].tobytes().decode("ascii"))
    return out
