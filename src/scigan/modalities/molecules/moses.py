"""The MOSES metrics (Polykovskiy et al. 2020, "Molecular Sets"), on lists of molecules.

Definitions follow molsets' ``moses/metrics``:

* validity: share of generated entries RDKit parses and sanitises ("" and None invalid);
* unique@k: distinct share of the first k valid molecules (all when fewer: the count
  used is returned beside it);
* novelty: share of the *distinct* valid molecules absent from the training set;
* fingerprints: Morgan, radius 2, 1024 bits; Tanimoto similarity of two bit vectors
  (1 when both are empty, as MOSES sets 0/0);
* IntDiv_p: 1 − mean over molecules of (mean over all molecules, itself included, of
  T^p)^(1/p), duplicates kept (MOSES's (|A|² pairs) form);
* SNN: mean over generated molecules of the largest Tanimoto similarity to a reference one;
* Frag: cosine similarity of fragment counts, each molecule cut on its BRICS bonds
  (``Chem.FragmentOnBRICSBonds``, as MOSES's fragmenter; every piece counted, repeats too);
* Scaf: cosine similarity of Bemis–Murcko scaffold counts, counting only scaffolds with
  at least two rings (MOSES's ``min_rings=2``);
* filters: share passing :func:`mol_passes_filters`;
* property distances: Wasserstein-1 of the value distributions.

Molecules are given as SMILES (canonical for the set-based metrics) or RDKit molecules;
everything returns Python floats, NaN where a metric is undefined (an empty set).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rdkit import Chem

from scigan.modalities.molecules.chem import parse

#: Morgan fingerprint radius and width (MOSES's).
MORGAN_RADIUS = 2
MORGAN_BITS = 1024
#: Most molecules :func:`int_div` compares (a seeded subsample beyond it: N² pairs).
INT_DIV_CAP = 5000
#: Rows of one Tanimoto block (rows × columns × bits float32 products at a time).
BLOCK = 2048
#: MOSES's atoms a filtered molecule may hold.
ALLOWED_ATOMS = frozenset({"C", "N", "S", "O", "F", "Cl", "Br", "H"})
#: Rings of this many atoms or more fail the filters.
MAX_RING = 8

MolLike = str | Chem.Mol | None


def _as_mols(items: Iterable[MolLike]) -> list[Chem.Mol]:
    """The valid molecules of ``items`` (SMILES parsed; invalid entries dropped)."""
    out = []
    for item in items:
        mol = parse(item) if isinstance(item, str) else item
        if mol is not None:
            out.append(mol)
    return out


def validity(generated: Sequence[str | None]) -> float:
    """Share of the N entries of ``generated`` that are valid molecules ("" and None are
    not); NaN when N is 0."""
    if len(generated) == 0:
        return float("nan")
    return sum(1 for s in generated if s and parse(s) is not None) / len(generated)


def uniqueness_at(valid: Sequence[str], k: int) -> tuple[float, int]:
    """MOSES unique@k: (share of distinct strings among the first k of ``valid``, how
    many were used: min(k, len(valid))). ``valid`` holds canonical SMILES, so distinct
    strings are distinct molecules; (NaN, 0) when empty."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    used = list(valid[:k])
    if not used:
        return float("nan"), 0
    return len(set(used)) / len(used), len(used)


def novelty(valid: Iterable[str], train: Iterable[str]) -> float:
    """Share of the distinct canonical SMILES of ``valid`` not in ``train`` (canonical
    SMILES; a set is used as is); NaN when ``valid`` is empty."""
    distinct = set(valid)
    if not distinct:
        return float("nan")
    known = train if isinstance(train, (set, frozenset)) else set(train)
    return len(distinct - known) / len(distinct)


@functools.cache
def _morgan() -> Any:
    from rdkit.Chem import rdFingerprintGenerator

    return rdFingerprintGenerator.GetMorganGenerator(radius=MORGAN_RADIUS, fpSize=MORGAN_BITS)


def fingerprints(mols: Iterable[MolLike]) -> np.ndarray:
    """Morgan fingerprints (radius 2, 1024 bits) of the K valid molecules: uint8 (K, 1024)."""
    generator = _morgan()
    rows = [generator.GetFingerprintAsNumPy(m) for m in _as_mols(mols)]
    if not rows:
        return np.zeros((0, MORGAN_BITS), dtype=np.uint8)
    return np.stack(rows).astype(np.uint8, copy=False)


def _fps(x: Sequence[MolLike] | np.ndarray) -> np.ndarray:
    """Fingerprints as float32 (K, bits): ``x`` itself when already a 2-D array."""
    arr = x if isinstance(x, np.ndarray) and x.ndim == 2 else fingerprints(x)
    return np.asarray(arr, dtype=np.float32)


def _tanimoto(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Tanimoto similarities (float64 (n, m)) of bit rows ``a`` (n, D) and ``b`` (m, D),
    float32 0/1; 1 where both rows are empty."""
    common = (a @ b.T).astype(np.float64)  # exact: counts of at most 1024 bits
    union = a.sum(axis=1)[:, None] + b.sum(axis=1)[None, :] - common
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, common / union, 1.0)


def int_div(mols: Sequence[MolLike] | np.ndarray, p: int = 1, *, cap: int = INT_DIV_CAP, seed: int = 0) -> float:
    """MOSES IntDiv_p of the valid molecules (or fingerprints (K, 1024)): 1 − mean over
    molecules of (mean T^p over all molecules, itself and duplicates included)^(1/p); 0
    for identical molecules, up to 1. More than ``cap`` molecules: a subsample of ``cap``
    drawn with ``seed`` (the N² pairs cost). NaN when none."""
    fps = _fps(mols)
    if len(fps) == 0:
        return float("nan")
    if len(fps) > cap:
        fps = fps[np.sort(np.random.default_rng(seed).choice(len(fps), cap, replace=False))]
    per_row = np.zeros(len(fps), dtype=np.float64)
    for start in range(0, len(fps), BLOCK):
        sim = _tanimoto(fps[start : start + BLOCK], fps)
        per_row[start : start + BLOCK] = (sim**p).mean(axis=1)
    return float(1.0 - (per_row ** (1.0 / p)).mean())


def snn(gen: Sequence[MolLike] | np.ndarray, ref: Sequence[MolLike] | np.ndarray) -> float:
    """MOSES SNN: mean over the generated molecules of their largest Tanimoto similarity
    to a reference molecule (molecules or fingerprints (K, 1024)), in [0, 1]; NaN when
    either set is empty."""
    g, r = _fps(gen), _fps(ref)
    if len(g) == 0 or len(r) == 0:
        return float("nan")
    best = np.zeros(len(g), dtype=np.float64)
    for start in range(0, len(g), BLOCK):
        rows = g[start : start + BLOCK]
        top = np.zeros(len(rows), dtype=np.float64)
        for col in range(0, len(r), BLOCK):
            top = np.maximum(top, _tanimoto(rows, r[col : col + BLOCK]).max(axis=1))
        best[start : start + BLOCK] = top
    return float(best.mean())


def fragment_counts(mols: Iterable[MolLike]) -> Counter[str]:
    """BRICS fragment SMILES -> how often they occur in the valid molecules (each cut on
    its BRICS bonds, with RDKit's numbered attachment points)."""
    counts: Counter[str] = Counter()
    for mol in _as_mols(mols):
        counts.update(Chem.MolToSmiles(Chem.FragmentOnBRICSBonds(mol)).split("."))
    return counts


def scaffold_counts(mols: Iterable[MolLike], min_rings: int = 2) -> Counter[str]:
    """Bemis–Murcko scaffold SMILES -> count over the valid molecules, scaffolds with
    fewer than ``min_rings`` rings left out (MOSES's default 2)."""
    from rdkit.Chem.Scaffolds import MurckoScaffold

    counts: Counter[str] = Counter()
    for mol in _as_mols(mols):
        try:
            scaffold = MurckoScaffold.GetScaffoldForMol(mol)
        except (ValueError, RuntimeError):
            continue
        smiles = Chem.MolToSmiles(scaffold)
        if smiles and scaffold.GetRingInfo().NumRings() >= min_rings:
            counts[smiles] += 1
    return counts


def count_cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine similarity of two count vectors (name -> count; missing names count 0), in
    [0, 1]; NaN when either is empty."""
    if not a or not b:
        return float("nan")
    keys = sorted(set(a) | set(b))
    va = np.array([a.get(k, 0) for k in keys], dtype=np.float64)
    vb = np.array([b.get(k, 0) for k in keys], dtype=np.float64)
    return float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))


def frag(gen: Iterable[MolLike], ref: Iterable[MolLike]) -> float:
    """MOSES Frag: cosine similarity of the BRICS fragment counts of ``gen`` and ``ref``."""
    return count_cosine(fragment_counts(gen), fragment_counts(ref))


def scaf(gen: Iterable[MolLike], ref: Iterable[MolLike]) -> float:
    """MOSES Scaf: cosine similarity of the Bemis–Murcko scaffold counts (≥ 2 rings)."""
    return count_cosine(scaffold_counts(gen), scaffold_counts(ref))


def _mcf_file() -> Path | None:
    """molsets' ``moses/metrics/mcf.csv`` when molsets is installed (read, never imported)."""
    spec = importlib.util.find_spec("moses")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / "metrics" / "mcf.csv"
        if path.is_file():
            return path
    return None


@functools.cache
def _filters() -> tuple[Any, tuple[Chem.Mol, ...], str]:
    """(RDKit's PAINS A/B/C FilterCatalog, the MCF SMARTS patterns, the set's name)."""
    from rdkit.Chem.FilterCatalog import FilterCatalog, FilterCatalogParams

    params = FilterCatalogParams()
    params.AddCatalog(FilterCatalogParams.FilterCatalogs.PAINS)
    catalog = FilterCatalog(params)
    path = _mcf_file()
    if path is None:
        return catalog, (), "MOSES rules + PAINS (RDKit FilterCatalog); MCF unavailable (molsets not installed)"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    patterns = tuple(q for q in (Chem.MolFromSmarts(row["smarts"]) for row in rows) if q is not None)
    return catalog, patterns, f"MOSES rules + PAINS (RDKit FilterCatalog) + MCF ({len(patterns)} from molsets)"


def filter_set() -> str:
    """The name of the structural filters :func:`mol_passes_filters` applies (MCF is read
    from molsets' ``mcf.csv`` when installed, else PAINS alone)."""
    return _filters()[2]


def mol_passes_filters(mol: MolLike) -> bool:
    """MOSES's filter of one molecule: valid, no ring of 8 or more atoms, no charged atom,
    only the atoms C, N, S, O, F, Cl, Br, H, no PAINS or MCF match (MCF on the molecule
    with explicit hydrogens), and a SMILES that parses back."""
    mol = parse(mol) if isinstance(mol, str) else mol
    if mol is None:
        return False
    if any(len(ring) >= MAX_RING for ring in mol.GetRingInfo().AtomRings()):
        return False
    atoms = list(mol.GetAtoms())
    if any(a.GetFormalCharge() != 0 for a in atoms) or any(a.GetSymbol() not in ALLOWED_ATOMS for a in atoms):
        return False
    catalog, mcf, _ = _filters()
    if catalog.HasMatch(mol):
        return False
    if mcf:
        with_h = Chem.AddHs(mol)
        if any(with_h.HasSubstructMatch(q) for q in mcf):
            return False
    smiles = Chem.MolToSmiles(mol, isomericSmiles=False)
    return bool(smiles) and Chem.MolFromSmiles(smiles) is not None


def filters(mols: Iterable[MolLike]) -> float:
    """Share of the valid molecules passing :func:`mol_passes_filters`; NaN when none."""
    valid = _as_mols(mols)
    if not valid:
        return float("nan")
    return sum(mol_passes_filters(m) for m in valid) / len(valid)


def wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    """Wasserstein-1 distance between the value distributions ``a`` (N,) and ``b`` (M,)
    (the values' units; non-finite values dropped); NaN when either is empty."""
    from scipy.stats import wasserstein_distance

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    return float(wasserstein_distance(x, y))


def property_distances(gen: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> dict[str, float]:
    """``{name}_w`` -> :func:`wasserstein` of each property both dicts hold (name ->
    values, as :func:`~scigan.modalities.molecules.properties.molecular_properties` gives)."""
    return {f"{name}_w": wasserstein(gen[name], ref[name]) for name in gen if name in ref}
