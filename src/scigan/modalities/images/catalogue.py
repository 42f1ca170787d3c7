"""The image built-ins, as plain metadata (standard library only; nothing is read here).

Fashion-MNIST comes from the Debian package ``dataset-fashion-mnist`` (or the folder
``$SCIGAN_DATA`` names), digits from scikit-learn, and the one-picture microscopy
built-ins from files that stardist and scikit-image ship. Their readers are in
:mod:`scigan.modalities.images.builtins`.
"""

from __future__ import annotations

import os
from pathlib import Path

from scigan.datasets import DATA_ENV, DatasetEntry, has_module, package_file

#: Where the Debian package ``dataset-fashion-mnist`` installs its IDX files.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

#: The four gzip IDX files of Fashion-MNIST (official train split, then official test split).
FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

#: Side in pixels of the square tiles a built-in picture is cut into for GAN training.
PICTURE_TILE = 64

#: How to install the ``images`` extra's pictures (stardist's bundled images need its files only).
_IMAGES_INSTALL = "pip install 'scigan[images]' (scikit-image, tifffile) and pip install --no-deps stardist"


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


def _picture(name: str, shape: str, package: str, relative: str, description: str, reader: str = "") -> DatasetEntry:
    """A built-in that is one large picture shipped inside ``package``."""
    return DatasetEntry(
        name=name,
        modality="images",
        shape=shape,
        class_names=(),
        source=f"{package} ({package}/{relative})",
        install=_IMAGES_INSTALL,
        description=description,
        probe=lambda: package_file(package, relative) is not None and (not reader or has_module(reader)),
        picture=(package, relative),
    )


BUILTINS: tuple[DatasetEntry, ...] = (
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
        probe=lambda: has_module("sklearn"),
    ),
    _picture(
        "nuclei",
        "1x1x512x512",
        "stardist",
        "data/images/img2d.tif",
        "fluorescence microscopy of cell nuclei (stardist test_image_nuclei_2d), 16-bit TIFF, one 512x512 picture",
        reader="tifffile",
    ),
    _picture(
        "he-tile",
        "1x3x300x500",
        "stardist",
        "data/images/histo.jpg",
        "H&E-stained histology tile (stardist test_image_he_2d), RGB, one 300x500 picture",
    ),
    _picture(
        "ihc",
        "1x3x512x512",
        "skimage",
        "data/ihc.png",
        "immunohistochemistry (IHC) stain of colonic tissue (skimage.data.immunohistochemistry), RGB, 512x512",
    ),
    _picture(
        "retina",
        "1x3x1411x1411",
        "skimage",
        "data/retina.jpg",
        "human retina fundus photograph (skimage.data.retina), RGB, 1411x1411",
    ),
    _picture(
        "cell",
        "1x1x660x550",
        "skimage",
        "data/cell.png",
        "phase-contrast microscopy of a cell (skimage.data.cell), grayscale, 660x550",
    ),
)
