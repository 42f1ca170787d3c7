"""Training runs on the digits built-in: files written, resume exactness, refusals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import TINY, assert_resume_is_exact, assert_same_weights
from scigan.cli import main


def test_run_folder_layout(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY]) == 0
    assert (run / "config.toml").is_file()
    text = (run / "config.toml").read_text()
    assert 'conditional = "yes"' in text and "[data]" in text and "z_dim = 16" in text
    lines = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in lines] == [5, 10, 15, 20]
    assert all("D/adv" in r and "G/adv" in r and r["images"] == 32 * r["step"] for r in lines)
    ckpt = run / "checkpoints" / "00000020"
    for name in ("G", "D", "G_ema", "optim_G", "optim_D"):
        assert (ckpt / f"{name}.safetensors").is_file()
    assert json.loads((ckpt / "state.json").read_text())["step"] == 20
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["00000010.png", "00000020.png"]
    assert not list((run / "checkpoints").glob(".tmp-*"))


def test_resume_reproduces_an_uninterrupted_run(tmp_path: Path) -> None:
    flags = ["digits", "--loss", "wgan", "--n-critic", "2", "--diffaugment", "color,translation,cutout", *TINY]
    _, resumed = assert_resume_is_exact(tmp_path, flags, steps=30, stop=20)
    steps = [json.loads(ln)["step"] for ln in (resumed / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == 30


def test_sigkill_then_resume_gives_identical_weights(tmp_path: Path) -> None:
    """A run killed with SIGKILL mid-training resumes to the same final weights."""
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    flags = ["--steps", "60", *TINY, "--width", "16"]
    assert main(["train", "digits", "--out", str(straight), *flags]) == 0
    cmd = [sys.executable, "-m", "scigan", "train", "digits", "--out", str(killed), *flags]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (killed / "checkpoints" / "00000020").exists():
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = sorted(p.name for p in (killed / "checkpoints").iterdir() if p.name.isdigit())
    assert done and done[-1] != "00000060", "the run finished before it could be killed"
    assert main(["train", "digits", "--out", str(killed), "--resume", *flags]) == 0
    assert_same_weights(straight, killed)


def test_resume_with_changed_hyperparameters_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "10", "--out", str(run), *TINY]) == 0
    code = main(["train", "digits", "--steps", "20", "--out", str(run), "--resume", *TINY, "--g-lr", "0.001"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot resume" in err and "g_lr" in err


def test_quick_evaluation_keeps_a_best_checkpoint(tmp_path: Path) -> None:
    run = tmp_path / "run"
    flags = [*TINY, "--eval-every", "10", "--eval-n", "200"]
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *flags]) == 0
    evals = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines() if "eval" in ln]
    assert [e["step"] for e in evals] == [10, 20]
    assert all(e["eval"]["fd"] > 0 and e["eval"]["n"] == 200 for e in evals)
    best = json.loads((run / "checkpoints" / "best" / "state.json").read_text())
    assert best["best_score"] == min(e["eval"]["fd"] for e in evals)


def test_select_label_accuracy_keeps_the_checkpoint_whose_samples_best_carry_their_class(tmp_path: Path) -> None:
    run = tmp_path / "run"
    flags = [*TINY, "--eval-every", "10", "--eval-n", "200", "--select", "label_accuracy"]
    assert main(["train", "digits", "--steps", "30", "--out", str(run), *flags]) == 0
    evals = [json.loads(ln)["eval"] for ln in (run / "metrics.jsonl").read_text().splitlines() if "eval" in ln]
    assert len(evals) == 3 and all(0.0 <= e["label_accuracy"] <= 1.0 and e["fd"] > 0 for e in evals)
    best = json.loads((run / "checkpoints" / "best" / "state.json").read_text())
    assert best["selects"] == "label_accuracy"
    assert best["best_score"] == max(e["label_accuracy"] for e in evals)


def test_class_consistency_adds_a_logged_generator_term(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY, "--class-consistency", "0.5"]) == 0
    logged = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
    terms = [row["G/class"] for row in logged if "G/class" in row]
    assert terms and all(t > 0 for t in terms)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--unconditional"], "--class-consistency needs a conditional run"),
        (["--dp-epsilon", "5"], "--class-consistency trains a classifier on the private images"),
    ],
)
def test_class_consistency_is_refused_where_it_cannot_work(
    tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str], message: str
) -> None:
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "10", "--out", str(run), *TINY, "--class-consistency", "1", *extra]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--select", "fdd", "--eval-every", "10"], "--select fdd: not a declared score"),
        (["--select", "label_accuracy", "--eval-every", "0"], "--select needs quick evaluations"),
        (["--select", "label_accuracy", "--eval-every", "10", "--unconditional"], "needs a conditional run"),
    ],
)
def test_a_select_that_cannot_pick_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str], message: str
) -> None:
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "10", "--out", str(run), *TINY, *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (run / "checkpoints").exists()


def test_early_stopping_after_patience(tmp_path: Path) -> None:
    import numpy as np
    import torch

    from scigan.config import TrainConfig
    from scigan.core.trainer import Trainer
    from scigan.nets import NetSpec, build

    scores = iter([5.0, 4.0, 4.5, 4.2, 3.0])  # best at the 2nd evaluation, then 2 worse ones
    config = TrainConfig.from_flat(
        data="digits", steps=100, batch_size=8, eval_every=5, patience=2, checkpoint_every=0, progress=False, z_dim=4
    )
    G, D = build("mlp", NetSpec(size=4, channels=1, z_dim=4, width=2))
    data = torch.from_numpy(np.random.default_rng(0).integers(0, 255, (32, 1, 4, 4), dtype=np.uint8))
    trainer = Trainer(
        config,
        G,
        D,
        data,
        None,
        lambda x: x.float() / 127.5 - 1,
        4,
        tmp_path,
        evaluate=lambda G_: {"fd": next(scores)},
        log=lambda s: None,
    )
    result = trainer.train()
    assert result.stopped_early and result.step == 20
    assert (result.best_step, result.best_score) == (10, 4.0)
    assert json.loads((tmp_path / "checkpoints" / "best" / "state.json").read_text())["step"] == 10


def test_speed_options_train_and_bad_precision_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """fp32/NCHW/second fake batch is the plain path; each switch trains and is recorded."""
    run = tmp_path / "plain"
    argv = [
        "train",
        "digits",
        "--steps",
        "10",
        "--out",
        str(run),
        *TINY,
        "--precision",
        "fp32",
        "--no-channels-last",
        "--no-reuse-fake",
    ]
    assert main(argv) == 0
    text = (run / "config.toml").read_text()
    assert 'precision = "fp32"' in text and "channels_last = false" in text and "reuse_fake = false" in text
    capsys.readouterr()
    assert main(["train", "digits", "--steps", "5", "--out", str(tmp_path / "bad"), *TINY, "--precision", "fp16"]) == 2
    assert "auto, fp32 or bf16" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_bf16_autocast_stays_close_to_fp32(tmp_path: Path) -> None:
    """The same 20 steps in bf16 and fp32 end with losses of the same size."""
    losses = {}
    for precision in ("fp32", "bf16"):
        run = tmp_path / precision
        assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY, "--precision", precision]) == 0
        last = json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])
        losses[precision] = last["D/adv"]
    assert losses["bf16"] == pytest.approx(losses["fp32"], rel=0.15)
