"""Privacy: distance to closest record and a distance-based membership inference."""

from __future__ import annotations

import numpy as np


def _nearest(reference: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Euclidean distance (M,) from each query row (M, D) to its nearest reference row."""
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=1).fit(reference).kneighbors(query)[0][:, 0]


def dcr_scores(synthetic: np.ndarray, train: np.ndarray, holdout: np.ndarray) -> dict[str, float]:
    """Distance to closest record of every synthetic row (N, D), to the training rows and
    to the held-out rows (give both sets the same size, so chance is even).

    ``dcr_closer_to_train_share``: share of synthetic rows nearer a training row than any
    held-out row (ties count half); 0.5 is ideal, well above it means the generator
    reproduces its training rows. Also the median distances to each set.
    """
    to_train, to_holdout = _nearest(train, synthetic), _nearest(holdout, synthetic)
    share = float(np.mean(to_train < to_holdout) + 0.5 * np.mean(to_train == to_holdout))
    return {
        "dcr_closer_to_train_share": share,
        "dcr_median_train": float(np.median(to_train)),
        "dcr_median_holdout": float(np.median(to_holdout)),
    }


def close_share(synthetic: np.ndarray, train: np.ndarray) -> float:
    """Share of synthetic rows (N, D) whose nearest training row (M, D) is nearer than the
    median distance from a training row to its nearest other training row: about 0.5 for
    fresh draws from the training distribution, towards 1 as the generator copies its
    training rows. Needs the training rows only (for choosing checkpoints)."""
    from sklearn.neighbors import NearestNeighbors

    own = NearestNeighbors(n_neighbors=2).fit(train).kneighbors(train)[0][:, 1]
    return float(np.mean(_nearest(train, synthetic) < np.median(own)))


def membership_auc(synthetic: np.ndarray, members: np.ndarray, non_members: np.ndarray) -> float:
    """ROC AUC of an attacker who calls a real row a training member the closer it lies
    to a synthetic row: ``members`` (training rows) against ``non_members`` (held out).
    0.5 means the synthetic data reveals nothing about membership."""
    from sklearn.metrics import roc_auc_score

    score = -np.r_[_nearest(synthetic, members), _nearest(synthetic, non_members)]
    truth = np.r_[np.ones(len(members)), np.zeros(len(non_members))]
    return float(roc_auc_score(truth, score))
