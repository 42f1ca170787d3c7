"""Checkpoints: safetensors for every tensor, JSON for everything else, written atomically.

Layout of ``RUN/checkpoints/<name>/`` (name is the zero-padded step, or ``best``)::

    G.safetensors  D.safetensors  G_ema.safetensors     module weights and buffers
    optim_G.safetensors  optim_D.safetensors            optimizer state tensors
    state.json                                          step, config, optimizer groups...

A checkpoint is written under a temporary name and renamed into place, so a killed run
never leaves a half-written checkpoint that ``--resume`` would pick up.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from scigan.errors import ScienceError

STATE_FILE = "state.json"


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """Split an optimizer's state dict into flat tensors and JSON-able groups."""
    sd = optimizer.state_dict()
    tensors = {
        f"{index}.{key}": value.detach().cpu().contiguous()
        for index, state in sd["state"].items()
        for key, value in state.items()
        if isinstance(value, torch.Tensor)
    }
    return tensors, {"param_groups": sd["param_groups"]}


def _load_optimizer(optimizer: torch.optim.Optimizer, path: Path, groups: dict) -> None:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in load_file(path).items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": groups["param_groups"]})
    # give each state tensor its parameter's memory layout (e.g. channels-last), as a
    # fresh optimizer would, so a resumed run computes exactly what an unbroken one does
    for group in optimizer.param_groups:
        for param in group["params"]:
            for key, value in optimizer.state.get(param, {}).items():
                if isinstance(value, torch.Tensor) and value.shape == param.shape and value.stride() != param.stride():
                    optimizer.state[param][key] = torch.empty_like(param, dtype=value.dtype).copy_(value)


def save_checkpoint(
    directory: Path,
    modules: dict[str, nn.Module],
    optimizers: dict[str, torch.optim.Optimizer],
    state: dict[str, Any],
) -> Path:
    """Write a checkpoint to ``directory`` atomically and return it.

    ``modules`` and ``optimizers`` are keyed by short names (G, D, G_ema); ``state`` is
    JSON-serialisable (step, images seen, config...).
    """
    tmp = directory.with_name(f".tmp-{directory.name}-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    groups = {}
    for name, module in modules.items():
        tensors = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
        save_file(tensors, tmp / f"{name}.safetensors", metadata={"format": "pt"})
    for name, optimizer in optimizers.items():
        tensors, groups[name] = _optimizer_tensors(optimizer)
        save_file(tensors, tmp / f"optim_{name}.safetensors", metadata={"format": "pt"})
    (tmp / STATE_FILE).write_text(json.dumps({**state, "optimizer_groups": groups}, indent=1))
    old = directory.with_name(f".old-{directory.name}-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    if old.exists():
        shutil.rmtree(old)
    return directory


def read_state(directory: Path) -> dict[str, Any]:
    """The ``state.json`` of a checkpoint, with a clear error when it is not one."""
    path = directory / STATE_FILE
    if not path.is_file():
        raise ScienceError(f"{directory} is not a scigan checkpoint (no {STATE_FILE})")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        raise ScienceError(f"{path} is corrupt; delete that checkpoint folder") from None


def load_module(module: nn.Module, path: Path) -> None:
    """Load weights into ``module``, refusing (ScienceError) if they belong to another model."""
    if not path.is_file():
        raise ScienceError(f"missing weights file {path}")
    tensors = load_file(path, device="cpu")
    own = module.state_dict()
    missing = sorted(set(own) - set(tensors))
    extra = sorted(set(tensors) - set(own))
    wrong = [k for k in own if k in tensors and tensors[k].shape != own[k].shape]
    if missing or extra or wrong:
        first = (missing or extra or wrong)[0]
        raise ScienceError(
            f"{path} holds weights of a different architecture (e.g. {first!r} "
            f"{'is missing' if missing else 'is unexpected' if extra else 'has another shape'}); "
            "use the checkpoint with the run that wrote it"
        )
    module.load_state_dict(tensors)


def load_checkpoint(
    directory: Path,
    modules: dict[str, nn.Module],
    optimizers: dict[str, torch.optim.Optimizer] | None = None,
) -> dict[str, Any]:
    """Load ``modules`` (and ``optimizers``) from ``directory``; returns its state."""
    state = read_state(directory)
    for name, module in modules.items():
        load_module(module, directory / f"{name}.safetensors")
    for name, optimizer in (optimizers or {}).items():
        _load_optimizer(optimizer, directory / f"optim_{name}.safetensors", state["optimizer_groups"][name])
    return state


def step_checkpoints(run: Path) -> list[Path]:
    """The run's step checkpoints, oldest first (``best`` and temporary folders excluded)."""
    root = run / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.isdigit() and (p / STATE_FILE).is_file()]
    return sorted(found, key=lambda p: int(p.name))


def prune(run: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` step checkpoints, and stale temporary folders."""
    for path in step_checkpoints(run)[:-keep] if keep > 0 else []:
        shutil.rmtree(path)
    root = run / "checkpoints"
    for path in root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
