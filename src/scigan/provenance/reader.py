"""Reading back the provenance marks of a file scigan wrote, whatever its format.

:func:`read_provenance` picks the reader by the file's ending and returns the marks under
the keys :func:`scigan.runs.provenance` writes (``Software``, ``scigan:synthetic``,
``scigan:version``, ``scigan:run``, ``scigan:run_id``, ``scigan:step``, ``scigan:model``,
``scigan:config_hash``, ...); formats whose records hold bare ``key=value`` marks (FASTA,
SMILES, SDF, h5ad ``uns``) get the ``scigan:`` prefix added. Images add what their C2PA
manifest (``c2pa:*``) and invisible watermark (``watermark:*``) say, when those optional
packages are installed.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import SIDECAR
from scigan.modalities.sequences import FASTA_SUFFIXES

Marks = dict[str, str]

#: Image endings whose C2PA manifest and watermark are read too.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: The optional packages behind C2PA and the watermark: missing, those marks are skipped.
OPTIONAL = frozenset({"c2pa", "imwatermark", "cv2", "pywt"})
#: What to install for a format's reader.
INSTALL = {"pyarrow": "scigan[tabular]", "h5py": "scigan[bio]", "tifffile": "scigan[images]"}


def read_provenance(path: Path) -> Marks | None:
    """The provenance marks of the file ``path`` ({key: text}), None when it carries none.

    ScienceError (one line, naming the file) for a missing file, a folder, an ending
    scigan does not write, or a file that cannot be read as its ending says.
    """
    path = Path(path)
    if path.is_dir():
        raise ScienceError(f"{path} is a folder; give the files in it (e.g. {path}/*.png)")
    if not path.is_file():
        raise ScienceError(f"{path} does not exist; give the path of a file scigan wrote")
    suffix = _suffix(path)
    reader = READERS.get(suffix)
    if reader is None:
        raise ScienceError(f"{path}: scigan writes no '{suffix}' files; it reads {', '.join(READERS)}")
    try:
        marks = reader(path) or {}
        if suffix in IMAGE_SUFFIXES:
            marks = {**marks, **_image_extras(path)}
    except ScienceError:
        raise
    except ImportError as err:
        package = (err.name or "").split(".")[0]
        raise ScienceError(
            f"{path}: reading '{suffix}' files needs {package}: pip install '{INSTALL.get(package, package)}'"
        ) from None
    except Exception as err:
        raise ScienceError(f"{path} cannot be read as a '{suffix}' file ({brief(err)}); is it damaged?") from None
    return marks or None


def _suffix(path: Path) -> str:
    """The ending that names the format: ``.fasta`` for ``x.fasta.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".gz"] and len(suffixes) > 1:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def _scigan_only(entries: dict[str, str]) -> Marks:
    """The provenance entries of a key-value store (PNG text, Parquet metadata): the
    ``scigan:*`` keys with ``Software`` and ``Synthetic``, when scigan wrote them (a
    ``scigan:`` key, or Software naming scigan); {} for another program's metadata."""
    ours = any(k.startswith("scigan:") for k in entries) or entries.get("Software", "").startswith("scigan")
    if not ours:
        return {}
    return {k: v for k, v in entries.items() if k.startswith("scigan:") or k in ("Software", "Synthetic")}


def _prefixed(fields: dict[str, str]) -> Marks:
    """Bare record marks (``synthetic``, ``run``, ``step``, ...) under scigan's keys; {}
    when they do not say ``synthetic``."""
    if "synthetic" not in fields:
        return {}
    return {("Software" if k.lower() == "software" else f"scigan:{k}"): v for k, v in fields.items()}


def _text_value(value: Any) -> str:
    """A stored value as text: booleans as true/false, bytes decoded."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return _text_value(value.item())
    return str(value)


def _json_marks(text: str, where: str) -> Marks:
    """A JSON object of marks as {key: text}; ScienceError naming ``where`` otherwise."""
    try:
        found = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScienceError(f"{where} holds provenance that is not valid JSON ({brief(err)})") from None
    if not isinstance(found, dict):
        raise ScienceError(f"{where} holds provenance that is not a JSON object")
    return {str(k): _text_value(v) for k, v in found.items()}


def _png(path: Path) -> Marks:
    from PIL import Image

    with Image.open(path) as image:
        if image.format != "PNG":
            raise ValueError(f"it is {image.format or 'not an image'}, not PNG")
        image.load()  # text chunks after the pixels count too; a truncated file fails here
        text = getattr(image, "text", {})
        return _scigan_only({str(k): str(v) for k, v in text.items()})


def _tiff(path: Path) -> Marks:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        page = tif.pages.first if tif.pages else None
        description = str(getattr(page, "description", "") or "")
    if not description.lstrip().startswith("{"):
        return {}
    return _scigan_only(_json_marks(description, f"{path}'s ImageDescription"))


def _jpeg(path: Path) -> Marks:
    from PIL import Image

    with Image.open(path) as image:
        if image.format != "JPEG":
            raise ValueError(f"it is {image.format or 'not an image'}, not JPEG")
    return {}  # scigan marks JPEGs only with C2PA and the watermark (_image_extras)


def _npz(path: Path) -> Marks:
    with np.load(path, allow_pickle=False) as arrays:
        if "provenance" not in arrays.files:
            return {}
        text = str(arrays["provenance"])
    return _json_marks(text, f"{path}'s provenance array")


def _h5ad(path: Path) -> Marks:
    import h5py

    with h5py.File(path, "r") as f:
        group = f.get("uns/scigan")
        if not isinstance(group, h5py.Group):
            return {}
        fields = {k: _text_value(v[()]) for k, v in group.items() if isinstance(v, h5py.Dataset)}
    return _prefixed(fields)


def _parquet(path: Path) -> Marks:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    return _scigan_only({k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in metadata.items()})


def _sidecar(path: Path) -> Marks:
    sidecar = path.with_name(path.name + SIDECAR)
    if not sidecar.is_file():
        return {}
    try:
        text = sidecar.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScienceError(f"{sidecar} cannot be read ({brief(err)})") from None
    return _json_marks(text, str(sidecar))


def _open_text(path: Path) -> IO[str]:
    """``path`` opened as UTF-8 text (gzip-compressed when it ends in .gz)."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _first_line(path: Path) -> str:
    """The first non-blank line of the text file ``path`` ("" when it has none)."""
    with _open_text(path) as lines:
        return next((line for line in lines if line.strip()), "")


def _fields(tokens: list[str]) -> dict[str, str]:
    """The ``key=value`` tokens of a record's name as {key: value}."""
    return dict(t.split("=", 1) for t in tokens if "=" in t)


def _fasta(path: Path) -> Marks:
    header = _first_line(path)
    if not header.startswith(">"):
        raise ValueError("its first line is not a '>' header")
    return _prefixed(_fields(header[1:].split()))


def _smi(path: Path) -> Marks:
    return _prefixed(_fields(_first_line(path).split()[1:]))


def _sdf(path: Path) -> Marks:
    """The data items (``> <key>`` then its value) of the first record."""
    fields: dict[str, str] = {}
    key, ended = None, False
    with _open_text(path) as lines:
        for raw in lines:
            line = raw.rstrip("\r\n")
            if line.startswith("$$$$"):
                break
            if line.startswith("M  END"):
                ended = True
            elif ended and line.startswith(">") and "<" in line and ">" in line[line.index("<") :]:
                start = line.index("<") + 1
                key = line[start : line.index(">", start)]
            elif key is not None:
                fields[key] = line
                key = None
    if not ended:
        raise ValueError("its first record has no 'M  END' line")
    return _prefixed(fields)


def _image_extras(path: Path) -> Marks:
    """What the C2PA manifest (``c2pa:*``) and the invisible watermark (``watermark:*``)
    of an image say; a source whose optional package is missing is skipped."""
    extras: Marks = {}
    for prefix, read in (("c2pa", _credentials), ("watermark", _watermark)):
        try:
            found = read(path)
        except ImportError as err:
            if (err.name or "").split(".")[0] in OPTIONAL:
                continue
            raise
        extras.update({f"{prefix}:{k}": str(v) for k, v in (found or {}).items()})
    return extras


def _credentials(path: Path) -> dict[str, str] | None:
    from scigan.provenance.credentials import read_manifest

    return read_manifest(path)


def _watermark(path: Path) -> dict[str, str] | None:
    from scigan.provenance.watermark import detect_file

    return detect_file(path)


#: The reader of each file ending scigan writes.
READERS: dict[str, Callable[[Path], Marks]] = {
    ".png": _png,
    ".tif": _tiff,
    ".tiff": _tiff,
    ".jpg": _jpeg,
    ".jpeg": _jpeg,
    ".npz": _npz,
    ".h5ad": _h5ad,
    ".parquet": _parquet,
    ".csv": _sidecar,
    ".tsv": _sidecar,
    **{suffix: _fasta for suffix in FASTA_SUFFIXES},
    ".smi": _smi,
    ".sdf": _sdf,
}
