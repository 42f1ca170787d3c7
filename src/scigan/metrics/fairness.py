"""Per-group scores: the worst group and its gap to the best, how often each group is
generated (representation ratios), and the equalized-odds gap of a downstream classifier.

Small groups are scored too, but their scores are mostly noise: with n held-out rows a
two-sample KS statistic between identical distributions is already about 0.87/sqrt(n)
(0.39 at n = 5, 0.19 at n = 20), larger than the differences between groups a user
cares about. A group therefore carries its held-out size ``n_real``; below
:data:`MIN_TRUSTED_ROWS` it is reported as not ``trusted`` and is never named the worst
group while a trusted group exists.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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


#: A group generated at less than this share of its real share is flagged as
#: under-represented (the "four-fifths rule" of adverse impact).
UNDER_REPRESENTED = 0.8

#: The fairness keys every ``evaluate`` result holds; None (with ``fairness_note``) for a
#: run whose data has no groups.
NO_GROUPS: dict[str, Any] = {
    "representation": None,
    "representation_ratio_min": None,
    "under_represented": None,
    "worst_group": None,
    "equalized_odds_gap": None,
    "equalized_odds_gap_real": None,
}


def with_fairness_keys(scores: dict[str, Any]) -> dict[str, Any]:
    """``scores`` with every key of :data:`NO_GROUPS` present (None where the kind had no
    groups to score, with a ``fairness_note`` saying why the representation is missing)."""
    out = {**NO_GROUPS, **scores}
    if out["representation"] is None:
        out.setdefault("fairness_note", "no groups: the data has no labels or group column")
    return out


def group_indices(values: np.ndarray, names: list[str]) -> np.ndarray:
    """Position (N,) int64 of each of ``values`` (N,) in ``names``; -1 where it is none of them."""
    lookup = {name: i for i, name in enumerate(names)}
    return np.array([lookup.get(str(v), -1) for v in values], dtype=np.int64)


def representation(train_groups: np.ndarray, synthetic_groups: np.ndarray, names: list[str]) -> dict[str, Any]:
    """How often each group is generated against how often it is real.

    ``train_groups`` (N,) and ``synthetic_groups`` (M,) index ``names`` (-1: no group).
    Per group: ``real_share`` (its share of the training rows), ``synthetic_share`` and
    ``ratio`` = synthetic / real share (1 is faithful, 0 a group never generated; None
    for a group without training rows); ``representation_ratio_min`` is the worst ratio
    and ``under_represented`` names the groups below :data:`UNDER_REPRESENTED`."""
    k = len(names)
    real = np.bincount(train_groups[train_groups >= 0], minlength=k) / max(len(train_groups), 1)
    fake = np.bincount(synthetic_groups[synthetic_groups >= 0], minlength=k) / max(len(synthetic_groups), 1)
    per = {
        name: {
            "real_share": float(real[g]),
            "synthetic_share": float(fake[g]),
            "ratio": float(fake[g] / real[g]) if real[g] > 0 else None,
        }
        for g, name in enumerate(names)
    }
    ratios = {name: p["ratio"] for name, p in per.items() if p["ratio"] is not None}
    return {
        "representation": per,
        "representation_ratio_min": min(ratios.values()) if ratios else None,
        "under_represented": sorted(name for name, r in ratios.items() if r < UNDER_REPRESENTED),
    }


def assign_groups(train_x: np.ndarray, train_groups: np.ndarray, x: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """The group (M,) of each unlabelled synthetic sample ``x`` (M, D) as predicted by the
    utility scores' random forest (:func:`scigan.metrics.utility.forest`) trained on the
    real training rows ``train_x`` (N, D) and their groups ``train_groups`` (N,)."""
    from scigan.metrics.utility import forest

    return np.asarray(forest(train_x, train_groups, seed=seed).predict(x), dtype=np.int64)


def positive_classes(train_y: np.ndarray) -> list[int]:
    """The classes each taken as positive by :func:`equalized_odds_gap`: with two classes
    the minority class of the training labels ``train_y`` (N,) alone; with more, every
    class (one-vs-rest)."""
    classes, counts = np.unique(train_y, return_counts=True)
    return [int(classes[np.argmin(counts)])] if len(classes) == 2 else [int(c) for c in classes]


def equalized_odds_gap(
    y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, positives: list[int], min_rows: int = MIN_TRUSTED_ROWS
) -> float | None:
    """The equalized-odds gap of predictions ``y_pred`` (M,) of labels ``y_true`` (M,)
    across ``groups`` (M,; -1: none): for each class of ``positives`` (one-vs-rest), the
    largest difference between two groups' true-positive rates and between two groups'
    false-positive rates; the maximum of those over the classes. 0 is equal odds, 1 the
    worst. Groups with fewer than ``min_rows`` rows are left out while a larger group
    exists (as in :func:`worst_group`); a rate is compared only among groups holding
    positives (TPR) or negatives (FPR). None when no rate can be compared."""
    present, sizes = np.unique(groups[groups >= 0], return_counts=True)
    large = present[sizes >= min_rows]
    used = large if len(large) >= 2 else present
    gaps = []
    for c in positives:
        tpr, fpr = [], []
        for g in used:
            truth, said = y_true[groups == g] == c, y_pred[groups == g] == c
            if truth.any():
                tpr.append(said[truth].mean())
            if (~truth).any():
                fpr.append(said[~truth].mean())
        gaps += [max(r) - min(r) for r in (tpr, fpr) if len(r) >= 2]
    return float(max(gaps)) if gaps else None


def forest_predictions(
    synthetic: tuple[np.ndarray, np.ndarray],
    real_train: tuple[np.ndarray, np.ndarray],
    test_x: np.ndarray,
    *,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Labels (M,) of the real test rows ``test_x`` (M, D) predicted by the utility
    scores' random forest trained on ``synthetic`` and by the same trained on
    ``real_train`` (each (features (N, D), labels (N,)))."""
    from scigan.metrics.utility import forest

    return forest(*synthetic, seed=seed).predict(test_x), forest(*real_train, seed=seed).predict(test_x)


def equalized_odds_scores(
    test_y: np.ndarray, predictions: tuple[np.ndarray, np.ndarray], test_groups: np.ndarray, train_y: np.ndarray
) -> dict[str, Any]:
    """``equalized_odds_gap`` of the classifier trained on synthetic rows and
    ``equalized_odds_gap_real`` of the one trained on real rows (``predictions``, from
    :func:`forest_predictions`) on real test rows labelled ``test_y`` (M,) in
    ``test_groups`` (M,); see :func:`equalized_odds_gap` (positives from the real
    training labels ``train_y``)."""
    positives = positive_classes(train_y)
    on_synthetic, on_real = predictions
    return {
        "equalized_odds_gap": equalized_odds_gap(test_y, on_synthetic, test_groups, positives),
        "equalized_odds_gap_real": equalized_odds_gap(test_y, on_real, test_groups, positives),
    }


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float | None:
    """Mean per-class recall of ``y_pred`` (M,) over the classes present in ``y_true``
    (M,) (the utility scores' measure, on one group's rows); None for no rows."""
    if not len(y_true):
        return None
    return float(np.mean([(y_pred[y_true == c] == c).mean() for c in np.unique(y_true)]))
