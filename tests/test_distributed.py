"""One run on several processes: gloo on the CPU, the toy points kind and a tiny table.

The multi-process runs start their ranks with ``torch.multiprocessing`` (spawn) or with
``scigan train --nproc``; each rank uses one thread.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from safetensors.torch import load_file

from scigan.cli import main
from scigan.cli.launch import without_nproc
from scigan.config import TrainConfig
from scigan.core.distributed import average_gradients
from scigan.modalities import register, unregister
from scigan.workflows.train import train

STEPS = 30
#: ns loss: no gradient penalty, whose interpolation points each rank draws on its own
TOY = dict(data="ring8", steps=STEPS, width=8, z_dim=4, loss="ns", eval_every=0, sample_every=0, log_every=10)
TABLE = ["--width", "8", "--batch-size", "32", "--z-dim", "8", "--eval-every", "0", "--sample-every", "0", "--quiet"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _toy_run(out: Path, **options: object) -> None:
    from toy_points import KIND

    register(KIND)
    try:
        train(TrainConfig.from_flat(**{**TOY, **options}), out, log=lambda s: None)
    finally:
        unregister(KIND.name)


def _rank(rank: int, world: int, port: int, out: str, options: dict) -> None:
    """One rank of a spawned run (torchrun's environment, one thread)."""
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    _toy_run(Path(out), **options)


def _spawned(out: Path, world: int, **options: object) -> None:
    mp.start_processes(_rank, args=(world, _free_port(), str(out), options), nprocs=world, start_method="spawn")


def _weights(run: Path) -> dict[str, torch.Tensor]:
    step = sorted((run / "checkpoints").glob("0*"))[-1]
    return {**load_file(step / "G.safetensors"), **{f"D.{k}": v for k, v in load_file(step / "D.safetensors").items()}}


def _distance(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    """The Euclidean distance between two sets of weights (the same names)."""
    return math.sqrt(sum(float(((a[k] - b[k]) ** 2).sum()) for k in a))


def test_world_size_one_reproduces_the_plain_run_bit_for_bit(tmp_path: Path) -> None:
    _toy_run(tmp_path / "plain", batch_size=32)
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:  # every collective runs, on one rank
        _toy_run(tmp_path / "group", batch_size=32)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    plain, group = _weights(tmp_path / "plain"), _weights(tmp_path / "group")
    assert plain.keys() == group.keys() and all(torch.equal(plain[k], group[k]) for k in plain)


def test_averaged_gradients_keep_the_parameters_layout(tmp_path: Path) -> None:
    conv = torch.nn.Conv2d(3, 4, 3).to(memory_format=torch.channels_last)
    conv(torch.randn(2, 3, 6, 6).contiguous(memory_format=torch.channels_last)).square().mean().backward()
    before = conv.weight.grad.clone()
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        average_gradients(conv.parameters())
    finally:
        dist.destroy_process_group()
    grad = conv.weight.grad
    assert grad is not None and torch.equal(grad, before)
    # fused Adam reads the gradient with the weight's strides
    assert grad.stride() == conv.weight.stride() and conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_two_ranks_match_one_process_with_the_doubled_batch(tmp_path: Path) -> None:
    _toy_run(tmp_path / "one", batch_size=32)
    _spawned(tmp_path / "two", 2, batch_size=16)
    one, two = _weights(tmp_path / "one"), _weights(tmp_path / "two")
    # the same rows, latents and labels per step; only the order of the sums differs
    # (and so Adam's first steps, ±lr wherever a gradient is near 0): after 30 steps the
    # weights lie within 1e-3 of their norm (measured 1.3e-4) ...
    assert _distance(one, two) < 1e-3 * _distance(one, {k: 0 * v for k, v in one.items()})
    _toy_run(tmp_path / "half", batch_size=16)
    half = _weights(tmp_path / "half")
    # ... and far closer than a 16-row run's (measured 42 times)
    assert _distance(one, half) > 10 * _distance(one, two)
    # rank 0 alone wrote the log and the checkpoint: every line once, in order
    steps = [json.loads(line)["step"] for line in (tmp_path / "two" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [10, 20, 30]
    state = json.loads((tmp_path / "two" / "checkpoints" / f"{STEPS:08d}" / "state.json").read_text())
    assert state["images"] == STEPS * 32  # samples of the global batch
    assert "[distributed]\nworld_size = 2" in (tmp_path / "two" / "config.toml").read_text()


def test_without_nproc() -> None:
    argv = ["train", "digits", "--nproc", "2", "--steps", "5", "--nproc=3"]
    assert without_nproc(argv) == ["train", "digits", "--steps", "5"]


def _ranks_of(launcher: int) -> dict[int, int]:
    """{rank: pid} of the worker processes under ``launcher``."""
    found: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = dict(
                part.split("=", 1) for part in (proc / "environ").read_bytes().decode().split("\0") if "=" in part
            )
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
        if "RANK" in env and env.get("TORCHELASTIC_RUN_ID", "").startswith("scigan-") and parent == launcher:
            found[int(env["RANK"])] = int(proc.name)
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the ranks through /proc")
def test_a_killed_rank_stops_the_run_which_resumes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "r"
    argv = ["train", "breast-cancer", "--nproc", "2", "--steps", "100000", "--checkpoint-every", "5", *TABLE]
    cmd = [sys.executable, "-m", "scigan", *argv, "--out", str(run)]
    launcher = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while not list((run / "checkpoints").glob("0*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    ranks = _ranks_of(launcher.pid)
    assert set(ranks) == {0, 1}, ranks
    os.kill(ranks[1], signal.SIGKILL)
    _, err = launcher.communicate(timeout=120)
    assert launcher.returncode == 1
    assert "rank 1 of 2" in err and "--resume" in err, err
    saved = max(int(p.name) for p in (run / "checkpoints").glob("0*"))
    # a single process continues the multi-process run's folder
    resume = ["train", "breast-cancer", "--steps", str(saved + 2), *TABLE, "--out", str(run), "--resume"]
    assert main(resume) == 0
    assert (run / "checkpoints" / f"{saved + 2:08d}").is_dir()
    # and two processes continue it again
    resume[3] = str(saved + 4)
    assert main([*resume, "--nproc", "2"]) == 0
    assert (run / "checkpoints" / f"{saved + 4:08d}").is_dir()


def test_bad_input_on_every_rank_is_one_line_and_exit_2(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    argv = ["train", "breast-cancer", "--nproc", "2", *TABLE, "--batch-size", "5000", "--out", str(tmp_path / "r")]
    assert main(argv) == 2
    err = capfd.readouterr().err
    assert err.count("fewer than --batch-size 5000") == 1 and "rank" not in err, err
