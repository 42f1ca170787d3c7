"""The molecules built-ins, as plain metadata (standard library only; nothing is read
here). Their readers are in :mod:`scigan.modalities.molecules.builtins`."""

from __future__ import annotations

from scigan.datasets import DatasetEntry, has_module

BUILTINS: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        name="qm9",
        modality="molecules",
        shape="130831x1",
        class_names=(),
        source="qm9pack (QM9, Ramakrishnan et al. 2014)",
        install="pip install qm9pack==1.0.3",
        description="130,831 small organic molecules (≤ 9 heavy atoms: C, N, O, F) with 15 DFT properties",
        probe=lambda: has_module("qm9pack") and has_module("rdkit"),
    ),
    DatasetEntry(
        name="moses",
        modality="molecules",
        shape="1760739x1",
        class_names=(),
        source="molsets (the MOSES benchmark split, Polykovskiy et al. 2020)",
        install="pip install --no-deps molsets==0.3.1",
        description="drug-like ZINC molecules: 1.58 M training and 176 k test SMILES (the test split is the holdout)",
        probe=lambda: has_module("moses") and has_module("rdkit"),
    ),
)
