"""A trained run's generator: loading it from a checkpoint and drawing from it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scigan.errors import ScienceError
from scigan.runs import RunInfo, checkpoint_dirs, data_table_error


def load_generator(run: RunInfo, which: str = "auto", device: str = "cpu", log: Callable[[str], None] | None = None):
    """The run's sampling generator (EMA weights) in eval mode, and its checkpoint's state.

    A damaged checkpoint is skipped for the previous intact one (``auto``, ``latest``),
    with one warning line through ``log`` (default: a warning); ScienceError naming the
    damaged file when none is intact."""
    return _load_network(run, which, device, log, "G_ema")


def load_discriminator(
    run: RunInfo, which: str = "auto", device: str = "cpu", log: Callable[[str], None] | None = None
):
    """The run's discriminator (``D.safetensors`` of the checkpoint ``which`` names) in
    eval mode, and its checkpoint's state; damaged checkpoints are skipped as
    :func:`load_generator` skips them."""
    return _load_network(run, which, device, log, "D")


def _load_network(run: RunInfo, which: str, device: str, log: Callable[[str], None] | None, name: str):
    """The network saved as ``name`` (G_ema: the kind's generator; D: its discriminator)
    from the first intact checkpoint of ``which``, on ``device`` in eval mode, with the
    checkpoint's state."""
    from scigan.core.checkpoint import load_intact
    from scigan.core.device import resolve_device
    from scigan.modalities import get_modality
    from scigan.tasks import get_task

    task = get_task(run.config.task)
    if task.command != "sample":  # enhancement and translation runs map images to images
        raise ScienceError(
            f"{run.path} is a {task.name} run: it does not sample, it maps images; "
            f"use `scigan {task.command} {run.path} INPUT --out OUTPUT`"
        )
    directories = checkpoint_dirs(run, which)
    try:
        G, D = get_modality(run.data["modality"]).networks(run.config, run.data, run.num_classes)
    except ScienceError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise data_table_error(run, err) from None
    network = D if name == "D" else G
    _, state = load_intact(directories, {name: network}, log=log)
    return network.to(resolve_device(device)).eval(), state


def generate(G, n: int, *, z_dim: int, labels: np.ndarray | None, seed: int, batch_size: int = 500):
    """``n`` samples from ``G`` in model space (a float tensor on the CPU), drawn in eval
    mode without gradients from a generator seeded with ``seed``; ``labels`` (n,) for a
    conditional G."""
    import torch

    from scigan.core.device import seeded_generator

    device = next(G.parameters()).device
    rng = seeded_generator(device, seed, 3)
    was_training = G.training
    G.eval()
    out = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            z = torch.randn(m, z_dim, generator=rng, device=device)
            y = None if labels is None else torch.as_tensor(labels[start : start + m], device=device)
            out.append(G(z, y).float().cpu())
    G.train(was_training)
    return torch.cat(out)


def balanced_labels(n: int, num_classes: int) -> np.ndarray | None:
    """Labels 0..C-1 repeated to length ``n`` (None when unconditional)."""
    return np.arange(n) % num_classes if num_classes else None
