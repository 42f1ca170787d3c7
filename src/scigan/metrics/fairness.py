"""Per-group scores: the worst group and its gap to the best."""

from __future__ import annotations

from typing import Any


def worst_group(per_group: dict[str, dict[str, float]], metric: str, *, higher_is_better: bool) -> dict[str, Any] | None:
    """The group whose ``metric`` is worst, with its value and the gap to the best group
    (always >= 0); None when no group has the metric."""
    scored = {name: scores[metric] for name, scores in per_group.items() if scores.get(metric) is not None}
    if not scored:
        return None
    pick = min if higher_is_better else max
    name = pick(scored, key=scored.get)
    best = (max if higher_is_better else min)(scored.values())
    return {"name": name, "metric": metric, "value": scored[name], "gap": abs(best - scored[name]),
            "scores": per_group[name]}
