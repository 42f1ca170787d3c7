"""A run's ``metrics.jsonl``: one JSON object a line, each with the step it was written at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def append(path: Path, line: dict[str, Any]) -> None:
    """Append ``line`` (JSON-able, with a ``step``) to the log at ``path``."""
    with open(path, "a") as fh:
        fh.write(json.dumps(line) + "\n")


def _step(line: str) -> float:
    """The step of a log line; infinity for one that cannot be read (a kill mid-write)."""
    try:
        record = json.loads(line)
        return float(record["step"])
    except (ValueError, KeyError, TypeError):
        return float("inf")


def truncate(path: Path, step: int) -> None:
    """Drop the lines written after ``step`` (a resume or rollback to ``step``), and
    unreadable ones; a missing log stays missing."""
    if path.exists():
        text = path.read_text()
        kept = "".join(ln + "\n" for ln in text.splitlines() if ln and _step(ln) <= step)
        if kept != text:  # a log with nothing to drop is left untouched
            path.write_text(kept)
