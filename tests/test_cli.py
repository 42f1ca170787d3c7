"""The command line end to end on the digits built-in, and every bad input it must
answer with exit code 2 and one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import TINY, cli_error
from scigan.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A conditional DCGAN trained on digits for a few steps."""
    run = tmp_path_factory.mktemp("runs") / "digits"
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY]) == 0
    return run


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys; from scigan.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
        "main(['datasets']); assert 'torch' not in sys.modules, 'torch imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "digits" in done.stdout and "fashion-mnist" in done.stdout


def test_datasets_json(capsys: pytest.CaptureFixture) -> None:
    assert main(["datasets", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["digits"]["classes"] == 10 and rows["digits"]["modality"] == "images"


def test_every_command_has_help_with_examples(capsys: pytest.CaptureFixture) -> None:
    for command in ("datasets", "train", "sample", "evaluate", "report"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        assert "examples:" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".png", ".npz", ""])
def test_sample_formats(trained: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"samples{suffix}"
    assert main(["sample", str(trained), "-n", "20", "--out", str(out)]) == 0
    if suffix == ".png":
        image = Image.open(out)
        assert image.text["scigan:synthetic"] == "true" and image.text["scigan:model"] == "dcgan"
    elif suffix == ".npz":
        with np.load(out) as f:
            assert f["x"].shape == (20, 8, 8) and f["x"].dtype == np.uint8
            assert sorted(set(f["y"].tolist())) == list(range(10))
    else:
        files = sorted(out.rglob("*.png"))
        assert len(files) == 20
        assert Image.open(files[0]).text["scigan:synthetic"] == "true"


def test_sample_one_label_is_seeded(trained: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    assert main(["sample", str(trained), "-n", "8", "--label", "3", "--out", str(a)]) == 0
    assert main(["sample", str(trained), "-n", "8", "--label", "3", "--out", str(b)]) == 0
    with np.load(a) as fa, np.load(b) as fb:
        assert (fa["y"] == 3).all()
        assert np.array_equal(fa["x"], fb["x"])


def test_evaluate_json_keys(trained: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["evaluate", str(trained), "--json", "--n", "200"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in (
        "fd",
        "kid",
        "precision",
        "recall",
        "density",
        "coverage",
        "fd_real_floor",
        "class_coverage",
        "fd_per_class",
        "extractor_hash",
        "n",
        "reference",
        "fd_untrained",
    ):
        assert key in scores, key
    assert scores["n"] == 200 and len(scores["fd_per_class"]) == 10
    assert 0 <= scores["fd_real_floor"] < scores["fd"]
    assert (trained / "evaluation.json").is_file()


def test_existing_output_needs_overwrite(trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "grid.png"
    out.write_bytes(b"the user's file")
    assert "--overwrite" in cli_error(capsys, ["sample", str(trained), "-n", "4", "--out", str(out)])
    assert out.read_bytes() == b"the user's file"
    assert "--overwrite" in cli_error(capsys, ["train", "digits", "--steps", "5", "--out", str(trained), *TINY])


def test_overwrite_refuses_a_folder_that_is_not_a_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.tex").write_text("precious")
    line = cli_error(capsys, ["train", "digits", "--steps", "5", "--out", str(folder), "--overwrite", *TINY])
    assert "not a scigan run folder" in line
    assert (folder / "chapter1.tex").read_text() == "precious"


@pytest.mark.parametrize(
    "argv,phrase",
    [
        (["train", "no/such/folder"], "no such file or folder"),
        (["train", "digits", "--model", "gan3000"], "mlp, dcgan, resnet"),
        (["train", "digits", "--loss", "l7"], "ns, hinge, wgan or lsgan"),
        (["train", "digits", "--size", "12"], "4·2^k or 7·2^k"),
        (["train", "digits", "--diffaugment", "flip"], "color, translation, cutout"),
        (["train", "digits", "--batch-size", "5000"], "smaller --batch-size"),
        (["sample", "no/such/run", "-n", "3"], "does not exist"),
        (["evaluate", "no/such/run"], "does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    line = cli_error(capsys, [*argv, "--out", str(tmp_path / "r")] if argv[0] == "train" else argv)
    assert phrase in line


def test_label_outside_the_classes(trained: Path, capsys: pytest.CaptureFixture) -> None:
    line = cli_error(capsys, ["sample", str(trained), "-n", "3", "--label", "cat"])
    assert "not a class" in line and "0, 1, 2" in line


def test_unconditional_run_refuses_a_label(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "u"
    assert main(["train", "digits", "--unconditional", "--steps", "5", "--out", str(run), *TINY]) == 0
    assert "unconditional" in cli_error(capsys, ["sample", str(run), "-n", "3", "--label", "1"])


def test_nan_in_npz(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    x = np.random.default_rng(0).random((10, 8, 8)).astype(np.float32)
    x[3, 2, 2] = np.nan
    np.savez(tmp_path / "x.npz", x=x)
    assert "NaN" in cli_error(capsys, ["train", str(tmp_path / "x.npz"), "--out", str(tmp_path / "r"), *TINY])


def test_corrupt_image(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(4):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(folder / f"{i}.png")
    (folder / "4.png").write_bytes((folder / "0.png").read_bytes()[:30])
    line = cli_error(capsys, ["train", str(folder), "--out", str(tmp_path / "r"), *TINY])
    assert "4.png" in line


def test_checkpoint_from_another_architecture(trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    other = tmp_path / "mlp"
    assert main(["train", "digits", "--model", "mlp", "--steps", "5", "--out", str(other), *TINY]) == 0
    for name in ("G_ema.safetensors",):
        target = other / "checkpoints" / "00000005" / name
        target.write_bytes((trained / "checkpoints" / "00000020" / name).read_bytes())
    line = cli_error(capsys, ["sample", str(other), "-n", "3"])
    assert "different architecture" in line


def test_user_npz_round_trip(tmp_path: Path) -> None:
    """A user's own .npz trains, and samples come back in the same layout."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (64, 8, 8, 3), dtype=np.uint8)
    np.savez(tmp_path / "mine.npz", x=x, y=np.repeat(["a", "b"], 32))
    run = tmp_path / "run"
    assert main(["train", str(tmp_path / "mine.npz"), "--steps", "5", "--out", str(run), *TINY]) == 0
    assert main(["sample", str(run), "-n", "6", "--label", "b", "--out", str(tmp_path / "s.npz")]) == 0
    with np.load(tmp_path / "s.npz") as f:
        assert f["x"].shape == (6, 8, 8, 3) and (f["y"] == 1).all()


def test_a_config_file_value_is_checked_like_a_flag(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[train]\ng_lr = nan\nbatch_size = 0\n")
    line = cli_error(capsys, ["train", "digits", "--config", str(bad), "--out", str(tmp_path / "r")])
    assert "--g-lr must be a number, got nan" in line and "--batch-size must be at least 1" in line
    assert not (tmp_path / "r").exists()
