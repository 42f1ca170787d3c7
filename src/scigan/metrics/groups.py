"""Groups seen in chosen proportions: training-row weights and balanced drawing.

:func:`group_row_weights` turns a ``--group-weights`` spec into per-row sampling
probabilities for training; :func:`draw_balanced` draws synthetic table rows until every
group of a column holds the same count (``scigan sample --balance``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from scigan.errors import ScienceError

if TYPE_CHECKING:
    import pandas as pd

#: Draws of ``n`` rows :func:`draw_balanced` makes before it gives up on a group.
ATTEMPTS = 20


def group_proportions(spec: str, names: list[str]) -> np.ndarray:
    """The share (G,) of each group of ``names`` asked by ``spec``: ``equal`` (1/G each)
    or ``A=0.5,B=0.5`` (every group named once with a positive number; the numbers are
    rescaled to sum to 1). ScienceError naming the problem otherwise."""
    if not names:
        raise ScienceError("--group-weights needs groups; the data has no group column or labels")
    if spec.strip() == "equal":
        return np.full(len(names), 1.0 / len(names))
    asked: dict[str, float] = {}
    for part in spec.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep:
            raise ScienceError(f"--group-weights {spec!r}: write equal or name=share,... (e.g. {names[0]}=0.5)")
        if name not in names:
            raise ScienceError(f"--group-weights: unknown group {name!r}; the groups are: {', '.join(names)}")
        try:
            share = float(value)
        except ValueError:
            raise ScienceError(f"--group-weights {name}={value}: the share must be a number") from None
        if not share > 0 or not np.isfinite(share):
            raise ScienceError(f"--group-weights {name}={value}: shares must be positive numbers")
        asked[name] = share
    missing = [name for name in names if name not in asked]
    if missing:
        raise ScienceError(f"--group-weights: give a share for every group; missing: {', '.join(missing)}")
    shares = np.array([asked[name] for name in names])
    return shares / shares.sum()


def group_row_weights(groups: np.ndarray, spec: str, names: list[str]) -> np.ndarray:
    """Per-row sampling probabilities (N,) float64 summing to 1 for rows whose groups are
    ``groups`` (N,; each a name of ``names``, or an integer index into it), such that the
    rows of each group together get the share ``spec`` asks (see
    :func:`group_proportions`), spread evenly over the group's rows. ScienceError for a
    row outside ``names`` or a group with a share but no rows."""
    groups = np.asarray(groups)
    if np.issubdtype(groups.dtype, np.integer):
        index = groups.astype(np.int64)
        index[(index < 0) | (index >= len(names))] = -1
    else:
        lookup = {name: i for i, name in enumerate(names)}
        index = np.array([lookup.get(str(g), -1) for g in groups], dtype=np.int64)
    if (index < 0).any():
        stray = groups[np.flatnonzero(index < 0)[0]]
        raise ScienceError(f"--group-weights: a row's group {stray!r} is not one of: {', '.join(names)}")
    shares = group_proportions(spec, names)
    counts = np.bincount(index, minlength=len(names))
    empty = [names[g] for g in range(len(names)) if counts[g] == 0]
    if empty:
        raise ScienceError(f"--group-weights: group(s) {', '.join(empty)} have no training rows; drop them")
    return shares[index] / counts[index]


def draw_balanced(
    draw: Callable[[int, int], tuple[pd.DataFrame, np.ndarray]],
    column: str,
    names: list[str],
    n: int,
    *,
    attempts: int = ATTEMPTS,
) -> pd.DataFrame:
    """``n`` rows with n / G rows of each of the G groups ``names`` of ``column``, kept from
    repeated draws ``draw(n, attempt)`` (``n`` rows seeded by the attempt number, and
    each row's group name (n,)), grouped in the order of ``names``. ScienceError when ``n`` is not a multiple of G or
    a group is still short after ``attempts`` draws (it names those groups)."""
    import pandas as pd

    per = n // len(names)
    if n % len(names) or per == 0:
        raise ScienceError(
            f"-n {n} with --balance over {len(names)} groups of {column}: give a multiple of {len(names)}"
        )
    kept: dict[str, list[pd.DataFrame]] = {name: [] for name in names}
    have = dict.fromkeys(names, 0)
    for attempt in range(attempts):
        rows, keys = draw(n, attempt)
        for name in names:
            room = per - have[name]
            if room > 0:
                mine = rows[keys == name].iloc[:room]
                kept[name].append(mine)
                have[name] += len(mine)
        if all(count == per for count in have.values()):
            return pd.concat([part for name in names for part in kept[name]], ignore_index=True)
    short = ", ".join(f"{name} ({have[name]} of {per})" for name in names if have[name] < per)
    raise ScienceError(
        f"--balance: after {attempts * n} drawn rows, {column} groups {short} are short; the generator "
        "rarely makes them: ask for fewer rows, or train with --group-weights"
    )
