"""A run folder as an object: its config, its data description, its generator.

Everything that reads a finished (or running) run goes through :func:`open_run`, so the
command line's ``sample``, ``evaluate`` and ``report`` agree on what a run holds.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scigan.config import TrainConfig
from scigan.errors import ScienceError


@dataclass(frozen=True)
class RunInfo:
    """A run folder's resolved training config and what it learned about its data.

    ``data`` holds: modality, num_classes, class_names, n_train, n_holdout, and what the
    modality's ``describe`` added (images: channels, size; tables: the column layout).
    """

    path: Path
    config: TrainConfig
    data: dict[str, Any]

    @property
    def num_classes(self) -> int:
        """Label values the generator is conditioned on (0 when unconditional)."""
        return int(self.data["num_classes"]) if self.config.conditional == "yes" else 0

    @property
    def class_names(self) -> list[str]:
        """Names of the label values the generator knows."""
        return list(self.data["class_names"]) if self.num_classes else []


def open_run(path: str | Path) -> RunInfo:
    """Read ``RUN/config.toml``; a clear ScienceError when ``path`` is not a run folder."""
    path = Path(path)
    if not path.exists():
        raise ScienceError(f"run folder {path} does not exist; train one with `scigan train DATA --out {path}`")
    cfg = path / "config.toml"
    if not cfg.is_file():
        raise ScienceError(f"{path} is not a scigan run folder (no config.toml)")
    with open(cfg, "rb") as fh:
        doc = tomllib.load(fh)
    try:
        config = TrainConfig().with_overrides(**doc["train"])
        return RunInfo(path, config, dict(doc["data"]))
    except KeyError as err:
        raise ScienceError(f"{cfg} lacks the {err} table; it was not written by scigan") from None


def checkpoint_dir(run: RunInfo, which: str = "auto") -> Path:
    """The checkpoint folder to read: ``best``, ``latest``, a step number, or ``auto``
    (best when the run kept one, else latest)."""
    from scigan.core.checkpoint import step_checkpoints

    steps = step_checkpoints(run.path)
    best = run.path / "checkpoints" / "best"
    if which in ("auto", "best") and best.is_dir():
        return best
    if which in ("auto", "latest"):
        if steps:
            return steps[-1]
    elif which.isdigit():
        wanted = [p for p in steps if int(p.name) == int(which)]
        if wanted:
            return wanted[0]
    elif which != "best":
        raise ScienceError(f"--checkpoint must be auto, best, latest or a step number, got {which!r}")
    raise ScienceError(f"{run.path} has no checkpoint {which!r}; train it first or pick another")


def load_generator(run: RunInfo, which: str = "auto", device: str = "cpu"):
    """The run's sampling generator (EMA weights) in eval mode, and its checkpoint's state."""
    from scigan.core.checkpoint import load_module, read_state
    from scigan.core.trainer import resolve_device
    from scigan.modalities import get_modality

    if run.config.task != "generate":  # enhancement and translation runs map images to images
        command = "translate" if run.config.task in ("translate", "cyclegan") else "enhance"
        raise ScienceError(f"{run.path} is a {run.config.task} run: it does not sample, it maps images; "
                           f"use `scigan {command} {run.path} INPUT --out OUTPUT`")
    directory = checkpoint_dir(run, which)
    G, _ = get_modality(run.data["modality"]).networks(run.config, run.data, run.num_classes)
    load_module(G, directory / "G_ema.safetensors")
    return G.to(resolve_device(device)).eval(), read_state(directory)


def generate(G, n: int, *, z_dim: int, labels: np.ndarray | None, seed: int,
             batch_size: int = 500):
    """``n`` samples from ``G`` in model space (a float tensor on the CPU), drawn in eval
    mode without gradients from a generator seeded with ``seed``; ``labels`` (n,) for a
    conditional G."""
    import torch

    from scigan.core.trainer import seeded_generator

    device = next(G.parameters()).device
    rng = seeded_generator(device, seed, 3)
    was_training = G.training
    G.eval()
    out = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            z = torch.randn(m, z_dim, generator=rng, device=device)
            y = None if labels is None else torch.as_tensor(labels[start:start + m], device=device)
            out.append(G(z, y).float().cpu())
    G.train(was_training)
    return torch.cat(out)


def provenance(run: RunInfo, step: int, **extra: str) -> dict[str, str]:
    """The PNG text chunks (and file metadata) of every synthetic file written from a
    run: marked synthetic, naming the software, model, run and checkpoint step, plus
    ``extra`` chunks (keys are prefixed ``scigan:``)."""
    return {"Software": "scigan", "scigan:synthetic": "true", "scigan:model": run.config.model,
            "scigan:run": str(run.path), "scigan:step": str(step),
            **{f"scigan:{k}": v for k, v in extra.items()}}


def balanced_labels(n: int, num_classes: int) -> np.ndarray | None:
    """Labels 0..C-1 repeated to length ``n`` (None when unconditional)."""
    return np.arange(n) % num_classes if num_classes else None
