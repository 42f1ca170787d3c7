"""Images: writing them (a PNG grid, an ``.npz``, or a folder of PNGs), atomically.

Images to write are numpy ``uint8`` N×C×H×W, C = 1 (grayscale) or 3 (RGB); every PNG
carries the run's provenance as text chunks (and, given credentials, a signed C2PA
manifest; given a payload, an invisible watermark in its pixels), and every file is
written under a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError

if TYPE_CHECKING:
    from scigan.provenance.credentials import Credentials

#: What ``save_images`` can write, for error messages.
OUTPUT_FORMATS = ".png (one grid image), .npz (arrays), or a folder path without a suffix (one PNG per image)"


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
    credentials: Credentials | None = None,
    watermark: str | None = None,
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

    Every PNG carries ``provenance`` as text chunks, and a C2PA manifest signed with
    ``credentials`` when given (:mod:`scigan.provenance.credentials`). ``watermark`` (8
    hex digits, e.g. the run id's first 8) is embedded invisibly in every picture written
    (the grid, each PNG, each ``.npz`` image; each needs at least 256×256 pixels:
    :mod:`scigan.provenance.watermark`). Files are written under a temporary
    name and renamed. An existing file or non-empty folder is replaced only with
    ``overwrite=True``, and a folder only if it holds nothing but PNG files (and class
    sub-folders of them).
    """
    path = Path(path).expanduser()
    _check_batch(x_uint8)
    labels_arr, names = _check_labels(labels, class_names, len(x_uint8))
    text = _check_provenance(provenance)
    if path.is_dir() or not path.suffix:
        _save_folder(x_uint8, path, labels_arr, names, text, overwrite, credentials, watermark)
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
        write_png(mark_pixels(grid, watermark), path, text, credentials=credentials)
    else:
        pixels = x_uint8.transpose(0, 2, 3, 1)
        if watermark is not None:
            pixels = np.stack([mark_pixels(image, watermark) for image in pixels])
        arrays: dict[str, np.ndarray] = {"x": pixels[..., 0] if x_uint8.shape[1] == 1 else pixels}
        if labels_arr is not None:
            arrays["y"] = labels_arr
            arrays["class_names"] = np.asarray(names, dtype=str)
        if text:
            arrays["provenance"] = np.asarray(json.dumps(text))
        # numpy's stub lets ** reach allow_pickle: bool; the keys are array names (x, y, ...)
        atomic_write(path, lambda f: np.savez_compressed(f, **arrays))  # type: ignore[arg-type]


def _check_batch(x: np.ndarray) -> None:
    if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 4 or x.shape[1] not in (1, 3):
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
    names = list(class_names) if class_names is not None else [str(i) for i in range(int(y.max()) + 1)]
    if y.max() >= len(names):
        raise ScienceError(f"label {y.max()} has no class name ({len(names)} class_names given)")
    return y.astype(np.int64), [str(s) for s in names]


def _check_provenance(provenance: dict[str, str] | None) -> dict[str, str]:
    text = {str(k): str(v) for k, v in (provenance or {}).items()}
    for key in text:
        try:
            key.encode("latin-1")
        except UnicodeEncodeError:
            raise ScienceError(f"provenance key {key!r} must be Latin-1 text (a PNG rule)") from None
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


def mark_pixels(image: np.ndarray, payload: str | None) -> np.ndarray:
    """H×W×C uint8 (C = 1 or 3) with the invisible watermark ``payload`` (8 hex digits)
    embedded; ``image`` itself when ``payload`` is None. ScienceError below 256×256."""
    if payload is None:
        return image
    from scigan.provenance.watermark import embed

    marked = embed(image[..., 0] if image.shape[2] == 1 else image, payload)
    return marked.reshape(image.shape)


def write_png(image: np.ndarray, path: Path, text: dict[str, str], *, credentials: Credentials | None = None) -> None:
    """Write an H×W×C uint8 (or uint16 grayscale) array, C = 1 or 3, as PNG with ``text``
    chunks (provenance) and, given ``credentials``, a signed C2PA manifest, atomically."""
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    img = Image.fromarray(image[..., 0] if image.shape[2] == 1 else image)
    if credentials is None:
        atomic_write(path, lambda f: img.save(f, format="PNG", pnginfo=info))
        return
    from scigan.provenance.credentials import sign_bytes

    buffer = io.BytesIO()
    img.save(buffer, format="PNG", pnginfo=info)
    signed = sign_bytes(buffer.getvalue(), "image/png", text, credentials, title=path.name)
    atomic_write(path, lambda f: f.write(signed))


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
    credentials: Credentials | None = None,
    watermark: str | None = None,
) -> None:
    if folder.exists() and not folder.is_dir():
        raise ScienceError(f"{folder} is a file, not a folder; pass a folder path or a .png/.npz path")
    if folder.is_dir() and any(folder.iterdir()):
        if not overwrite:
            raise ScienceError(f"{folder} is not empty; pass --overwrite to replace its contents")
        _check_replaceable(folder)
    subfolders = [_folder_name(n) for n in names]
    if labels is not None:
        used = [subfolders[c] for c in np.unique(labels)]
        if len(set(used)) != len(used):
            raise ScienceError(f"class names {sorted(names)} collide as folder names; rename the classes or write .npz")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(folder)
    tmp.mkdir()
    try:
        width = max(5, len(str(len(x) - 1)))
        for i, image in enumerate(x):
            where = tmp if labels is None else tmp / subfolders[labels[i]]
            where.mkdir(exist_ok=True)
            picture = mark_pixels(image.transpose(1, 2, 0), watermark)
            write_png(picture, where / f"{i:0{width}d}.png", text, credentials=credentials)
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
