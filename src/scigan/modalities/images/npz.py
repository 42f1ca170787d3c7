"""Images: reading an ``.npz`` of arrays and its labels.

``x`` (N,H,W) or (N,H,W,C) with C = 1, 3 or 4 (RGBA, composited over black), of any
integer, float or boolean type (scaled by the rules of :mod:`.pixels`); optional ``y``
(N,) integer or string labels, ``class_names`` and a JSON ``provenance`` string (as
:func:`scigan.modalities.images.writers.save_images` writes them).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset
from scigan.modalities.images.pixels import apply_scale, check_finite, intensity_scale

#: How an .npz (a zip archive) begins: a local file header, or the end record of an empty one.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def not_npz(path: Path) -> str:
    """Why the file at ``path`` is not an .npz, judged by its first bytes (e.g. "it holds
    text: 'hello'"), or "" when it begins as a zip archive does."""
    with open(path, "rb") as f:
        head = f.read(64)
    if not head:
        return "it is empty, 0 bytes"
    if head.startswith(ZIP_MAGIC):
        return ""
    if head.startswith(b"\x93NUMPY"):
        return "it is a .npy file, one array saved by np.save"
    text = head.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= 1 and all(c.isprintable() or c.isspace() for c in text):
        first = " ".join(text.split())[:40]
        return f"it holds text: {first!r}"
    return f"it begins with the bytes {head[:8].hex(' ')}"


def load_npz(path: Path, notes: Counter[str]) -> Dataset:
    """The arrays in ``path``, x uint8 N×H×W×C (the caller reorders to N×C×H×W)."""
    reason = not_npz(path)
    if reason:
        raise ScienceError(f"{path} is not an .npz file ({reason}); save images as np.savez(path, x=images, y=labels)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise ScienceError(
                f"{path} holds Python objects; save labels as plain arrays, e.g. "
                "np.savez(path, x=x, y=np.asarray(labels, dtype=str))"
            ) from None
        raise ScienceError(f"cannot read {path} as .npz ({brief(exc)}); the file is corrupt") from None
    except Exception as exc:  # zipfile/zlib errors: the archive is damaged
        raise ScienceError(f"cannot read {path} as .npz ({brief(exc)}); the file is corrupt") from None
    if "x" not in arrays:
        found = ", ".join(sorted(arrays)) or "nothing"
        raise ScienceError(
            f"{path} has no array named 'x' (found: {found}); save images as np.savez(path, x=images, y=labels)"
        )
    x = arrays["x"]
    if x.ndim == 4 and x.shape[3] not in (1, 3, 4) and x.shape[1] in (1, 3, 4):
        raise ScienceError(
            f"{path}: x has shape {x.shape}, which looks channels-first; save it as (N,H,W,C) "
            "with x.transpose(0, 2, 3, 1)"
        )
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[3] not in (1, 3, 4)):
        raise ScienceError(f"{path}: x has shape {x.shape}; expected (N,H,W) or (N,H,W,C) with C = 1, 3 or 4")
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating) or x.dtype == bool):
        raise ScienceError(f"{path}: x has dtype {x.dtype}; expected integer or float pixel values")
    if len(x) < 2:
        raise ScienceError(f"{path}: x holds {len(x)} image{'s' * (len(x) != 1)}; at least 2 are needed")
    if x.dtype == bool:
        x = x.astype(np.uint8) * 255
        notes["images: boolean values mapped to 0/255"] += len(x)
    check_finite(x, f"{path}")
    if x.dtype != np.uint8:
        factor, note = intensity_scale(x.dtype, x.min().item(), x.max().item(), f"{path}")
        if note:
            notes[f"images: {note}"] += len(x)
        x = apply_scale(x, factor)
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
    return Dataset(x=x, y=y, class_names=class_names, source=str(path), modality="images", info=info)


def _npz_labels(arrays: dict[str, np.ndarray], n: int, path: Path) -> tuple[np.ndarray | None, list[str]]:
    """``y`` as int64 indices into class names (given, or the sorted distinct labels)."""
    if "y" not in arrays:
        return None, []
    y = arrays["y"]
    if y.ndim != 1 or len(y) != n:
        raise ScienceError(f"{path}: y has shape {y.shape} but x holds {n} images; y must be ({n},)")
    if np.issubdtype(y.dtype, np.floating):
        if not np.isfinite(y).all() or not np.array_equal(y, np.round(y)):
            raise ScienceError(f"{path}: y holds non-integer numbers; labels must be integers or strings")
        y = y.astype(np.int64)
    if "class_names" in arrays and np.issubdtype(y.dtype, np.integer):
        class_names = [str(c) for c in np.atleast_1d(arrays["class_names"])]
        if y.min() < 0 or y.max() >= len(class_names):
            raise ScienceError(f"{path}: y holds values outside 0..{len(class_names) - 1}, the indices of class_names")
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
