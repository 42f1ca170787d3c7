"""Data kinds. Each implements :class:`scigan.modalities.base.Modality`."""

from __future__ import annotations

from scigan.errors import ScienceError

MODALITIES = ("images",)


def get_modality(name: str):
    """The modality object called ``name`` (imported on first use)."""
    if name == "images":
        from scigan.modalities.images import ImageModality

        return ImageModality()
    raise ScienceError(f"unknown modality {name!r}; choose one of: {', '.join(MODALITIES)}")


def modality_for(source: str) -> str:
    """The modality that reads ``source``: a built-in's own, else judged by the path."""
    from scigan.datasets import get_entry

    entry = get_entry(source)
    return entry.modality if entry is not None else "images"
