"""Built-in data sets, as plain metadata: what an entry holds, and the list of them.

Each data kind declares its own built-ins (``modalities/<kind>/catalogue.py``) in its
registration; this module describes an entry and gathers them. Importing it is cheap
(standard library only): ``scigan datasets`` lists the built-ins, and whether each is
installed, without importing torch, numpy or the package that ships the data. Nothing
is downloaded at run time.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Environment variable naming a folder that holds data files (overrides system paths).
DATA_ENV = "SCIGAN_DATA"


@dataclass(frozen=True)
class DatasetEntry:
    """One built-in data set.

    Attributes:
        name: what the user types, e.g. ``"fashion-mnist"``.
        modality: the name of the data kind that reads it.
        shape: stored shape of the whole set, N x sample shape, e.g. ``"70000x1x28x28"``.
        class_names: the name of each label value, in label order.
        source: the package that ships the data.
        install: the one line that makes it available when it is missing.
        description: one line on what the data is.
        probe: returns True when the data can be read on this machine (cheap, no import).
    """

    name: str
    modality: str
    shape: str
    class_names: tuple[str, ...]
    source: str
    install: str
    description: str
    probe: Callable[[], bool]
    picture: tuple[str, str] | None = None
    """For a built-in that is one large picture: (package, path inside the package) of
    its file. The image trainer cuts it into tiles (:data:`PICTURE_TILE`); enhancement
    and translation train on random patches of it."""

    @property
    def classes(self) -> int:
        """Number of classes (0 for unlabelled data)."""
        return len(self.class_names)

    def available(self) -> bool:
        """Whether the data can be read here, without reading it."""
        return self.probe()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description, as printed by ``scigan datasets --json``."""
        return {
            "name": self.name,
            "modality": self.modality,
            "shape": self.shape,
            "classes": self.classes,
            "class_names": list(self.class_names),
            "source": self.source,
            "install": self.install,
            "description": self.description,
            "available": self.available(),
        }


def has_module(name: str) -> bool:
    """Whether the module ``name`` is installed (found without importing it)."""
    return importlib.util.find_spec(name) is not None


def package_file(package: str, relative: str) -> Path | None:
    """The file ``relative`` inside the installed ``package`` (found without importing
    it: ``stardist.data`` itself fails to import without stardist's dependencies), or
    None when the package or the file is missing."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / relative
        if path.is_file():
            return path
    return None
