"""Privacy: distance to closest record, membership inference (by distance, by the run's own
discriminator, by density ratio) and exact copies."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

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


def logan_auc(member_scores: np.ndarray, non_member_scores: np.ndarray) -> float:
    """ROC AUC of LOGAN's white-box attack (Hayes et al. 2019): the run's own discriminator
    scores real rows, and the attacker calls the higher-scored ones training members.
    ``member_scores`` (M,) of training rows, ``non_member_scores`` (K,) of held-out rows
    (members are the positives). 0.5 is ideal: the discriminator does not remember its
    training rows; towards 1 it has overfitted them."""
    from sklearn.metrics import roc_auc_score

    scores = np.r_[np.asarray(member_scores, dtype=np.float64), np.asarray(non_member_scores, dtype=np.float64)]
    truth = np.r_[np.ones(len(member_scores)), np.zeros(len(non_member_scores))]
    return float(roc_auc_score(truth, scores))


def chance_auc_sd(n_members: int, n_non_members: int) -> float:
    """Standard deviation of a membership attack's ROC AUC when its scores carry no
    information (members and non-members exchangeable, no ties): the Mann-Whitney null
    spread sqrt((M + K + 1) / (12 M K)) for ``n_members`` M and ``n_non_members`` K. An
    AUC within about two of these of 0.5 cannot be told from a coin: 57 members against
    57 held-out rows give 0.054, so one run's 0.55 is chance."""
    m, k = int(n_members), int(n_non_members)
    if m < 1 or k < 1:
        raise ValueError(f"an AUC needs members and non-members (got {m} and {k})")
    return float(np.sqrt((m + k + 1) / (12.0 * m * k)))


#: Principal components DOMIAS's densities live in (fewer where the features have fewer).
DOMIAS_COMPONENTS = 5


def _log_kde(points: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Log density (Q,) at ``query`` (Q, d) of an isotropic Gaussian KDE on ``points``
    (P, d) with Scott's bandwidth P^(-1/(d+4)) (the coordinates are whitened already)."""
    from scipy.spatial.distance import cdist
    from scipy.special import logsumexp

    n, d = points.shape
    h = n ** (-1.0 / (d + 4))
    log_kernel = -cdist(query, points, "sqeuclidean") / (2 * h * h)
    return logsumexp(log_kernel, axis=1) - np.log(n) - d * np.log(h) - 0.5 * d * np.log(2 * np.pi)


def domias_auc(
    synthetic: np.ndarray, reference: np.ndarray, members: np.ndarray, non_members: np.ndarray, *, seed: int
) -> float:
    """ROC AUC of DOMIAS (van Breugel et al. 2023): the attacker calls a real row a training
    member the higher its density ratio p_synthetic(x) / p_reference(x), which is high
    where the generator puts more mass than the real distribution does, around the rows
    it memorised. Features (N, D) of the synthetic samples, of real ``reference`` rows
    (held out, disjoint from ``non_members``), of ``members`` (training rows) and of
    ``non_members`` (held-out rows); members are the positives.

    Both densities are Gaussian KDEs (Scott's bandwidth) in the first
    :data:`DOMIAS_COMPONENTS` (5) principal components of the reference rows, whitened by
    the reference spread: a KDE's error grows quickly with the dimension (its squared
    error falls as n^(-4/(d+4))), and with the few hundred reference rows a holdout half
    holds, 5 dimensions keep the ratio stable while keeping the directions the data
    vary most in. 0.5 is ideal: the synthetic data reveal nothing about membership (also
    the answer when every reference row is the same). ``seed`` fixes the PCA's
    randomised solver.
    """
    from sklearn.decomposition import PCA

    k = min(DOMIAS_COMPONENTS, reference.shape[1], len(reference) - 1)
    pca = PCA(n_components=max(k, 1), random_state=seed).fit(reference)
    spread = np.sqrt(pca.explained_variance_)
    keep = spread > 1e-9 * float(spread.max(initial=0.0))
    if not keep.any():  # every reference row alike: no density to compare with
        return 0.5

    def project(x: np.ndarray) -> np.ndarray:
        return pca.transform(x)[:, keep] / spread[keep]

    syn, ref = project(synthetic), project(reference)
    query = np.concatenate([project(members), project(non_members)])
    ratio = _log_kde(syn, query) - _log_kde(ref, query)
    return logan_auc(ratio[: len(members)], ratio[len(members) :])


def exact_copy_share(synthetic_keys: Sequence[Hashable], train_keys: Sequence[Hashable]) -> float:
    """Share (0 to 1) of synthetic samples identical in stored form to some training
    sample: ``synthetic_keys`` (N,) and ``train_keys`` (M,) hold one hashable key per
    sample (a row's bytes, a string; None for a sample that is no valid sample and never
    a copy). 0 is ideal (no copies); data holding duplicates make a real held-out
    sample a copy too, so read it beside the holdout's own share. NaN for N = 0."""
    if not len(synthetic_keys):
        return float("nan")
    seen = {key for key in train_keys if key is not None}
    return sum(key is not None and key in seen for key in synthetic_keys) / len(synthetic_keys)
