"""Run folders: making one safely, reading one back, finding its checkpoints.

Everything that reads a finished (or running) run goes through :func:`open_run`, so the
command line's ``sample``, ``evaluate`` and ``report`` agree on what a run holds. The
lowest layer above the config: data kinds, the report and the workflows import it.

A folder is scigan's only when it carries scigan's marker (:data:`MARKER`, holding the
folder's kind and a run id) or is a run written before the marker (a config.toml with a
[train] table, and checkpoints/); ``--overwrite`` then deletes only the names its
:class:`FolderKind` writes (:func:`claim_folder`, shared with the augment output folder).
"""

from __future__ import annotations

import json
import shutil
import tomllib
import uuid
from collections.abc import Callable
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
    """Read ``RUN/config.toml``; a clear ScienceError (one line, naming the file) when
    ``path`` is not a run folder or its config is not what scigan wrote."""
    path = Path(path)
    if not path.exists():
        raise ScienceError(f"run folder {path} does not exist; train one with `scigan train DATA --out {path}`")
    cfg = path / "config.toml"
    if not cfg.exists():
        raise ScienceError(f"{path} is not a scigan run folder (no config.toml)")
    doc = _read_toml(cfg)
    data = doc.get("data")
    if not isinstance(data, dict):
        raise ScienceError(f"{cfg} lacks the [data] table; it was not written by scigan")
    try:
        config = from_tables(doc)
        _check_data_table(data)
        return RunInfo(path, config, dict(data))
    except ScienceError as err:
        raise ScienceError(f"{cfg}: {err}") from None


def _check_data_table(data: dict[str, Any]) -> None:
    """Refuse a [data] table without the entries every run has (its kind's own entries
    are checked where they are read: :func:`data_table_error`)."""
    from scigan.modalities import get_kind

    entries: list[tuple[str, type, str]] = [("modality", str, "a string"), ("class_names", list, "a list")]
    entries += [(key, int, "an integer") for key in ("num_classes", "n_train", "n_holdout")]
    for key, kind, name in entries:
        if not isinstance(data.get(key), kind):
            raise ScienceError(f"[data] {key} must be {name}, got {data.get(key)!r:.40}")
    get_kind(data["modality"])


def data_table_error(run: RunInfo, err: Exception) -> ScienceError:
    """The one line for a run whose [data] table lacks an entry its kind reads
    (``err`` a KeyError) or holds one of another type (TypeError, ValueError)."""
    what = f"lacks the entry {err}" if isinstance(err, KeyError) else f"holds a value of the wrong type ({err})"
    return ScienceError(f"{run.path / 'config.toml'}: its [data] table {what}; it was not written by scigan")


def _read_toml(path: Path) -> dict[str, Any]:
    """The tables of the TOML file ``path``; ScienceError naming it when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except IsADirectoryError:
        raise ScienceError(f"{path} is a folder, not a TOML file") from None
    except OSError as err:
        raise ScienceError(f"{path} cannot be read: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        reason = " ".join(str(err).split())
        raise ScienceError(f"{path} is not valid TOML ({reason}); restore it or train the run again") from None


def checkpoint_dirs(run: RunInfo, which: str = "auto") -> list[Path]:
    """The checkpoint folders to read, the one ``which`` names first, then those to fall
    back to when it is damaged. ``auto``: best (when the run kept one), then the step
    checkpoints newest first; ``latest``: the step checkpoints newest first; ``best`` or
    a step number: that one only."""
    from scigan.core.checkpoint import step_checkpoints

    steps = step_checkpoints(run.path)[::-1]
    best = run.path / "checkpoints" / "best"
    found: list[Path] = []
    if which == "auto":
        found = [best, *steps] if best.is_dir() else steps
    elif which == "latest":
        found = steps
    elif which == "best":
        found = [best] if best.is_dir() else []
    elif which.isdigit():
        found = [p for p in steps if int(p.name) == int(which)]
    else:
        raise ScienceError(f"--checkpoint must be auto, best, latest or a step number, got {which!r}")
    if not found:
        raise ScienceError(f"{run.path} has no checkpoint {which!r}; train it first or pick another")
    return found


#: The file that marks a folder as written by scigan: JSON with the folder's kind
#: ("run", "augment") and its id (a uuid4, hex), new each time the folder is (re)made.
MARKER = ".scigan-run"


@dataclass(frozen=True)
class FolderKind:
    """A kind of folder scigan writes (a training run, an augment output folder): the
    names it writes at the folder's top level, which ``--overwrite`` deletes and nothing
    else, and how a folder written before the marker existed is recognised.

    ``products()`` returns those names (evaluated when needed: the data kinds' copies are
    known once the kinds are registered); ``legacy(folder)`` says whether an unmarked
    folder is one of these all the same.
    """

    name: str
    title: str  # with its article: "a scigan run folder"
    products: Callable[[], frozenset[str]]
    legacy: Callable[[Path], bool]


def read_marker(folder: Path) -> dict[str, str] | None:
    """The marker of ``folder`` ({"folder": kind name, "id": run id}); None when it has
    none, or one scigan did not write."""
    try:
        marker = json.loads((folder / MARKER).read_bytes())
    except (OSError, ValueError):
        return None
    if isinstance(marker, dict) and isinstance(marker.get("folder"), str) and isinstance(marker.get("id"), str):
        return marker
    return None


def write_marker(folder: Path, kind: FolderKind) -> str:
    """Mark ``folder`` as a new folder of ``kind`` (atomically); returns its new id."""
    run_id = uuid.uuid4().hex
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps({"folder": kind.name, "id": run_id}) + "\n")
    tmp.replace(folder / MARKER)
    return run_id


def is_folder_of(folder: Path, kind: FolderKind) -> bool:
    """Whether scigan wrote ``folder`` as a folder of ``kind``: its marker says so, or
    (unmarked) it is one written before the marker existed."""
    if not folder.is_dir():
        return False
    marker = read_marker(folder)
    if marker is not None:
        return marker["folder"] == kind.name
    return not (folder / MARKER).exists() and kind.legacy(folder)


def claim_folder(out: Path, kind: FolderKind, *, overwrite: bool, resume: bool = False) -> None:
    """Create the folder ``out`` of ``kind`` (marked), or check that it may be used.

    An existing non-empty folder needs ``resume`` (continue it: it must be one of
    ``kind``'s) or ``overwrite`` (make it anew: it must be one of ``kind``'s, and only the
    names ``kind`` writes are deleted; the user's other files stay). ScienceError, one
    line, for everything else; nothing is deleted then.
    """
    if out.exists() and not out.is_dir():
        raise ScienceError(f"--out {out} is a file; choose a folder path")
    if not out.exists():
        if resume:
            raise ScienceError(f"--resume: {out} does not exist; drop --resume to start it")
        out.mkdir(parents=True)
        write_marker(out, kind)
        return
    ours = is_folder_of(out, kind)
    if resume:
        if not ours:
            raise ScienceError(f"--resume: {out} is not {kind.title} (no {MARKER} of scigan's)")
        if read_marker(out) is None:  # written before the marker: adopt it
            write_marker(out, kind)
        return
    entries = list(out.iterdir())
    if entries:
        if not overwrite:
            again = " or --resume to continue it" if kind is RUN_FOLDER else " or choose another --out"
            raise ScienceError(f"{out} already exists; pass --overwrite to replace it{again}")
        if not ours:
            raise ScienceError(f"--overwrite: {out} is not {kind.title}, so it is not deleted; choose another --out")
        products = kind.products() | {MARKER, f"{MARKER}.tmp"}
        for entry in entries:
            if entry.name not in products:
                continue  # the user's: kept
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    write_marker(out, kind)


def _run_products() -> frozenset[str]:
    """The names a training run writes at its folder's top level."""
    from scigan.modalities import kinds

    names = {"config.toml", "checkpoints", "samples", "metrics.jsonl", "codec.json", "evaluation.json"}
    names |= {"report", "report.html", "config.toml.tmp", "codec.json.tmp"}
    return frozenset(names | {k.data_copy for k in kinds() if k.data_copy})


def _legacy_run(folder: Path) -> bool:
    """A run folder written before the marker: a config.toml with a [train] table, and checkpoints/."""
    if not (folder / "checkpoints").is_dir() or not (folder / "config.toml").is_file():
        return False
    try:
        return isinstance(_read_toml(folder / "config.toml").get("train"), dict)
    except ScienceError:
        return False


RUN_FOLDER = FolderKind("run", "a scigan run folder", _run_products, _legacy_run)


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` is a training run scigan wrote (marked, or from before the marker)."""
    return is_folder_of(folder, RUN_FOLDER)


def prepare_run_folder(out: Path, *, resume: bool, overwrite: bool) -> None:
    """Create the run folder ``out`` (marked as scigan's), or check that it may be
    used: see :func:`claim_folder` (never delete what the user owns)."""
    claim_folder(out, RUN_FOLDER, overwrite=overwrite, resume=resume)


def provenance(run: RunInfo, step: int, **extra: str) -> dict[str, str]:
    """The PNG text chunks (and file metadata) of every synthetic file written from a
    run: marked synthetic, naming the software and its version, model, run folder, run
    id (its marker's; absent for a run from before the marker), the first 16 hex digits
    of the SHA-256 of RUN/config.toml and the checkpoint step, plus ``extra`` chunks
    (keys are prefixed ``scigan:``)."""
    import hashlib

    from scigan import __version__

    marker = read_marker(run.path)
    try:
        config_hash = hashlib.sha256((run.path / "config.toml").read_bytes()).hexdigest()[:16]
    except OSError:
        config_hash = ""
    return {
        "Software": "scigan",
        "scigan:synthetic": "true",
        "scigan:version": __version__,
        "scigan:model": run.config.model,
        "scigan:run": str(run.path),
        **({"scigan:run_id": marker["id"]} if marker is not None else {}),
        **({"scigan:config_hash": config_hash} if config_hash else {}),
        "scigan:step": str(step),
        **{f"scigan:{k}": v for k, v in extra.items()},
    }
