"""The registry of data kinds: name -> kind, its file suffixes, built-ins and options.

Each kind is one package under ``scigan/modalities/<kind>/`` whose light ``__init__``
declares a :class:`DataKind` named ``KIND``; its heavy code (readers, codec, networks,
scores) sits in modules the registry imports only when the kind is used. Adding a kind
is one line in :data:`BUILTIN_KINDS`, or :func:`register` for a kind defined elsewhere
(the tests add a toy kind that way). Importing this module costs the standard library.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scigan.errors import ScienceError
from scigan.options import NoOptions

if TYPE_CHECKING:
    from scigan.datasets import DatasetEntry
    from scigan.metrics.registry import Score
    from scigan.modalities.base import Modality

#: The kind packages scigan ships; each module holds a ``KIND``. The registration lines.
BUILTIN_KINDS = (
    "scigan.modalities.images",
    "scigan.modalities.tabular",
    "scigan.modalities.expression",
    "scigan.modalities.sequences",
    "scigan.modalities.molecules",
    "scigan.modalities.timeseries",
)


@dataclass(frozen=True)
class DataKind:
    """One data kind, as the core and the command line see it.

    Attributes:
        name: what ``--modality`` takes and run folders record, e.g. ``"images"``.
        modality: the kind's :class:`~scigan.modalities.base.Modality` class, or its
            ``"package.module:Class"`` path (imported on first use).
        options: the dataclass of the kind's own options (its ``config.toml`` section).
        suffixes: file endings that name this kind when the data is not a built-in.
        fallback: this kind reads any path no kind's suffix claims (folders, ``.npz``).
        builtins: the built-in data sets it reads.
        data_copy: the file a run keeps its copy of a Dataset handed to ``train`` in.
        copy_applied: the kind's options that shape what is read from a source (e.g.
            dropped columns), already applied to that copy: a run reading its copy sets
            them back to their defaults.
        scores: the scores only this kind produces (the shared ones are in
            :mod:`scigan.metrics.registry`).
        selects: the key of the quick score (lower is better) that picks the best
            checkpoint and drives early stopping.
        validation: the share of a run's rows (outside the holdout) its quick scores are
            computed on when ``--validation`` is left at -1; 0 when the kind's quick
            scores compare with the training rows.
        augmenter: ``"package.module:Class"`` of the kind's part of ``scigan augment``
            (its downstream features, classic augmentation and classifier); "" when the
            kind does not take part.
        pictures: its samples are written as image files, which can carry a C2PA
            manifest and an invisible watermark (``scigan sample --watermark``).
        summary: one line for ``--help``.
    """

    name: str
    modality: str | type
    options: type = NoOptions
    suffixes: tuple[str, ...] = ()
    fallback: bool = False
    builtins: tuple[DatasetEntry, ...] = ()
    data_copy: str = ""
    copy_applied: tuple[str, ...] = ()
    scores: tuple[Score, ...] = ()
    selects: str = "fd"
    validation: float = 0.1
    augmenter: str = ""
    pictures: bool = False
    summary: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def create(self) -> Modality:
        """A new instance of the kind's Modality class."""
        cls = self.modality
        if isinstance(cls, str):
            if "class" not in self._cache:
                module, _, attr = cls.partition(":")
                self._cache["class"] = getattr(importlib.import_module(module), attr)
            cls = self._cache["class"]
        return cls()


_KINDS: dict[str, DataKind] = {}
_BUILTINS_LOADED: list[bool] = []


def register(kind: DataKind, *, replace: bool = False) -> DataKind:
    """Add ``kind`` to the registry (``replace``: over a kind of the same name)."""
    _load_builtin_kinds()
    if kind.name in _KINDS and not replace:
        raise ValueError(f"a data kind named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove the kind called ``name`` (tests that add a toy kind clean up with it)."""
    _KINDS.pop(name, None)


def _load_builtin_kinds() -> None:
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED.append(True)
        for module in BUILTIN_KINDS:
            kind = importlib.import_module(module).KIND
            _KINDS.setdefault(kind.name, kind)


def kinds() -> list[DataKind]:
    """Every registered data kind, the built-in ones first."""
    _load_builtin_kinds()
    return list(_KINDS.values())


def kind_names() -> list[str]:
    """The names of every registered data kind."""
    return [k.name for k in kinds()]


def get_kind(name: str) -> DataKind:
    """The kind called ``name``; ScienceError naming the known kinds otherwise."""
    _load_builtin_kinds()
    kind = _KINDS.get(name)
    if kind is None:
        raise ScienceError(f"unknown data kind {name!r}; choose one of: {', '.join(kind_names())}")
    return kind


def get_modality(name: str) -> Modality:
    """The Modality object of the kind called ``name`` (imported on first use)."""
    return get_kind(name).create()


def find_builtin(name: str) -> tuple[DataKind, DatasetEntry] | None:
    """The kind and entry of the built-in data set called ``name`` (case-insensitive)."""
    key = name.strip().lower()
    for kind in kinds():
        for entry in kind.builtins:
            if entry.name == key:
                return kind, entry
    return None


def entries() -> list[DatasetEntry]:
    """All built-in data sets, in display order (each data kind's, kind by kind)."""
    return [entry for kind in kinds() for entry in kind.builtins]


def list_datasets() -> list[dict[str, Any]]:
    """Every built-in data set as a JSON-ready dict (see :meth:`DatasetEntry.as_dict`)."""
    return [entry.as_dict() for entry in entries()]


def get_entry(name: str) -> DatasetEntry | None:
    """The built-in called ``name`` (case-insensitive), or None if there is none."""
    found = find_builtin(name)
    return None if found is None else found[1]


def modality_for(source: str, declared: str = "auto") -> str:
    """The name of the kind that reads ``source``: ``declared`` unless "auto", else a
    built-in's own, else the kind whose suffixes the path ends with (one suffix or
    two, ``.fa.gz``), else the fallback
    kind (folders and other files)."""
    if declared != "auto":
        return get_kind(declared).name
    builtin = find_builtin(source)
    if builtin is not None:
        return builtin[0].name
    path = Path(source)
    endings = {path.suffix.lower(), "".join(path.suffixes[-2:]).lower()}  # x.fa and x.fa.gz
    registered = kinds()
    for kind in registered:
        if endings & set(kind.suffixes):
            return kind.name
    fallback = next((k for k in registered if k.fallback), None)
    if fallback is None:
        raise ScienceError(f"no data kind reads {source!r}; name one with --modality ({', '.join(kind_names())})")
    return fallback.name


def option_owner(key: str) -> list[str]:
    """The names of the kinds whose options include ``key``."""
    from dataclasses import fields

    return [k.name for k in kinds() if key in {f.name for f in fields(k.options)}]
