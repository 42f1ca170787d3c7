"""Images: reading and writing (the networks live elsewhere).

Stored form: numpy ``uint8`` shaped N×C×H×W, C = 1 (grayscale) or 3 (RGB), pixel
values 0..255. Labels are int64 (N,) or None.

Intensity rules, applied the same way to image files and ``.npz`` arrays:

* uint8: kept as is.
* Other integers (16-bit TIFF/PNG, uint16 arrays): scaled linearly by 255 / (2**b - 1),
  where b is the smallest of 8, 10, 12, 14, 16, 24, 32, 64 bits that holds the largest
  value in the data set (so 12-bit camera data stored in 16 bits fills 0..255 instead of
  0..15, and every image gets the same scale). Negative values are refused.
* Floats: if every value is in [0, 1], multiplied by 255; else if in [0, 255], kept;
  then rounded to the nearest integer. Anything else (e.g. [-1, 1]) is refused, as are
  NaN and inf.

Colour rules for image files: alpha is composited over black; palette, CMYK and other
colour modes become RGB; an RGB file whose three channels are identical counts as
grayscale. The data set is RGB if any image is colour, else grayscale. Every conversion
is counted in ``Dataset.info["conversions"]``.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import secrets
import shutil
import struct
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan import datasets as registry
from scigan.datasets import DATA_ENV, FASHION_MNIST_FILES, DatasetEntry, entries, get_entry
from scigan.errors import ScienceError
from scigan.modalities.base import Dataset

if TYPE_CHECKING:
    from PIL import Image

#: File suffixes read as images from a folder (case-insensitive).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

#: What ``save_images`` can write, for error messages.
OUTPUT_FORMATS = (
    ".png (one grid image), .npz (arrays), or a folder path without a suffix (one PNG per image)"
)

#: Seed and fraction of the stratified test split drawn for sources without an official one.
DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0

_BIT_DEPTHS = (8, 10, 12, 14, 16, 24, 32, 64)
_IMAGE_KINDS = "/".join(s[1:].upper() for s in IMAGE_SUFFIXES)


# --------------------------------------------------------------------------- loading


def load_images(
    source: str | Path, *, size: int | None = None, channels: int | None = None
) -> Dataset:
    """Read images: a built-in name, a folder of image files, or an ``.npz``.

    Args:
        source: a built-in name (``fashion-mnist``, ``digits``; a ``str`` matching one
            always means the built-in: write ``./digits`` for a folder of that name);
            a folder of PNG/JPEG/TIFF files (class sub-folders give labels, sorted by
            name; files directly in the folder are unlabelled); or an ``.npz`` with
            ``x`` (N,H,W) or (N,H,W,C), optional ``y`` (N,) integer or string labels
            and optional ``class_names``.
        size: if given, every image is center-cropped to a square and resized to
            ``size``×``size`` pixels (Lanczos). If None, all images must share a size.
        channels: force 1 (grayscale, ITU-R 601 luma) or 3 (RGB) channels.

    Returns:
        A :class:`Dataset` with ``x`` uint8 N×C×H×W and ``modality="images"``.

    Raises:
        ScienceError: for any unreadable or inconsistent input, with the fix.
    """
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ScienceError(f"size must be a positive whole number of pixels, got {size!r}")
    if channels not in (None, 1, 3):
        raise ScienceError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels!r}")
    notes: Counter[str] = Counter()
    entry = get_entry(source) if isinstance(source, str) else None
    if entry is not None:
        data = _load_builtin(entry)
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise _missing_source(source)
        if path.is_dir():
            data = _load_folder(path, size, channels, notes)
        elif path.suffix.lower() == ".npz":
            data = _load_npz(path, notes)
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            raise ScienceError(
                f"{path} is a single image; give the folder that holds the images (at least 2)"
            )
        else:
            raise ScienceError(
                f"{path}: cannot read '{path.suffix}' files as images; give a folder of "
                f"{_IMAGE_KINDS} files or an .npz with an array 'x'"
            )
    data.x = _finish_array(data.x, size, channels, notes, data.info)
    if notes:
        data.info["conversions"] = [f"{n} {what}" for what, n in sorted(notes.items())]
    return data


def _brief(exc: BaseException) -> str:
    """An exception as one short line, for messages that name a damaged file."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:200]


def _missing_source(source: str | Path) -> ScienceError:
    text = str(source)
    looks_like_name = isinstance(source, str) and "/" not in text and os.sep not in text
    looks_like_name = looks_like_name and Path(text).suffix.lower() not in (".npz", *IMAGE_SUFFIXES)
    if not looks_like_name:
        return ScienceError(f"{text}: no such file or folder; check the path")
    names = [e.name for e in entries() if e.modality == "images"]
    close = difflib.get_close_matches(text.lower(), names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ScienceError(
        f"unknown data set '{text}'{hint} and no such file or folder; built-in image data "
        f"sets: {', '.join(names)}; or give a folder of images or an .npz"
    )


# ----------------------------------------------------------------- built-in data sets


def _load_builtin(entry: DatasetEntry) -> Dataset:
    """A built-in image data set, x uint8 N×H×W×C (the caller reorders to N×C×H×W)."""
    if entry.modality != "images":
        raise ScienceError(
            f"'{entry.name}' is a {entry.modality} data set, not images; load it with "
            f"scigan.load_dataset('{entry.name}')"
        )
    if entry.picture is not None:
        from scigan.modalities.images.pictures import picture_tiles

        return picture_tiles(entry, registry.PICTURE_TILE)
    if entry.name == "fashion-mnist":
        return _load_fashion_mnist(entry)
    return _load_digits(entry)


def _load_fashion_mnist(entry: DatasetEntry) -> Dataset:
    folder = registry.fashion_mnist_dir()
    if folder is None:
        where = str(registry.FASHION_MNIST_DIR)
        if os.environ.get(DATA_ENV):
            where += f" or ${DATA_ENV}={os.environ[DATA_ENV]}"
        raise ScienceError(
            f"built-in data set 'fashion-mnist' not found (no IDX files in {where}); "
            f"install it: {entry.install}"
        )
    train_x, train_y, test_x, test_y = (
        _read_idx(folder / name, ndim, entry)
        for name, ndim in zip(FASHION_MNIST_FILES, (3, 1, 3, 1), strict=True)
    )
    for images, labels, name in ((train_x, train_y, "train"), (test_x, test_y, "t10k")):
        if len(images) != len(labels) or images.shape[1:] != (28, 28):
            raise ScienceError(
                f"{folder}: {name} images {images.shape} do not match labels {labels.shape}; "
                f"reinstall: {entry.install}"
            )
    x = np.concatenate([train_x, test_x])[..., None]
    y = np.concatenate([train_y, test_y]).astype(np.int64)
    if y.max() >= entry.classes:
        raise ScienceError(
            f"{folder}: label {y.max()} out of range 0..9; reinstall: {entry.install}"
        )
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
        raise ScienceError(
            f"cannot read {path} ({_brief(exc)}); reinstall: {entry.install}"
        ) from None
    header = 4 + 4 * ndim
    if len(raw) < header or raw[:3] != b"\x00\x00\x08" or raw[3] != ndim:
        raise ScienceError(
            f"{path} is not a {ndim}-d IDX file of bytes; reinstall: {entry.install}"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    if len(raw) != header + math.prod(dims):
        raise ScienceError(f"{path} is truncated or has trailing bytes; reinstall: {entry.install}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _load_digits(entry: DatasetEntry) -> Dataset:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ScienceError(
            f"built-in data set 'digits' needs scikit-learn; install it: {entry.install}"
        ) from None
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


# ---------------------------------------------------------------------------- folders


def _is_image_file(p: Path) -> bool:
    return p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES


def _scan_folder(root: Path) -> tuple[list[Path], list[int] | None, list[str]]:
    """Image files under ``root`` and, when it has class sub-folders, their labels."""
    children = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    direct = [p for p in children if _is_image_file(p)]
    subdirs = [p for p in children if p.is_dir()]
    per_class = {d.name: sorted(f for f in d.iterdir() if _is_image_file(f)) for d in subdirs}
    labelled = [name for name, files in per_class.items() if files]
    if direct and labelled:
        raise ScienceError(
            f"{root} mixes images at the top level (e.g. {direct[0].name}) with class "
            f"sub-folders (e.g. {labelled[0]}/); put every image in a class sub-folder, or none"
        )
    if labelled:
        for name, files in per_class.items():
            if len(files) < 2:
                raise ScienceError(
                    f"class folder {root / name} has {len(files)} image{'s' * (len(files) != 1)}; "
                    "each class needs at least 2 (one may be held out): add images or remove "
                    "the folder"
                )
        files = [f for name in per_class for f in per_class[name]]
        labels = [i for i, name in enumerate(per_class) for _ in per_class[name]]
        return files, labels, list(per_class)
    if not direct:
        what = "is empty" if not any(root.iterdir()) else "holds no image files"
        raise ScienceError(
            f"{root} {what}; expected {_IMAGE_KINDS} "
            "files in it or in one level of class sub-folders"
        )
    if len(direct) < 2:
        raise ScienceError(f"{root} holds only 1 image ({direct[0].name}); at least 2 are needed")
    return direct, None, []


def _load_folder(
    root: Path, size: int | None, channels: int | None, notes: Counter[str]
) -> Dataset:
    """Images under ``root``, x uint8 N×H×W×C (the caller reorders to N×C×H×W)."""
    files, labels, class_names = _scan_folder(root)
    names = [str(f.relative_to(root)) for f in files]
    raw: list[np.ndarray] = []
    synthetic = 0
    for f, name in zip(files, names, strict=True):
        array, marked = _read_image_file(f, name, notes)
        raw.append(array)
        synthetic += marked
    original_sizes = Counter(f"{a.shape[0]}x{a.shape[1]}" for a in raw)
    images = _to_uint8_all(raw, f"{root}", notes)
    images = _unify_colour(images, channels, notes)
    images = _unify_size(images, names, size, root, notes)
    x = np.stack(images)
    info: dict[str, Any] = {
        "format": "folder",
        "files": names,
        "original_sizes": dict(original_sizes),
    }
    if synthetic:
        info["synthetic"] = synthetic
    return Dataset(
        x=x,
        y=None if labels is None else np.asarray(labels, dtype=np.int64),
        class_names=class_names,
        source=str(root),
        modality="images",
        info=info,
    )


def _read_image_file(path: Path, name: str, notes: Counter[str]) -> tuple[np.ndarray, bool]:
    """Decode one file into H×W or H×W×3 (uint8, wider integers or float32).

    Returns the pixels and whether the file is marked as scigan-generated.
    """
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as img:
            if getattr(img, "n_frames", 1) > 1:
                raise ScienceError(
                    f"{name} has {img.n_frames} frames; multi-frame files are not read: "
                    "save one image per file"
                )
            img.load()
            if img.getexif().get(0x0112, 1) != 1:
                ImageOps.exif_transpose(img, in_place=True)
                notes["images rotated per their EXIF orientation"] += 1
            marked = img.info.get("scigan:synthetic") == "true"
            return _pixels(img, notes), marked
    except ScienceError:
        raise
    except Exception as exc:  # any decoder failure means the file is damaged
        raise ScienceError(
            f"cannot read image {name} ({_brief(exc)}); the file is corrupt "
            "or truncated: replace or remove it"
        ) from None


def _pixels(img: Image.Image, notes: Counter[str]) -> np.ndarray:
    mode = img.mode
    if mode.startswith("I;16") or mode == "I":
        notes[f"{mode} images converted to 8-bit"] += 1
        return np.asarray(img).astype(np.int32)
    if mode == "F":
        notes["32-bit float images converted to 8-bit"] += 1
        return np.asarray(img, dtype=np.float32)
    if mode in ("1", "L"):
        if mode == "1":
            notes["1-bit images converted to 8-bit grayscale"] += 1
        return np.asarray(img.convert("L"))
    if img.has_transparency_data:
        gray = mode in ("LA", "La")
        rgba = np.asarray(img.convert("LA" if gray else "RGBA"), dtype=np.float64)
        alpha = rgba[..., -1:] / 255.0
        if (alpha < 1).any():
            notes[f"{mode} images composited over black (alpha applied)"] += 1
        else:
            notes[f"{mode} images: opaque alpha channel dropped"] += 1
        out = np.rint(rgba[..., :-1] * alpha).astype(np.uint8)
        return out[..., 0] if gray else out
    if mode != "RGB":
        notes[f"{mode} images converted to RGB"] += 1
    return np.asarray(img.convert("RGB"))


# ------------------------------------------------------------------ intensity rules


def _intensity_scale(dtype: np.dtype, lo: float, hi: float, what: str) -> tuple[float, str]:
    """The factor that maps data of ``dtype`` spanning [lo, hi] to 0..255, and a note."""
    if np.issubdtype(dtype, np.integer):
        if lo < 0:
            raise ScienceError(
                f"{what}: negative pixel values (min {lo}); images must hold non-negative "
                "intensities"
            )
        bits = next(b for b in _BIT_DEPTHS if hi < 2**b)
        if bits == 8:
            return 1.0, ""
        top = 2**bits - 1
        return (
            255.0 / top,
            f"integer values scaled to 0..255 by 255/{top} ({bits}-bit range, max {hi})",
        )
    if lo >= 0 and hi <= 1:
        return 255.0, "float values in [0, 1] scaled by 255"
    if lo >= 0 and hi <= 255:
        return 1.0, "float values in [0, 255] rounded"
    raise ScienceError(
        f"{what}: float values span [{lo:.4g}, {hi:.4g}]; expected [0, 1] or [0, 255] "
        "(map [-1, 1] data with (x + 1) / 2)"
    )


def _apply_scale(x: np.ndarray, factor: float) -> np.ndarray:
    if x.dtype == np.uint8:
        return x
    return np.clip(np.rint(x.astype(np.float64) * factor), 0, 255).astype(np.uint8)


def _check_finite(x: np.ndarray, what: str) -> None:
    if np.issubdtype(x.dtype, np.floating):
        bad = int(np.count_nonzero(~np.isfinite(x)))
        if bad:
            raise ScienceError(
                f"{what}: {bad} NaN/inf value{'s' * (bad != 1)} in the pixels; fill or drop "
                "them (e.g. np.nan_to_num) first"
            )


def _to_uint8_all(images: list[np.ndarray], what: str, notes: Counter[str]) -> list[np.ndarray]:
    """Bring every image to uint8 with one scale per kind (integer, float) for the whole set."""
    for kind in (np.integer, np.floating):
        members = [
            i for i, a in enumerate(images) if a.dtype != np.uint8 and np.issubdtype(a.dtype, kind)
        ]
        if not members:
            continue
        for i in members:
            _check_finite(images[i], what)
        lo = min(images[i].min() for i in members).item()
        hi = max(images[i].max() for i in members).item()
        factor, note = _intensity_scale(images[members[0]].dtype, lo, hi, what)
        if note:
            notes[f"images: {note}"] += len(members)
        for i in members:
            images[i] = _apply_scale(images[i], factor)
    return images


# --------------------------------------------------------------- colour and size


def _luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma of ...×3 uint8, as uint8 (the rule PIL uses for RGB -> L)."""
    weights = np.array([0.299, 0.587, 0.114])
    return np.clip(np.rint(rgb.astype(np.float64) @ weights), 0, 255).astype(np.uint8)


def _is_colour(a: np.ndarray) -> bool:
    return a.ndim == 3 and not (
        np.array_equal(a[..., 0], a[..., 1]) and np.array_equal(a[..., 1], a[..., 2])
    )


def _unify_colour(
    images: list[np.ndarray], channels: int | None, notes: Counter[str]
) -> list[np.ndarray]:
    """H×W or H×W×3 uint8 images -> H×W×C with one C for all (see module rules)."""
    colour = [_is_colour(a) for a in images]
    target = channels or (3 if any(colour) else 1)
    out = []
    for a, is_colour in zip(images, colour, strict=True):
        if target == 1:
            if is_colour:
                notes["colour images converted to grayscale (ITU-R 601 luma)"] += 1
                a = _luma(a)
            elif a.ndim == 3:
                notes["RGB images with identical channels read as grayscale"] += 1
                a = a[..., 0]
            out.append(a[..., None])
        elif a.ndim == 2:
            notes["grayscale images replicated to RGB"] += 1
            out.append(np.repeat(a[..., None], 3, axis=2))
        else:
            out.append(a)
    return out


def _square_resize(a: np.ndarray, size: int, notes: Counter[str]) -> np.ndarray:
    """Center-crop H×W×C uint8 to a square, then resize to size×size (Lanczos)."""
    from PIL import Image

    h, w = a.shape[:2]
    if h != w:
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        a = a[top : top + side, left : left + side]
        notes["images center-cropped to a square"] += 1
    if a.shape[0] == size:
        return a
    notes[f"images resized to {size}x{size} (Lanczos)"] += 1
    img = Image.fromarray(a[..., 0] if a.shape[2] == 1 else a)
    out = np.asarray(img.resize((size, size), Image.Resampling.LANCZOS))
    return out.reshape(size, size, a.shape[2])


def _unify_size(
    images: list[np.ndarray],
    names: Sequence[str],
    size: int | None,
    source: Path,
    notes: Counter[str],
) -> list[np.ndarray]:
    if size is not None:
        return [_square_resize(a, size, notes) for a in images]
    first = images[0].shape[:2]
    for a, name in zip(images, names, strict=True):
        if a.shape[:2] != first:
            raise ScienceError(
                f"{source}: images differ in size ({names[0]} is {first[0]}x{first[1]}, {name} is "
                f"{a.shape[0]}x{a.shape[1]}); pass --size N (size=N) to center-crop and resize "
                "all to NxN"
            )
    return images


def _finish_array(
    x: np.ndarray, size: int | None, channels: int | None, notes: Counter[str], info: dict[str, Any]
) -> np.ndarray:
    """N×H×W×C uint8 -> N×C×H×W uint8 with the requested channels and size."""
    if channels == 1 and x.shape[3] == 3:
        notes["colour images converted to grayscale (ITU-R 601 luma)"] += len(x)
        x = _luma(x)[..., None]
    if size is not None:
        info["size"] = size
        if x.shape[1:3] != (size, size):
            x = np.stack([_square_resize(a, size, notes) for a in x])
    if channels == 3 and x.shape[3] == 1:  # after resizing: a third of the work
        notes["grayscale images replicated to RGB"] += len(x)
        x = np.repeat(x, 3, axis=3)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


# -------------------------------------------------------------------------------- npz


def _load_npz(path: Path, notes: Counter[str]) -> Dataset:
    """The arrays in ``path``, x uint8 N×H×W×C (the caller reorders to N×C×H×W)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise ScienceError(
                f"{path} holds Python objects; save labels as plain arrays, e.g. "
                "np.savez(path, x=x, y=np.asarray(labels, dtype=str))"
            ) from None
        raise ScienceError(
            f"cannot read {path} as .npz ({_brief(exc)}); the file is corrupt"
        ) from None
    except Exception as exc:  # zipfile/zlib errors: the archive is damaged
        raise ScienceError(
            f"cannot read {path} as .npz ({_brief(exc)}); the file is corrupt"
        ) from None
    if "x" not in arrays:
        found = ", ".join(sorted(arrays)) or "nothing"
        raise ScienceError(
            f"{path} has no array named 'x' (found: {found}); save images as "
            "np.savez(path, x=images, y=labels)"
        )
    x = arrays["x"]
    if x.ndim == 4 and x.shape[3] not in (1, 3, 4) and x.shape[1] in (1, 3, 4):
        raise ScienceError(
            f"{path}: x has shape {x.shape}, which looks channels-first; save it as (N,H,W,C) "
            "with x.transpose(0, 2, 3, 1)"
        )
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[3] not in (1, 3, 4)):
        raise ScienceError(
            f"{path}: x has shape {x.shape}; expected (N,H,W) or (N,H,W,C) with C = 1, 3 or 4"
        )
    if not (
        np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating) or x.dtype == bool
    ):
        raise ScienceError(f"{path}: x has dtype {x.dtype}; expected integer or float pixel values")
    if len(x) < 2:
        raise ScienceError(
            f"{path}: x holds {len(x)} image{'s' * (len(x) != 1)}; at least 2 are needed"
        )
    if x.dtype == bool:
        x = x.astype(np.uint8) * 255
        notes["images: boolean values mapped to 0/255"] += len(x)
    _check_finite(x, f"{path}")
    if x.dtype != np.uint8:
        factor, note = _intensity_scale(x.dtype, x.min().item(), x.max().item(), f"{path}")
        if note:
            notes[f"images: {note}"] += len(x)
        x = _apply_scale(x, factor)
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[3] == 4:
        alpha = x[..., 3:].astype(np.float64) / 255.0
        notes["RGBA images composited over black (alpha applied)"] += len(x)
        x = np.rint(x[..., :3] * alpha).astype(np.uint8)
    y, class_names = _npz_labels(arrays, len(x), path)
    info: dict[str, Any] = {
        "format": "npz",
        "original_sizes": {f"{x.shape[1]}x{x.shape[2]}": len(x)},
    }
    if "provenance" in arrays:
        text = str(arrays["provenance"])
        try:
            info["provenance"] = json.loads(text)
        except ValueError:
            info["provenance"] = text
    return Dataset(
        x=x, y=y, class_names=class_names, source=str(path), modality="images", info=info
    )


def _npz_labels(
    arrays: dict[str, np.ndarray], n: int, path: Path
) -> tuple[np.ndarray | None, list[str]]:
    """``y`` as int64 indices into class names (given, or the sorted distinct labels)."""
    if "y" not in arrays:
        return None, []
    y = arrays["y"]
    if y.ndim != 1 or len(y) != n:
        raise ScienceError(
            f"{path}: y has shape {y.shape} but x holds {n} images; y must be ({n},)"
        )
    if np.issubdtype(y.dtype, np.floating):
        if not np.isfinite(y).all() or not np.array_equal(y, np.round(y)):
            raise ScienceError(
                f"{path}: y holds non-integer numbers; labels must be integers or strings"
            )
        y = y.astype(np.int64)
    if "class_names" in arrays and np.issubdtype(y.dtype, np.integer):
        class_names = [str(c) for c in np.atleast_1d(arrays["class_names"])]
        if y.min() < 0 or y.max() >= len(class_names):
            raise ScienceError(
                f"{path}: y holds values outside 0..{len(class_names) - 1}, the indices of "
                "class_names"
            )
        labels = y.astype(np.int64)
    elif np.issubdtype(y.dtype, np.integer) or y.dtype.kind in "bU":
        values, labels = np.unique(y, return_inverse=True)
        class_names = [str(v) for v in values]
        labels = labels.astype(np.int64)
    else:
        raise ScienceError(f"{path}: y has dtype {y.dtype}; labels must be integers or strings")
    counts = np.bincount(labels, minlength=len(class_names))
    for c, count in enumerate(counts):
        if count == 1:
            raise ScienceError(
                f"{path}: class '{class_names[c]}' has only 1 image; each class needs at least 2 "
                "(one may be held out): add images or drop the class"
            )
    return labels, class_names


# ------------------------------------------------------------------------------ writing


def make_grid(x_uint8: np.ndarray, nrow: int, pad: int = 2) -> np.ndarray:
    """Tile images into one picture.

    Args:
        x_uint8: N×C×H×W uint8 images, C = 1 or 3.
        nrow: images per row (as in torchvision); rows = ceil(N / nrow).
        pad: black pixels between tiles and around the border.

    Returns:
        (rows·(H+pad)+pad) × (cols·(W+pad)+pad) × C uint8, cols = min(nrow, N).
    """
    _check_batch(x_uint8)
    if nrow < 1 or pad < 0:
        raise ScienceError(f"make_grid needs nrow >= 1 and pad >= 0, got nrow={nrow}, pad={pad}")
    n, c, h, w = x_uint8.shape
    cols = min(nrow, n)
    rows = -(-n // cols)
    tiles = np.zeros((rows * cols, c, h + pad, w + pad), dtype=np.uint8)
    tiles[:n, :, pad:, pad:] = x_uint8
    grid = tiles.reshape(rows, cols, c, h + pad, w + pad).transpose(0, 3, 1, 4, 2)
    grid = grid.reshape(rows * (h + pad), cols * (w + pad), c)
    return np.pad(grid, ((0, pad), (0, pad), (0, 0)))


def save_images(
    x_uint8: np.ndarray,
    path: Path,
    *,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    provenance: dict[str, str] | None = None,
    overwrite: bool = False,
) -> None:
    """Write N×C×H×W uint8 images in the format the path asks for.

    * ``.png``: one grid image, one row per class when ``labels`` are given (in label
      order; a JSON list of the row names is stored in the ``scigan:rows`` text chunk),
      else a near-square grid; 2-px black padding.
    * ``.npz``: ``x`` uint8 N×H×W (grayscale) or N×H×W×3, ``y`` int64 and
      ``class_names`` when labels are given, ``provenance`` as a JSON string.
    * a path without a suffix, or an existing folder: one PNG per image, ``00000.png``...
      named by row index, in one sub-folder per class when labels are given (class
      names with path separators get ``_`` instead).

    Every PNG carries ``provenance`` as text chunks. Files are written under a temporary
    name and renamed. An existing file or non-empty folder is replaced only with
    ``overwrite=True``, and a folder only if it holds nothing but PNG files (and class
    sub-folders of them).
    """
    path = Path(path).expanduser()
    _check_batch(x_uint8)
    labels_arr, names = _check_labels(labels, class_names, len(x_uint8))
    text = _check_provenance(provenance)
    if path.is_dir() or not path.suffix:
        _save_folder(x_uint8, path, labels_arr, names, text, overwrite)
        return
    suffix = path.suffix.lower()
    if suffix not in (".png", ".npz"):
        raise ScienceError(f"cannot write '{path.suffix}' files; supported: {OUTPUT_FORMATS}")
    if path.exists() and not overwrite:
        raise ScienceError(f"{path} already exists; pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        if labels_arr is None:
            grid = make_grid(x_uint8, math.ceil(math.sqrt(len(x_uint8))))
        else:
            present = np.unique(labels_arr)
            cols = int(np.bincount(labels_arr).max())
            tiles = np.zeros((len(present) * cols, *x_uint8.shape[1:]), dtype=np.uint8)
            for row, c in enumerate(present):
                members = x_uint8[labels_arr == c]
                tiles[row * cols : row * cols + len(members)] = members
            grid = make_grid(tiles, cols)
            text = {**text, "scigan:rows": json.dumps([names[c] for c in present])}
        write_png(grid, path, text)
    else:
        arrays: dict[str, np.ndarray] = {
            "x": x_uint8[:, 0] if x_uint8.shape[1] == 1 else x_uint8.transpose(0, 2, 3, 1)
        }
        if labels_arr is not None:
            arrays["y"] = labels_arr
            arrays["class_names"] = np.asarray(names, dtype=str)
        if text:
            arrays["provenance"] = np.asarray(json.dumps(text))
        atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def _check_batch(x: np.ndarray) -> None:
    if (
        not isinstance(x, np.ndarray)
        or x.dtype != np.uint8
        or x.ndim != 4
        or x.shape[1] not in (1, 3)
    ):
        got = f"{x.dtype} {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ScienceError(f"images must be a uint8 array N×C×H×W with C = 1 or 3, got {got}")
    if len(x) == 0:
        raise ScienceError("no images to write (N = 0)")


def _check_labels(
    labels: np.ndarray | None, class_names: Sequence[str] | None, n: int
) -> tuple[np.ndarray | None, list[str]]:
    if labels is None:
        return None, list(class_names or [])
    y = np.asarray(labels)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ScienceError(f"labels must be {n} non-negative integers, got {y.dtype} {y.shape}")
    names = (
        list(class_names) if class_names is not None else [str(i) for i in range(int(y.max()) + 1)]
    )
    if y.max() >= len(names):
        raise ScienceError(f"label {y.max()} has no class name ({len(names)} class_names given)")
    return y.astype(np.int64), [str(s) for s in names]


def _check_provenance(provenance: dict[str, str] | None) -> dict[str, str]:
    text = {str(k): str(v) for k, v in (provenance or {}).items()}
    for key in text:
        try:
            key.encode("latin-1")
        except UnicodeEncodeError:
            raise ScienceError(
                f"provenance key {key!r} must be Latin-1 text (a PNG rule)"
            ) from None
        if not 1 <= len(key) <= 79:
            raise ScienceError(f"provenance key {key!r} must be 1 to 79 characters (a PNG rule)")
    return text


def _temp_name(path: Path, suffix: str = ".tmp") -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{suffix}")


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, then rename it into place."""
    tmp = _temp_name(path)
    try:
        with open(tmp, "xb") as f:
            write(f)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_png(image: np.ndarray, path: Path, text: dict[str, str]) -> None:
    """Write an H×W×C uint8 array (C = 1 or 3) as PNG with ``text`` chunks (provenance), atomically."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    img = Image.fromarray(image[..., 0] if image.shape[2] == 1 else image)
    atomic_write(path, lambda f: img.save(f, format="PNG", pnginfo=info))


def _folder_name(name: str) -> str:
    safe = name.replace("/", "_").replace("\\", "_").replace("\0", "_").strip()
    return "_" + safe if safe in ("", ".", "..") or safe.startswith(".") else safe


def _check_replaceable(folder: Path) -> None:
    """Refuse to replace a folder that holds anything but PNGs and class folders of PNGs."""
    for child in folder.iterdir():
        inner = list(child.iterdir()) if child.is_dir() else [child]
        foreign = [p for p in inner if not (p.is_file() and p.suffix.lower() == ".png")]
        if foreign:
            raise ScienceError(
                f"refusing to replace {folder}: it holds files scigan did not write "
                f"(e.g. {foreign[0].relative_to(folder)}); choose a new folder"
            )


def _save_folder(
    x: np.ndarray,
    folder: Path,
    labels: np.ndarray | None,
    names: list[str],
    text: dict[str, str],
    overwrite: bool,
) -> None:
    if folder.exists() and not folder.is_dir():
        raise ScienceError(
            f"{folder} is a file, not a folder; pass a folder path or a .png/.npz path"
        )
    if folder.is_dir() and any(folder.iterdir()):
        if not overwrite:
            raise ScienceError(f"{folder} is not empty; pass --overwrite to replace its contents")
        _check_replaceable(folder)
    subfolders = [_folder_name(n) for n in names]
    if labels is not None:
        used = [subfolders[c] for c in np.unique(labels)]
        if len(set(used)) != len(used):
            raise ScienceError(
                f"class names {sorted(names)} collide as folder names; rename the classes or "
                "write .npz"
            )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(folder)
    tmp.mkdir()
    try:
        width = max(5, len(str(len(x) - 1)))
        for i, image in enumerate(x):
            where = tmp if labels is None else tmp / subfolders[labels[i]]
            where.mkdir(exist_ok=True)
            write_png(image.transpose(1, 2, 0), where / f"{i:0{width}d}.png", text)
        if folder.exists():
            old = _temp_name(folder, ".old")
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old)
        else:
            os.rename(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
