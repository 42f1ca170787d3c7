"""Scaling on one machine: one training run on 1 process × all threads against N
processes × 1 thread (``scigan train --nproc``, the same global batch), and the
augmentation experiment's seeds run one after the other (``--workers 1``) against a
process pool (``--workers 2``); every seed computes on one thread in both.

Training (digits, the default DCGAN, global batch 64): real images per second of
training time, and the training seconds until the quick FD (validation split, every
``EVAL`` steps) first reaches ``FD_TARGET``, from each run's own metrics.jsonl. The
augment rows time the whole command (wall seconds) and check that the two tables are
the same. Each command runs alone, in a subprocess, one after the other.

    python benchmarks/scale.py [--quick] [--json bench-results/scale.json]

The full run takes about 10 minutes on 2 cores; --quick trains a fifth of the steps.
On a CUDA machine (``--device cuda``) the training rows use nccl, one process per GPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, table, write_json

#: Training steps: full run, then --quick.
STEPS = (1500, 300)
#: Quick evaluation interval (steps) and the FD the time-to-quality column waits for.
EVAL, FD_TARGET = 100, 60.0
#: The global batch of every training row.
BATCH = 64
#: The augment experiment: digits, few labels per class, short GANs (full, --quick).
AUGMENT = {"per_class": 10, "repeats": 4, "gan_steps": (300, 60), "cnn_steps": (200, 50)}


def _run(cmd: list[str], threads: int) -> float:
    """Run ``cmd`` with ``threads`` torch threads per process; its wall seconds."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def training_row(nproc: int, threads: int, steps: int, out: Path, device: str) -> dict[str, Any]:
    """Train digits on ``nproc`` processes × ``threads`` threads; images/s and time to FD."""
    cmd = [sys.executable, "-m", "scigan", "train", "digits", "--steps", str(steps), "--out", str(out)]
    cmd += ["--batch-size", str(BATCH // nproc), "--eval-every", str(EVAL), "--sample-every", "0"]
    cmd += ["--device", device, "--quiet", "--overwrite", *(["--nproc", str(nproc)] if nproc > 1 else [])]
    wall = _run(cmd, threads)
    state = json.loads((out / "checkpoints" / f"{steps:08d}" / "state.json").read_text())
    evals = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    reached = [e["seconds"] for e in evals if "eval" in e and e["eval"].get("fd", float("inf")) <= FD_TARGET]
    final = [e["eval"]["fd"] for e in evals if "eval" in e][-1]
    return {
        "case": f"train {nproc} proc × {threads} thread",
        "images_per_s": state["images"] / state["seconds"],
        "train_seconds": state["seconds"],
        "wall_seconds": wall,
        "seconds_to_fd": reached[0] if reached else None,
        "final_fd": final,
    }


def augment_row(workers: int, quick: bool, out: Path) -> dict[str, Any]:
    """The augment experiment with ``workers`` processes (1: serial); one thread per seed."""
    i = 1 if quick else 0
    cmd = [sys.executable, "-m", "scigan", "augment", "digits", "--per-class", str(AUGMENT["per_class"])]
    cmd += ["--repeats", str(AUGMENT["repeats"]), "--gan-steps", str(AUGMENT["gan_steps"][i])]
    cmd += ["--cnn-steps", str(AUGMENT["cnn_steps"][i]), "--workers", str(workers), "--out", str(out)]
    cmd += ["--quiet", "--overwrite"]
    wall = _run(cmd, 1)
    return {"case": f"augment {workers} worker(s)", "wall_seconds": wall, "table": (out / "table.md").read_text()}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = parse(p)
    steps = STEPS[1] if args.quick else STEPS[0]
    gpus = _gpus() if args.device in ("auto", "cuda") else 0
    device, nproc = ("cuda", gpus) if gpus else ("cpu", 2)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, threads in ((1, os.cpu_count() or 1), (nproc, 1)):
            rows.append(training_row(n, threads, steps, Path(tmp) / f"train-{n}", device))
            print(f"{rows[-1]['case']}: {rows[-1]['images_per_s']:.0f} images/s", flush=True)
        for workers in (1, 2):
            rows.append(augment_row(workers, args.quick, Path(tmp) / f"augment-{workers}"))
            print(f"{rows[-1]['case']}: {rows[-1]['wall_seconds']:.0f} s", flush=True)
    one, many, serial, pool = rows
    same_table = serial.pop("table") == pool.pop("table")
    columns = ["case", "images_per_s", "train_seconds", "seconds_to_fd", "final_fd", "wall_seconds"]
    print(table(rows, columns))
    print(f"augment tables identical: {same_table}")
    summary = {
        "train_speedup": many["images_per_s"] / one["images_per_s"],
        "train_images_per_s_1proc": one["images_per_s"],
        "train_images_per_s_nproc": many["images_per_s"],
        "seconds_to_fd_1proc": one["seconds_to_fd"],
        "seconds_to_fd_nproc": many["seconds_to_fd"],
        "augment_speedup": serial["wall_seconds"] / pool["wall_seconds"],
        "augment_tables_identical": same_table,
    }
    print(f"training speed-up {summary['train_speedup']:.2f}×, augment speed-up {summary['augment_speedup']:.2f}×")
    write_json(args.json, summary, runs=rows, fd_target=FD_TARGET, steps=steps, nproc=nproc, device=device)


def _gpus() -> int:
    """CUDA devices this machine has (0 without CUDA)."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


if __name__ == "__main__":
    main()
