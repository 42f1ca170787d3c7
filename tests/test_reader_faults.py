"""Readers facing awkward files (issue 11 items 2, 3, 10, 11, 12): other delimiters,
infinities, files that are not what their name says, sizes refused before any data is
read, and warnings that reach the user as one line of scigan's own."""

from __future__ import annotations

import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import TINY, cli_error
from scigan.cli import main
from scigan.errors import ScienceError, ScienceWarning
from scigan.modalities.images.npz import load_npz
from scigan.modalities.images.pictures import read_pictures
from scigan.warn import one_line_warnings

pd = pytest.importorskip("pandas")

from scigan.modalities.tabular.io import load_table  # noqa: E402

RNG = np.random.default_rng(0)


def _table_text(sep: str, rows: int = 60, *, bmi: list[str] | None = None) -> str:
    """A small clinical table (age, bmi, stage, outcome) joined by ``sep``."""
    lines = [sep.join(["age", "bmi", "stage", "outcome"])]
    for i in range(rows):
        value = bmi[i] if bmi is not None and i < len(bmi) else f"{RNG.normal(25, 3):.2f}"
        lines.append(sep.join([str(RNG.integers(20, 80)), value, ["I", "II", "III"][i % 3], "ab"[i % 2]]))
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


# ---- item 2: the delimiter is sniffed; a joined header is named ---------------------------


@pytest.mark.parametrize(("sep", "name"), [(";", "semi.csv"), ("\t", "tabs.csv"), ("|", "pipes.csv"), (",", "c.tsv")])
def test_other_delimiters_read_as_separate_columns(tmp_path: Path, sep: str, name: str) -> None:
    table = load_table(_write(tmp_path / name, _table_text(sep)), label_column="outcome")
    assert list(table.x.columns) == ["age", "bmi", "stage", "outcome"]
    assert table.class_names == ["a", "b"] and table.x["bmi"].dtype == np.float64


def test_semicolons_inside_quotes_do_not_split(tmp_path: Path) -> None:
    text = "name,note,outcome\n" + "".join(f'p{i},"x;y;z",{"ab"[i % 2]}\n' for i in range(20))
    assert list(load_table(_write(tmp_path / "q.csv", text)).x.columns) == ["name", "note", "outcome"]


def test_unknown_label_column_names_a_joined_header(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path / "colons.csv", _table_text(":"))
    line = cli_error(capsys, ["train", path, "--label-column", "outcome", "--out", str(tmp_path / "r"), *TINY])
    assert "unknown column 'outcome'" in line and "age:bmi:stage:outcome" in line
    assert "one column" in line and "':'" in line


def test_a_joined_header_without_label_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _write(tmp_path / "colons.csv", _table_text(":"))
    line = cli_error(capsys, ["train", path, "--out", str(tmp_path / "r"), *TINY])
    assert "one column" in line and "':'" in line


def test_a_table_not_in_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(_table_text(";").replace("stage", "stade_é").encode("cp1252"))
    with pytest.raises(
        ScienceError, match=r"excel.csv is not UTF-8 text \(byte 0xe9 at position 14\); save it as UTF-8"
    ):
        load_table(str(path))


def test_expression_csv_with_semicolons(tmp_path: Path) -> None:
    pytest.importorskip("anndata")
    from scigan.modalities.expression.io import load_expression

    rows = ["cell;G1;G2;G3;kind", *(f"c{i};{i % 3};{i % 5};{i % 2};{'BT'[i % 2]}" for i in range(20))]
    data = load_expression(_write(tmp_path / "cells.csv", "\n".join(rows) + "\n"), label_column="kind")
    assert data.info["genes"] == ["G1", "G2", "G3"] and data.class_names == ["B", "T"]


# ---- item 3: infinities and NaN where they are not allowed -------------------------------


def test_infinite_values_are_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bmi = ["inf" if i % 10 == 0 else ("-inf" if i == 7 else "25.5") for i in range(60)]
    path = _write(tmp_path / "inf.csv", _table_text(",", bmi=bmi))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings would fail the test
        line = cli_error(capsys, ["train", path, "--label-column", "outcome", "--out", str(tmp_path / "r"), *TINY])
    assert "'bmi'" in line and "7 rows" in line and "inf" in line


def test_expression_nan_and_inf_name_the_genes(tmp_path: Path) -> None:
    pytest.importorskip("anndata")
    from scigan.modalities.expression.io import load_expression

    rows = ["cell,G1,G2,G3", *(f"c{i},{i},{'inf' if i < 2 else i},{'' if i == 3 else i}" for i in range(10))]
    with pytest.raises(ScienceError, match=r"'G2' \(2 cells\), 'G3' \(1 cell\)"):
        load_expression(_write(tmp_path / "x.csv", "\n".join(rows) + "\n"))


def _damaged_h5ad(tmp_path: Path, at: int, value: int) -> Path:
    """A small .h5ad with byte ``at`` set to ``value``: damage found by fuzzing that
    crashes (or hangs) the HDF5 library under the pinned anndata and h5py."""
    import hashlib

    ad = pytest.importorskip("anndata")
    rng = np.random.default_rng(0)
    counts = pd.DataFrame(
        rng.poisson(3, (16, 6)), index=[f"c{i}" for i in range(16)], columns=[f"G{j}" for j in range(6)]
    )
    obs = pd.DataFrame({"kind": ["B", "T"] * 8}, index=counts.index)
    path = tmp_path / "cells.h5ad"
    ad.AnnData(X=counts.to_numpy(np.float32), obs=obs).write_h5ad(path)
    data = bytearray(path.read_bytes())
    if hashlib.sha256(data).hexdigest()[:16] != H5AD_SEED:
        pytest.skip("anndata writes another layout than the one the damage was found in")
    data[at] = value
    path.write_bytes(bytes(data))
    return path


#: The first 16 hex digits of the sha256 of the undamaged file of :func:`_damaged_h5ad`.
H5AD_SEED = "522d3a603c01961c"


def test_an_h5ad_that_crashes_hdf5_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = _damaged_h5ad(tmp_path, 15017, 60)  # a segmentation fault inside libhdf5, in-process
    line = cli_error(capsys, ["train", str(path), "--out", str(tmp_path / "r"), *TINY])
    assert "crashed the HDF5 library (signal 11)" in line


def test_an_h5ad_that_hangs_hdf5_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scigan.modalities.expression import io

    monkeypatch.setattr(io, "PROBE_SECONDS", 3.0)
    with pytest.raises(ScienceError, match="did not read within 3 s"):
        io.load_expression(_damaged_h5ad(tmp_path, 3272, 48))  # libhdf5 loops forever on it


def test_the_hdf5_probe_names_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scigan.modalities.expression import io

    monkeypatch.setattr(io, "_PROBE", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    (tmp_path / "x.h5ad").write_bytes(b"anything")
    with pytest.raises(ScienceError, match=r"x.h5ad is not a readable .h5ad file: .*crashed .*signal 11"):
        io.probe_hdf5(tmp_path / "x.h5ad")


# ---- item 11: a file that is not what its name says --------------------------------------


def _npz_error(path: Path) -> str:
    with pytest.raises(ScienceError) as err:
        load_npz(path, notes=__import__("collections").Counter())
    assert "\n" not in str(err.value)
    return str(err.value)


def test_text_named_npz(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "text.npz"
    path.write_text("hello world\n")
    line = cli_error(capsys, ["train", str(path), "--out", str(tmp_path / "r"), *TINY])
    assert "text.npz is not an .npz file" in line and "text" in line and "Python objects" not in line


def test_empty_npy_and_garbage_named_npz(tmp_path: Path) -> None:
    (tmp_path / "zero.npz").write_bytes(b"")
    assert "zero.npz is not an .npz file (it is empty, 0 bytes)" in _npz_error(tmp_path / "zero.npz")
    np.save(tmp_path / "a.npy", np.zeros((4, 8, 8), np.uint8))
    (tmp_path / "a.npy").rename(tmp_path / "a.npz")
    assert "a .npy file" in _npz_error(tmp_path / "a.npz")
    (tmp_path / "bin.npz").write_bytes(bytes(range(256)))
    assert "bin.npz is not an .npz file" in _npz_error(tmp_path / "bin.npz")
    np.savez(tmp_path / "objects.npz", x=np.zeros((4, 8, 8), np.uint8), y=np.array([1, "a", None, 2], dtype=object))
    assert "Python objects" in _npz_error(tmp_path / "objects.npz")


def _folder(tmp_path: Path, suffix: str, n: int = 3) -> Path:
    folder = tmp_path / f"images-{suffix}"
    folder.mkdir()
    for i in range(n):
        Image.fromarray(RNG.integers(0, 256, (8, 8), dtype=np.uint8)).save(folder / f"{i}{suffix}")
    return folder


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif"])
def test_zero_byte_image_in_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture, suffix: str) -> None:
    folder = _folder(tmp_path, suffix)
    (folder / f"z{suffix}").write_bytes(b"")
    line = cli_error(capsys, ["train", str(folder), "--out", str(tmp_path / "r"), *TINY])
    assert f"z{suffix} is empty (0 bytes)" in line


def test_corrupt_tiff_in_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = _folder(tmp_path, ".tif")
    (folder / "bad.tif").write_bytes(b"II*\x00garbage")  # PIL warns "Corrupt EXIF data" on it
    line = cli_error(capsys, ["train", str(folder), "--out", str(tmp_path / "r"), *TINY])
    assert "cannot read image bad.tif" in line


def test_a_tiff_claiming_billions_of_pixels(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import struct

    tifffile = pytest.importorskip("tifffile")
    path = tmp_path / "huge.tif"
    tifffile.imwrite(path, np.zeros((8, 8), np.uint8))
    data = bytearray(path.read_bytes())
    with tifffile.TiffFile(path) as tif:
        for code in (256, 257):  # ImageWidth, ImageLength
            tag = tif.pages[0].tags[code]
            fmt = {3: "<H", 4: "<I"}[int(tag.dtype)]
            data[tag.valueoffset : tag.valueoffset + struct.calcsize(fmt)] = struct.pack(fmt, 60000)
    path.write_bytes(bytes(data))
    with pytest.raises(ScienceError, match=r"huge.tif claims 3,600,000,000 pixel values"):
        read_pictures(path)
    assert not caplog.records  # tifffile's log lines (printed by Python's last resort) are silenced


def test_corrupt_and_empty_pictures(tmp_path: Path) -> None:
    (tmp_path / "bad.tif").write_bytes(b"II*\x00garbage")
    with pytest.raises(ScienceError, match=r"cannot read image bad.tif .*corrupt"):
        read_pictures(tmp_path / "bad.tif")
    (tmp_path / "zero.png").write_bytes(b"")
    with pytest.raises(ScienceError, match=r"zero.png is empty \(0 bytes\)"):
        read_pictures(tmp_path / "zero.png")
    (tmp_path / "none").mkdir()
    with pytest.raises(ScienceError, match="holds no PNG/JPEG/TIFF images"):
        read_pictures(tmp_path / "none")


# ---- item 10: sizes and the networks' memory, before any data is read ---------------------


@pytest.fixture()
def no_image_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the image kind reads any data."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the images were read")

    monkeypatch.setattr("scigan.modalities.images.modality.load_images", refuse)


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--size", "1024", "--model", "mlp"], "parameters"),
        (["--size", "1024"], "--model dcgan cannot make 1024×1024"),
        (["--size", "100", "--model", "resnet"], "--model resnet cannot make 100×100"),
    ],
)
def test_sizes_are_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture, no_image_reading: None, flags: list[str], words: str
) -> None:
    start = time.monotonic()
    line = cli_error(capsys, ["train", "digits", *flags, "--out", str(tmp_path / "r"), "--width", "64", "--quiet"])
    assert words in line and time.monotonic() - start < 10
    assert not (tmp_path / "r").exists()


def test_own_size_too_large_for_mlp(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    np.savez(tmp_path / "big.npz", x=np.zeros((4, 1024, 1024), np.uint8))
    line = cli_error(
        capsys, ["train", str(tmp_path / "big.npz"), "--model", "mlp", "--width", "64", "--out", str(tmp_path / "r")]
    )
    assert "parameters" in line and "GiB" in line


# ---- item 12: warnings as one line of scigan's own ----------------------------------------


def test_constant_column_warns_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame = pd.DataFrame({"age": RNG.integers(20, 80, 60), "site": "Berlin", "outcome": list("ab") * 30})
    frame.to_csv(tmp_path / "t.csv", index=False)
    capsys.readouterr()
    argv = ["train", str(tmp_path / "t.csv"), "--label-column", "outcome", "--steps", "2", *TINY]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("scigan train: warning: column 'site' holds a single value"), err
    assert not any("UserWarning" in line or "warnings.warn" in line or "fit_codec" in line for line in err), err


def test_third_party_warnings_are_summarised(capsys: pytest.CaptureFixture) -> None:
    with warnings.catch_warnings(), one_line_warnings("scigan x") as shown:
        warnings.simplefilter("default")
        warnings.warn("from scigan", ScienceWarning, stacklevel=1)
        warnings.warn("a plain warning in scigan's code", stacklevel=1)  # this file is not scigan's
        registry: dict = {}
        for _ in range(3):  # shown once: Python's filters drop the repeats
            warnings.warn_explicit(
                "noise\nsecond line", RuntimeWarning, "/site-packages/lib/mod.py", 7, "mod", registry
            )
        warnings.warn_explicit("other", DeprecationWarning, "/site-packages/lib/mod.py", 9, "mod", registry)
    shown.summarise()
    assert capsys.readouterr().err.splitlines() == [
        "scigan x: warning: from scigan",
        "scigan x: warning: 3 warnings from other libraries were hidden (e.g. UserWarning: a plain warning in "
        "scigan's code; SCIGAN_DEBUG=1 shows them)",
    ]


def test_umap_warnings_do_not_reach_the_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    pytest.importorskip("sklearn")
    from scigan.report.embedding import plot_embedding

    class UMAP:  # umap-learn's warnings, without its 25 s of compiling
        def __init__(self, random_state: int | None = None, n_jobs: int = -1) -> None:
            if n_jobs != 1 and random_state is not None:
                warnings.warn(f"n_jobs value {n_jobs} overridden to 1 by setting random_state.", stacklevel=2)
            warnings.warn("Tensorflow not installed", ImportWarning, stacklevel=2)

        def fit_transform(self, x: np.ndarray) -> np.ndarray:
            warnings.warn("Spectral initialisation failed! The eigenvector solver failed.", stacklevel=2)
            return x[:, :2]

    monkeypatch.setitem(sys.modules, "umap", types.SimpleNamespace(UMAP=UMAP))
    real, fake = RNG.normal(size=(40, 4)), RNG.normal(size=(40, 4))
    with one_line_warnings("scigan evaluate") as shown:
        plot_embedding(real, fake, tmp_path / "e.png", umap=True)
    shown.summarise()
    assert capsys.readouterr().err.splitlines() == [
        "scigan evaluate: warning: the UMAP panel: Spectral initialisation failed! The eigenvector solver failed."
    ]


@pytest.mark.slow
def test_real_umap_is_quiet(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("umap")
    from scigan.report.embedding import plot_embedding

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_embedding(RNG.normal(size=(60, 5)), RNG.normal(size=(60, 5)), tmp_path / "e.png", umap=True)
    assert capsys.readouterr().err == ""
