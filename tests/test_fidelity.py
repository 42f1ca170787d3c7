"""Fidelity metrics on feature arrays: Fréchet distance, KID, PRDC, class coverage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from scigan.errors import ScienceError
from scigan.metrics.fidelity import (
    class_coverage,
    frechet_distance,
    frechet_from_stats,
    gaussian_stats,
    kernel_inception_distance,
    label_accuracy,
    prdc,
)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- Fréchet distance -------------------------------------------------------------------


def test_gaussian_stats_match_numpy() -> None:
    a = _rng().normal(size=(500, 6))
    mu, sigma = gaussian_stats(a)
    np.testing.assert_allclose(mu, a.mean(axis=0))
    np.testing.assert_allclose(sigma, np.cov(a, rowvar=False))


def test_frechet_identical_sets_is_zero() -> None:
    a = _rng().normal(size=(2000, 16)).astype(np.float32)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_frechet_closed_form_for_diagonal_gaussians() -> None:
    mu1, mu2 = np.zeros(4), np.array([1.0, -2.0, 0.5, 0.0])
    sd1, sd2 = np.array([1.0, 2.0, 0.5, 3.0]), np.array([2.0, 1.0, 0.5, 1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((sd1 - sd2) ** 2)
    got = frechet_from_stats(mu1, np.diag(sd1**2), mu2, np.diag(sd2**2))
    assert got == pytest.approx(expected, rel=1e-10)
    # The same from samples, within sampling error.
    rng = _rng(1)
    a = mu1 + sd1 * rng.normal(size=(100_000, 4))
    b = mu2 + sd2 * rng.normal(size=(100_000, 4))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_frechet_matches_scipy_sqrtm_for_full_covariances() -> None:
    rng = _rng(2)
    x, y = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    s1, s2 = x @ x.T + 0.1 * np.eye(8), y @ y.T
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    covmean = linalg.sqrtm(s1 @ s2).real
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean)
    assert frechet_from_stats(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)


def test_frechet_stable_for_singular_covariance() -> None:
    a = _rng(3).normal(size=(10, 32))  # fewer samples than dimensions: rank-deficient
    fd = frechet_distance(a, a)
    assert np.isfinite(fd) and fd == pytest.approx(0.0, abs=1e-6)


def test_frechet_grows_with_mean_shift() -> None:
    rng = _rng(4)
    a, b = rng.normal(size=(3000, 8)), rng.normal(size=(3000, 8))
    fds = [frechet_distance(a, b + s) for s in (0.0, 0.5, 1.0, 2.0)]
    assert fds == sorted(fds)
    assert fds[0] < 0.05
    assert fds[-1] == pytest.approx(8 * 2.0**2, rel=0.05)


def test_frechet_rejects_mismatched_dimensions() -> None:
    with pytest.raises(ScienceError, match="dimensions differ"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


# --- KID --------------------------------------------------------------------------------


def test_kid_near_zero_for_same_distribution_and_larger_when_shifted() -> None:
    rng = _rng(5)
    a, b = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    same_mean, same_std = kernel_inception_distance(a, b, subsets=5, subset_size=500)
    shifted_mean, _ = kernel_inception_distance(a, b + 1.0, subsets=5, subset_size=500)
    assert abs(same_mean) < 0.01
    assert same_std >= 0.0
    assert shifted_mean > 0.5
    assert shifted_mean > 20 * abs(same_mean)


def test_kid_is_seeded_and_caps_subset_size() -> None:
    rng = _rng(6)
    a, b = rng.normal(size=(40, 4)), rng.normal(size=(60, 4))
    first = kernel_inception_distance(a, b, subsets=3, subset_size=1000, seed=1)
    assert first == kernel_inception_distance(a, b, subsets=3, subset_size=1000, seed=1)
    assert all(np.isfinite(first))


# --- PRDC -------------------------------------------------------------------------------


def _prdc_reference(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """Naeem et al.'s definitions with full float64 distance matrices."""

    def dist(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))

    real_r = np.sort(dist(real, real), axis=1)[:, k]
    fake_r = np.sort(dist(fake, fake), axis=1)[:, k]
    d = dist(real, fake)
    return {
        "precision": float((d < real_r[:, None]).any(axis=0).mean()),
        "recall": float((d < fake_r[None, :]).any(axis=1).mean()),
        "density": float((d < real_r[:, None]).sum(axis=0).mean() / k),
        "coverage": float((d.min(axis=1) < real_r).mean()),
    }


def test_prdc_identical_sets() -> None:
    a = _rng(7).normal(size=(600, 10))
    scores = prdc(a, a, k=5)
    assert scores["precision"] == 1.0
    assert scores["recall"] == 1.0
    assert scores["coverage"] == 1.0
    assert scores["density"] == pytest.approx(1.0, abs=0.01)


def test_prdc_far_away_fake_scores_zero() -> None:
    a = _rng(8).normal(size=(400, 10))
    scores = prdc(a, a + 100.0, k=5)
    assert scores == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_prdc_half_the_modes_gives_half_coverage() -> None:
    rng = _rng(9)
    centres = 20.0 * rng.normal(size=(10, 6))
    labels = np.repeat(np.arange(10), 100)
    real = centres[labels] + 0.1 * rng.normal(size=(1000, 6))
    fake_labels = np.repeat(np.arange(5), 200)
    fake = centres[fake_labels] + 0.1 * rng.normal(size=(1000, 6))
    scores = prdc(real, fake, k=5)
    assert scores["coverage"] == pytest.approx(0.5, abs=0.05)
    assert scores["recall"] == pytest.approx(0.5, abs=0.05)
    assert scores["precision"] > 0.9


def test_prdc_chunked_equals_unchunked_and_reference() -> None:
    rng = _rng(10)
    real = rng.normal(size=(230, 5))
    fake = rng.normal(size=(170, 5)) * 1.3 + 0.2
    whole = prdc(real, fake, k=3, chunk=10_000)
    chunked = prdc(real, fake, k=3, chunk=17)
    assert chunked == whole
    reference = _prdc_reference(real, fake, k=3)
    for key, value in reference.items():
        assert whole[key] == pytest.approx(value, abs=1e-9), key


def test_prdc_needs_more_samples_than_k() -> None:
    with pytest.raises(ScienceError, match="more than 5"):
        prdc(np.zeros((5, 2)), np.ones((10, 2)), k=5)


# --- class coverage ---------------------------------------------------------------------


def test_class_coverage() -> None:
    real = np.repeat(np.arange(4), 25)  # 25% each
    assert class_coverage(np.repeat(np.arange(4), 10), real, 4) == 1.0
    assert class_coverage(np.zeros(40, dtype=np.int64), real, 4) == 0.25
    # Class 3 at 4% of fake is below 0.2 × 25% = 5%: not covered.
    fake = np.concatenate([np.repeat(np.arange(3), 32), [3] * 4])
    assert class_coverage(fake, real, 4) == 0.75
    assert class_coverage(fake, real, 4, min_ratio=0.1) == 1.0
    # A class absent from the real predictions does not count.
    assert class_coverage(np.array([0, 1]), np.array([0, 1, 0, 1]), 5) == 1.0


def test_label_accuracy_counts_samples_given_their_own_label() -> None:
    assert label_accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    with pytest.raises(ScienceError, match="equal non-empty"):
        label_accuracy(np.array([0, 1]), np.array([0, 1, 2]))


def test_class_coverage_rejects_bad_labels() -> None:
    with pytest.raises(ScienceError, match="lie in"):
        class_coverage(np.array([0, 7]), np.array([0, 1]), 3)
    with pytest.raises(ScienceError, match="integers"):
        class_coverage(np.array([0.5]), np.array([0, 1]), 3)
