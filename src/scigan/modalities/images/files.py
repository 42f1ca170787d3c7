"""Images: decoding the user's folders of image files (PNG, JPEG, TIFF).

A folder holds images directly (unlabelled) or in one level of class sub-folders (the
labels, classes sorted by folder name). Each file is decoded by Pillow: EXIF rotation
applied, alpha composited over black, palette, CMYK and other colour modes made RGB,
16-bit and float files kept wide for the data-set-wide intensity scale of
:mod:`.pixels`, which then unifies colour and size.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset
from scigan.modalities.images.catalogue import BUILTINS
from scigan.modalities.images.pixels import to_uint8_all, unify_colour, unify_size

if TYPE_CHECKING:
    from PIL import Image

#: File suffixes read as images from a folder (case-insensitive).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

#: The suffixes for messages: "PNG/JPG/JPEG/TIF/TIFF".
IMAGE_KINDS = "/".join(s[1:].upper() for s in IMAGE_SUFFIXES)


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
        raise ScienceError(f"{root} {what}; expected {IMAGE_KINDS} files in it or in one level of class sub-folders")
    if len(direct) < 2:
        raise ScienceError(f"{root} holds only 1 image ({direct[0].name}); at least 2 are needed")
    return direct, None, []


def load_folder(root: Path, size: int | None, channels: int | None, notes: Counter[str]) -> Dataset:
    """Images under ``root``, x uint8 N×H×W×C (the caller reorders to N×C×H×W)."""
    files, labels, class_names = _scan_folder(root)
    names = [str(f.relative_to(root)) for f in files]
    raw: list[np.ndarray] = []
    synthetic = 0
    for f, name in zip(files, names, strict=True):
        array, marked = read_image_file(f, name, notes)
        raw.append(array)
        synthetic += marked
    original_sizes = Counter(f"{a.shape[0]}x{a.shape[1]}" for a in raw)
    images = to_uint8_all(raw, f"{root}", notes)
    images = unify_colour(images, channels, notes)
    images = unify_size(images, names, size, root, notes)
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


def read_image_file(path: Path, name: str, notes: Counter[str]) -> tuple[np.ndarray, bool]:
    """Decode one file into H×W or H×W×3 (uint8, wider integers or float32).

    Returns the pixels and whether the file is marked as scigan-generated.
    """
    from PIL import Image, ImageOps

    if path.stat().st_size == 0:
        raise ScienceError(f"{name} is empty (0 bytes): replace or remove it")
    try:
        with warnings.catch_warnings():
            # Pillow's complaints about a damaged file (e.g. "Corrupt EXIF data") end in
            # the error below, or concern nothing the pixels depend on
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                frames = getattr(img, "n_frames", 1)  # only multi-frame formats have it
                if frames > 1:
                    raise ScienceError(
                        f"{name} has {frames} frames; multi-frame files are not read: save one image per file"
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
            f"cannot read image {name} ({brief(exc)}); the file is corrupt or truncated: replace or remove it"
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


def missing_source(source: str | Path) -> ScienceError:
    """The error for a ``source`` that is neither a built-in nor an existing path: a
    close built-in name when it looks like a name, else "no such file or folder"."""
    text = str(source)
    looks_like_name = isinstance(source, str) and "/" not in text and os.sep not in text
    looks_like_name = looks_like_name and Path(text).suffix.lower() not in (".npz", *IMAGE_SUFFIXES)
    if not looks_like_name:
        return ScienceError(f"{text}: no such file or folder; check the path")
    names = [e.name for e in BUILTINS]
    close = difflib.get_close_matches(text.lower(), names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ScienceError(
        f"unknown data set '{text}'{hint} and no such file or folder; built-in image data "
        f"sets: {', '.join(names)}; or give a folder of images or an .npz"
    )
