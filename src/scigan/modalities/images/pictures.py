"""Whole pictures of any size: the input of enhancement and translation, and the
built-ins that are one large picture (``nuclei``, ``he-tile``, ``ihc``, ``retina``, ``cell``).

A :class:`Picture` holds float32 pixels H×W×C in [0, 1] and the factor back to the
file's own units, so a 16-bit TIFF comes out of ``scigan enhance`` as a 16-bit TIFF.
Intensities follow the image rules of :mod:`scigan.modalities.images.pixels`, applied per
picture: uint8 / 255; wider integers / (2**b - 1) for the smallest listed bit depth b
that holds the picture's maximum (12-bit data in 16-bit files fills [0, 1]); floats in
[0, 1] kept, in [0, 255] divided by 255.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scigan.datasets import DatasetEntry, package_file
from scigan.errors import ScienceError, brief
from scigan.modalities import get_entry
from scigan.modalities.base import Dataset
from scigan.modalities.images.files import IMAGE_SUFFIXES, missing_source, read_image_file
from scigan.modalities.images.pixels import check_finite, intensity_scale

TIFF_SUFFIXES = (".tif", ".tiff")
#: The most pixel values (height × width × samples) a TIFF may hold: Pillow's
#: decompression-bomb limit for its own formats, times three samples.
MAX_PICTURE_VALUES = 2 * 89_478_485 * 3


@dataclass
class Picture:
    """One image at its own size.

    Attributes:
        name: the file name (relative to the folder read) or the built-in's name.
        pixels: float32 H×W×C in [0, 1], C = 1 or 3.
        unit: multiply ``pixels`` by this to return to the file's units (255 for 8-bit
            files, 65535 for 16-bit ones, 1 for floats in [0, 1]).
        dtype: the file's sample type, e.g. ``"uint8"`` or ``"uint16"``.
    """

    name: str
    pixels: np.ndarray
    unit: float
    dtype: str

    @property
    def channels(self) -> int:
        """1 (grayscale) or 3 (RGB)."""
        return int(self.pixels.shape[2])


def _to_unit_range(raw: np.ndarray, name: str) -> tuple[np.ndarray, float]:
    """H×W[×C] pixels of any numeric type -> (float32 H×W×C in [0, 1], unit)."""
    check_finite(raw, name)
    if raw.dtype == np.uint8:
        unit = 255.0
    elif raw.dtype == bool:
        raw, unit = raw.astype(np.uint8), 1.0
    else:
        factor, _ = intensity_scale(raw.dtype, float(raw.min()), float(raw.max()), name)
        unit = 255.0 / factor
    x = (raw.astype(np.float32) / np.float32(unit)).clip(0.0, 1.0)
    return (x[..., None] if x.ndim == 2 else x), unit


def _read_tiff(path: Path, name: str) -> np.ndarray:
    """A one-page TIFF (any bit depth, 1 or 3 samples) via tifffile."""
    try:
        import tifffile
    except ImportError:
        raise ScienceError(
            f"reading {name} needs tifffile: pip install 'scigan[images]' (or: pip install tifffile)"
        ) from None
    if path.stat().st_size == 0:
        raise ScienceError(f"{name} is empty (0 bytes): replace or remove it")
    damaged = f"cannot read image {name} ({{}}); the file is corrupt or not a TIFF: replace or remove it"
    log = logging.getLogger("tifffile")  # it logs each damaged tag; the error below says it once
    quiet, log.disabled = log.disabled, True
    try:
        with tifffile.TiffFile(path) as tif:
            shape = tuple(tif.series[0].shape) if tif.series else ()
            pixels = int(np.prod(shape, dtype=np.float64)) if shape else 0
            if pixels > MAX_PICTURE_VALUES:  # a damaged header can claim billions
                raise ScienceError(
                    f"{name} claims {pixels:,} pixel values (shape {shape}), more than the "
                    f"{MAX_PICTURE_VALUES:,} scigan reads: the file is corrupt, or split it into tiles"
                )
            raw = tif.asarray()
    except ScienceError:
        raise
    except Exception as exc:  # any decoder failure means the file is damaged
        raise ScienceError(damaged.format(brief(exc))) from None
    finally:
        log.disabled = quiet
    if not isinstance(raw, np.ndarray) or raw.size == 0:
        raise ScienceError(damaged.format(f"no pixels, shape {getattr(raw, 'shape', None)}"))
    if raw.ndim == 3 and raw.shape[0] in (3, 4) and raw.shape[2] not in (3, 4):
        raw = raw.transpose(1, 2, 0)  # planar RGB
    if raw.ndim == 3 and raw.shape[2] == 4:
        raw = raw[..., :3]
    if raw.ndim not in (2, 3) or (raw.ndim == 3 and raw.shape[2] != 3):
        raise ScienceError(
            f"{name} is a {raw.ndim}-D TIFF shaped {raw.shape}; give one 2-D "
            "grayscale or RGB image per file (split stacks into planes)"
        )
    return raw


def read_picture(path: str | Path, name: str | None = None) -> Picture:
    """Read one image file (PNG, JPEG or TIFF, 8 or 16 bit, grayscale or RGB).

    An RGB file whose three channels are identical is read as grayscale.
    """
    path = Path(path)
    name = name or path.name
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ScienceError(
            f"{name}: cannot read '{path.suffix}' files as images; give "
            f"{'/'.join(s[1:].upper() for s in IMAGE_SUFFIXES)} files"
        )
    if path.suffix.lower() in TIFF_SUFFIXES:
        raw = _read_tiff(path, name)
    else:
        raw, _ = read_image_file(path, name, Counter())
    if raw.ndim == 3 and np.array_equal(raw[..., 0], raw[..., 1]) and np.array_equal(raw[..., 1], raw[..., 2]):
        raw = raw[..., 0]
    pixels, unit = _to_unit_range(raw, name)
    return Picture(name, pixels, unit, str(raw.dtype))


def builtin_picture_file(entry: DatasetEntry) -> Path:
    """The file of a built-in picture; ScienceError with the install line when missing."""
    assert entry.picture is not None
    path = package_file(*entry.picture)
    if path is None or not entry.available():
        raise ScienceError(f"the built-in '{entry.name}' is not installed here; {entry.install}")
    return path


def read_pictures(source: str | Path) -> list[Picture]:
    """The pictures of ``source``: a built-in picture's name, one image file, or a
    folder (every PNG/JPEG/TIFF in it and its sub-folders, sorted by path)."""
    entry = get_entry(source) if isinstance(source, str) else None
    if entry is not None:
        if entry.picture is None:
            raise ScienceError(
                f"'{entry.name}' is a set of small images, not pictures to enhance; "
                "pick nuclei, he-tile, ihc, retina, cell or a folder of your images"
            )
        return [read_picture(builtin_picture_file(entry), entry.name)]
    path = Path(source).expanduser()
    if not path.exists():
        raise missing_source(source)
    if path.is_file():
        return [read_picture(path)]
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in IMAGE_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise ScienceError(f"{path} holds no PNG/JPEG/TIFF images")
    return [read_picture(f, str(f.relative_to(path))) for f in files]


def as_channels(picture: Picture, channels: int) -> np.ndarray:
    """The picture's pixels with ``channels`` channels (grayscale <-> RGB by luma/copy)."""
    x = picture.pixels
    if x.shape[2] == channels:
        return x
    if channels == 1:
        return (x @ np.array([0.299, 0.587, 0.114], dtype=np.float32))[..., None]
    return np.repeat(x, 3, axis=2)


def picture_tiles(entry: DatasetEntry, tile: int) -> Dataset:
    """A built-in picture cut into non-overlapping ``tile``×``tile`` squares (row-major,
    the ragged right and bottom edges dropped), uint8 N×H×W×C for the image trainer."""
    picture = read_picture(builtin_picture_file(entry), entry.name)
    x = np.rint(picture.pixels * 255).astype(np.uint8)
    rows, cols = x.shape[0] // tile, x.shape[1] // tile
    tiles = x[: rows * tile, : cols * tile].reshape(rows, tile, cols, tile, -1).transpose(0, 2, 1, 3, 4)
    return Dataset(
        x=tiles.reshape(rows * cols, tile, tile, -1),
        y=None,
        class_names=[],
        source=entry.name,
        modality="images",
        info={"format": "picture tiles", "tile": tile, "picture": list(picture.pixels.shape)},
    )


__all__ = ["Picture", "as_channels", "builtin_picture_file", "picture_tiles", "read_picture", "read_pictures"]
