"""Training stopped from outside, in a real ``python -m scigan train`` process: SIGINT and
SIGTERM write a checkpoint at the step reached and say how to resume; SIGKILL at a random
step loses nothing a resume cannot redo bit for bit."""

from __future__ import annotations

import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import TINY, assert_same_weights
from scigan.cli import main


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """The in-process runs use one thread like the subprocesses: bit-exact comparisons
    need the same reduction order on both sides."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


#: A tiny digits run whose periodic checkpoints never come: a checkpoint on disk after a
#: signal is the one the signal wrote.
FLAGS = [*TINY, "--checkpoint-every", "1000", "--sample-every", "0"]


def _start(argv: list[str]) -> subprocess.Popen:
    """``python -m scigan`` with ``argv``, one thread, stderr captured."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "scigan", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )


def _logged_step(run: Path) -> int:
    """The step of the newest readable metrics.jsonl line (0 before the first)."""
    path = run / "metrics.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    for line in reversed(lines):
        try:
            return int(json.loads(line)["step"])
        except (ValueError, KeyError):
            continue
    return 0


def _wait_for_step(proc: subprocess.Popen, run: Path, step: int) -> None:
    """Wait until the run has logged ``step`` (the process must still be training)."""
    deadline = time.time() + 120
    while _logged_step(run) < step:
        assert proc.poll() is None, f"the run ended before step {step}: {proc.stderr.read() if proc.stderr else ''}"
        assert time.time() < deadline, "the run logged nothing in 120 s"
        time.sleep(0.02)


def _checkpoints(run: Path) -> list[int]:
    """The steps of the run's step checkpoints, oldest first."""
    root = run / "checkpoints"
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit()) if root.is_dir() else []


def test_sigint_checkpoints_the_current_step_and_says_how_to_resume(tmp_path: Path) -> None:
    """Ctrl-C mid-run: exit 130, a checkpoint at the step reached (not a multiple of
    --checkpoint-every), one line with the resume command; that command continues the
    run, and the result is the weights of a run never interrupted."""
    run = tmp_path / "run"
    proc = _start(["train", "digits", "--steps", "5000", "--out", str(run), *FLAGS])
    _wait_for_step(proc, run, 5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scigan train: interrupted (SIGINT) at step "), err
    step = int(re.search(r"at step (\d+);", lines[0]).group(1))  # type: ignore[union-attr]
    assert step >= 5 and step % 1000 != 0 and step < 5000
    assert _checkpoints(run) == [step]
    state = json.loads((run / "checkpoints" / f"{step:08d}" / "state.json").read_text())
    assert state["step"] == step
    assert f"checkpoint written to {run / 'checkpoints' / f'{step:08d}'}" in lines[0]
    words = shlex.split(lines[0].split("; resume with: ")[1])
    assert words[:3] == ["scigan", "train", "digits"] and words[-1] == "--resume"
    assert words[words.index("--out") + 1] == str(run)

    words[words.index("--steps") + 1] = str(step + 10)  # the same command, 10 steps further
    assert main(words[1:]) == 0
    assert _checkpoints(run)[-1] == step + 10
    straight = tmp_path / "straight"
    assert main(["train", "digits", "--steps", str(step + 10), "--out", str(straight), *FLAGS]) == 0
    assert_same_weights(straight, run)


def test_sigterm_checkpoints_too_and_exits_143(tmp_path: Path) -> None:
    """A batch system's SIGTERM: exit 143, a checkpoint at the step reached, the resume
    command (here with the default --out filled in and --overwrite dropped)."""
    run = tmp_path / "runs" / "digits"
    proc = subprocess.Popen(
        [sys.executable, "-m", "scigan", "train", "digits", "--steps", "5000", "--overwrite", *FLAGS],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    _wait_for_step(proc, run, 5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    line = err.strip()
    assert line.startswith("scigan train: interrupted (SIGTERM) at step "), err
    step = int(re.search(r"at step (\d+);", line).group(1))  # type: ignore[union-attr]
    assert _checkpoints(run) == [step] and step % 1000 != 0
    resume = line.split("; resume with: ")[1]
    assert "--overwrite" not in resume and resume.endswith(f"--out {Path('runs') / 'digits'} --resume")


def test_sigkill_at_a_random_step_then_resume_is_exact(tmp_path: Path) -> None:
    """SIGKILL at a random step (it may fall inside a checkpoint or a metrics line being
    written): the resumed run ends with the weights of an uninterrupted one."""
    kill_at = random.Random().randint(6, 50)
    flags = ["--steps", "60", *TINY, "--log-every", "1", "--checkpoint-every", "7", "--width", "16"]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    proc = _start(["train", "digits", "--out", str(killed), *flags])
    _wait_for_step(proc, killed, kill_at)
    proc.kill()
    proc.wait()
    assert _checkpoints(killed)[-1:] < [60], f"the run finished before it was killed at step {kill_at}"
    with open(killed / "metrics.jsonl", "a") as fh:  # as if killed in the middle of a line
        fh.write('{"step": 99, "images"')
    assert main(["train", "digits", "--out", str(killed), "--resume", *flags]) == 0, f"killed at {kill_at}"
    assert main(["train", "digits", "--out", str(straight), *flags]) == 0
    assert_same_weights(straight, killed)
    steps = [json.loads(ln)["step"] for ln in (killed / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 61)), f"killed at step {kill_at}"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stop_requests_restore_the_handlers(signum: int) -> None:
    """Inside StopRequests a signal is only recorded; outside, the old handler is back."""
    from scigan.core.interrupt import StopRequests

    before = signal.getsignal(signum)
    with StopRequests() as stop:
        os.kill(os.getpid(), signum)
        time.sleep(0.01)
        assert stop.requested == signum
        with pytest.raises(KeyboardInterrupt):  # a second one stops at once
            os.kill(os.getpid(), signum)
            time.sleep(0.01)
    assert signal.getsignal(signum) is before
