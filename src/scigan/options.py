"""Option sections: frozen dataclasses whose fields declare their doc and constraint.

Every section of a run's configuration (the core training options, each data kind's,
each task's) is a frozen dataclass built with :func:`option`. A field carries its
one-paragraph doc (the command line's ``--help`` text is built from it) and a
constraint (:class:`Interval`, :class:`OneOf`), and :func:`validate` checks a whole
section in one pass, naming every bad value at once, as scikit-learn's declared
parameter constraints do. Standard library only: ``scigan --help`` imports this.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, asdict, dataclass, field, fields, replace
from typing import Any, TypeVar

from scigan.errors import ScienceError

S = TypeVar("S")


@dataclass(frozen=True)
class Interval:
    """A number between ``low`` and ``high`` (None: unbounded); ``open`` ends excluded."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def problem(self, value: Any) -> str | None:
        """Why ``value`` breaks the constraint, or None when it holds."""
        if value != value:  # NaN passes every comparison
            return f"must be a number, got {value!r}"
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return f"must be {'above' if self.low_open else 'at least'} {self.low:g}, got {value!r}"
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return f"must be {'below' if self.high_open else 'at most'} {self.high:g}, got {value!r}"
        return None


@dataclass(frozen=True)
class OneOf:
    """One of the listed values."""

    choices: tuple[Any, ...]

    def problem(self, value: Any) -> str | None:
        """Why ``value`` breaks the constraint, or None when it holds."""
        if value in self.choices:
            return None
        names = [str(c) for c in self.choices]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        return f"must be {listed}, got {value!r}"


def option(
    default: Any,
    doc: str,
    check: Interval | OneOf | None = None,
    *,
    resumable: bool = False,
    flags: dict[str, Any] | None = None,
) -> Any:
    """A section field with its ``doc`` (the ``--help`` text), a ``check`` validated by
    :func:`validate`, whether it may change on ``--resume`` (``resumable``: it does not
    change the weights' path), and ``flags`` that set it to a constant (e.g.
    ``{"--unconditional": "no"}``) instead of a ``--name VALUE`` flag."""
    return field(default=default, metadata={"doc": doc, "check": check, "resumable": resumable, "flags": flags or {}})


def doc_of(f: Field[Any]) -> str:
    """The declared doc of a section field."""
    return str(f.metadata.get("doc", ""))


def flag_name(name: str) -> str:
    """The command-line flag of field ``name``: ``batch_size`` -> ``--batch-size``."""
    return "--" + name.replace("_", "-")


def validate(section: Any) -> None:
    """Check every field of ``section`` against its declared constraint, in one pass.

    Raises ScienceError naming every bad value (``--flag`` and why) in one line."""
    problems = []
    for f in fields(section):
        check = f.metadata.get("check")
        if check is None:
            continue
        why = check.problem(getattr(section, f.name))
        if why:
            problems.append(f"{flag_name(f.name)} {why}")
    if problems:
        raise ScienceError("; ".join(problems))


def coerce(section_type: type, key: str, value: Any) -> Any:
    """``value`` for field ``key`` of ``section_type``, checked against the field's type
    (an int is accepted for a float); ScienceError when it is of another type."""
    f = next(f for f in fields(section_type) if f.name == key)
    if f.default is MISSING or f.default is None:  # a section field: no scalar type to check
        return value
    expected: type = type(f.default)
    numeric = expected is float and isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, bool) != (expected is bool) or not (isinstance(value, expected) or numeric):
        raise ScienceError(f"config option {key} must be a {expected.__name__}, got {value!r}")
    return expected(value)


def names(section_type: type) -> frozenset[str]:
    """The field names of a section dataclass."""
    return frozenset(f.name for f in fields(section_type))


def update(section: S, values: dict[str, Any]) -> S:
    """A copy of ``section`` with ``values`` applied (each checked by :func:`coerce`)."""
    return replace(section, **{k: coerce(type(section), k, v) for k, v in values.items()})  # type: ignore[type-var]


def fixed(section: Any) -> dict[str, Any]:
    """The fields of ``section`` that must stay the same when a run is resumed."""
    keep = {f.name for f in fields(section) if not f.metadata.get("resumable")}
    return {k: v for k, v in asdict(section).items() if k in keep}


@dataclass(frozen=True)
class NoOptions:
    """The section of a data kind or task that has no options of its own."""
