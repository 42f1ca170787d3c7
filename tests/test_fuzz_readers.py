"""Every reader, fuzzed (issue 11): truncated, random and mutated files, each made from a
small valid one, must be read or refused with one line (a ScienceError, exit 2 on the
command line), never fail otherwise (exit 1) and never write anything else on stderr.

Each reader is called as the command line calls it, through its kind's
``Modality.read(config)`` (or :func:`read_pictures`, enhancement's reader), so no
training starts; :func:`test_the_command_line_refuses_each_broken_file` checks the exit
code and the single line of ``scigan train`` for one broken file of each format. The
examples are derandomized: the same inputs on every run, :data:`EXAMPLES` of them per
reader (1,700 in all).
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers import TINY, cli_error
from scigan.config import TrainConfig
from scigan.errors import ScienceError
from scigan.modalities import get_kind
from scigan.modalities.images.pictures import read_pictures
from scigan.warn import one_line_warnings

pd = pytest.importorskip("pandas")

#: Fuzzed inputs per reader: 1,700 in all, about 30 s on one thread (an .h5ad is first
#: checked in a child process, 0.2 s each). SCIGAN_FUZZ_SCALE=20
#: tries 20 times as many (a deeper search, about a minute).
EXAMPLES = {
    "png": 150,
    "jpeg": 150,
    "tiff": 130,
    "tiff picture": 120,
    "npz": 150,
    "npz compressed": 100,
    "csv": 200,
    "tsv": 100,
    "parquet": 150,
    "h5ad": 50,
    "expression csv": 100,
    # sequences (issue 12): 300 more, a few seconds
    "fasta": 120,
    "fasta gz": 80,
    "sequence csv": 100,
}

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _quick_hdf5_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged .h5ad that hangs the HDF5 library is given up on after 5 s, not 60."""
    if not _has("anndata"):
        return
    from scigan.modalities.expression import io as expression_io

    monkeypatch.setattr(expression_io, "PROBE_SECONDS", 5.0)


def fuzzed(name: str) -> Callable:
    """Hypothesis settings of the reader ``name``: its number of examples, the same ones
    on every run, no deadline (a slow example is not a failure)."""
    return settings(
        max_examples=max(1, round(EXAMPLES[name] * float(os.environ.get("SCIGAN_FUZZ_SCALE", "1")))),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _edit(seed: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(seed)
    for at, value in edits:
        out[at % len(out)] = value
    return bytes(out)


def broken(seed: bytes) -> st.SearchStrategy[bytes]:
    """Files made from the valid ``seed``: truncated; a few bytes overwritten anywhere or
    in the first 128 (the headers); a slice replaced by random bytes; random bytes after
    the seed's first 8 (its magic number); or random bytes alone."""
    n = len(seed)
    edits = st.tuples(st.integers(0, n - 1), st.integers(0, 255))
    head = st.tuples(st.integers(0, min(n, 128) - 1), st.integers(0, 255))
    return st.one_of(
        st.integers(0, n - 1).map(lambda k: seed[:k]),
        st.lists(edits, min_size=1, max_size=8).map(lambda e: _edit(seed, e)),
        st.lists(head, min_size=1, max_size=4).map(lambda e: _edit(seed, e)),
        st.tuples(st.integers(0, n), st.integers(0, 64), st.binary(max_size=64)).map(
            lambda t: seed[: t[0]] + t[2] + seed[t[0] + t[1] :]
        ),
        st.binary(max_size=256).map(lambda b: seed[:8] + b),
        st.binary(max_size=512),
    )


def read_cleanly(read: Callable[[], object], capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture) -> None:
    """Call ``read`` as ``scigan train`` would (warnings shown as one line each): it must
    return or raise a one-line ScienceError; anything else fails the test, and nothing
    but scigan's one-line warnings may reach stderr, nor any log record of level
    WARNING or above (the command line configures no logging, so Python would print it)."""
    capsys.readouterr()
    caplog.clear()
    try:
        with one_line_warnings("scigan train"):
            read()
    except ScienceError as err:
        message = str(err)
        assert message and "\n" not in message, repr(message)
    stray = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("scigan train: warning: ")]
    assert not stray, stray
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]
    assert not logged, logged


def read_with_kind(path: Path, kind: str, **options: object) -> object:
    """What ``scigan train PATH`` reads: the kind's ``read`` of a config naming ``path``."""
    config = TrainConfig.from_flat(data=str(path), modality=kind, **options)
    return get_kind(kind).create().read(config)


# ---- the valid files the broken ones are made from ----------------------------------------


def _image_bytes(array: np.ndarray, fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **save)
    return buffer.getvalue()


@cache
def seeds() -> dict[str, bytes]:
    """One small valid file of each format, by reader name."""
    gray = RNG.integers(0, 256, (8, 8), dtype=np.uint8)
    rgb = RNG.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    wide = RNG.integers(0, 4096, (8, 8)).astype(np.uint16)
    out = {
        "png": _image_bytes(gray, "PNG"),
        "jpeg": _image_bytes(rgb, "JPEG", quality=90),
        "tiff": _image_bytes(wide, "TIFF"),
    }
    x, y = RNG.integers(0, 256, (4, 8, 8), dtype=np.uint8), np.array(["a", "a", "b", "b"])
    for name, save in (("npz", np.savez), ("npz compressed", np.savez_compressed)):
        buffer = io.BytesIO()
        save(buffer, x=x, y=y)
        out[name] = buffer.getvalue()
    frame = pd.DataFrame(
        {
            "age": RNG.integers(20, 80, 24),
            "bmi": RNG.normal(25, 3, 24).round(2),
            "stage": np.array(["I", "II", "III"])[np.arange(24) % 3],
            "when": pd.date_range("2020-01-01", periods=24).strftime("%Y-%m-%d"),
            "outcome": np.array(["alive", "dead"])[np.arange(24) % 2],
        }
    )
    out["csv"] = frame.to_csv(index=False).encode()
    out["tsv"] = frame.to_csv(index=False, sep="\t").encode()
    if _has("pyarrow"):
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        out["parquet"] = buffer.getvalue()
    counts = pd.DataFrame(
        RNG.poisson(3, (16, 6)), index=[f"c{i}" for i in range(16)], columns=[f"G{j}" for j in range(6)]
    )
    out["expression csv"] = counts.assign(kind=np.array(["B", "T"])[np.arange(16) % 2]).to_csv().encode()
    if _has("anndata"):
        import anndata

        adata = anndata.AnnData(
            X=counts.to_numpy(np.float32), obs=pd.DataFrame({"kind": ["B", "T"] * 8}, index=counts.index)
        )
        with tempfile.TemporaryDirectory() as folder:
            adata.write_h5ad(Path(folder) / "x.h5ad")
            out["h5ad"] = (Path(folder) / "x.h5ad").read_bytes()
    out.update(sequence_seeds())
    return out


def sequence_seeds() -> dict[str, bytes]:
    """A small labelled DNA FASTA (plain and gzipped) and a sequence CSV."""
    rng = np.random.default_rng(12)
    strings = ["".join(rng.choice(list("ACGTacgt"), 14)) for _ in range(12)]
    records = "".join(f">s{i} label={'EI' if i % 2 else 'N'}\n{s[:9]}\n{s[9:]}\n" for i, s in enumerate(strings))
    table = "id,sequence,kind\n" + "".join(f"r{i},{s},{'ab'[i % 2]}\n" for i, s in enumerate(strings))
    fasta = records.encode()
    return {"fasta": fasta, "fasta gz": gzip.compress(fasta, mtime=0), "sequence csv": table.encode()}


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def seed(name: str) -> bytes:
    """The valid file of reader ``name``; the test is skipped where its package is missing."""
    if name not in seeds():
        pytest.skip(f"{name} needs a package that is not installed")
    return seeds()[name]


# ---- the readers ----------------------------------------------------------------------------


def _folder_with(folder: Path, suffix: str, data: bytes) -> Path:
    """A folder of three valid images of the seed's format and one made of ``data``."""
    for i in range(3):
        (folder / f"{i}{suffix}").write_bytes(seeds()[{".png": "png", ".jpg": "jpeg", ".tif": "tiff"}[suffix]])
    (folder / f"fuzzed{suffix}").write_bytes(data)
    return folder


def lazily(name: str) -> st.SearchStrategy[bytes]:
    """:func:`broken` files of reader ``name``'s seed, made when the test runs."""
    return st.deferred(lambda: broken(seeds()[name]) if name in seeds() else st.just(b""))


def _fuzz_image_folder(name: str, suffix: str) -> Callable:
    @fuzzed(name)
    @given(data=lazily(name))
    def run(data: bytes, capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture) -> None:
        seed(name)
        with tempfile.TemporaryDirectory() as folder:
            path = _folder_with(Path(folder), suffix, data)
            read_cleanly(lambda: read_with_kind(path, "images"), capsys, caplog)

    return run


test_fuzz_png_folder = _fuzz_image_folder("png", ".png")
test_fuzz_jpeg_folder = _fuzz_image_folder("jpeg", ".jpg")
test_fuzz_tiff_folder = _fuzz_image_folder("tiff", ".tif")


def _fuzz_file(name: str, seed_name: str, filename: str, read: Callable[[Path], object]) -> Callable:
    @fuzzed(name)
    @given(data=lazily(seed_name))
    def run(data: bytes, capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture) -> None:
        seed(seed_name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / filename
            path.write_bytes(data)
            read_cleanly(lambda: read(path), capsys, caplog)

    return run


def _images(path: Path) -> object:
    return read_with_kind(path, "images")


def _expression(path: Path) -> object:
    return read_with_kind(path, "expression", label_column="kind")


test_fuzz_tiff_picture = _fuzz_file("tiff picture", "tiff", "p.tif", read_pictures)
test_fuzz_npz = _fuzz_file("npz", "npz", "x.npz", _images)
test_fuzz_npz_compressed = _fuzz_file("npz compressed", "npz compressed", "x.npz", _images)
test_fuzz_csv = _fuzz_file("csv", "csv", "t.csv", lambda p: read_with_kind(p, "tabular"))
test_fuzz_tsv = _fuzz_file("tsv", "tsv", "t.tsv", lambda p: read_with_kind(p, "tabular", label_column="outcome"))
test_fuzz_parquet = _fuzz_file(
    "parquet", "parquet", "t.parquet", lambda p: read_with_kind(p, "tabular", label_column="outcome")
)
test_fuzz_h5ad = _fuzz_file("h5ad", "h5ad", "x.h5ad", _expression)
test_fuzz_expression_csv = _fuzz_file("expression csv", "expression csv", "x.csv", _expression)
test_fuzz_fasta = _fuzz_file("fasta", "fasta", "x.fasta", lambda p: read_with_kind(p, "sequences"))
test_fuzz_fasta_gz = _fuzz_file("fasta gz", "fasta gz", "x.fa.gz", lambda p: read_with_kind(p, "sequences"))
test_fuzz_sequence_csv = _fuzz_file(
    "sequence csv", "sequence csv", "s.csv", lambda p: read_with_kind(p, "sequences", label_column="kind")
)


# ---- the command line, once per format ------------------------------------------------------


@pytest.mark.parametrize("name", ["png", "jpeg", "tiff", "npz", "csv", "parquet", "h5ad"])
def test_the_command_line_refuses_each_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture, name: str) -> None:
    data = seed(name)
    half = data[: len(data) // 2]
    if name in ("png", "jpeg", "tiff"):
        suffix = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}[name]
        path = _folder_with(tmp_path, suffix, half)
    else:
        path = tmp_path / f"x.{name}"
        path.write_bytes(half)
    line = cli_error(capsys, ["train", str(path), "--steps", "1", "--out", str(tmp_path / "run"), *TINY])
    assert line.startswith("scigan train: error: "), line
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("name", "filename"), [("fasta", "x.fasta"), ("fasta gz", "x.fa.gz")])
def test_the_command_line_refuses_a_broken_fasta(
    tmp_path: Path, capsys: pytest.CaptureFixture, name: str, filename: str
) -> None:
    pytest.importorskip("Bio")
    data = seed(name)
    path = tmp_path / filename
    path.write_bytes(data[: len(data) // 2])
    line = cli_error(capsys, ["train", str(path), "--steps", "1", "--out", str(tmp_path / "run"), *TINY])
    assert line.startswith("scigan train: error: "), line
    assert not (tmp_path / "run").exists()
