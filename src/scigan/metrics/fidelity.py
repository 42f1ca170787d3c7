"""Fidelity scores between a real and a generated feature set.

Every function takes features as float arrays shaped (N, D), one row per sample, both
sets in the same feature space (the same extractor), and returns plain Python floats.
Scores are comparable only under the same extractor and sample sizes.
"""

from __future__ import annotations

import numpy as np
import torch

from scigan.errors import ScienceError


def _check_features(name: str, a: np.ndarray, min_rows: int) -> np.ndarray:
    """``a`` as a finite 2-D float64 array with at least ``min_rows`` rows."""
    arr = np.asarray(a)
    if arr.ndim != 2:
        raise ScienceError(f"{name}: features must be a 2-D array (N, D), got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ScienceError(f"{name}: need at least {min_rows} samples, got {arr.shape[0]}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ScienceError(f"{name}: features contain NaN or infinity")
    return arr


def _check_pair(a: np.ndarray, b: np.ndarray, min_rows: int) -> tuple[np.ndarray, np.ndarray]:
    a = _check_features("real features", a, min_rows)
    b = _check_features("fake features", b, min_rows)
    if a.shape[1] != b.shape[1]:
        raise ScienceError(
            f"feature dimensions differ: {a.shape[1]} vs {b.shape[1]}; compute both sets with the same extractor"
        )
    return a, b


def gaussian_stats(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and covariance (D, D) of the Gaussian fitted to features ``a`` (N, D).

    The covariance is the unbiased sample covariance (divides by N - 1), in float64.
    """
    a = _check_features("features", a, 2)
    return a.mean(axis=0), np.cov(a, rowvar=False).reshape(a.shape[1], a.shape[1])


def _psd_sqrt(s: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix (D, D)."""
    w, v = np.linalg.eigh((s + s.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_from_stats(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    """Fréchet distance ||mu1 - mu2||² + Tr(s1 + s2 - 2 (s1 s2)^½) between two Gaussians.

    Means are (D,), covariances (D, D); the result is in squared feature units, >= 0.
    Tr((s1 s2)^½) is computed as the sum of square roots of the eigenvalues of the
    symmetric matrix s1^½ s2 s1^½, which has the same spectrum and stays real and
    stable even when a covariance is singular.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(s1, np.float64), np.asarray(s2, np.float64)
    d = mu1.shape[0]
    if mu2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
        raise ScienceError(
            f"Gaussian statistics do not match: means {mu1.shape}, {mu2.shape}, covariances {s1.shape}, {s2.shape}"
        )
    r1 = _psd_sqrt(s1)
    m = r1 @ s2 @ r1
    tr_covmean = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0.0, None)).sum()
    diff = mu1 - mu2
    fd = diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean
    return max(float(fd), 0.0)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to features ``a`` (N, D) and ``b`` (M, D).

    In squared feature units, >= 0; biased upwards at small N (report KID beside it).
    """
    a, b = _check_pair(a, b, 2)
    return frechet_from_stats(*gaussian_stats(a), *gaussian_stats(b))


def kernel_inception_distance(
    a: np.ndarray,
    b: np.ndarray,
    *,
    subsets: int = 10,
    subset_size: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Kernel distance: (mean, std) over ``subsets`` random subsets of the unbiased MMD²
    between features ``a`` (N, D) and ``b`` (M, D), with the kernel k(x, y) = (x·y/D + 1)³.

    Each subset draws ``min(subset_size, N, M)`` rows of each set without replacement,
    with a generator seeded by ``seed``. Unitless; can be slightly negative by chance.
    """
    a, b = _check_pair(a, b, 2)
    if subsets < 1:
        raise ScienceError(f"subsets must be >= 1, got {subsets}")
    m = min(subset_size, a.shape[0], b.shape[0])
    if m < 2:
        raise ScienceError(f"subset_size must be >= 2, got {subset_size}")
    d = a.shape[1]
    rng = np.random.default_rng(seed)
    values = np.empty(subsets)
    for s in range(subsets):
        x = a[rng.choice(a.shape[0], m, replace=False)]
        y = b[rng.choice(b.shape[0], m, replace=False)]
        kxx = (x @ x.T / d + 1.0) ** 3
        kyy = (y @ y.T / d + 1.0) ** 3
        kxy = (x @ y.T / d + 1.0) ** 3
        within = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        values[s] = within - 2.0 * kxy.sum() / (m * m)
    return float(values.mean()), float(values.std())


def _kth_nn_sq_radii(x: torch.Tensor, x_sq: torch.Tensor, k: int, chunk: int) -> torch.Tensor:
    """Squared distance (N,) from each row of x (N, D) to its k-th nearest other row.

    ``x_sq`` (N,) holds the squared row norms. Blocks of ``chunk`` × ``chunk`` keep memory
    bounded; a running set of the k + 1 smallest distances per row (the row itself
    included, at distance 0) is kept. Within a block, ||y||² - 2x·y is ranked: the
    row's own ||x||² is a constant added at the end.
    """
    n = x.shape[0]
    radii = torch.empty(n, dtype=x.dtype)
    for i in range(0, n, chunk):
        xi = x[i : i + chunk]
        best = torch.empty(xi.shape[0], 0, dtype=x.dtype)
        for j in range(0, n, chunk):
            e = torch.addmm(x_sq[None, j : j + chunk], xi, x[j : j + chunk].T, alpha=-2.0)
            top = torch.topk(e, min(k + 1, e.shape[1]), dim=1, largest=False).values
            cand = torch.cat([best, top], dim=1)
            best = torch.topk(cand, min(k + 1, cand.shape[1]), dim=1, largest=False).values
        radii[i : i + chunk] = (best[:, k] + x_sq[i : i + chunk]).clamp_(min=0.0)
    return radii


def prdc(real: np.ndarray, fake: np.ndarray, *, k: int = 5, chunk: int = 4096) -> dict[str, float]:
    """Precision, recall, density and coverage (Naeem et al. 2020) of ``fake`` (M, D)
    against ``real`` (N, D), with k-nearest-neighbour balls.

    - precision: share of fake samples inside at least one real sample's k-NN ball;
    - recall: share of real samples inside at least one fake sample's k-NN ball;
    - density: mean number of real k-NN balls containing a fake sample, divided by k
      (about 1 when fake matches real; can exceed 1);
    - coverage: share of real samples whose k-NN ball contains at least one fake sample.

    "Inside" is strict (distance < radius). Distances are computed in float32 (after
    centring on the real mean) in blocks of ``chunk`` × ``chunk``, so memory stays
    bounded (50k × 50k is fine); all returned values are unitless shares.
    """
    real64, fake64 = _check_pair(real, fake, 2)
    if k < 1:
        raise ScienceError(f"k must be >= 1, got {k}")
    if real64.shape[0] <= k or fake64.shape[0] <= k:
        raise ScienceError(
            f"prdc with k={k} needs more than {k} samples in each set, "
            f"got {real64.shape[0]} real and {fake64.shape[0]} fake"
        )
    if chunk < 1:
        raise ScienceError(f"chunk must be >= 1, got {chunk}")
    centre = real64.mean(axis=0)
    r = torch.from_numpy((real64 - centre).astype(np.float32))
    f = torch.from_numpy((fake64 - centre).astype(np.float32))
    r_sq, f_sq = (r * r).sum(dim=1), (f * f).sum(dim=1)
    real_radii = _kth_nn_sq_radii(r, r_sq, k, chunk)
    fake_radii = _kth_nn_sq_radii(f, f_sq, k, chunk)

    # Within a block, e[i, j] = ||f_j||² - 2 r_i·f_j, so the squared distance is
    # e[i, j] + ||r_i||²; each test moves the row constant to the threshold side.
    # A zero radius (duplicated points) holds nothing: its threshold becomes -inf.
    inf = torch.tensor(float("inf"))
    real_thr = torch.where(real_radii > 0, real_radii - r_sq, -inf)
    fake_rad_adj = torch.where(fake_radii > 0, fake_radii, -inf)
    n, m = r.shape[0], f.shape[0]
    fake_in_real_balls = torch.zeros(m, dtype=torch.int64)
    real_min_e = torch.full((n,), float("inf"))
    real_min_e_fake = torch.full((n,), float("inf"))
    for i in range(0, n, chunk):
        ri, rows = r[i : i + chunk], slice(i, i + chunk)
        for j in range(0, m, chunk):
            cols = slice(j, j + chunk)
            e = torch.addmm(f_sq[None, cols], ri, f[cols].T, alpha=-2.0)
            fake_in_real_balls[cols] += (e < real_thr[rows, None]).sum(dim=0, dtype=torch.int32)
            real_min_e[rows] = torch.minimum(real_min_e[rows], e.amin(dim=1))
            e.sub_(fake_rad_adj[None, cols])
            real_min_e_fake[rows] = torch.minimum(real_min_e_fake[rows], e.amin(dim=1))
    nearest_fake = (real_min_e + r_sq).clamp_(min=0.0)
    return {
        "precision": float((fake_in_real_balls > 0).double().mean()),
        "recall": float((real_min_e_fake < -r_sq).double().mean()),
        "density": float(fake_in_real_balls.double().sum() / (k * m)),
        "coverage": float((nearest_fake < real_radii).double().mean()),
    }


def class_coverage(
    pred_fake: np.ndarray,
    pred_real: np.ndarray,
    num_classes: int,
    *,
    min_ratio: float = 0.2,
) -> float:
    """Share of classes the generator covers, judged by a classifier's predictions.

    ``pred_fake`` (M,) and ``pred_real`` (N,) are integer class predictions in
    [0, num_classes). A class c is covered when its share among the fake predictions is
    at least ``min_ratio`` × its share among the real predictions. Only classes that occur
    in ``pred_real`` count; the result is (covered classes) / (classes occurring in real),
    in [0, 1]. Mode collapse onto a few classes gives a low value.
    """
    if num_classes < 1:
        raise ScienceError(f"num_classes must be >= 1, got {num_classes}")
    shares = []
    for name, pred in (("fake predictions", pred_fake), ("real predictions", pred_real)):
        p = np.asarray(pred)
        if p.ndim != 1 or p.size == 0:
            raise ScienceError(f"{name}: need a non-empty 1-D array of labels, got shape {p.shape}")
        if not np.issubdtype(p.dtype, np.integer):
            raise ScienceError(f"{name}: labels must be integers, got dtype {p.dtype}")
        if p.min() < 0 or p.max() >= num_classes:
            raise ScienceError(f"{name}: labels must lie in [0, {num_classes}), got range [{p.min()}, {p.max()}]")
        shares.append(np.bincount(p, minlength=num_classes) / p.size)
    fake_share, real_share = shares
    present = real_share > 0
    covered = fake_share[present] >= min_ratio * real_share[present]
    return float(covered.mean())


def label_accuracy(pred_fake: np.ndarray, wanted: np.ndarray) -> float:
    """Share in [0, 1] of conditional samples that a classifier gives the label they were
    generated for: ``pred_fake`` (N,) its predictions, ``wanted`` (N,) the labels asked for."""
    pred, want = np.asarray(pred_fake), np.asarray(wanted)
    if pred.shape != want.shape or pred.ndim != 1 or pred.size == 0:
        raise ScienceError(
            f"label accuracy needs two equal non-empty 1-D label arrays, got shapes {pred.shape} and {want.shape}"
        )
    return float((pred == want).mean())
