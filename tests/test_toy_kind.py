"""A data kind added from the tests folder through the registry only trains, samples
and evaluates with the command line, and its options get flags and a config section."""

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from helpers import cli_error
from scigan.cli import main
from scigan.modalities import kind_names, register, unregister
from toy_points import KIND


@pytest.fixture
def points() -> Iterator[None]:
    register(KIND)
    yield
    unregister(KIND.name)


TOY = [
    "--steps",
    "300",
    "--batch-size",
    "64",
    "--width",
    "8",
    "--z-dim",
    "4",
    "--eval-every",
    "100",
    "--eval-n",
    "300",
    "--sample-every",
    "100",
    "--checkpoint-every",
    "100",
    "--log-every",
    "50",
    "--ema-half-life",
    "0",
    "--quiet",
]


def test_toy_kind_trains_samples_and_evaluates(points: None, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert "points" in kind_names()
    run = tmp_path / "ring"
    assert main(["train", "ring8", "--radius", "3", "--out", str(run), *TOY]) == 0
    doc = tomllib.loads((run / "config.toml").read_text())
    assert doc["points"] == {"radius": 3.0} and doc["train"]["model"] == "mlp2d"
    assert doc["data"]["modality"] == "points"
    assert doc["data"]["n_train"] + doc["data"]["n_validation"] + doc["data"]["n_holdout"] == 2000
    assert (run / "checkpoints" / "best").is_dir()

    out = tmp_path / "drawn.points"
    assert main(["sample", str(run), "-n", "500", "--out", str(out)]) == 0
    drawn = np.loadtxt(out, delimiter=",")
    assert drawn.shape == (500, 2)
    assert 1.0 < np.linalg.norm(drawn, axis=1).mean() < 5.0  # near the radius-3 ring, not at 0

    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["fd"] < scores["fd_untrained"]  # 300 steps learn something
    assert 0 < scores["modes_covered"] <= 1
    assert main(["evaluate", str(run)]) == 0  # the text output reads the kind's declared scores
    text = capsys.readouterr().out
    assert "modes covered" in text and "real-vs-real" in text


def test_toy_kind_options_are_routed_and_refused(points: None, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = cli_error(capsys, ["train", "ring8", "--size", "8", "--out", str(tmp_path / "r")])
    assert line.endswith("--size is an option of images data, not of points data; drop it")
    line = cli_error(capsys, ["train", "digits", "--radius", "3", "--out", str(tmp_path / "r")])
    assert "--radius is an option of points data, not of images data" in line
    line = cli_error(capsys, ["train", "ring8", "--radius", "-1", "--out", str(tmp_path / "r")])
    assert "--radius must be above 0" in line
    assert not (tmp_path / "r").exists()


def test_toy_kind_reads_user_files_by_suffix(points: None, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "mine.points"
    path.write_text("1,2\n3,x\n")
    assert "not x,y lines" in cli_error(capsys, ["train", str(path), "--out", str(tmp_path / "r")])
