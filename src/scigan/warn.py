"""Warnings as the user sees them: scigan's own as one line each, other libraries' summed
up in one line at the end.

Scigan warns with :func:`warn` (a :class:`~scigan.errors.ScienceWarning`). Inside
:func:`one_line_warnings` (the command line wraps every command in it) each such warning
is printed as ``scigan <command>: warning: <message>``, on one line and without the
source line Python adds. Warnings that other libraries raise inside scigan's calls are
counted instead, and :meth:`ShownWarnings.summarise` says in one line how many were
hidden. ``SCIGAN_DEBUG=1`` leaves every warning as Python shows it.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import Counter
from pathlib import Path
from types import TracebackType

from scigan.errors import ScienceWarning

#: The folder of the scigan package: a plain UserWarning raised from a file under it is
#: scigan's own (``warnings.warn(message)`` without a category).
PACKAGE = Path(__file__).resolve().parent


def warn(message: str, *, stacklevel: int = 2) -> None:
    """Warn the user: ``message`` is one sentence naming what happened and what to do."""
    warnings.warn(message, ScienceWarning, stacklevel=stacklevel + 1)


def one_line(message: object) -> str:
    """A warning's text on one line (runs of whitespace and line breaks become one space)."""
    return " ".join(str(message).split())


def is_scigan_warning(category: type[Warning], filename: str) -> bool:
    """True for a :class:`ScienceWarning`, or a plain UserWarning raised in scigan's code."""
    if issubclass(category, ScienceWarning):
        return True
    try:
        inside = Path(filename).resolve().is_relative_to(PACKAGE)
    except (OSError, ValueError):
        inside = False
    return category is UserWarning and inside


class ShownWarnings:
    """A context manager: within it, scigan's warnings are printed as one line each on
    stderr after ``prefix`` (e.g. "scigan train"), and other warnings are counted in
    :attr:`hidden` (one entry per distinct message). Warning filters stay as they are."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.hidden: Counter[str] = Counter()
        self._catcher: warnings.catch_warnings | None = None

    def _show(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: object = None,
        line: str | None = None,
    ) -> None:
        if is_scigan_warning(category, filename):
            print(f"{self.prefix}: warning: {one_line(message)}", file=sys.stderr, flush=True)
        else:
            self.hidden[f"{category.__name__}: {one_line(message)}"] += 1

    def __enter__(self) -> ShownWarnings:
        if os.environ.get("SCIGAN_DEBUG"):
            return self
        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.showwarning = self._show
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._catcher is not None:
            self._catcher.__exit__(kind, value, traceback)
            self._catcher = None

    def summarise(self) -> None:
        """Say in one line on stderr how many warnings of other libraries were hidden, with
        the first as an example; nothing when none were."""
        if not self.hidden:
            return
        count = sum(self.hidden.values())
        example = one_line(next(iter(self.hidden)))[:160]
        print(
            f"{self.prefix}: warning: {count} warning{'s' * (count != 1)} from other libraries "
            f"{'were' if count != 1 else 'was'} hidden (e.g. {example}; SCIGAN_DEBUG=1 shows them)",
            file=sys.stderr,
            flush=True,
        )


def one_line_warnings(prefix: str) -> ShownWarnings:
    """The context manager :class:`ShownWarnings` for ``prefix`` (e.g. "scigan train")."""
    return ShownWarnings(prefix)
