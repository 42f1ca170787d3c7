"""Checkpoints: safetensors for every tensor, JSON for everything else, written atomically.

Layout of ``RUN/checkpoints/<name>/`` (name is the zero-padded step, or ``best``)::

    G.safetensors  D.safetensors  G_ema.safetensors     module weights and buffers
    optim_G.safetensors  optim_D.safetensors            optimizer state tensors
    state.json                                          step, config, optimizer groups,
                                                        each file's sha256 and size

A checkpoint is written under a temporary name, every file and the folder fsynced, and
renamed into place (the parent fsynced too), so a killed run or a full disk never leaves
a half-written checkpoint that ``--resume`` would pick up. Loading checks each file
against its checksum; a damaged checkpoint is a :class:`DamagedCheckpoint`, which
:func:`load_intact` answers by falling back to an older one. Checkpoints written before
checksums load as before (a file safetensors cannot read is a DamagedCheckpoint too).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_bytes
from safetensors.torch import save as save_bytes
from torch import nn

from scigan.errors import ScienceError

STATE_FILE = "state.json"


class DamagedCheckpoint(ScienceError):
    """A checkpoint file that is missing, truncated, altered or unreadable (the message
    names it): the one error a reader may answer by falling back to an older checkpoint."""


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path`` and fsync it. Its mode is 0o666 less the
    umask, like every other file scigan writes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(path: Path) -> None:
    """fsync a folder, so the names created or renamed in it are on disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _digest(data: bytes) -> dict[str, Any]:
    """What state.json records of a file: its sha256 (hex) and its size in bytes."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


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


def _load_optimizer(optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], groups: dict) -> None:
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in tensors.items():
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
    """Write a checkpoint to ``directory`` atomically and durably, and return it.

    ``modules`` and ``optimizers`` are keyed by short names (G, D, G_ema); ``state`` is
    JSON-serialisable (step, images seen, config...). A write that fails (a full disk)
    leaves the earlier checkpoints as they were and raises one ScienceError line.
    """
    root = directory.parent
    root.mkdir(parents=True, exist_ok=True)
    _tidy(root)
    tmp = root / f".tmp-{directory.name}-{os.getpid()}"
    old = root / f".old-{directory.name}-{os.getpid()}"
    files: dict[str, dict[str, Any]] = {}

    def put(filename: str, tensors: dict[str, torch.Tensor]) -> None:
        data = save_bytes(tensors, metadata={"format": "pt"})
        _write_file(tmp / filename, data)
        files[filename] = _digest(data)

    try:
        tmp.mkdir()
        groups = {}
        for name, module in modules.items():
            put(f"{name}.safetensors", {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()})
        for name, optimizer in optimizers.items():
            tensors, groups[name] = _optimizer_tensors(optimizer)
            put(f"optim_{name}.safetensors", tensors)
        document = {**state, "optimizer_groups": groups, "files": files}
        _write_file(tmp / STATE_FILE, json.dumps(document, indent=1).encode())
        _sync_folder(tmp)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        _sync_folder(root)
    except OSError as err:
        if old.exists() and not directory.exists():
            old.rename(directory)
        raise ScienceError(
            f"could not write checkpoint {directory}: {err.strerror or err}; the earlier checkpoints are "
            "intact: free disk space (or fix the folder) and continue with --resume"
        ) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return directory


def _tidy(root: Path) -> None:
    """Finish what a killed save left in ``root``: a checkpoint whose replacement was cut
    between its two renames is restored from its ``.old-`` folder; every other ``.old-``
    and ``.tmp-`` folder is deleted."""
    for path in sorted(root.glob(".old-*")):
        target = root / path.name[len(".old-") :].rsplit("-", 1)[0]
        if path.is_dir() and not target.exists() and (path / STATE_FILE).is_file():
            path.rename(target)
        else:
            shutil.rmtree(path, ignore_errors=True)
    for path in root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)


def read_state(directory: Path) -> dict[str, Any]:
    """The ``state.json`` of a checkpoint; DamagedCheckpoint when it is missing or unreadable."""
    path = directory / STATE_FILE
    if not path.is_file():
        raise DamagedCheckpoint(f"{directory} is not a complete scigan checkpoint (no {STATE_FILE})")
    try:
        state = json.loads(path.read_bytes())
    except (OSError, ValueError):
        state = None
    if not isinstance(state, dict) or not isinstance(state.get("step"), int):
        raise DamagedCheckpoint(f"{path} is damaged (not the JSON scigan wrote); delete that checkpoint folder")
    return state


def _read(path: Path) -> bytes:
    """The bytes of the checkpoint file ``path``; DamagedCheckpoint when it is missing."""
    try:
        return path.read_bytes()
    except OSError:
        raise DamagedCheckpoint(f"{path} is missing or unreadable") from None


def _check_digest(path: Path, data: bytes, state: dict[str, Any]) -> None:
    """Refuse (DamagedCheckpoint) ``data`` read from ``path`` unless it is what the
    checkpoint's ``state`` recorded (checkpoints written before checksums record none)."""
    recorded = state.get("files")
    if not isinstance(recorded, dict):
        return
    if path.name not in recorded:
        raise DamagedCheckpoint(f"{path} is not listed in its {STATE_FILE}; the checkpoint is damaged")
    if _digest(data) != recorded[path.name]:
        raise DamagedCheckpoint(
            f"{path} is damaged: its checksum does not match {STATE_FILE} "
            f"({len(data)} bytes, {recorded[path.name].get('bytes')} written)"
        )


def _parse(path: Path, data: bytes) -> dict[str, torch.Tensor]:
    """The tensors of safetensors ``data`` read from ``path`` (DamagedCheckpoint when unreadable)."""
    try:
        return load_bytes(data)
    except Exception as err:  # safetensors' own error, or anything its parser raises on garbage
        reason = " ".join(str(err).split()) or type(err).__name__
        raise DamagedCheckpoint(f"{path} is damaged: not a readable safetensors file ({reason})") from None


def _check_architecture(module: nn.Module, tensors: dict[str, torch.Tensor], path: Path) -> None:
    """Refuse (ScienceError) weights that belong to another model."""
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


def load_checkpoint(
    directory: Path,
    modules: dict[str, nn.Module],
    optimizers: dict[str, torch.optim.Optimizer] | None = None,
) -> dict[str, Any]:
    """Load ``modules`` (and ``optimizers``) from ``directory``; returns its state.

    Every file is read and checked before anything is loaded, so a DamagedCheckpoint
    leaves the modules as they were.
    """
    state = read_state(directory)
    paths: dict[str, nn.Module | None] = {f"{n}.safetensors": m for n, m in modules.items()}
    paths.update({f"optim_{n}.safetensors": None for n in optimizers or {}})
    data = {name: _read(directory / name) for name in paths}
    tensors = {name: _parse(directory / name, blob) for name, blob in data.items()}
    for name, module in paths.items():  # a file of another model says so, even where its checksum differs
        if module is not None:
            _check_architecture(module, tensors[name], directory / name)
    for name, blob in data.items():
        _check_digest(directory / name, blob, state)
    saved_groups = state.get("optimizer_groups")
    groups: dict[str, dict] = {}
    for name in optimizers or {}:
        group = saved_groups.get(name) if isinstance(saved_groups, dict) else None
        if not isinstance(group, dict) or "param_groups" not in group:
            raise DamagedCheckpoint(f"{directory / STATE_FILE} lacks the optimizer state of {name}")
        groups[name] = group
    for name, module in modules.items():
        module.load_state_dict(tensors[f"{name}.safetensors"])
    for name, optimizer in (optimizers or {}).items():
        _load_optimizer(optimizer, tensors[f"optim_{name}.safetensors"], groups[name])
    return state


def verify(directory: Path, names: Sequence[str] | None = None) -> dict[str, Any]:
    """Check the files ``names`` of a checkpoint (by default every file its state.json
    lists, or every .safetensors file of one written before checksums) and return its
    state; DamagedCheckpoint naming the first bad file."""
    state = read_state(directory)
    recorded = state.get("files")
    if names is None:
        names = (
            sorted(recorded) if isinstance(recorded, dict) else sorted(p.name for p in directory.glob("*.safetensors"))
        )
    for name in names:
        data = _read(directory / name)
        _check_digest(directory / name, data, state)
        _parse(directory / name, data)
    return state


def first_intact(
    directories: Sequence[Path], names: Sequence[str] | None = None, log: Callable[[str], None] | None = None
) -> Path:
    """The first of ``directories`` whose files ``names`` (default: all) are intact, with
    one warning line through ``log`` (default: a warning) per damaged one skipped; the
    DamagedCheckpoint of the first when none is intact (nothing is warned then)."""
    return _first(directories, lambda d: verify(d, names), log)[0]


def load_intact(
    directories: Sequence[Path],
    modules: dict[str, nn.Module],
    optimizers: dict[str, torch.optim.Optimizer] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Load ``modules`` (and ``optimizers``) from the first intact checkpoint of
    ``directories``, skipping damaged ones as :func:`first_intact` does; returns it and
    its state. Weights of another architecture are a ScienceError, not a fallback."""
    return _first(directories, lambda d: load_checkpoint(d, modules, optimizers), log)


def _first(
    directories: Sequence[Path], attempt: Callable[[Path], dict[str, Any]], log: Callable[[str], None] | None
) -> tuple[Path, dict[str, Any]]:
    """``attempt`` on each of ``directories`` until one is not damaged: that one and what
    ``attempt`` returned, after one warning per damaged one before it."""
    problems: list[str] = []
    for directory in directories:
        try:
            result = attempt(directory)
        except DamagedCheckpoint as err:
            problems.append(str(err))
            continue
        for problem in problems:
            _warn(f"{problem}; using {directory} instead", log)
        return directory, result
    if not problems:
        raise ScienceError("no checkpoint to load")
    others = f" (and the {len(problems) - 1} older checkpoint(s) are damaged too)" if len(problems) > 1 else ""
    raise DamagedCheckpoint(f"{problems[0]}{others}; restore the run folder or train it again")


def resume_point(run: Path, log: Callable[[str], None] | None = None) -> Path | None:
    """The newest intact step checkpoint of ``run`` to resume from (None when it has
    none). Damaged newer ones are moved aside to ``checkpoints/.damaged-<name>`` (so the
    resumed run writes those steps again), each with one warning line through ``log``
    (default: a warning); DamagedCheckpoint naming the newest's bad file when none is intact."""
    found = step_checkpoints(run)[::-1]
    if not found:
        return None
    newest = first_intact(found, log=lambda line: None)
    for damaged in found[: found.index(newest)]:
        try:
            verify(damaged)
        except DamagedCheckpoint as err:
            aside = damaged.with_name(f".damaged-{damaged.name}")
            shutil.rmtree(aside, ignore_errors=True)
            damaged.rename(aside)
            _warn(f"{err}; resuming from {newest} (the damaged checkpoint is kept as {aside})", log)
    return newest


def _warn(message: str, log: Callable[[str], None] | None) -> None:
    """Say ``message`` as a warning line: through ``log`` when given, else as a warning
    of scigan's own (the command line shows it as one line)."""
    if log is not None:
        log(f"warning: {message}")
    else:
        warnings.warn(message, stacklevel=2)


def step_checkpoints(run: Path) -> list[Path]:
    """The run's step checkpoints, oldest first (``best`` and temporary folders excluded)."""
    root = run / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.isdigit() and (p / STATE_FILE).is_file()]
    return sorted(found, key=lambda p: int(p.name))


def prune(run: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` step checkpoints, and the temporary and stale
    folders a killed save left (restoring a checkpoint whose replacement it cut short)."""
    for path in step_checkpoints(run)[:-keep] if keep > 0 else []:
        shutil.rmtree(path)
    root = run / "checkpoints"
    if root.is_dir():
        _tidy(root)


def refuse_changed_options(run: Path, before: dict[str, Any], now: dict[str, Any]) -> None:
    """ScienceError when an option the run was trained with (``before``: the checkpoint's
    hyper-parameters over the legacy values of options added since) differs from ``now``;
    options of other kinds, absent from ``now``, are not compared."""
    changed = {k: (before[k], now[k]) for k in now if k in before and before[k] != now[k]}
    if changed:
        key, (old, new) = next(iter(changed.items()))
        raise ScienceError(
            f"cannot resume {run}: {key} was {old!r} and is now {new!r} "
            f"({len(changed)} option(s) changed); resume with the run's config or start a new --out"
        )
