"""Provenance on every output: each writer marks its files synthetic in its format's own
way, ``scigan provenance`` reads them back, images carry signed C2PA credentials and,
on request, an invisible watermark that survives a JPEG round trip."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import TINY, cli_error
from scigan import __version__
from scigan.cli import main
from scigan.errors import ScienceError
from scigan.modalities.base import SIDECAR, record_marks
from scigan.modalities.images.writers import save_images
from scigan.provenance.reader import read_provenance

RUN_ID = "89abcdef" + "0123456789abcdef01234567"
#: What :func:`scigan.runs.provenance` gives a run at step 40.
MARKS = {
    "Software": "scigan",
    "scigan:synthetic": "true",
    "scigan:version": __version__,
    "scigan:model": "dcgan",
    "scigan:run": "runs/tiny",
    "scigan:run_id": RUN_ID,
    "scigan:config_hash": "0123456789abcdef",
    "scigan:step": "40",
}
#: The marks record formats carry (FASTA, SMILES, SDF), as the modalities build them.
HEADER = {"run": "tiny", "step": "40", **record_marks(MARKS)}


def assert_marked(path: Path) -> dict[str, str]:
    """``path`` reads back as synthetic, with the run id, step, config hash and version."""
    marks = read_provenance(path)
    assert marks is not None, path
    assert marks["scigan:synthetic"] == "true"
    for key in ("run_id", "step", "config_hash", "version"):
        assert marks[f"scigan:{key}"] == MARKS[f"scigan:{key}"], (path, key, marks)
    return marks


def pictures(n: int = 4, size: int = 8, channels: int = 1, seed: int = 0) -> np.ndarray:
    """N×C×H×W uint8: smooth gradients with a little noise (like real pictures)."""
    rng = np.random.default_rng(seed)
    ramp = np.add.outer(np.arange(size), np.arange(size)) * (200 / (2 * size))
    x = ramp[None, None] + rng.normal(0, 8, (n, channels, size, size))
    return np.clip(x + 20, 0, 255).astype(np.uint8)


# ---- every writer --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["grid.png", "folder", "arrays.npz"])
def test_images(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    save_images(pictures(channels=3), out, labels=np.array([0, 1, 0, 1]), class_names=["a", "b"], provenance=MARKS)
    files = sorted(out.rglob("*.png")) if out.is_dir() else [out]
    assert len(files) == (4 if out.is_dir() else 1)
    for file in files:
        assert_marked(file)


def test_tiff_and_16_bit_png_of_enhance(tmp_path: Path) -> None:
    pytest.importorskip("tifffile")
    from scigan.enhance.apply import write_picture

    y = np.linspace(0, 1, 16 * 16).reshape(16, 16, 1)
    write_picture(y, tmp_path / "out.tif", 65535.0, "uint16", MARKS)
    write_picture(y, tmp_path / "out.png", 65535.0, "uint16", MARKS)
    assert_marked(tmp_path / "out.tif")
    assert_marked(tmp_path / "out.png")


def test_preview_figure(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scigan.report.plots import save_png

    fig = plt.figure(figsize=(1, 1))
    save_png(fig, tmp_path / "preview.png", MARKS)
    assert_marked(tmp_path / "preview.png")


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_tables(tmp_path: Path, suffix: str) -> None:
    import pandas as pd

    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    from scigan.modalities.tabular.io import save_table

    out = tmp_path / f"rows{suffix}"
    save_table(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), out, provenance=MARKS)
    assert_marked(out)
    assert (out.with_name(out.name + SIDECAR).exists()) == (suffix != ".parquet")


@pytest.mark.parametrize("suffix", [".h5ad", ".csv"])
def test_expression(tmp_path: Path, suffix: str) -> None:
    if suffix == ".h5ad":
        pytest.importorskip("anndata")
    from scigan.modalities.expression.io import save_expression

    uns = {"synthetic": True, "model": "wgan", "run": "runs/tiny", "step": 40, "software": "scigan"}
    uns.update(record_marks(MARKS))
    out = tmp_path / f"cells{suffix}"
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    labels = np.array([0, 1, 0])
    save_expression(
        x, ["g1", "g2"], out, labels=labels, class_names=["t", "b"], label_column="cell_type", values="counts",
        uns=uns, provenance=MARKS,
    )  # fmt: skip
    assert_marked(out)


@pytest.mark.parametrize("name", ["seqs.fasta", "seqs.fa.gz", "seqs.csv"])
def test_sequences(tmp_path: Path, name: str) -> None:
    pytest.importorskip("Bio")
    from scigan.modalities.sequences.io import save_sequences

    out = tmp_path / name
    save_sequences(["ACGT", "GGCA"], out, labels=np.array([0, 1]), class_names=["p", "q"], header=HEADER)
    assert_marked(out)


@pytest.mark.parametrize("suffix", [".smi", ".sdf", ".csv"])
def test_molecules(tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("rdkit")
    from scigan.modalities.molecules.io import save_molecules

    out = tmp_path / f"mols{suffix}"
    assert save_molecules(["CCO", "", "c1ccccc1"], out, header=HEADER) == 2
    assert_marked(out)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".npz"])
def test_timeseries(tmp_path: Path, suffix: str) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    from scigan.modalities.timeseries.io import save_windows

    out = tmp_path / f"windows{suffix}"
    save_windows(np.zeros((2, 5, 1)), out, columns=["price"], provenance=MARKS)
    assert_marked(out)


def test_forecast_predictions(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from scigan.forecast.options import ForecastOptions
    from scigan.forecast.run import _write

    dates = np.array(["2024-01-01", "2024-01-02", "2024-01-03"], dtype="datetime64[D]")
    data = SimpleNamespace(dates_test=dates, truth_test=np.array([1.0, 2.0, 3.0]))
    _write(tmp_path, {"source": "prices.csv"}, data, {"lstm_gan": np.array([1.1, 2.1, 2.9])}, ForecastOptions())
    marks = read_provenance(tmp_path / "predictions.csv")
    assert marks is not None
    assert marks["scigan:forecast"] == "true" and marks["scigan:version"] == __version__
    assert read_provenance(tmp_path / "forecast.png") == marks


# ---- the command ---------------------------------------------------------------------


def test_cli_prints_the_marks(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import json

    from PIL import Image

    save_images(pictures(), tmp_path / "grid.png", provenance=MARKS)
    assert main(["provenance", str(tmp_path / "grid.png")]) == 0
    out = capsys.readouterr().out
    for value in (RUN_ID, "40", "0123456789abcdef", __version__, "synthetic:"):
        assert value in out
    assert main(["provenance", "--json", str(tmp_path / "grid.png")]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert found["marks"]["scigan:run_id"] == RUN_ID

    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "plain.png")
    assert main(["provenance", str(tmp_path / "grid.png"), str(tmp_path / "plain.png")]) == 1
    assert "plain.png: no provenance marks" in capsys.readouterr().err
    assert "does not exist" in cli_error(capsys, ["provenance", str(tmp_path / "missing.png")])
    (tmp_path / "notes.txt").write_text("hello")
    assert "scigan writes no '.txt' files" in cli_error(capsys, ["provenance", str(tmp_path / "notes.txt")])


# ---- the watermark -------------------------------------------------------------------


def jpeg_round_trip(image: np.ndarray, path: Path) -> Path:
    """``image`` (H×W or H×W×3 uint8) saved as a JPEG at quality 90 by PIL, no metadata."""
    from PIL import Image

    Image.fromarray(image).save(path, format="JPEG", quality=90)
    return path


@pytest.mark.parametrize("channels", [3, 1])
def test_watermark_survives_jpeg_quality_90(tmp_path: Path, channels: int) -> None:
    pytest.importorskip("imwatermark")
    from scigan.provenance.watermark import detect, detect_file, embed

    image = pictures(1, 256, channels, seed=channels)[0].transpose(1, 2, 0)
    image = image[..., 0] if channels == 1 else image
    marked = embed(image, RUN_ID[:8])
    assert marked.shape == image.shape and marked.dtype == np.uint8
    assert np.abs(marked.astype(int) - image).mean() < 3  # invisible: a few grey levels at most
    jpeg = jpeg_round_trip(marked, tmp_path / "marked.jpg")
    assert detect_file(jpeg) == {"payload": RUN_ID[:8]}
    assert read_provenance(jpeg) == {"watermark:payload": RUN_ID[:8]}
    assert detect(image) is None
    assert read_provenance(jpeg_round_trip(image, tmp_path / "plain.jpg")) is None


def test_watermark_through_the_writer(tmp_path: Path) -> None:
    pytest.importorskip("imwatermark")
    from PIL import Image

    from scigan.provenance.watermark import detect_file

    save_images(pictures(4, 128, 3), tmp_path / "grid.png", provenance=MARKS, watermark=RUN_ID[:8])
    with Image.open(tmp_path / "grid.png") as grid:
        assert grid.size == (262, 262)
        stripped = jpeg_round_trip(np.asarray(grid), tmp_path / "grid.jpg")
    assert detect_file(stripped) == {"payload": RUN_ID[:8]}
    save_images(pictures(2, 256, 1), tmp_path / "arrays.npz", provenance=MARKS, watermark=RUN_ID[:8])
    with np.load(tmp_path / "arrays.npz") as arrays:
        assert jpeg_round_trip(arrays["x"][1], tmp_path / "one.jpg").exists()
    assert detect_file(tmp_path / "one.jpg") == {"payload": RUN_ID[:8]}
    with pytest.raises(ScienceError, match="too small for the invisible watermark"):
        save_images(pictures(4, 28), tmp_path / "small", provenance=MARKS, watermark=RUN_ID[:8])
    assert not (tmp_path / "small").exists()


# ---- C2PA ----------------------------------------------------------------------------


def test_c2pa_signed_png_says_trained_algorithmic_media(tmp_path: Path) -> None:
    pytest.importorskip("c2pa")
    from scigan.provenance.credentials import TRAINED_ALGORITHMIC_MEDIA, c2pa_home, load_credentials

    credentials = load_credentials()
    key = c2pa_home() / "signer.key"
    assert key.is_file() and (key.stat().st_mode & 0o777) == 0o600
    assert load_credentials().key_pem == credentials.key_pem  # made once, then reused
    save_images(pictures(3), tmp_path / "grid.png", provenance=MARKS, credentials=credentials)
    save_images(pictures(2), tmp_path / "folder", provenance=MARKS, credentials=credentials)
    for path in [tmp_path / "grid.png", *sorted((tmp_path / "folder").glob("*.png"))]:
        marks = assert_marked(path)  # the text chunks survive signing
        assert marks["c2pa:digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
        assert marks["c2pa:run_id"] == RUN_ID and marks["c2pa:step"] == "40"
        assert marks["c2pa:claim_generator"] == f"scigan {__version__}"
        assert marks["c2pa:validation"] == "Valid"  # valid signature, signer not on a trust list


def test_c2pa_refuses_bad_credentials(tmp_path: Path) -> None:
    pytest.importorskip("c2pa")
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from scigan.provenance.credentials import load_credentials

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "me")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(pem))
    with pytest.raises(ScienceError, match=r"c2pa cannot sign with .*not self-signed") as err:
        load_credentials(key_path, cert_path)
    assert "\n" not in str(err.value)
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "other.pem").write_bytes(
        other.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    with pytest.raises(ScienceError, match="does not match the first certificate"):
        load_credentials(tmp_path / "other.pem", cert_path)
    with pytest.raises(ScienceError, match="together"):
        load_credentials(key_path, None)
    with pytest.raises(ScienceError, match="not a PEM file"):
        load_credentials(_text(tmp_path / "k.txt"), cert_path)
    with pytest.raises(ScienceError, match="cannot be read"):
        load_credentials(tmp_path / "missing.pem", cert_path)


def _text(path: Path) -> Path:
    path.write_text("not a key")
    return path


# ---- end to end: scigan sample -------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prov") / "run"
    assert main(["train", "digits", "--steps", "4", "--out", str(folder), *TINY]) == 0
    return folder


def test_sample_marks_signs_and_refuses_a_small_watermark(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    pytest.importorskip("c2pa")
    from scigan.runs import read_marker

    out = tmp_path / "grid.png"
    assert main(["sample", str(run), "-n", "9", "--out", str(out)]) == 0
    marks = read_provenance(out)
    assert marks is not None
    marker = read_marker(run)
    assert marker is not None
    run_id = marker["id"]
    assert marks["scigan:run_id"] == run_id and marks["c2pa:run_id"] == run_id
    assert marks["c2pa:digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    line = cli_error(capsys, ["sample", str(run), "-n", "4", "--out", str(tmp_path / "small.png"), "--watermark"])
    assert "too small for the invisible watermark" in line and "256" in line
    line = cli_error(capsys, ["sample", str(run), "-n", "4", "--out", str(tmp_path / "g.png"), "--c2pa-key", "k"])
    assert "--c2pa-key and --c2pa-cert together" in line


def test_provenance_of_bytes_is_not_confused_by_other_software(tmp_path: Path) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", "GIMP 2.10")
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(buffer, format="PNG", pnginfo=info)
    (tmp_path / "gimp.png").write_bytes(buffer.getvalue())
    assert read_provenance(tmp_path / "gimp.png") is None
