"""Reading and writing molecules: SMILES files (.smi, .smiles, .txt), CSV/TSV with a
SMILES column, SDF (RDKit), lists of strings (the API) and the built-ins.

A loaded set is a :class:`~scigan.modalities.base.Dataset` whose ``x`` is an object
array (N,) of canonical SMILES: every record parsed and sanitised by RDKit, salts and
mixtures cut to their largest fragment, duplicates removed (the first kept). What was
dropped is counted in ``info`` and said with :func:`scigan.warn.warn`; input with more
invalid records than ``max_invalid`` allows is refused with the first line numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset, check_output_file, write_sidecar
from scigan.modalities.molecules.builtins import NOTES, load_builtin
from scigan.warn import warn

#: Text endings read as one SMILES per line (each also gzipped).
SMILES_SUFFIXES = (".smi", ".smiles", ".txt")
#: Table endings -> their delimiter.
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
#: SDF endings.
SDF_SUFFIXES = (".sdf", ".sd")
#: Column names taken as the SMILES when --smiles-column is not given (any case).
SMILES_COLUMNS = ("smiles", "canonical_smiles", "smi")
#: Endings :func:`save_molecules` writes.
WRITE_SUFFIXES = (".smi", ".csv", ".sdf")
#: More distinct numeric labels than this read as a property to bin, not as classes.
MAX_CLASSES = 20
#: Line numbers named in a refusal.
SHOWN = 5


@dataclass
class _Records:
    """Molecules as read: SMILES strings (or RDKit molecules, from SDF) (N,), the line or
    record number of each (N,), labels (N,) as text or None, numeric columns by name."""

    source: str
    items: list[Any]
    where: list[str]
    labels: list[str] | None = None
    numeric: dict[str, list[float]] = field(default_factory=dict)
    test_mask: np.ndarray | None = None
    note: str = ""


def _endings(path: Path) -> tuple[str, bool]:
    name = path.name.lower()
    gz = name.endswith(".gz")
    return Path(name[:-3] if gz else name).suffix, gz


def _read_text(path: Path, gz: bool) -> str:
    """The file's text, refusing an empty, binary, non-UTF-8 or broken gzip file."""
    try:
        raw = gzip.decompress(path.read_bytes()) if gz else path.read_bytes()
    except (OSError, EOFError, zlib.error) as err:
        raise ScienceError(f"{path} is not a readable file ({brief(err)}); check or gzip it again") from None
    if not raw.strip():
        raise ScienceError(f"{path} is empty: no molecules; give a file with one SMILES per line")
    if b"\0" in raw:
        raise ScienceError(f"{path} holds NUL bytes, so it is binary, not a SMILES, CSV or SDF text file")
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as err:
        raise ScienceError(f"{path} is not UTF-8 text (byte at {err.start}); save it as UTF-8") from None


def _read_smiles_file(path: Path, gz: bool) -> _Records:
    """One SMILES per line, optionally followed by a name; '#' lines and a 'smiles' header skipped."""
    items: list[Any] = []
    where: list[str] = []
    names: list[str] = []
    for number, line in enumerate(_read_text(path, gz).splitlines(), 1):
        parts = line.split(None, 1)
        if not parts or parts[0].startswith("#") or (not items and parts[0].lower() in SMILES_COLUMNS):
            continue
        items.append(parts[0])
        where.append(f"line {number}")
        names.append(parts[1].strip() if len(parts) > 1 else "")
    labels = None
    if names and all(n.startswith("label=") for n in names):  # a run's own copy
        labels = [n.split(None, 1)[0][len("label=") :] for n in names]
    return _Records(str(path), items, where, labels)


def _column(columns: list[str], wanted: str, flag: str, source: str) -> str:
    if wanted not in columns:
        shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
        raise ScienceError(f"{flag} {wanted!r}: {source} has no such column; its columns: {shown}")
    return wanted


def _read_table(path: Path, suffix: str, gz: bool, smiles_column: str, label_column: str) -> _Records:
    import pandas as pd

    text = _read_text(path, gz)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=TABLE_SUFFIXES[suffix], dtype=str, keep_default_na=False)
    except Exception as err:  # any parser failure means the file is damaged or not a table
        raise ScienceError(f"{path} is not a readable table: {brief(err)}") from None
    columns = [str(c) for c in frame.columns]
    if smiles_column:
        column = _column(columns, smiles_column, "--smiles-column", str(path))
    else:
        found = [c for c in columns if c.strip().lower() in SMILES_COLUMNS]
        if not found:
            raise ScienceError(
                f"{path} has no column named smiles (its columns: {', '.join(columns[:12])}); pass --smiles-column NAME"
            )
        column = found[0]
    labels = None
    if label_column:
        labels = [str(v).strip() for v in frame[_column(columns, label_column, "--label-column", str(path))]]
    where = [f"line {i + 2}" for i in range(len(frame))]
    return _Records(str(path), [str(s).strip() for s in frame[column]], where, labels)


def _read_sdf(path: Path, gz: bool, label_column: str) -> _Records:
    """SDF records parsed by RDKit (a broken record reads as None, counted as invalid)."""
    from rdkit import Chem

    from scigan.modalities.molecules import chem  # noqa: F401  (silences RDKit's log)

    text = _read_text(path, gz)
    supplier = Chem.SDMolSupplier()
    supplier.SetData(text, sanitize=True)
    items, where, labels = [], [], []
    for i in range(len(supplier)):
        mol = supplier[i]
        items.append(mol)
        where.append(f"record {i + 1}")
        if label_column:
            if mol is not None and not mol.HasProp(label_column):
                raise ScienceError(
                    f"--label-column {label_column!r}: record {i + 1} of {path} has no such property; "
                    f"its properties: {', '.join(mol.GetPropNames()) or 'none'}"
                )
            labels.append(mol.GetProp(label_column).strip() if mol is not None else "")
    if not items:
        raise ScienceError(f"{path} holds no SDF records (no '$$$$' lines); is it an SDF file?")
    return _Records(str(path), items, where, labels if label_column else None)


def _read_path(path: Path, smiles_column: str, label_column: str) -> _Records:
    if path.is_dir():
        raise ScienceError(f"{path} is a folder; give a .smi, .csv or .sdf file of molecules")
    if not path.is_file():
        raise ScienceError(f"{path} does not exist; give a built-in (qm9, moses) or a .smi, .csv or .sdf file")
    suffix, gz = _endings(path)
    if suffix in SDF_SUFFIXES:
        return _read_sdf(path, gz, label_column)
    if suffix in TABLE_SUFFIXES:
        return _read_table(path, suffix, gz, smiles_column, label_column)
    if label_column:
        raise ScienceError(f"--label-column needs a CSV/TSV or SDF file; {path} is a SMILES list")
    return _read_smiles_file(path, gz)


def _clean(rec: _Records, max_invalid: float) -> tuple[list[str], list[int], dict[str, Any]]:
    """Canonical SMILES of the valid records (largest fragment, duplicates dropped), the
    index of each in ``rec.items``, and the counts of what was dropped."""
    from scigan.modalities.molecules.chem import largest_fragment, parse, to_smiles

    smiles, kept, seen = [], [], set()
    invalid, cut, duplicates = [], 0, 0
    for i, item in enumerate(rec.items):
        mol = parse(item) if isinstance(item, str) else item
        if mol is None or mol.GetNumAtoms() == 0:
            invalid.append(i)
            continue
        mol, removed = largest_fragment(mol)
        cut += removed
        s = to_smiles(mol)
        if s in seen:
            duplicates += 1
            continue
        seen.add(s)
        smiles.append(s)
        kept.append(i)
    n = len(rec.items)
    if n == 0:
        raise ScienceError(f"{rec.source} holds no molecules; give one SMILES per line")
    if invalid:
        lines = ", ".join(rec.where[i] for i in invalid[:SHOWN]) + (", …" if len(invalid) > SHOWN else "")
        share = len(invalid) / n
        if share > max_invalid or len(invalid) == n:
            raise ScienceError(
                f"{rec.source}: {len(invalid)} of {n} records ({share:.1%}) are not valid molecules ({lines}); "
                f"fix them, or raise --max-invalid (now {max_invalid:g}) to drop them"
            )
        warn(f"{rec.source}: dropped {len(invalid)} invalid record(s) of {n} ({lines})")
    if cut:
        warn(f"{rec.source}: {cut} salt(s) or mixture(s) cut to their largest fragment")
    counts = {"n_records": n, "n_invalid": len(invalid), "n_fragments_cut": cut, "n_duplicates": duplicates}
    return smiles, kept, counts


def _numbers(text: Sequence[str]) -> bool:
    """Whether every string reads as a number."""
    try:
        [float(t) for t in text]
    except ValueError:
        return False
    return True


def _labels(
    rec: _Records, kept: list[int], label_column: str, property_bins: int
) -> tuple[np.ndarray | None, list[str]]:
    """Labels (N,) int64 of the kept records and the class names; a numeric property is
    cut into ``property_bins`` quantile bins."""
    values: list[Any] | None
    if label_column and label_column in rec.numeric:
        values = [rec.numeric[label_column][i] for i in kept]
    elif rec.labels is not None:
        values = [rec.labels[i] for i in kept]
    elif label_column:
        raise ScienceError(f"--label-column {label_column!r}: {rec.source} has no such column")
    else:
        return None, []
    what = f"--label-column {label_column}" if label_column else "label"
    if property_bins:
        try:
            numbers = np.asarray(values, dtype=float)
        except ValueError:
            raise ScienceError(f"{what} holds text, so --property-bins cannot bin it; drop --property-bins") from None
        if not np.isfinite(numbers).all():
            raise ScienceError(f"{what} holds {int((~np.isfinite(numbers)).sum())} missing or infinite value(s)")
        edges = np.unique(np.quantile(numbers, np.linspace(0, 1, property_bins + 1)))
        if len(edges) < 3:
            raise ScienceError(f"{what} has too few distinct values for {property_bins} bins")
        y = np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, len(edges) - 2)
        names = [
            f"[{edges[b]:.4g}, {edges[b + 1]:.4g}{']' if b == len(edges) - 2 else ')'}" for b in range(len(edges) - 1)
        ]
        return y.astype(np.int64), names
    text = [str(v) for v in values]
    if label_column in rec.numeric or (len(set(text)) > MAX_CLASSES and _numbers(text)):
        raise ScienceError(f"{what} looks numeric ({len(set(text))} distinct values); pass --property-bins K")
    empty = [i for i, v in enumerate(text) if not v]
    if empty:
        raise ScienceError(f"{what}: {rec.where[kept[empty[0]]]} has an empty label; fill or drop it")
    names = sorted(set(text))
    if len(names) < 2:
        raise ScienceError(f"{what}: every molecule has the label {names[0]!r}; a label needs two classes")
    index = {name: k for k, name in enumerate(names)}
    return np.array([index[v] for v in text], dtype=np.int64), names


def load_molecules(
    source: str | Path | Sequence[str],
    *,
    smiles_column: str = "",
    label_column: str = "",
    property_bins: int = 0,
    max_invalid: float = 0.05,
    subset: int = -1,
    seed: int = 0,
) -> Dataset:
    """Molecules from a built-in (``qm9``, ``moses``), a file or a list of SMILES.

    ``subset`` (built-ins): a seeded draw of that many (-1: 20,000; 0: all).
    Returns a Dataset whose ``x`` is an object array (N,) of canonical SMILES; ``info``
    holds the counts of invalid records, cut salts and duplicates, and a ``note``.
    """
    name = str(source).strip().lower() if isinstance(source, str | Path) else ""
    if name in NOTES:
        items, mask, numeric = load_builtin(name, subset, seed)
        rec = _Records(name, list(items), [f"row {i + 1}" for i in range(len(items))], None, numeric, mask, NOTES[name])
    elif isinstance(source, str | Path):
        rec = _read_path(Path(source), smiles_column, label_column)
    else:
        items = [str(s).strip() for s in source]
        rec = _Records("the given SMILES", items, [f"item {i + 1}" for i in range(len(items))])
    smiles, kept, counts = _clean(rec, max_invalid)
    y, names = _labels(rec, kept, label_column, property_bins)
    mask = None if rec.test_mask is None else rec.test_mask[kept]
    info = {**counts, "note": rec.note, "label_column": label_column, "property_bins": property_bins}
    return Dataset(
        x=np.array(smiles, dtype=object),
        y=y,
        class_names=names,
        source=rec.source,
        modality="molecules",
        test_mask=mask,
        info=info,
    )


def save_molecules(
    smiles: Sequence[str],
    path: Path,
    *,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] = (),
    header: dict[str, str] | None = None,
    synthetic: bool = True,
    overwrite: bool = False,
) -> int:
    """Write the valid molecules of ``smiles`` (N,; "" = an invalid generation, skipped) as
    .smi, .csv (SMILES, label, QED, logP, SA, MW) or .sdf (RDKit), atomically; returns how
    many were written.

    ``synthetic`` records carry ``synthetic=true`` and ``header`` (run, step): in .smi the
    name field (``synthetic_<i> run=… step=…``), in .csv columns and a
    ``<file>.provenance.json`` sidecar, in .sdf properties.
    A run's own copy (not synthetic) writes ``label=<name>`` names, which read back.
    An existing file is replaced only with ``overwrite``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    check_output_file(path, suffix, WRITE_SUFFIXES, what="molecules", example="molecules.sdf", overwrite=overwrite)
    rows = [i for i, s in enumerate(smiles) if s]
    names = [str(class_names[int(labels[i])]) for i in rows] if labels is not None else None
    marks = {"synthetic": "true", **(header or {})} if synthetic else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if suffix == ".sdf":
            _write_sdf(tmp, [smiles[i] for i in rows], names, marks)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                if suffix == ".smi":
                    _write_smi(f, [smiles[i] for i in rows], names, marks)
                else:
                    _write_csv(f, [smiles[i] for i in rows], names, marks)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if suffix == ".csv":
        write_sidecar(path, {f"scigan:{k}": str(v) for k, v in marks.items()})
    return len(rows)


def _record_name(i: int, names: list[str] | None, marks: dict[str, str]) -> str:
    parts = [f"synthetic_{i + 1}"] if marks else []
    if names is not None:
        parts.append("label=" + "_".join(names[i].split()))
    parts += [f"{k}={'_'.join(str(v).split())}" for k, v in marks.items()]
    return " ".join(parts)


def _write_smi(handle: Any, smiles: list[str], names: list[str] | None, marks: dict[str, str]) -> None:
    for i, s in enumerate(smiles):
        name = _record_name(i, names, marks)
        handle.write(f"{s}\t{name}\n" if name else f"{s}\n")


def _write_csv(handle: Any, smiles: list[str], names: list[str] | None, marks: dict[str, str]) -> None:
    from scigan.modalities.molecules.properties import molecular_properties

    props = molecular_properties(smiles)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["smiles", *(["label"] if names is not None else []), *props, *marks])
    for i, s in enumerate(smiles):
        values = [f"{float(props[k][i]):.4f}" for k in props]
        writer.writerow([s, *([names[i]] if names is not None else []), *values, *marks.values()])


def _write_sdf(path: Path, smiles: list[str], names: list[str] | None, marks: dict[str, str]) -> None:
    from rdkit import Chem

    from scigan.modalities.molecules.chem import parse

    writer = Chem.SDWriter(str(path))
    try:
        for i, s in enumerate(smiles):
            mol = parse(s)
            if mol is None:
                continue
            mol.SetProp("_Name", f"synthetic_{i + 1}" if marks else f"mol_{i + 1}")
            mol.SetProp("SMILES", s)
            if names is not None:
                mol.SetProp("label", names[i])
            for key, value in marks.items():
                mol.SetProp(key, str(value))
            writer.write(mol)
    finally:
        writer.close()
