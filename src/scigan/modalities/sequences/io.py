"""Reading and writing sequences: FASTA (parsed by Biopython) and CSV/TSV tables, each
optionally gzipped, lists of strings and DataFrames (the API), and the built-ins.

A loaded set is a :class:`~scigan.modalities.base.Dataset` whose ``x`` is an int8 token
array (N, L) (:mod:`.alphabet`). Every refusal is a one-line :class:`ScienceError`
naming the problem, the record and the fix; what a default did is said with
:func:`scigan.warn.warn`.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset, check_output_file, write_sidecar
from scigan.modalities.sequences import FASTA_SUFFIXES
from scigan.modalities.sequences.alphabet import (
    LETTERS,
    check_alphabet,
    class_labels,
    clean,
    detect_alphabet,
    encode_tokens,
    resolve_ambiguous,
    token_length,
)
from scigan.modalities.sequences.builtins import BUILTINS, load_builtin
from scigan.modalities.textfiles import not_utf8, sniff_delimiter
from scigan.warn import warn

if TYPE_CHECKING:
    import pandas as pd

#: Table endings -> their delimiter (each also gzipped, ``.csv.gz``).
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
#: Column names taken as the sequences when --sequence-column is not given (any case).
SEQUENCE_COLUMNS = ("sequence", "seq")
#: Column names taken as the record IDs of a table (any case).
ID_COLUMNS = ("id", "name")
#: Endings :func:`save_sequences` writes (each also gzipped).
WRITE_SUFFIXES = (*FASTA_SUFFIXES, ".csv", ".tsv")


@dataclass
class _Records:
    """Sequences as read, before cleaning: names (N,), strings (N,), labels (N,) or None."""

    source: str
    names: list[str]
    strings: list[str]
    labels: list[str] | None
    label_column: str = ""
    label_field: str = ""
    sequence_column: str = ""
    auto_label: bool = False


def _endings(path: Path) -> tuple[str, bool]:
    """(the ending that names the format, whether the file is gzipped)."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    return Path(name[:-3] if gz else name).suffix, gz


def _read_text(path: Path, gz: bool, table: bool) -> str:
    """The file's text (decompressed), refusing empty, binary and non-UTF-8 files."""
    try:
        if gz:
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError, zlib.error) as err:
        raise ScienceError(f"{path} is not a readable gzip file ({brief(err)}); gzip it again") from None
    if not raw.strip():
        raise ScienceError(f"{path} is empty: no records; give a file with sequences")
    if b"\0" in raw:
        raise ScienceError(f"{path} holds NUL bytes, so it is binary, not a FASTA or CSV text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        if table:
            raise ScienceError(not_utf8(path, err)) from None
        byte = err.object[err.start : err.start + 1].hex()
        raise ScienceError(
            f"{path} is not UTF-8 text (byte 0x{byte} at {err.start}); is it FASTA? save it as UTF-8"
        ) from None
    return text.lstrip("\ufeff")


def _header_label(description: str, key: str) -> str | None:
    """The label ``key`` names in a header: the K-th field when ``key`` is a number K
    (fields split at whitespace and '|'; 1 is usually the ID), else the value of its
    whitespace-separated ``key=value`` token; None when the header has none."""
    if key.isdigit():
        fields = [f for f in re.split(r"[\s|]+", description) if f]
        k = int(key)
        return fields[k - 1] if 0 < k <= len(fields) else None
    for token in description.split():
        if token.startswith(key + "="):
            return token[len(key) + 1 :]
    return None


def _read_fasta(path: Path, gz: bool, label_field: str) -> _Records:
    from Bio import SeqIO

    text = _read_text(path, gz, table=False).lstrip()
    if not text.startswith(">"):
        raise ScienceError(f"{path} is not FASTA: it does not start with a '>' header line (but {text[:20]!r})")
    try:
        records = list(SeqIO.parse(io.StringIO(text), "fasta"))
    except ValueError as err:
        raise ScienceError(f"{path} is not a readable FASTA file: {brief(err)}") from None
    if not records:
        raise ScienceError(f"{path} holds no records; give a FASTA file with sequences")
    names = [r.id for r in records]
    headers = [r.description for r in records]
    key, auto = label_field.strip().removesuffix("="), False
    if not key and all(_header_label(h, "label") is not None for h in headers):
        key, auto = "label", True
    labels: list[str] | None = None
    if key:
        if key.isdigit() and int(key) < 1:
            raise ScienceError(f"--label-field {key}: header fields count from 1 (the ID)")
        found = [_header_label(h, key) for h in headers]
        what = f"field {key}" if key.isdigit() else f"a {key}=value token"
        if all(v is None for v in found):
            raise ScienceError(
                f"--label-field {key}: no header of {path} has {what} (e.g. {headers[0][:60]!r}); "
                "name a header token KEY=value or a field number"
            )
        missing = [names[i] for i, v in enumerate(found) if v is None]
        if missing:
            raise ScienceError(
                f"--label-field {key}: record {missing[0]!r} ({len(missing)} in all) has no {what} in its header; "
                "add it to every header"
            )
        labels = [str(v) for v in found]
    return _Records(str(path), names, [str(r.seq) for r in records], labels, label_field=key, auto_label=auto)


def _column_list(columns: Sequence[str]) -> str:
    return ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")


def _from_frame(frame: pd.DataFrame, name: str, sequence_column: str, label_column: str) -> _Records:
    """Sequences (and labels) from a DataFrame's columns."""
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    for flag, wanted in (("--sequence-column", sequence_column), ("--label-column", label_column)):
        if wanted and wanted not in columns:
            raise ScienceError(f"{flag} {wanted!r}: {name} has no such column; its columns: {_column_list(columns)}")
    found = [sequence_column] if sequence_column else [c for c in columns if c.strip().lower() in SEQUENCE_COLUMNS]
    if not found:
        raise ScienceError(
            f"{name} has no column named sequence or seq (its columns: {_column_list(columns)}); "
            "pass --sequence-column NAME"
        )
    column = found[0]
    if len(frame) == 0:
        raise ScienceError(f"{name} holds no rows; give a table with sequences")

    def text(values: Any) -> list[str]:
        return ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in values]

    ids = [c for c in columns if c.strip().lower() in ID_COLUMNS and c != column]
    names = text(frame[ids[0]]) if ids else [f"row {i + 1}" for i in range(len(frame))]
    labels = text(frame[label_column]) if label_column else None
    return _Records(name, names, text(frame[column]), labels, label_column=label_column, sequence_column=column)


def _read_table(path: Path, suffix: str, gz: bool, sequence_column: str, label_column: str) -> _Records:
    try:
        import pandas as pd
    except ImportError:
        raise ScienceError("sequence tables need pandas: pip install 'scigan[tabular]'") from None
    text = _read_text(path, gz, table=True)
    sep = TABLE_SUFFIXES[suffix] if gz else sniff_delimiter(path, TABLE_SUFFIXES[suffix])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except Exception as err:  # any parser failure means the file is damaged or not a table
        raise ScienceError(f"{path} is not a readable table: {brief(err)}") from None
    return _from_frame(frame, str(path), sequence_column, label_column)


def _read_path(path: Path, label_field: str, label_column: str, sequence_column: str) -> _Records:
    if not path.exists():
        raise ScienceError(f"{path} does not exist; give a FASTA or CSV/TSV file or a built-in ({', '.join(BUILTINS)})")
    if path.is_dir():
        raise ScienceError(f"{path} is a folder; give one FASTA or CSV/TSV file of sequences")
    suffix, gz = _endings(path)
    if suffix in FASTA_SUFFIXES:
        if label_column or sequence_column:
            flag = "--label-column" if label_column else "--sequence-column"
            raise ScienceError(f"{flag} is for tables; a FASTA file's labels come from --label-field (e.g. label)")
        return _read_fasta(path, gz, label_field)
    if suffix in TABLE_SUFFIXES:
        if label_field:
            raise ScienceError("--label-field is for FASTA headers; a table's labels come from --label-column")
        return _read_table(path, suffix, gz, sequence_column, label_column)
    known = ", ".join((*FASTA_SUFFIXES, *TABLE_SUFFIXES))
    raise ScienceError(f"{path}: sequences are read from {known} (each also .gz); rename or convert it")


def _finish(rec: _Records, alphabet: str, ambiguous: str, max_length: int, seed: int, note: str) -> Dataset:
    """Clean, check, resolve ambiguity codes, label and encode the records."""
    if not rec.strings:
        raise ScienceError(f"{rec.source} holds no records; give sequences")
    strings = clean(rec.strings, rec.names)
    empty = [i for i, s in enumerate(strings) if not s]
    if empty:
        raise ScienceError(
            f"{rec.source}: record {rec.names[empty[0]]!r} has an empty sequence "
            f"({len(empty)} record(s) do); remove them or give their letters"
        )
    repeated = [n for n, k in Counter(rec.names).items() if k > 1]
    if repeated:
        warn(f"{rec.source}: {len(repeated)} record ID(s) appear more than once (e.g. {repeated[0]!r}); all are kept")
    if alphabet == "auto":
        alphabet = detect_alphabet(strings, rec.names)
    else:
        check_alphabet(strings, rec.names, alphabet)
    strings, keep = resolve_ambiguous(strings, rec.names, alphabet, ambiguous, seed)
    if not keep.all():
        dropped = int((~keep).sum())
        if dropped == len(strings):
            raise ScienceError(
                f"{rec.source}: every record holds IUPAC ambiguity codes; pass --ambiguous sample to keep them"
            )
        warn(
            f"{rec.source}: dropped {dropped} of {len(strings)} records holding IUPAC ambiguity codes "
            "(--ambiguous sample keeps them, drawing a letter for each code)"
        )
        strings = [s for s, k in zip(strings, keep, strict=True) if k]
        rec.names = [n for n, k in zip(rec.names, keep, strict=True) if k]
        if rec.labels is not None:
            rec.labels = [v for v, k in zip(rec.labels, keep, strict=True) if k]
    what = f"--label-column {rec.label_column}" if rec.label_column else f"--label-field {rec.label_field}"
    what = "the headers' label= tokens" if rec.auto_label else what
    y, class_names = class_labels(rec.labels, rec.names, what, rec.source, rec.auto_label)
    length, fixed = token_length(strings, rec.names, max_length, rec.source)
    letters = LETTERS[alphabet]
    info: dict[str, Any] = {"alphabet": alphabet, "letters": letters, "fixed_length": fixed, "length": length}
    info |= {"label_column": rec.label_column, "label_field": rec.label_field if y is not None else ""}
    info |= {"sequence_column": rec.sequence_column, "ambiguous": ambiguous, "n_dropped": int((~keep).sum())}
    info["note"] = note
    x = encode_tokens(strings, letters, length, end=not fixed)
    return Dataset(x=x, y=y, class_names=class_names, source=rec.source, modality="sequences", info=info)


def load_sequences(
    source: Any,
    *,
    alphabet: str = "auto",
    ambiguous: str = "auto",
    max_length: int = 0,
    label_column: str = "",
    label_field: str = "",
    sequence_column: str = "",
    seed: int = 0,
) -> Dataset:
    """Sequences as a Dataset: ``x`` int8 tokens (N, L), ``y`` int64 labels (N,) or None.

    ``source``: a built-in name (``splice``, ``amp``); a FASTA path (.fa .fasta .fna .faa
    .ffn .frn) or a CSV/TSV path (.csv, .tsv, .txt), each optionally ``.gz``; a list or
    tuple of strings; or a pandas DataFrame (the sequences in ``sequence_column`` or a
    column named sequence/seq). ``alphabet``: auto (detected), dna, rna or protein.
    ``ambiguous``: refuse, drop or sample IUPAC codes (auto: refuse; the splice built-in
    drops). ``max_length`` 0: every sequence must have the same length (no end token);
    else shorter ones are padded with the end token to L = ``max_length`` (a built-in
    has its own default). FASTA labels come from ``label_field`` (a header ``KEY=value``
    token or a 1-based field number; a ``label=`` token in every header is taken
    unasked), a table's from ``label_column``. ``seed`` draws the sampled letters.
    """
    note = ""
    pandas = sys.modules.get("pandas")
    if isinstance(source, (list, tuple)):
        bad = next((i for i, s in enumerate(source) if not isinstance(s, str)), None)
        if bad is not None:
            raise ScienceError(f"sequence {bad + 1} is a {type(source[bad]).__name__}, not a string of letters")
        names = [f"sequence {i + 1}" for i in range(len(source))]
        rec = _Records("list of sequences", names, list(source), None)
    elif pandas is not None and isinstance(source, pandas.DataFrame):
        rec = _from_frame(source, "DataFrame", sequence_column, label_column)
    elif isinstance(source, str) and source.strip().lower() in BUILTINS:
        builtin = BUILTINS[source.strip().lower()]
        strings, labels = load_builtin(builtin.name)
        names = [f"{builtin.name}_{i + 1}" for i in range(len(strings))]
        rec = _Records(builtin.name, names, strings, labels)
        ambiguous = builtin.ambiguous if ambiguous == "auto" else ambiguous
        max_length = max_length or builtin.max_length
        note = builtin.note
    elif isinstance(source, (str, Path)):
        rec = _read_path(Path(source), label_field, label_column, sequence_column)
    else:
        raise ScienceError(f"cannot read sequences from a {type(source).__name__}; give a path, strings or a DataFrame")
    return _finish(rec, alphabet, "refuse" if ambiguous == "auto" else ambiguous, max_length, seed, note)


def _token(value: object) -> str:
    return "_".join(str(value).split())


def save_sequences(
    strings: Sequence[str],
    path: Path,
    *,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] = (),
    header: dict[str, str] | None = None,
    synthetic: bool = True,
    nearest: np.ndarray | None = None,
    overwrite: bool = False,
) -> None:
    """Write sequences (N,) as FASTA (.fasta .fa .fna .faa .ffn .frn) or CSV/TSV, each
    optionally ``.gz``, atomically.

    ``labels`` (N,) index ``class_names``; ``header`` (e.g. run, step) goes into every
    record as ``key=value``; ``synthetic`` records are named ``synthetic_<i>`` and marked
    ``synthetic=true``, others ``seq_<i>``; ``nearest`` (N,) identities in [0, 1] add
    ``nearest_identity``. FASTA headers hold ``label=<name>`` tokens (read back with
    ``--label-field label``); tables have columns id, sequence, [label], [synthetic],
    [nearest_identity] and a ``<file>.provenance.json`` sidecar. An existing file needs ``overwrite``.
    """
    path = Path(path)
    suffix, gz = _endings(path)
    check_output_file(
        path,
        suffix,
        WRITE_SUFFIXES,
        what="sequences",
        example="samples.fasta",
        overwrite=overwrite,
        note=" (each also .gz)",
    )
    n = len(strings)
    for name, values in (("labels", labels), ("nearest", nearest)):
        if values is not None and len(values) != n:
            raise ValueError(f"{name} has {len(values)} values for {n} sequences")
    prefix = "synthetic" if synthetic else "seq"
    ids = [f"{prefix}_{i + 1}" for i in range(n)]
    names = [str(class_names[int(v)]) for v in labels] if labels is not None else None
    fields: list[dict[str, str]] = []
    for i in range(n):
        row = {_token(k): _token(v) for k, v in (header or {}).items()}
        if names is not None:
            row["label"] = _token(names[i])
        if synthetic:
            row["synthetic"] = "true"
        if nearest is not None:
            row["nearest_identity"] = f"{float(nearest[i]):.4f}"
        fields.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with gzip.open(tmp, "wt", encoding="utf-8") if gz else open(tmp, "w", encoding="utf-8", newline="") as f:
            if suffix in FASTA_SUFFIXES:
                _write_fasta(f, ids, strings, fields)
            else:
                _write_table(f, "\t" if suffix == ".tsv" else ",", ids, strings, fields)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if suffix not in FASTA_SUFFIXES:
        marks = {"synthetic": "true", **(header or {})} if synthetic else {}
        write_sidecar(path, {f"scigan:{k}": str(v) for k, v in marks.items()})


def _write_fasta(handle: Any, ids: list[str], strings: Sequence[str], fields: list[dict[str, str]]) -> None:
    from Bio import SeqIO
    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord

    records = (
        SeqRecord(Seq(s), id=i, description=" ".join([i, *(f"{k}={v}" for k, v in row.items())]))
        for i, s, row in zip(ids, strings, fields, strict=True)
    )
    SeqIO.write(records, handle, "fasta")


def _write_table(handle: Any, sep: str, ids: list[str], strings: Sequence[str], fields: list[dict[str, str]]) -> None:
    columns = ["id", "sequence", *(fields[0] if fields else {})]
    writer = csv.writer(handle, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    for i, s, row in zip(ids, strings, fields, strict=True):
        writer.writerow([i, s, *row.values()])
