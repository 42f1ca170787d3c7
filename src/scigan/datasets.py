"""The registry of built-in data sets, as plain metadata.

Importing this module is cheap (standard library only): ``scigan datasets`` lists the
built-ins, and whether each is installed, without importing torch, numpy or the
package that ships the data. Readers live in the modalities (e.g.
:func:`scigan.modalities.images.load_images`); nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Environment variable naming a folder that holds data files (overrides system paths).
DATA_ENV = "SCIGAN_DATA"

#: Where the Debian package ``dataset-fashion-mnist`` installs its IDX files.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

#: The four gzip IDX files of Fashion-MNIST (official train split, then official test split).
FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@dataclass(frozen=True)
class DatasetEntry:
    """One built-in data set.

    Attributes:
        name: what the user types, e.g. ``"fashion-mnist"``.
        modality: the modality that reads it, e.g. ``"images"``.
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


def fashion_mnist_dir() -> Path | None:
    """The first folder holding all four Fashion-MNIST IDX files, or None.

    Searched in order: ``$SCIGAN_DATA``, ``$SCIGAN_DATA/fashion-mnist``, then
    :data:`FASHION_MNIST_DIR`.
    """
    candidates = []
    env = os.environ.get(DATA_ENV)
    if env:
        candidates += [Path(env), Path(env) / "fashion-mnist"]
    candidates.append(FASHION_MNIST_DIR)
    for folder in candidates:
        if all((folder / name).is_file() for name in FASHION_MNIST_FILES):
            return folder
    return None


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


#: Side in pixels of the square tiles a built-in picture is cut into for GAN training.
PICTURE_TILE = 64

#: How to install the ``images`` extra's pictures (stardist's bundled images need its files only).
_IMAGES_INSTALL = "pip install 'scigan[images]' (scikit-image, tifffile) and pip install --no-deps stardist"


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


def _picture(name: str, shape: str, package: str, relative: str, description: str,
             reader: str = "") -> DatasetEntry:
    """A built-in that is one large picture shipped inside ``package``."""
    return DatasetEntry(
        name=name, modality="images", shape=shape, class_names=(),
        source=f"{package} ({package}/{relative})", install=_IMAGES_INSTALL,
        description=description,
        probe=lambda: package_file(package, relative) is not None and (not reader or _has_module(reader)),
        picture=(package, relative),
    )


_ENTRIES: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        name="fashion-mnist",
        modality="images",
        shape="70000x1x28x28",
        class_names=(
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),
        source="Debian package dataset-fashion-mnist",
        install=(
            "sudo apt-get install dataset-fashion-mnist, or set "
            f"{DATA_ENV} to a folder holding {', '.join(FASHION_MNIST_FILES)}"
        ),
        description="Zalando clothing photos, 28x28 grayscale; official 10k test split",
        probe=lambda: fashion_mnist_dir() is not None,
    ),
    DatasetEntry(
        name="digits",
        modality="images",
        shape="1797x1x8x8",
        class_names=tuple(str(d) for d in range(10)),
        source="scikit-learn (sklearn.datasets.load_digits)",
        install="pip install scikit-learn",
        description="UCI handwritten digits, 8x8 grayscale (16 levels scaled to 0..255)",
        probe=lambda: _has_module("sklearn"),
    ),
    DatasetEntry(
        name="breast-cancer",
        modality="tabular",
        shape="569x31",
        class_names=("benign", "malignant"),
        source="scikit-learn (sklearn.datasets.load_breast_cancer)",
        install="pip install scikit-learn pandas",
        description="Wisconsin diagnostic breast cancer: 30 nuclear features + diagnosis (label 'target')",
        probe=lambda: _has_module("sklearn") and _has_module("pandas"),
    ),
    DatasetEntry(
        name="gbsg2",
        modality="tabular",
        shape="686x10",
        class_names=("0", "1"),
        source="lifelines (lifelines/datasets/gbsg2.csv)",
        install="pip install 'scigan[tabular]' (or: pip install lifelines pandas)",
        description="German Breast Cancer Study Group 2: mixed clinical table; label 'cens' (recurrence or death observed)",
        probe=lambda: _has_module("lifelines") and _has_module("pandas"),
    ),
    DatasetEntry(
        name="pbmc68k",
        modality="expression",
        shape="700x765",
        class_names=(
            "CD14+ Monocyte", "CD19+ B", "CD34+", "CD4+/CD25 T Reg", "CD4+/CD45RA+/CD25- Naive T",
            "CD4+/CD45RO+ Memory", "CD56+ NK", "CD8+ Cytotoxic T", "CD8+/CD45RA+ Naive Cytotoxic",
            "Dendritic",
        ),
        source="scanpy (pbmc68k_reduced: its .raw, log-normalised)",
        install="pip install 'scigan[bio]' (or: pip install scanpy anndata)",
        description="700 PBMCs x 765 genes, 10 cell types (obs 'bulk_labels'); .raw holds log-normalised values",
        probe=lambda: _has_module("scanpy") and _has_module("anndata"),
    ),
    _picture("nuclei", "1x1x512x512", "stardist", "data/images/img2d.tif",
             "fluorescence microscopy of cell nuclei (stardist test_image_nuclei_2d), 16-bit TIFF, one 512x512 picture",
             reader="tifffile"),
    _picture("he-tile", "1x3x300x500", "stardist", "data/images/histo.jpg",
             "H&E-stained histology tile (stardist test_image_he_2d), RGB, one 300x500 picture"),
    _picture("ihc", "1x3x512x512", "skimage", "data/ihc.png",
             "immunohistochemistry (IHC) stain of colonic tissue (skimage.data.immunohistochemistry), RGB, 512x512"),
    _picture("retina", "1x3x1411x1411", "skimage", "data/retina.jpg",
             "human retina fundus photograph (skimage.data.retina), RGB, 1411x1411"),
    _picture("cell", "1x1x660x550", "skimage", "data/cell.png",
             "phase-contrast microscopy of a cell (skimage.data.cell), grayscale, 660x550"),
)


def entries() -> tuple[DatasetEntry, ...]:
    """All built-in data sets, in display order."""
    return _ENTRIES


def list_datasets() -> list[dict[str, Any]]:
    """Every built-in data set as a JSON-ready dict (see :meth:`DatasetEntry.as_dict`)."""
    return [entry.as_dict() for entry in _ENTRIES]


def get_entry(name: str) -> DatasetEntry | None:
    """The built-in called ``name`` (case-insensitive), or None if there is none."""
    key = name.strip().lower()
    return next((entry for entry in _ENTRIES if entry.name == key), None)
