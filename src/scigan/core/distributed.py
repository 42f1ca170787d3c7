"""One training run on many processes (``torchrun``, or ``scigan train --nproc N``).

Every rank holds the whole G and D; each draws its shard of every step's batch, and the
gradients are averaged over the ranks before each optimizer step, so the ranks' weights
stay identical and the global batch is ``--batch-size`` × world size. The averaging is a
single all-reduce of the phase's flattened gradients after the backward pass (as
StyleGAN3's training loop does) rather than DistributedDataParallel's hooks: DDP's
reducer expects one forward per backward and no double backward, while a GAN step runs
the critic on real and fake batches before one backward and differentiates through it
again for the gradient penalty and R1.

Every helper here is a no-op in a single process (no process group), so the trainer calls
them unconditionally. Backend: gloo on the CPU, nccl on CUDA.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn

from scigan.errors import ScienceError

#: How long a rank waits for the others (a collective or barrier) before it gives up.
TIMEOUT = timedelta(minutes=30)


@dataclass(frozen=True)
class World:
    """This process's place in the run: ``rank`` of ``size`` processes, ``local_rank``
    on its machine (which GPU it takes)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Whether this is rank 0, the one that logs, evaluates and writes the run folder."""
        return self.rank == 0


#: One process, no process group.
SINGLE = World()


def from_environment() -> World:
    """The world torchrun describes in ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; a
    single process when they are unset."""
    try:
        return World(
            int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("LOCAL_RANK", 0))
        )
    except ValueError:
        raise ScienceError("RANK, WORLD_SIZE and LOCAL_RANK must be integers (set by torchrun)") from None


def start(world: World, device: torch.device) -> None:
    """Join the process group of ``world`` (gloo on the CPU, nccl on CUDA; the rendezvous
    address comes from torchrun's ``MASTER_ADDR``/``MASTER_PORT``); nothing for one process."""
    if world.size == 1 or dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend, rank=world.rank, world_size=world.size, timeout=TIMEOUT)


def stop() -> None:
    """Leave the process group, if one was joined."""
    if dist.is_initialized():
        dist.destroy_process_group()


def world_size() -> int:
    """Processes in the run (1 without a process group)."""
    return dist.get_world_size() if dist.is_initialized() else 1


def rank_device(world: World, device: torch.device) -> torch.device:
    """The device of this rank: its own GPU (``cuda:LOCAL_RANK``) for CUDA, else ``device``."""
    if device.type == "cuda" and world.size > 1:
        if world.local_rank >= torch.cuda.device_count():
            raise ScienceError(
                f"local rank {world.local_rank} has no GPU: this machine has {torch.cuda.device_count()}; "
                "start at most that many processes per machine"
            )
        torch.cuda.set_device(world.local_rank)
        return torch.device("cuda", world.local_rank)
    return device


def barrier() -> None:
    """Wait until every rank gets here."""
    if dist.is_initialized():
        dist.barrier()


def average_gradients(params: Iterable[nn.Parameter]) -> None:
    """Replace each parameter's ``.grad`` by its mean over the ranks (one all-reduce of
    the flattened gradients; a missing gradient counts as zero on that rank)."""
    if not dist.is_initialized():
        return
    params = [p for p in params if p.requires_grad]
    if not params:
        return
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    for p, g, chunk in zip(params, grads, flat.split([g.numel() for g in grads]), strict=True):
        # written into the gradient's own layout: fused Adam reads a gradient with the
        # parameter's strides, so a contiguous one under a channels_last weight would
        # be applied to the wrong elements
        p.grad = g.copy_(chunk.view(g.shape))


def broadcast_state(modules: Sequence[nn.Module], *, buffers_only: bool = False) -> None:
    """Copy rank 0's parameters and buffers (or only the buffers: batch-norm running
    statistics) of ``modules`` to every rank."""
    if not dist.is_initialized():
        return
    for module in modules:
        tensors = [*([] if buffers_only else module.parameters()), *module.buffers()]
        for t in tensors:
            dist.broadcast(t.data, src=0)


def sum_values(values: Sequence[float], device: torch.device) -> list[float]:
    """``values`` summed over the ranks (as float64)."""
    if not dist.is_initialized():
        return list(values)
    t = torch.tensor(list(values), dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.tolist()


def mean_per_step(totals: dict[str, torch.Tensor], steps: int, device: torch.device) -> dict[str, float]:
    """Each of ``totals`` (a scalar summed over ``steps`` steps on each rank) as its mean
    per step and rank."""
    names = sorted(totals)
    summed = sum_values([float(totals[k]) for k in names], device)
    return {k: v / steps / world_size() for k, v in zip(names, summed, strict=True)}


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every rank when ``flag`` is True on any."""
    return bool(sum_values([float(flag)], device)[0] > 0) if dist.is_initialized() else flag


def from_main(value: float, device: torch.device) -> float:
    """Rank 0's ``value`` on every rank."""
    if not dist.is_initialized():
        return value
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.broadcast(t, src=0)
    return float(t.item())


def sync_batch_norm(module: nn.Module, device: torch.device) -> nn.Module:
    """``module`` with its batch norms made SyncBatchNorm (statistics over the global
    batch) on CUDA in a multi-process run; unchanged on the CPU, where PyTorch's
    SyncBatchNorm does not run: each rank's batch norm then normalises with its own
    shard's statistics and rank 0's running statistics are broadcast after every step."""
    if dist.is_initialized() and device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    return module
