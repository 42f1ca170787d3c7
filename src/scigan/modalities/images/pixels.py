"""Images: the pixel rules every reader applies (intensity scale, colour, size).

Stored form: numpy ``uint8`` shaped N×C×H×W, C = 1 (grayscale) or 3 (RGB), pixel
values 0..255.

Intensity rules, applied the same way to image files and ``.npz`` arrays:

* uint8: kept as is.
* Other integers (16-bit TIFF/PNG, uint16 arrays): scaled linearly by 255 / (2**b - 1),
  where b is the smallest of 8, 10, 12, 14, 16, 24, 32, 64 bits that holds the largest
  value in the data set (so 12-bit camera data stored in 16 bits fills 0..255 instead of
  0..15, and every image gets the same scale). Negative values are refused.
* Floats: if every value is in [0, 1], multiplied by 255; else if in [0, 255], kept;
  then rounded to the nearest integer. Anything else (e.g. [-1, 1]) is refused, as are
  NaN and inf.

Colour rules: alpha is composited over black; palette, CMYK and other colour modes
become RGB (see :mod:`.files`); an RGB image whose three channels are identical counts
as grayscale. The data set is RGB if any image is colour, else grayscale. Every
conversion is counted in ``Dataset.info["conversions"]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError

_BIT_DEPTHS = (8, 10, 12, 14, 16, 24, 32, 64)


# ------------------------------------------------------------------ intensity rules


def intensity_scale(dtype: np.dtype, lo: float, hi: float, what: str) -> tuple[float, str]:
    """The factor that maps data of ``dtype`` spanning [lo, hi] to 0..255, and a note."""
    if np.issubdtype(dtype, np.integer):
        if lo < 0:
            raise ScienceError(f"{what}: negative pixel values (min {lo}); images must hold non-negative intensities")
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


def apply_scale(x: np.ndarray, factor: float) -> np.ndarray:
    """``x`` (any shape) times ``factor``, rounded and clipped to uint8 0..255; uint8 as is."""
    if x.dtype == np.uint8:
        return x
    return np.clip(np.rint(x.astype(np.float64) * factor), 0, 255).astype(np.uint8)


def check_finite(x: np.ndarray, what: str) -> None:
    """Refuse float pixels (any shape) holding NaN or inf; ``what`` names the source."""
    if np.issubdtype(x.dtype, np.floating):
        bad = int(np.count_nonzero(~np.isfinite(x)))
        if bad:
            raise ScienceError(
                f"{what}: {bad} NaN/inf value{'s' * (bad != 1)} in the pixels; fill or drop "
                "them (e.g. np.nan_to_num) first"
            )


def to_uint8_all(images: list[np.ndarray], what: str, notes: Counter[str]) -> list[np.ndarray]:
    """Bring every image to uint8 with one scale per kind (integer, float) for the whole set."""
    for kind in (np.integer, np.floating):
        members = [i for i, a in enumerate(images) if a.dtype != np.uint8 and np.issubdtype(a.dtype, kind)]
        if not members:
            continue
        for i in members:
            check_finite(images[i], what)
        lo = min(images[i].min() for i in members).item()
        hi = max(images[i].max() for i in members).item()
        factor, note = intensity_scale(images[members[0]].dtype, lo, hi, what)
        if note:
            notes[f"images: {note}"] += len(members)
        for i in members:
            images[i] = apply_scale(images[i], factor)
    return images


# --------------------------------------------------------------- colour and size


def luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma of ...×3 uint8, as uint8 (the rule PIL uses for RGB -> L)."""
    weights = np.array([0.299, 0.587, 0.114])
    return np.clip(np.rint(rgb.astype(np.float64) @ weights), 0, 255).astype(np.uint8)


def _is_colour(a: np.ndarray) -> bool:
    return a.ndim == 3 and not (np.array_equal(a[..., 0], a[..., 1]) and np.array_equal(a[..., 1], a[..., 2]))


def unify_colour(images: list[np.ndarray], channels: int | None, notes: Counter[str]) -> list[np.ndarray]:
    """H×W or H×W×3 uint8 images -> H×W×C with one C for all (see module rules)."""
    colour = [_is_colour(a) for a in images]
    target = channels or (3 if any(colour) else 1)
    out = []
    for a, is_colour in zip(images, colour, strict=True):
        if target == 1:
            if is_colour:
                notes["colour images converted to grayscale (ITU-R 601 luma)"] += 1
                a = luma(a)
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


def square_resize(a: np.ndarray, size: int, notes: Counter[str]) -> np.ndarray:
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


def unify_size(
    images: list[np.ndarray],
    names: Sequence[str],
    size: int | None,
    source: Path,
    notes: Counter[str],
) -> list[np.ndarray]:
    """H×W×C uint8 images resized to ``size``×``size`` (center-cropped first), or, with
    ``size`` None, checked to share one size; ``names`` name them in the message."""
    if size is not None:
        return [square_resize(a, size, notes) for a in images]
    first = images[0].shape[:2]
    for a, name in zip(images, names, strict=True):
        if a.shape[:2] != first:
            raise ScienceError(
                f"{source}: images differ in size ({names[0]} is {first[0]}x{first[1]}, {name} is "
                f"{a.shape[0]}x{a.shape[1]}); pass --size N (size=N) to center-crop and resize "
                "all to NxN"
            )
    return images


def finish_array(
    x: np.ndarray, size: int | None, channels: int | None, notes: Counter[str], info: dict[str, Any]
) -> np.ndarray:
    """N×H×W×C uint8 -> N×C×H×W uint8 with the requested channels and size."""
    if channels == 1 and x.shape[3] == 3:
        notes["colour images converted to grayscale (ITU-R 601 luma)"] += len(x)
        x = luma(x)[..., None]
    if size is not None:
        info["size"] = size
        if x.shape[1:3] != (size, size):
            x = np.stack([square_resize(a, size, notes) for a in x])
    if channels == 3 and x.shape[3] == 1:  # after resizing: a third of the work
        notes["grayscale images replicated to RGB"] += len(x)
        x = np.repeat(x, 3, axis=3)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))
