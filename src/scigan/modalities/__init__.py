"""Data kinds. Each implements :class:`scigan.modalities.base.Modality`."""

from __future__ import annotations

from pathlib import Path

from scigan.errors import ScienceError

MODALITIES = ("images", "tabular", "expression")

#: File endings that name a modality when the data is not a built-in.
TABULAR_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")
EXPRESSION_SUFFIXES = (".h5ad",)


def get_modality(name: str):
    """The modality object called ``name`` (imported on first use)."""
    if name == "images":
        from scigan.modalities.images import ImageModality

        return ImageModality()
    if name == "tabular":
        from scigan.modalities.tabular import TabularModality

        return TabularModality()
    if name == "expression":
        from scigan.modalities.expression import ExpressionModality

        return ExpressionModality()
    raise ScienceError(f"unknown modality {name!r}; choose one of: {', '.join(MODALITIES)}")


def modality_for(source: str, declared: str = "auto") -> str:
    """The modality that reads ``source``: ``declared`` unless "auto", else a built-in's
    own, else judged by the path's ending (.h5ad: expression; .csv/.tsv/.parquet:
    tabular; anything else: images)."""
    from scigan.datasets import get_entry

    if declared != "auto":
        if declared not in MODALITIES:
            raise ScienceError(f"unknown modality {declared!r}; choose auto or one of: {', '.join(MODALITIES)}")
        return declared
    entry = get_entry(source)
    if entry is not None:
        return entry.modality
    suffix = Path(source).suffix.lower()
    if suffix in EXPRESSION_SUFFIXES:
        return "expression"
    if suffix in TABULAR_SUFFIXES:
        return "tabular"
    return "images"
