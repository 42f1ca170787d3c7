"""Per-group scores: the worst group and its gap to the best.

Small groups are scored too, but their scores are mostly noise: with n held-out rows a
two-sample KS statistic between identical distributions is already about 0.87/sqrt(n)
(0.39 at n = 5, 0.19 at n = 20), larger than the differences between groups a user
cares about. A group therefore carries its held-out size ``n_real``; below
:data:`MIN_TRUSTED_ROWS` it is reported as not ``trusted`` and is never named the worst
group while a trusted group exists.
"""

from __future__ import annotations

from typing import Any

#: Held-out rows (or cells) a group needs before its scores are trusted.
MIN_TRUSTED_ROWS = 20


def is_trusted(n_real: int, min_rows: int = MIN_TRUSTED_ROWS) -> bool:
    """Whether a group of ``n_real`` held-out rows is large enough to be trusted."""
    return n_real >= min_rows


def worst_group(
    per_group: dict[str, dict[str, Any]], metric: str, *, higher_is_better: bool, min_rows: int = MIN_TRUSTED_ROWS
) -> dict[str, Any] | None:
    """The group whose ``metric`` is worst, with its value, its held-out size ``n``, the
    gap to the best group (always >= 0) among the same candidates, and the groups left
    out as too ``small``. Candidates are the groups with at least ``min_rows`` held-out
    rows (``n_real``; a group without it counts as large enough); only when none is that
    large are all groups candidates, and the answer says ``trusted: False``. None when
    no group has the metric."""
    scored = {name: scores[metric] for name, scores in per_group.items() if scores.get(metric) is not None}
    if not scored:
        return None
    large = {name: v for name, v in scored.items() if is_trusted(per_group[name].get("n_real", min_rows), min_rows)}
    candidates = large or scored
    pick = min if higher_is_better else max
    name = pick(candidates, key=lambda group: candidates[group])
    best = (max if higher_is_better else min)(candidates.values())
    return {
        "name": name,
        "metric": metric,
        "value": candidates[name],
        "gap": abs(best - candidates[name]),
        "n": per_group[name].get("n_real"),
        "trusted": bool(large),
        "small": sorted(set(scored) - set(large)),
        "min_rows": min_rows,
        "scores": per_group[name],
    }
