"""Molecules as MolGAN's graphs: a node-type vector and a bond-type matrix.

A molecule of at most ``A`` heavy atoms becomes ``atoms`` (A,) int8 — 0 for no atom,
k for the k-th atom type (an element with its formal charge, e.g. ``N+``) — and
``bonds`` (A, A) int8, symmetric — 0 none, 1 single, 2 double, 3 triple, from the
Kekulé form (aromatic rings as alternating bonds, which RDKit re-aromatises). Hydrogens
are implicit: RDKit fills each atom's valence when the graph is turned back into a
molecule. Atoms follow the canonical SMILES order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from rdkit import Chem

from scigan.errors import ScienceError
from scigan.modalities.molecules.chem import largest_fragment, parse, to_smiles

#: Bond types by index (0 = no bond).
BONDS = (None, Chem.BondType.SINGLE, Chem.BondType.DOUBLE, Chem.BondType.TRIPLE)
_BOND_INDEX = {b: i for i, b in enumerate(BONDS) if b is not None}
#: Largest graph ``max_atoms`` auto accepts: MolGAN's dense adjacency is for small molecules.
MAX_AUTO_ATOMS = 20


def atom_type(atom: Chem.Atom) -> str:
    """An atom's type: its element and formal charge, e.g. ``C``, ``N+``, ``O-``, ``N2+``."""
    charge = atom.GetFormalCharge()
    sign = "" if charge == 0 else ("+" if charge > 0 else "-")
    size = str(abs(charge)) if abs(charge) > 1 else ""
    return f"{atom.GetSymbol()}{size}{sign}"


def _parse_type(name: str) -> tuple[str, int]:
    """(element, formal charge) of an atom type name."""
    body = name.rstrip("+-")
    sign = name[len(body) :]
    charge = 0
    if sign:
        digits = "".join(c for c in body if c.isdigit())
        body = body.rstrip("0123456789") if digits else body
        charge = (int(digits) if digits else len(sign)) * (1 if sign[0] == "+" else -1)
    return body, charge


def atom_types_of(smiles: Sequence[str]) -> list[str]:
    """The atom types in ``smiles`` (canonical, valid), most frequent first."""
    counts: Counter[str] = Counter()
    for s in smiles:
        mol = parse(s)
        if mol is not None:
            counts.update(atom_type(a) for a in mol.GetAtoms())
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def heavy_atoms(smiles: Sequence[str]) -> np.ndarray:
    """Heavy-atom count (N,) of each SMILES (0 where invalid)."""
    out = np.zeros(len(smiles), dtype=np.int64)
    for i, s in enumerate(smiles):
        mol = parse(s)
        out[i] = 0 if mol is None else mol.GetNumHeavyAtoms()
    return out


def check_types(types: Sequence[str]) -> None:
    """Refuse an atom type RDKit does not know (e.g. ``Xx``)."""
    table = Chem.GetPeriodicTable()
    for name in types:
        element, _ = _parse_type(name)
        try:
            table.GetAtomicNumber(element)
        except RuntimeError:
            raise ScienceError(f"--atom-types: {name!r} is not an element (with an optional charge, e.g. N+)") from None


def to_graph(smiles: Sequence[str], types: Sequence[str], max_atoms: int) -> np.ndarray:
    """Graphs of ``smiles`` (N,) as int8 rows (N, A + A·A): the atom types (A,) then the
    bond matrix (A, A) flattened, A = ``max_atoms``. Every molecule must fit (see
    :func:`check_fits`)."""
    index = {t: k + 1 for k, t in enumerate(types)}
    a = max_atoms
    out = np.zeros((len(smiles), a + a * a), dtype=np.int8)
    for i, s in enumerate(smiles):
        mol = parse(s)
        if mol is None:
            raise ScienceError(f"molecule {i + 1} ({s!r}) is not valid")
        Chem.Kekulize(mol, clearAromaticFlags=True)
        atoms = out[i, :a]
        bonds = out[i, a:].reshape(a, a)
        for atom in mol.GetAtoms():
            atoms[atom.GetIdx()] = index[atom_type(atom)]
        for bond in mol.GetBonds():
            u, v = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
            bonds[u, v] = bonds[v, u] = _BOND_INDEX[bond.GetBondType()]
    return out


def check_fits(smiles: Sequence[str], types: Sequence[str], max_atoms: int, source: str) -> None:
    """Refuse molecules with an atom type outside ``types`` (naming it and the first
    molecule), or more heavy atoms than ``max_atoms``."""
    allowed = set(types)
    for s in smiles:
        mol = parse(s)
        if mol is None:
            continue
        other = sorted({atom_type(a) for a in mol.GetAtoms()} - allowed)
        if other:
            raise ScienceError(
                f"{source}: {s} has atom type {other[0]}, which is not among --atom-types {','.join(types)}; "
                f"add it, or use --model latentgan"
            )
        if mol.GetNumHeavyAtoms() > max_atoms:
            raise ScienceError(
                f"{source}: {s} has {mol.GetNumHeavyAtoms()} heavy atoms, more than molgan's {max_atoms}; "
                "pass --max-atoms N (larger molecules are dropped) or use --model latentgan"
            )


def valence_caps(types: Sequence[str]) -> np.ndarray:
    """The largest valence (T+1,) of each node class (0 for no atom): the largest valence
    RDKit allows the isoelectronic neutral element (N+ as C: 4; O- as F: 1; S: 6)."""
    table = Chem.GetPeriodicTable()
    caps = [0]
    for name in types:
        element, charge = _parse_type(name)
        z = table.GetAtomicNumber(element) - charge
        caps.append(max(v for v in table.GetValenceList(max(z, 1))) if z > 0 else 0)
    return np.array(caps, dtype=np.int64)


def correct_valence(atoms: np.ndarray, bonds: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """``bonds`` (A, A) with bond orders lowered until no atom exceeds its valence cap
    (MoFlow's valency correction, Zang & Wang 2020): while an atom is over, its
    highest-order bond loses one order (a single bond is removed). Bonds to absent atoms
    are dropped. Returns a new symmetric matrix."""
    out = np.where(np.outer(atoms > 0, atoms > 0), bonds, 0).astype(np.int64)
    np.fill_diagonal(out, 0)
    cap = caps[atoms]
    while True:
        excess = out.sum(1) - cap
        worst = int(excess.argmax())
        if excess[worst] <= 0:
            return out.astype(bonds.dtype)
        partner = int(out[worst].argmax())
        out[worst, partner] -= 1
        out[partner, worst] -= 1


def from_graph(atoms: np.ndarray, bonds: np.ndarray, types: Sequence[str], caps: np.ndarray | None = None) -> str:
    """The canonical SMILES of one graph (``atoms`` (A,), ``bonds`` (A, A) of type
    indices; the upper triangle is read), or "" when RDKit cannot sanitise it or it falls
    into pieces. With ``caps`` (:func:`valence_caps`), bond orders are first lowered to
    fit every atom's valence (:func:`correct_valence`) and a graph in pieces gives its
    largest piece: the generator's graph is repaired, not judged."""
    if caps is not None:
        bonds = correct_valence(atoms, bonds, caps)
    present = np.flatnonzero(atoms)
    if len(present) == 0:
        return ""
    mol = Chem.RWMol()
    where = {}
    for i in present:
        element, charge = _parse_type(types[int(atoms[i]) - 1])
        atom = Chem.Atom(element)
        atom.SetFormalCharge(charge)
        where[int(i)] = mol.AddAtom(atom)
    for u in present:
        for v in present:
            if u < v and bonds[u, v]:
                mol.AddBond(where[int(u)], where[int(v)], BONDS[int(bonds[u, v])])  # type: ignore[arg-type]  # never 0 here
    try:
        Chem.SanitizeMol(mol)
    except Exception:  # RDKit raises several kinds for impossible valences and rings
        return ""
    if len(Chem.GetMolFrags(mol)) > 1:
        if caps is None:
            return ""
        mol, _ = largest_fragment(mol)
    return to_smiles(mol)
