"""Images: reading the built-in data sets (Fashion-MNIST IDX files, scikit-learn's digits,
and the one-picture built-ins, cut into tiles by :mod:`.pictures`).

Their declarations (names, install hints, where the files are) are in :mod:`.catalogue`.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path

import numpy as np

from scigan.datasets import DATA_ENV, DatasetEntry
from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset
from scigan.modalities.images import catalogue

#: Seed and fraction of the stratified test split drawn for sources without an official one.
DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0


def load_builtin(entry: DatasetEntry) -> Dataset:
    """A built-in image data set, x uint8 N×H×W×C (the caller reorders to N×C×H×W)."""
    if entry.modality != "images":
        raise ScienceError(
            f"'{entry.name}' is a {entry.modality} data set, not images; load it with "
            f"scigan.load_dataset('{entry.name}')"
        )
    if entry.picture is not None:
        from scigan.modalities.images.pictures import picture_tiles

        return picture_tiles(entry, catalogue.PICTURE_TILE)
    if entry.name == "fashion-mnist":
        return _load_fashion_mnist(entry)
    return _load_digits(entry)


def _load_fashion_mnist(entry: DatasetEntry) -> Dataset:
    folder = catalogue.fashion_mnist_dir()
    if folder is None:
        where = str(catalogue.FASHION_MNIST_DIR)
        if os.environ.get(DATA_ENV):
            where += f" or ${DATA_ENV}={os.environ[DATA_ENV]}"
        raise ScienceError(
            f"built-in data set 'fashion-mnist' not found (no IDX files in {where}); install it: {entry.install}"
        )
    train_x, train_y, test_x, test_y = (
        _read_idx(folder / name, ndim, entry)
        for name, ndim in zip(catalogue.FASHION_MNIST_FILES, (3, 1, 3, 1), strict=True)
    )
    for images, labels, name in ((train_x, train_y, "train"), (test_x, test_y, "t10k")):
        if len(images) != len(labels) or images.shape[1:] != (28, 28):
            raise ScienceError(
                f"{folder}: {name} images {images.shape} do not match labels {labels.shape}; reinstall: {entry.install}"
            )
    x = np.concatenate([train_x, test_x])[..., None]
    y = np.concatenate([train_y, test_y]).astype(np.int64)
    if y.max() >= entry.classes:
        raise ScienceError(f"{folder}: label {y.max()} out of range 0..9; reinstall: {entry.install}")
    test_mask = np.zeros(len(y), dtype=bool)
    test_mask[len(train_y) :] = True
    return Dataset(
        x=x,
        y=y,
        class_names=list(entry.class_names),
        source=entry.name,
        modality="images",
        test_mask=test_mask,
        info={
            "format": "builtin",
            "package": entry.source,
            "path": str(folder),
            "test_split": "official",
        },
    )


def _read_idx(path: Path, ndim: int, entry: DatasetEntry) -> np.ndarray:
    """Read one gzip IDX file (the MNIST format) holding unsigned bytes."""
    import gzip

    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise ScienceError(f"cannot read {path} ({brief(exc)}); reinstall: {entry.install}") from None
    header = 4 + 4 * ndim
    if len(raw) < header or raw[:3] != b"\x00\x00\x08" or raw[3] != ndim:
        raise ScienceError(f"{path} is not a {ndim}-d IDX file of bytes; reinstall: {entry.install}")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    if len(raw) != header + math.prod(dims):
        raise ScienceError(f"{path} is truncated or has trailing bytes; reinstall: {entry.install}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _load_digits(entry: DatasetEntry) -> Dataset:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ScienceError(f"built-in data set 'digits' needs scikit-learn; install it: {entry.install}") from None
    bunch = load_digits()
    x = np.rint(bunch.images * (255.0 / 16.0)).astype(np.uint8)[..., None]
    y = bunch.target.astype(np.int64)
    return Dataset(
        x=x,
        y=y,
        class_names=list(entry.class_names),
        source=entry.name,
        modality="images",
        test_mask=_stratified_mask(y, DIGITS_TEST_FRACTION, DIGITS_SPLIT_SEED),
        info={
            "format": "builtin",
            "package": entry.source,
            "test_split": f"stratified {DIGITS_TEST_FRACTION:.0%}, seed {DIGITS_SPLIT_SEED}",
            "intensity": "0..16 scaled by 255/16 and rounded",
        },
    )


def _stratified_mask(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """True for round(fraction * n_c) rows of each class c, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        mask[rng.permutation(rows)[: round(fraction * len(rows))]] = True
    return mask
