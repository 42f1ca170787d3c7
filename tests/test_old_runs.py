"""Run folders written before config sections (one flat [train] table) still sample,
evaluate and enhance. The fixtures in tests/data/runs_v0/ were trained by scigan at
commit db55d7e (breast-cancer at 7040d6b) and keep only the sampling weights."""

import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

from scigan.cli import main
from scigan.runs import open_run

OLD = Path(__file__).parent / "data" / "runs_v0"


def _copy(name: str, tmp_path: Path) -> Path:
    run = tmp_path / name
    shutil.copytree(OLD / name, run)
    return run


def test_old_flat_config_reads_into_sections() -> None:
    flat = tomllib.loads((OLD / "digits" / "config.toml").read_text())["train"]
    assert "label_column" in flat and "scale" in flat  # written flat, every kind's options
    run = open_run(OLD / "digits")
    assert run.config.data_options.size == 8 and run.config.validation == 0.0
    assert not hasattr(run.config.data_options, "label_column")
    assert open_run(OLD / "breast-cancer").config.data_options.label_column == "target"
    assert open_run(OLD / "superres").config.task_options.scale == 2


def test_old_image_run_samples_and_evaluates(tmp_path: Path) -> None:
    run = _copy("digits", tmp_path)
    assert main(["sample", str(run), "-n", "20", "--out", str(tmp_path / "s.npz")]) == 0
    assert np.load(tmp_path / "s.npz")["x"].shape == (20, 8, 8)
    assert main(["evaluate", str(run), "--n", "100", "--json"]) == 0
    assert (run / "evaluation.json").is_file()


def test_old_table_run_samples_and_evaluates(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    run = _copy("breast-cancer", tmp_path)
    assert main(["sample", str(run), "-n", "30", "--out", str(tmp_path / "s.csv")]) == 0
    assert len((tmp_path / "s.csv").read_text().splitlines()) == 31
    assert main(["evaluate", str(run), "--json"]) == 0
    assert (run / "evaluation.json").is_file()


def test_old_superres_run_enhances(tmp_path: Path) -> None:
    from PIL import Image

    run = _copy("superres", tmp_path)
    Image.fromarray(np.arange(16 * 16, dtype=np.uint8).reshape(16, 16)).save(tmp_path / "in.png")
    assert main(["enhance", str(run), str(tmp_path / "in.png"), "--out", str(tmp_path / "out.png")]) == 0
    assert Image.open(tmp_path / "out.png").size == (32, 32)


def test_a_run_checkpointed_before_sections_resumes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import json

    from helpers import TINY, cli_error

    run = tmp_path / "r"
    argv = ["train", "digits", "--out", str(run), "--validation", "0", *TINY]
    assert main([*argv, "--steps", "10"]) == 0
    state_file = run / "checkpoints" / "00000010" / "state.json"
    state = json.loads(state_file.read_text())
    flat = state["hyperparameters"]
    del flat["validation"]  # as written before the option existed, with every kind's options
    flat.update(label_column="", column_types="", values="auto", scale=4, patch=64)
    state_file.write_text(json.dumps(state))
    resume = ["train", "digits", "--out", str(run), *TINY, "--steps", "20", "--resume"]
    assert "validation was 0.0 and is now 0.1" in cli_error(capsys, resume)
    assert main([*resume, "--validation", "0"]) == 0
    assert (run / "checkpoints" / "00000020").is_dir()
