"""``scigan train --nproc N``: the same command on N processes of this machine, started
by PyTorch's own launcher (what ``torchrun --standalone --nproc-per-node N -m scigan
train ...`` does), with one line instead of the launcher's report when a rank fails."""

from __future__ import annotations

import logging
import os
import signal
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from scigan.errors import ScienceError


def without_nproc(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--nproc N`` (or ``--nproc=N``) taken out."""
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "--nproc":
            skip = True
        elif not word.startswith("--nproc="):
            out.append(word)
    return out


def run_ranks(argv: Sequence[str], nproc: int, resume: str) -> int:
    """Run ``scigan`` with ``argv`` (without ``--nproc``) on ``nproc`` local processes
    (gloo or nccl, rendezvous on a free localhost port) and return the exit code: 0,
    the ranks' common code when they all stopped with one (2 for bad input, 128 + a
    signal), else 1 after one line that names the rank that failed and ``resume``."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    if nproc < 1:
        raise ScienceError(f"--nproc must be at least 1, got {nproc}")
    if os.environ.get("WORLD_SIZE"):
        raise ScienceError("--nproc inside torchrun: give the process count to torchrun only")
    config = LaunchConfig(
        min_nodes=1,
        max_nodes=1,
        nproc_per_node=nproc,
        run_id=f"scigan-{uuid.uuid4().hex[:8]}",
        rdzv_backend="c10d",
        rdzv_endpoint="localhost:0",
        max_restarts=0,
        monitor_interval=0.2,
    )
    logging.getLogger("torch.distributed.elastic").setLevel(logging.CRITICAL)  # one line of ours instead
    # one machine's cores shared by the ranks, as torchrun does; the ranks inherit it, and
    # this process's own setting is restored after them
    threads = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = threads or str(max(1, (os.cpu_count() or 1) // nproc))
    try:
        elastic_launch(config, entrypoint=sys.executable)("-m", "scigan", *without_nproc(argv))
    except ChildFailedError as failed:
        codes = {failure.exitcode for failure in failed.failures.values()}
        if 2 in codes:
            return 2  # bad input: rank 0 printed the line, the launcher stopped the others
        if min(codes) > 128 and len(codes) == 1:
            return codes.pop()  # interrupted: rank 0 saved a checkpoint and printed how to resume

        # the rank that went first: one killed by a signal other than the SIGTERM the
        # launcher sends the rest and the SIGABRT a rank whose peer vanished can end
        # with (gloo's threads abort at exit), else one that exited with an error
        def first(item: tuple[int, Any]) -> tuple[int, int]:
            code = item[1].exitcode
            return (0 if code < 0 and -code not in (signal.SIGTERM, signal.SIGABRT) else 1 if code > 0 else 2), item[0]

        rank, failure = min(failed.failures.items(), key=first)
        how = (
            f"was killed by {signal.Signals(-failure.exitcode).name}"
            if failure.exitcode < 0
            else f"stopped with exit code {failure.exitcode}"
        )
        print(
            f"scigan train: rank {rank} of {nproc} {how} and the others were stopped; the run keeps its "
            f"last checkpoint: continue with {resume}",
            file=sys.stderr,
        )
        return 1
    finally:
        if threads is None:
            del os.environ["OMP_NUM_THREADS"]
    return 0
