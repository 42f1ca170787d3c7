"""The foundation's acceptance checks that fit in the default suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scigan.cli import main


def test_digits_conditional_dcgan_300_steps(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`scigan train digits --model dcgan --conditional --steps 300` covers every class and
    reaches an FD below a quarter of the untrained generator's."""
    run = tmp_path / "R"
    argv = ["train", "digits", "--model", "dcgan", "--conditional", "--steps", "300", "--out", str(run), "--quiet"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["class_coverage"] == 1.0
    assert scores["fd"] < scores["fd_untrained"] / 4
    assert scores["fd_real_floor"] < scores["fd"]


def test_report_of_a_trained_run(tmp_path: Path) -> None:
    run = tmp_path / "R"
    assert (
        main(
            [
                "train",
                "digits",
                "--steps",
                "40",
                "--width",
                "8",
                "--eval-every",
                "20",
                "--eval-n",
                "200",
                "--sample-every",
                "20",
                "--log-every",
                "10",
                "--out",
                str(run),
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["evaluate", str(run), "--n", "200"]) == 0
    assert main(["report", str(run)]) == 0
    page = (run / "report.html").read_text()
    assert "synthetic" in page.lower() and "floor" in page.lower()
    assert "Not evaluated yet" not in page
    for src in ("report/losses.png", "report/metrics.png"):
        assert (run / src).is_file()
