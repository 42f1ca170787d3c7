"""RDKit in one place: parsing, sanitising, canonical SMILES and the largest fragment.

Every module of the molecules kind that touches chemistry goes through these helpers,
so RDKit's own logging is silenced once and invalid input always reads as ``None``.
RDKit is imported when this module is (the kind imports it only when used).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]  # invalid SMILES are counted and reported, not printed one by one


def parse(smiles: str) -> Chem.Mol | None:
    """The sanitised RDKit molecule of ``smiles``, or None when RDKit cannot parse or
    sanitise it (bad syntax, impossible valence, unkekulisable aromatic ring)."""
    if not smiles:
        return None
    return Chem.MolFromSmiles(smiles)


def largest_fragment(mol: Chem.Mol) -> tuple[Chem.Mol, bool]:
    """The fragment of ``mol`` with the most heavy atoms (a salt's parent, a mixture's
    main component) and whether anything was removed."""
    fragments = Chem.GetMolFrags(mol, asMols=True, sanitizeFrags=True)
    if len(fragments) <= 1:
        return mol, False
    return max(fragments, key=lambda m: (m.GetNumHeavyAtoms(), m.GetNumAtoms())), True


def to_smiles(mol: Chem.Mol) -> str:
    """RDKit's canonical isomeric SMILES of ``mol``."""
    return Chem.MolToSmiles(mol)


def canonical(smiles: str) -> str | None:
    """The canonical SMILES of ``smiles`` (as MOSES compares molecules), or None when invalid."""
    mol = parse(smiles)
    return None if mol is None else to_smiles(mol)


def canonical_many(smiles: Iterable[str]) -> list[str | None]:
    """:func:`canonical` of each string, None where invalid."""
    return [canonical(s) for s in smiles]


def valid_smiles(smiles: Iterable[str | None]) -> list[str]:
    """The strings of ``smiles`` that are valid molecules, canonicalised, in order
    (generated samples hold "" or None where the decoder made no molecule)."""
    out = []
    for s in smiles:
        c = canonical(s) if s else None
        if c is not None:
            out.append(c)
    return out
