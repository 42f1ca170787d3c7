"""Images: reading them from wherever they are (a built-in, a folder of files, an ``.npz``).

Stored form: numpy ``uint8`` shaped N×C×H×W, C = 1 (grayscale) or 3 (RGB), pixel
values 0..255. Labels are int64 (N,) or None. The readers are in :mod:`.builtins`,
:mod:`.files` and :mod:`.npz`; the intensity, colour and size rules they share are in
:mod:`.pixels`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from scigan.errors import ScienceError
from scigan.modalities import get_entry
from scigan.modalities.base import Dataset
from scigan.modalities.images.builtins import load_builtin
from scigan.modalities.images.files import IMAGE_KINDS, IMAGE_SUFFIXES, load_folder, missing_source
from scigan.modalities.images.npz import load_npz
from scigan.modalities.images.pixels import finish_array


def load_images(source: str | Path, *, size: int | None = None, channels: int | None = None) -> Dataset:
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
        data = load_builtin(entry)
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise missing_source(source)
        if path.is_dir():
            data = load_folder(path, size, channels, notes)
        elif path.suffix.lower() == ".npz":
            data = load_npz(path, notes)
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            raise ScienceError(f"{path} is a single image; give the folder that holds the images (at least 2)")
        else:
            raise ScienceError(
                f"{path}: cannot read '{path.suffix}' files as images; give a folder of "
                f"{IMAGE_KINDS} files or an .npz with an array 'x'"
            )
    data.x = finish_array(data.x, size, channels, notes, data.info)
    if notes:
        data.info["conversions"] = [f"{n} {what}" for what, n in sorted(notes.items())]
    return data
