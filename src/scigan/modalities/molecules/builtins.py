"""The molecules built-ins, read by path from the packages that ship them (nothing is
downloaded): ``qm9`` (qm9pack's three CSV parts; its own loader imports pkg_resources)
and ``moses`` (molsets' train/test CSVs; ``import moses`` needs dependencies that do not
install, so it is never imported).

Their metadata (for ``scigan datasets``) is in :mod:`.catalogue`; :func:`load_builtin`
gives the raw SMILES and which rows are the source's test split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scigan.datasets import package_file
from scigan.errors import ScienceError, brief

#: Molecules of a built-in used when --subset is left at -1.
DEFAULT_SUBSET = 20_000
#: Most test-split molecules of moses kept as the holdout with a subset.
TEST_CAP = 10_000
#: qm9pack's columns that are not the SMILES or a number (coordinates, spectra, formulas).
QM9_SKIP = frozenset(
    {"XYZ_file", "Index", "InChi", "Stoichiometry", "Elements", "XYZ_Ang", "Mulliken_pop", "Harmonic_Freq_cmi"}
)
#: What each built-in needs installed.
INSTALL = {"qm9": "pip install qm9pack==1.0.3", "moses": "pip install --no-deps molsets==0.3.1"}
#: Notes a run keeps.
NOTES = {
    "qm9": "QM9 (qm9pack): small organic molecules with up to 9 heavy atoms (C, N, O, F)",
    "moses": "MOSES (molsets): drug-like ZINC molecules; the holdout is MOSES's test split",
}


def _file(package: str, relative: str, name: str) -> Path:
    path = package_file(package, relative)
    if path is None:
        raise ScienceError(f"built-in {name} needs its package: {INSTALL[name]}")
    return path


def _read_column(path: Path, column: str, name: str) -> list[str]:
    import pandas as pd

    try:
        return [str(s) for s in pd.read_csv(path, usecols=[column], dtype=str)[column]]
    except Exception as err:  # a damaged or changed package install
        raise ScienceError(f"{path} could not be read ({brief(err)}); reinstall: {INSTALL[name]}") from None


def _draw(n_total: int, n: int, seed: int) -> np.ndarray:
    """Sorted row indices of a seeded subset of ``n`` of ``n_total`` rows (all when n is 0 or too big)."""
    if n <= 0 or n >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).choice(n_total, n, replace=False))


def load_qm9(subset: int, seed: int) -> tuple[list[str], np.ndarray | None, dict[str, list[float]]]:
    """QM9's SMILES (a seeded ``subset``, or all 130,831 when 0), no test split, and its
    15 properties (name -> values, same rows) for --label-column."""
    import pandas as pd

    parts = [_file("qm9pack", f"data/qm9_part{i}.csv", "qm9") for i in (1, 2, 3)]
    try:
        frame = pd.concat([pd.read_csv(p, usecols=lambda c: c not in QM9_SKIP) for p in parts])
    except Exception as err:
        raise ScienceError(f"qm9pack's files could not be read ({brief(err)}); reinstall: {INSTALL['qm9']}") from None
    rows = _draw(len(frame), subset, seed)
    frame = frame.iloc[rows]
    numeric = {c: frame[c].astype(float).tolist() for c in frame.columns if frame[c].dtype.kind in "fi"}
    return frame["SMILES"].astype(str).tolist(), None, numeric


def load_moses(subset: int, seed: int) -> tuple[list[str], np.ndarray | None, dict[str, list[float]]]:
    """MOSES's training SMILES (a seeded ``subset``, or all 1.58 M when 0) followed by its
    test split (at most :data:`TEST_CAP` with a subset), and the test mask over both."""
    train = _read_column(_file("moses", "dataset/data/train.csv.gz", "moses"), "SMILES", "moses")
    test = _read_column(_file("moses", "dataset/data/test.csv.gz", "moses"), "SMILES", "moses")
    train = [train[i] for i in _draw(len(train), subset, seed)]
    test = [test[i] for i in _draw(len(test), min(TEST_CAP, len(test)) if subset else 0, seed + 1)]
    mask = np.concatenate([np.zeros(len(train), bool), np.ones(len(test), bool)])
    return train + test, mask, {}


def load_builtin(name: str, subset: int, seed: int) -> tuple[list[str], np.ndarray | None, dict[str, list[float]]]:
    """(SMILES (N,), test mask (N,) or None, numeric properties by name) of the built-in
    ``name``; ``subset`` -1 is :data:`DEFAULT_SUBSET`, 0 the full set."""
    n = DEFAULT_SUBSET if subset < 0 else subset
    if name == "qm9":
        return load_qm9(n, seed)
    if name == "moses":
        return load_moses(n, seed)
    raise ScienceError(f"unknown built-in molecule set {name!r}; choose one of: qm9, moses")
