"""The expression built-ins, as plain metadata (standard library only; nothing is read
here). Their readers are in :mod:`scigan.modalities.expression.io`."""

from __future__ import annotations

from scigan.datasets import DatasetEntry, has_module

BUILTINS: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        name="pbmc68k",
        modality="expression",
        shape="700x765",
        class_names=(
            "CD14+ Monocyte",
            "CD19+ B",
            "CD34+",
            "CD4+/CD25 T Reg",
            "CD4+/CD45RA+/CD25- Naive T",
            "CD4+/CD45RO+ Memory",
            "CD56+ NK",
            "CD8+ Cytotoxic T",
            "CD8+/CD45RA+ Naive Cytotoxic",
            "Dendritic",
        ),
        source="scanpy (pbmc68k_reduced: its .raw, log-normalised)",
        install="pip install 'scigan[bio]' (or: pip install scanpy anndata)",
        description="700 PBMCs x 765 genes, 10 cell types (obs 'bulk_labels'); .raw holds log-normalised values",
        probe=lambda: has_module("scanpy") and has_module("anndata"),
    ),
)
