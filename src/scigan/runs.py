"""Run folders: making one safely, reading one back, finding its checkpoints.

Everything that reads a finished (or running) run goes through :func:`open_run`, so the
command line's ``sample``, ``evaluate`` and ``report`` agree on what a run holds. The
lowest layer above the config: data kinds, the report and the workflows import it.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scigan.config import TrainConfig, from_tables
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
        config = from_tables(doc)
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


def prepare_run_folder(out: Path, *, resume: bool, overwrite: bool) -> None:
    """Create ``out``, or check that it may be used: never delete what the user owns."""
    if not out.exists():
        if resume:
            raise ScienceError(f"--resume: run folder {out} does not exist; drop --resume to start it")
        out.mkdir(parents=True)
        return
    if not out.is_dir():
        raise ScienceError(f"--out {out} is a file; choose a folder path")
    is_run = (out / "config.toml").is_file()
    if resume:
        if not is_run:
            raise ScienceError(f"--resume: {out} is not a scigan run folder (no config.toml)")
        return
    if not any(out.iterdir()):
        return
    if not overwrite:
        raise ScienceError(
            f"run folder {out} already exists; pass --overwrite to replace it or --resume to continue it"
        )
    if not is_run:
        raise ScienceError(f"--overwrite: {out} is not a scigan run folder, so it is not deleted; choose another --out")
    shutil.rmtree(out)
    out.mkdir(parents=True)


def provenance(run: RunInfo, step: int, **extra: str) -> dict[str, str]:
    """The PNG text chunks (and file metadata) of every synthetic file written from a
    run: marked synthetic, naming the software, model, run and checkpoint step, plus
    ``extra`` chunks (keys are prefixed ``scigan:``)."""
    return {
        "Software": "scigan",
        "scigan:synthetic": "true",
        "scigan:model": run.config.model,
        "scigan:run": str(run.path),
        "scigan:step": str(step),
        **{f"scigan:{k}": v for k, v in extra.items()},
    }
