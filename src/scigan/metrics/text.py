"""``scigan evaluate``'s text: every score beside its floor, built from the declarations.

:func:`format_scores` knows no result key: it prints the :class:`~scigan.metrics.registry.Fact`
values a result holds (sample sizes, reference, extractor), one line per declared score
(label, value, floor, direction), the worst class or group when the result names one,
and any other plain value under its own key. Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scigan.metrics.registry import FACTS, Fact, Score, find

#: Result keys the text leaves out: the run folder (the user just named it) and the
#: per-item detail that only the JSON and the report show.
QUIET = frozenset({"run"})
#: Nested results the text summarises in a line of their own.
WORST = ("worst_class", "worst_group")


def plain(value: Any) -> str:
    """A value from a result as short text: floats to 4 significant digits, None as "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {plain(v)}" for k, v in value.items())
    return str(value)


def used_keys(declared: Sequence[Score]) -> set[str]:
    """Every result key the declared scores show: their own, floors, spreads, untrained values."""
    return {k for s in declared for k in (s.key, s.floor, s.spread, s.untrained) if k}


def is_nested(value: Any) -> bool:
    """Whether a result value is detail (a dict, or a list holding dicts) rather than one value."""
    return isinstance(value, dict) or (isinstance(value, (list, tuple)) and any(isinstance(v, dict) for v in value))


def others(scores: dict[str, Any], declared: Sequence[Score], facts: Sequence[Fact] = FACTS) -> dict[str, Any]:
    """The plain values of ``scores`` no declaration shows (neither a score, its floor,
    nor a fact), in their order: shown under their own keys, so nothing is hidden."""
    known = used_keys(declared) | {f.key for f in facts} | QUIET | set(WORST)
    return {k: v for k, v in scores.items() if k not in known and not is_nested(v) and v not in (None, [], "")}


def score_line(score: Score, scores: dict[str, Any], width: int = 16) -> str:
    """One score of ``scores``: label, value (± spread), floor, untrained value, direction."""
    value = score.format(scores[score.key])
    if score.spread and scores.get(score.spread) is not None:
        value += f" ± {score.format(scores[score.spread])}"
    parts = [f"{score.label:<{width}} {value:>10}"]
    if score.floor and score.floor in scores:
        parts.append(f"{score.floor_label} {score.format(scores[score.floor])}")
    if score.untrained and score.untrained in scores:
        parts.append(f"untrained G {score.format(scores[score.untrained])}")
    parts.append(f"({score.hint})")
    return "   ".join(parts)


def facts_lines(scores: dict[str, Any], facts: Sequence[Fact] = FACTS, width: int = 100) -> list[str]:
    """The facts a result holds as ``label value`` pairs, wrapped at ``width`` characters."""
    lines: list[str] = []
    for pair in (f"{f.label} {plain(scores[f.key])}" for f in facts if f.key in scores):
        if lines and len(lines[-1]) + 3 + len(pair) <= width:
            lines[-1] += " · " + pair
        else:
            lines.append(pair)
    return lines


def worst_lines(scores: dict[str, Any], declared: Sequence[Score]) -> list[str]:
    """The worst class (per-class FD) and the worst group (per-group score) as lines."""
    lines = []
    worst = scores.get("worst_class")
    fd = find("fd", declared) or find("fd")  # per-class FD is the shared FD
    if isinstance(worst, dict) and fd is not None:
        lines.append(
            f"worst class {worst.get('name')!r}: {fd.label} {fd.format(worst.get('fd'))} "
            f"(gap to best {fd.format(worst.get('gap'))})"
        )
    worst = scores.get("worst_group")
    if isinstance(worst, dict):
        key = str(worst.get("metric"))
        metric = find(key, declared) or Score(key, key, "lower", "")
        line = (
            f"worst group {worst.get('name')!r}: {metric.label} {metric.format(worst.get('value'))} "
            f"(gap to best {metric.format(worst.get('gap'))})"
        )
        if worst.get("n") is not None:
            line += f", n = {worst['n']} held-out"
        if not worst.get("trusted", True):
            line += ", no group is large enough to trust"
        lines.append(line)
        if worst.get("small"):
            lines.append(
                f"too few held-out rows (< {worst.get('min_rows')}) to trust: {', '.join(map(str, worst['small']))}"
            )
    return lines


def format_scores(scores: dict[str, Any], declared: Sequence[Score], facts: Sequence[Fact] = FACTS) -> str:
    """The human-readable form of a result of ``evaluate`` (or of a quick evaluation):
    the facts, one line per declared score present in ``scores`` (in declaration order),
    the worst class or group, then any undeclared plain value as ``key value``."""
    present = [s for s in declared if s.key in scores]
    width = max((len(s.label) for s in present), default=0)
    lines = facts_lines(scores, facts)
    lines += [score_line(s, scores, width) for s in present]
    lines += worst_lines(scores, declared)
    rest = others(scores, declared, facts)
    if rest:
        lines.append("also: " + "; ".join(f"{k} {plain(v)}" for k, v in rest.items()))
    return "\n".join(lines)
