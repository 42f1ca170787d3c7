"""Per-molecule properties MOSES compares between sets: QED, SA score, logP and weight.

QED is RDKit's :func:`rdkit.Chem.QED.qed` (0–1, drug-likeness), logP Crippen's
:func:`~rdkit.Chem.Crippen.MolLogP` (octanol/water, log units), weight
:func:`~rdkit.Chem.Descriptors.MolWt` (g/mol, average masses) and SA Ertl and
Schuffenhauer's synthetic accessibility score (1 easy – 10 hard) from RDKit's Contrib
``SA_Score/sascorer.py``, which reads its fragment scores from the ``fpscores.pkl.gz``
RDKit ships beside it.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable, Iterable
from types import ModuleType

import numpy as np
from rdkit import Chem

from scigan.errors import ScienceError
from scigan.modalities.molecules.chem import parse

#: The property names, in display order.
PROPERTIES = ("qed", "sa", "logp", "mw")


@functools.cache
def _sascorer() -> ModuleType:
    """RDKit's Contrib SA scorer, loaded from its file once per process."""
    from rdkit import RDConfig

    path = os.path.join(RDConfig.RDContribDir, "SA_Score", "sascorer.py")
    spec = importlib.util.spec_from_file_location("scigan_rdkit_sascorer", path)
    if spec is None or spec.loader is None or not os.path.isfile(path):
        raise ScienceError(f"RDKit's SA scorer is missing ({path}); reinstall rdkit")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _qed(mol: Chem.Mol) -> float:
    from rdkit.Chem import QED

    return float(QED.qed(mol))


def _sa(mol: Chem.Mol) -> float:
    return float(_sascorer().calculateScore(mol))


def _logp(mol: Chem.Mol) -> float:
    from rdkit.Chem import Crippen

    return float(Crippen.MolLogP(mol))  # type: ignore[attr-defined]  # set at import; the stubs miss it


def _mw(mol: Chem.Mol) -> float:
    from rdkit.Chem import Descriptors

    return float(Descriptors.MolWt(mol))  # type: ignore[attr-defined]  # set at import; the stubs miss it


_FUNCTIONS: dict[str, Callable[[Chem.Mol], float]] = {"qed": _qed, "sa": _sa, "logp": _logp, "mw": _mw}


def score_function(name: str) -> Callable[[Chem.Mol], float]:
    """The function Mol -> float of the property ``name`` (one of :data:`PROPERTIES`);
    ScienceError naming the choices otherwise."""
    if name not in _FUNCTIONS:
        raise ScienceError(f"unknown molecular property {name!r}; choose one of: {', '.join(PROPERTIES)}")
    return _FUNCTIONS[name]


def _mols(mols_or_smiles: Iterable[Chem.Mol | str | None]) -> list[Chem.Mol]:
    """The valid molecules of a mixed list (SMILES parsed; invalid ones and None dropped)."""
    out = []
    for item in mols_or_smiles:
        mol = parse(item) if isinstance(item, str) else item
        if mol is not None:
            out.append(mol)
    return out


def property_values(mols_or_smiles: Iterable[Chem.Mol | str | None], name: str) -> np.ndarray:
    """Property ``name`` (float64 (K,)) of the K valid molecules of ``mols_or_smiles``
    (RDKit molecules or SMILES; invalid ones skipped), in order."""
    function = score_function(name)
    return np.array([function(mol) for mol in _mols(mols_or_smiles)], dtype=np.float64)


def molecular_properties(smiles: Iterable[str | None]) -> dict[str, np.ndarray]:
    """Every property of :data:`PROPERTIES` -> float64 (K,) for the K valid molecules of
    ``smiles`` (each parsed once)."""
    mols = _mols(smiles)
    return {name: np.array([_FUNCTIONS[name](m) for m in mols], dtype=np.float64) for name in PROPERTIES}
