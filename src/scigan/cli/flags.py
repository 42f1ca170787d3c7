"""Option flags built from the option sections' own declarations.

For ``scigan train``, every field of :class:`~scigan.config.TrainConfig` (the core
section), of each registered data kind's options and of each task's options becomes one
flag whose help is the field's declared doc and default: nothing is repeated here. A
name several kinds share (``label_column``) is one flag whose help says what it means
for each. ``scigan augment``'s flags come from :class:`~scigan.augment.config.AugmentConfig`
the same way.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Any

from scigan import options as opt
from scigan.config import TrainConfig, load_toml
from scigan.modalities import kinds
from scigan.tasks import TASKS

#: TrainConfig fields that are not flags: the positional data and the two sections.
NOT_FLAGS = frozenset({"data", "data_options", "task_options"})


def train_sections() -> list[tuple[str, type]]:
    """(owner, options dataclass) of the core, every kind and every task section."""
    owners: list[tuple[str, type]] = [("", TrainConfig)]
    owners += [(f"{k.name} data", k.options) for k in kinds()]
    seen: set[type] = set()
    for task in TASKS:
        if task.options not in seen:
            seen.add(task.options)
            users = [t.name for t in TASKS if t.options is task.options]
            owners.append((", ".join(users), task.options))
    return owners


def option_fields(sections: list[tuple[str, type]]) -> dict[str, list[tuple[str, Field[Any]]]]:
    """Every flag's field name -> the (owner, field) pairs of ``sections`` that declare it."""
    found: dict[str, list[tuple[str, Field[Any]]]] = {}
    for owner, section in sections:
        for f in fields(section):
            if f.name not in NOT_FLAGS:
                found.setdefault(f.name, []).append((owner, f))
    return found


def _default(f: Field[Any]) -> Any:
    return f.default if f.default is not MISSING else None


def _help(declared: list[tuple[str, Field[Any]]]) -> str:
    """The help of one flag: each owner's doc and default (``%`` escaped for argparse)."""
    parts = []
    for owner, f in declared:
        default = _default(f)
        text = f"{opt.doc_of(f)} (default: {'empty' if default == '' else default})"
        parts.append(f"{owner}: {text}" if owner and len(declared) > 1 else (f"[{owner}] {text}" if owner else text))
    return " | ".join(parts).replace("%", "%%")


def finite_float(text: str) -> float:
    """A float flag's value: a finite number (``nan`` and ``inf`` are refused by argparse)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def add_option_flags(parser: argparse.ArgumentParser, sections: list[tuple[str, type]], title: str) -> list[str]:
    """Add a flag per option of ``sections`` ((owner, dataclass) pairs; owner "" for the
    main one, whose flags go in a group called ``title``) to ``parser``, all defaulting
    to None ("not given"); returns the field names in the order added."""
    groups = {"": parser.add_argument_group(title)}
    added = []
    for name, declared in option_fields(sections).items():
        owner, f = declared[0]
        key = owner if owner and len(declared) == 1 else ""
        group = groups.setdefault(key, parser.add_argument_group(f"{key} options"))
        flags = f.metadata.get("flags") or {}
        if flags:
            exclusive = group.add_mutually_exclusive_group()
            for flag, value in flags.items():
                prefix = f"{opt.flag_name(name)[2:]} {value}: " if len(flags) > 1 else ""
                exclusive.add_argument(
                    flag, dest=name, action="store_const", const=value, help=prefix + _help(declared)
                )
        elif isinstance(_default(f), bool):
            group.add_argument(
                opt.flag_name(name),
                dest=name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=_help(declared),
            )
        else:
            kind = type(_default(f))
            check = f.metadata.get("check")
            metavar = (
                "{" + ",".join(map(str, check.choices)) + "}"
                if isinstance(check, opt.OneOf)
                else {int: "N", float: "X"}.get(kind, "TEXT")
            )
            parse = finite_float if kind is float else kind
            group.add_argument(opt.flag_name(name), dest=name, type=parse, metavar=metavar, help=_help(declared))
        added.append(name)
    return added


def train_config(args: argparse.Namespace, names: list[str]) -> TrainConfig:
    """Defaults, then the ``--config`` file, then the flags given on the command line;
    ``--minutes`` without ``--steps`` lifts the step limit, ``--quiet`` the progress bar."""
    config = TrainConfig.from_flat(data=args.data)
    if args.config is not None:
        config = TrainConfig.from_flat(**{**load_toml(Path(args.config)), "data": args.data})
    given = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    if given.get("minutes") is not None and "steps" not in given:
        given["steps"] = 0
    if args.quiet:
        given["progress"] = False
    return config.with_overrides(**given)
