"""Training progress: a bar on a terminal; in a log file, plain lines every half minute
and never a carriage return."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from helpers import TINY
from scigan.cli import main
from scigan.core import progress as progress_module
from scigan.core.progress import Progress

VERBOSE = [f for f in TINY if f != "--quiet"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_plain_line_every_30_seconds() -> None:
    now = [0.0]
    lines: list[str] = []
    stream = io.StringIO()
    bar = Progress(100, 0, enabled=True, log=lines.append, stream=stream, clock=lambda: now[0])
    for step in range(1, 96):
        now[0] += 1.0  # one step a second
        bar.update(step)
        if step == 20:
            bar.show({"D/adv": 1.23456, "G/adv": -0.5})
    bar.close()
    assert lines == [
        "step 30/100 (30%), 1 steps/s, about 1.2 min left; D/adv=1.235 G/adv=-0.5",
        "step 60/100 (60%), 1 steps/s, about 0.7 min left; D/adv=1.235 G/adv=-0.5",
        "step 90/100 (90%), 1 steps/s, about 0.2 min left; D/adv=1.235 G/adv=-0.5",
    ]
    assert stream.getvalue() == ""  # nothing drawn


def test_without_a_step_limit_the_line_says_the_step() -> None:
    now = [0.0]
    lines: list[str] = []
    bar = Progress(None, 40, enabled=True, log=lines.append, stream=io.StringIO(), clock=lambda: now[0])
    now[0] = 30.0
    bar.update(100)
    assert lines == ["step 100, 2 steps/s"]


def test_a_terminal_gets_the_bar_and_quiet_gets_nothing() -> None:
    lines: list[str] = []
    terminal = Terminal()
    bar = Progress(10, 0, enabled=True, log=lines.append, stream=terminal, every_seconds=0)
    for step in range(1, 11):
        bar.update(step)
    bar.close()
    assert "\r" in terminal.getvalue() and "10/10" in terminal.getvalue() and not lines
    quiet = Progress(10, 0, enabled=False, log=lines.append, stream=Terminal(), every_seconds=0)
    quiet.update(5)
    quiet.close()
    assert not lines


def test_training_into_a_log_writes_lines_not_carriage_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """stderr is captured (not a terminal): no bar redraws, plain progress lines instead."""
    monkeypatch.setattr(progress_module, "EVERY_SECONDS", 0.0)  # a line every step
    assert main(["train", "digits", "--steps", "12", "--out", str(tmp_path / "run"), *VERBOSE]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    steps = [ln for ln in err.splitlines() if ln.startswith("step ")]
    assert len(steps) == 12 and steps[-1].startswith("step 12/12 (100%), ")
    assert "D/adv=" in steps[-1]
