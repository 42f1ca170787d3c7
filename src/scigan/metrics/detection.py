"""Detection (classifier two-sample test): can a classifier tell two sample sets apart?"""

from __future__ import annotations

import numpy as np

from scigan.errors import ScienceError


def detection_auc(a: np.ndarray, b: np.ndarray, *, seed: int = 0, folds: int = 5, trees: int = 100) -> float:
    """Cross-validated ROC AUC of a random forest telling rows of ``a`` (N, D) from rows
    of ``b`` (M, D): 0.5 means indistinguishable, 1.0 perfectly separable.

    Every row is scored by a forest that did not see it (stratified ``folds``-fold
    cross-validation, fewer folds when a set is small); seeded by ``seed``.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if len(a) < 2 or len(b) < 2:
        raise ScienceError(f"detection needs at least 2 rows per side, got {len(a)} and {len(b)}")
    x = np.concatenate([a, b]).astype(np.float64)
    y = np.r_[np.zeros(len(a)), np.ones(len(b))]
    k = max(2, min(folds, len(a), len(b)))
    forest = RandomForestClassifier(n_estimators=trees, min_samples_leaf=2, n_jobs=1, random_state=seed)
    cv = StratifiedKFold(k, shuffle=True, random_state=seed)
    scores = cross_val_predict(forest, x, y, cv=cv, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, scores))


#: Detection AUCs are averaged over up to this many disjoint subsets of the compared
#: rows, each as large as the held-out set (one subset of 70 held-out cells moves the
#: AUC by ±0.05).
DETECTION_REPEATS = 10


def mean_detection(real: np.ndarray, other: np.ndarray, seed: int, repeats: int = DETECTION_REPEATS) -> float:
    """Mean random-forest detection AUC (see :func:`detection_auc`) of ``real``
    (M, D) against each of up to ``repeats`` disjoint slices of M rows of ``other``
    (N, D; one slice of all rows when N < 2M), so the sides are balanced and the noise
    of one draw averages out."""
    m = len(real)
    if len(other) < 2 * m:
        return detection_auc(real, other, seed=seed)
    slices = min(repeats, len(other) // m)
    return float(np.mean([detection_auc(real, other[i * m : (i + 1) * m], seed=seed + i) for i in range(slices)]))
