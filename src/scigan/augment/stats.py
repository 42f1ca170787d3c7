"""The experiment's scores: per seed on the test split, then summarised over seeds with
paired differences and their t-intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def scores(y_true: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1, and recall and F1 per class (fractions in [0, 1]) of
    predictions ``proba`` (N, C) against labels ``y_true`` (N,)."""
    from sklearn.metrics import f1_score, recall_score

    pred = proba.argmax(1)
    labels = np.arange(proba.shape[1])
    return {
        "accuracy": float((pred == y_true).mean()),
        "macro_f1": float(f1_score(y_true, pred, labels=labels, average="macro", zero_division=0)),
        "recall": [float(r) for r in recall_score(y_true, pred, labels=labels, average=None, zero_division=0)],
        "f1": [float(f) for f in f1_score(y_true, pred, labels=labels, average=None, zero_division=0)],
    }


def paired_interval(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, level: float = 0.95
) -> dict[str, float]:
    """Mean of the paired differences a − b over seeds (equal lengths, at least 2) and its
    two-sided t-interval at ``level``: {"mean", "low", "high"}."""
    from scipy import stats

    d = np.asarray(a) - np.asarray(b)
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return {"mean": float(d.mean()), "low": float(d.mean() - half), "high": float(d.mean() + half)}


def summarise(per_seed: dict[str, list[dict[str, Any]]], class_names: list[str]) -> dict[str, Any]:
    """The ``conditions`` object of results.json from each condition's per-seed
    :func:`scores`: mean and std over seeds (recall and F1 per class name; the mean
    accuracy per corruption when the seeds were scored on corrupted test data), and the
    paired differences to ``real`` (``vs_real``) and to ``real+classic``
    (``vs_classic``)."""
    out: dict[str, Any] = {}
    for name, rows in per_seed.items():
        acc = [r["accuracy"] for r in rows]
        macro = [r["macro_f1"] for r in rows]
        recall = np.array([r["recall"] for r in rows])
        per_class_f1 = np.array([r["f1"] for r in rows])
        entry: dict[str, Any] = {
            "per_seed": rows,
            "accuracy_mean": float(np.mean(acc)),
            "accuracy_std": float(np.std(acc, ddof=1)),
            "macro_f1_mean": float(np.mean(macro)),
            "macro_f1_std": float(np.std(macro, ddof=1)),
            "recall_mean": dict(zip(class_names, recall.mean(0).tolist())),
            "recall_std": dict(zip(class_names, recall.std(0, ddof=1).tolist())),
            "f1_mean": dict(zip(class_names, per_class_f1.mean(0).tolist())),
            "f1_std": dict(zip(class_names, per_class_f1.std(0, ddof=1).tolist())),
        }
        corruptions = list(rows[0].get("corrupted", {}))
        if corruptions:
            entry["corrupted_mean"] = {k: float(np.mean([r["corrupted"][k] for r in rows])) for k in corruptions}
        for ref, key in (("real", "vs_real"), ("real+classic", "vs_classic")):
            if name != ref and ref in per_seed:
                other = per_seed[ref]
                versus: dict[str, Any] = {
                    "accuracy": paired_interval(acc, [r["accuracy"] for r in other]),
                    "macro_f1": paired_interval(macro, [r["macro_f1"] for r in other]),
                    "recall": {
                        c: paired_interval(recall[:, i], [r["recall"][i] for r in other])
                        for i, c in enumerate(class_names)
                    },
                    "f1": {
                        c: paired_interval(per_class_f1[:, i], [r["f1"][i] for r in other])
                        for i, c in enumerate(class_names)
                    },
                }
                if corruptions:
                    versus["corrupted"] = {
                        k: paired_interval([r["corrupted"][k] for r in rows], [r["corrupted"][k] for r in other])
                        for k in corruptions
                    }
                entry[key] = versus
        out[name] = entry
    return out
