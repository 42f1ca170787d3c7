"""The time-series scores on small synthetic series whose answer is known: TimeGAN's
post-hoc scores tell an AR(1) process from white noise, the ACF distance and the
stylised facts see what was built into the data, the baselines keep their promises and
the scorer returns every declared key and its pictures."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from scigan.metrics.registry import FACTS, SHARED, merged
from scigan.metrics.text import format_scores, others, used_keys
from scigan.modalities.base import Dataset
from scigan.modalities.timeseries import metrics as tm
from scigan.modalities.timeseries.plots import paths_figure
from scigan.modalities.timeseries.scorer import TimeSeriesScorer
from scigan.modalities.timeseries.scores import SCORES

DECLARED = merged(SCORES, SHARED)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Small GRUs run faster on one thread (and the machine's cores are shared)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def ar1(n: int, t: int, c: int, phi: float, seed: int) -> np.ndarray:
    """``n`` windows (n, t, c) of a stationary Gaussian AR(1) of unit variance, mapped to
    about [0, 1] (x + 2.5) / 5 and clipped, as the codec's normalisation would."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, t, c))
    x[:, 0] = rng.standard_normal((n, c))
    for i in range(1, t):
        x[:, i] = phi * x[:, i - 1] + math.sqrt(1 - phi**2) * rng.standard_normal((n, c))
    return np.clip((x + 2.5) / 5.0, 0.0, 1.0)


def noise(n: int, t: int, c: int, seed: int) -> np.ndarray:
    """White noise windows (n, t, c): independent uniform values on [0, 1]."""
    return np.random.default_rng(seed).uniform(0.0, 1.0, (n, t, c))


def prices(returns: np.ndarray) -> np.ndarray:
    """Windows (N, T, 1) of prices starting at 100 from log-returns (N, T − 1)."""
    start = np.zeros((len(returns), 1))
    return (100.0 * np.exp(np.concatenate([start, np.cumsum(returns, axis=1)], axis=1)))[:, :, None]


# -- TimeGAN's post-hoc scores ------------------------------------------------------------


def test_discriminative_score_is_small_for_one_process_and_large_against_noise() -> None:
    same, spread = tm.discriminative_score(ar1(200, 12, 1, 0.95, 1), ar1(200, 12, 1, 0.95, 2), steps=600, repeats=2)
    assert 0.0 <= same <= 0.1 and spread >= 0.0
    apart, _ = tm.discriminative_score(ar1(200, 12, 1, 0.95, 1), noise(200, 12, 1, 3), steps=600, repeats=1)
    assert apart >= 0.3


def test_discriminative_score_is_seeded_and_balanced() -> None:
    real, fake = ar1(40, 6, 2, 0.5, 1), noise(90, 6, 2, 2)  # more synthetic than real: subsampled
    first = tm.discriminative_score(real, fake, seed=4, steps=15, repeats=2)
    assert first == tm.discriminative_score(real, fake, seed=4, steps=15, repeats=2)
    assert all(0.0 <= v <= 0.5 for v in first)
    assert all(math.isnan(v) for v in tm.discriminative_score(real[:1], fake, steps=5))
    with pytest.raises(Exception, match="shapes differ"):
        tm.discriminative_score(real, fake[:, :5], steps=5)


def test_predictive_score_is_lower_when_trained_on_the_same_process() -> None:
    test = ar1(200, 12, 1, 0.95, 2)
    same = tm.predictive_score(ar1(200, 12, 1, 0.95, 1), test, steps=300)
    other = tm.predictive_score(noise(200, 12, 1, 3), test, steps=300)
    assert 0.0 < same < 0.8 * other
    two = ar1(30, 6, 3, 0.5, 4)  # several columns: the last one forecast from the others
    assert tm.predictive_score(two, two, seed=1, steps=10) == tm.predictive_score(two, two, seed=1, steps=10)
    assert math.isnan(tm.predictive_score(two[:, :1], two[:, :1], steps=5))  # T = 1: nothing to forecast


# -- ACF and stylised facts --------------------------------------------------------------


def test_acf_distance_is_zero_for_identical_sets_and_positive_otherwise() -> None:
    a = ar1(100, 20, 2, 0.9, 1)
    assert tm.acf_distance(a, a.copy()) == 0.0
    assert tm.acf_distance(a, ar1(100, 20, 2, 0.9, 2)) < 0.05  # the same process: close
    far = tm.acf_distance(a, noise(100, 20, 2, 3))
    assert far > 0.15 and tm.acf_distance(a, noise(100, 20, 2, 3), max_lag=1) > far  # lag 1 differs most
    acf = tm.window_acf(a, 3)
    assert acf.shape == (3, 2) and (acf[0] > acf[2]).all()  # decays with the lag
    flat = np.full((5, 20, 2), 0.5)
    assert np.isnan(tm.window_acf(flat, 2)).all() and math.isnan(tm.acf_distance(flat, flat))
    assert math.isnan(tm.acf_distance(a[:, :1], a[:, :1]))  # T = 1: no lag


def test_kurtosis_tells_gaussian_from_heavy_tailed_returns() -> None:
    rng = np.random.default_rng(0)
    gaussian = tm.stylised_facts(prices(0.01 * rng.standard_normal((400, 30))), 0)
    heavy = tm.stylised_facts(prices(0.01 * rng.standard_t(3, (400, 30))), 0)
    assert abs(gaussian["kurtosis"]) < 0.3 and heavy["kurtosis"] > 3.0
    assert abs(gaussian["vol_clustering"]) < 0.05 and abs(gaussian["leverage"]) < 0.05


def test_volatility_clustering_and_leverage_are_seen_where_they_were_built() -> None:
    rng = np.random.default_rng(1)
    n, t = 300, 40
    garch, lever = np.zeros((n, t)), np.zeros((n, t))
    var, log_vol = np.full(n, 1e-4), np.full(n, math.log(0.01))
    for i in range(-50, t):  # a burn-in, then GARCH(1, 1) and a volatility rising after falls
        r = np.sqrt(var) * rng.standard_normal(n)
        var = 1e-5 + 0.15 * r**2 + 0.8 * var
        z = rng.standard_normal(n)
        s = np.exp(log_vol) * z
        log_vol = 0.8 * log_vol + 0.2 * math.log(0.01) - 0.4 * z
        if i >= 0:
            garch[:, i], lever[:, i] = r, s
    iid = tm.stylised_facts(prices(0.01 * rng.standard_normal((n, t))), 0)
    clustered = tm.stylised_facts(prices(garch), 0)
    assert clustered["vol_clustering"] > iid["vol_clustering"] + 0.05
    assert tm.stylised_facts(prices(lever), 0)["leverage"] < -0.05 < iid["leverage"]


def test_stylised_facts_of_short_or_bad_windows_are_nan_not_errors() -> None:
    rng = np.random.default_rng(2)
    short = tm.stylised_facts(prices(0.01 * rng.standard_normal((50, 4))), 0)  # T = 5
    assert math.isfinite(short["kurtosis"]) and math.isnan(short["vol_clustering"]) and math.isnan(short["leverage"])
    assert all(math.isnan(v) for v in tm.stylised_facts(np.ones((3, 1, 1)), 0).values())
    x = prices(0.01 * rng.standard_normal((20, 10)))
    x[0, 3, 0] = -1.0  # a window with a non-positive price is left out
    assert tm.log_returns(x, 0).shape == (19, 10)
    assert all(math.isnan(v) for v in tm.stylised_facts(-x, 0).values())


def test_price_column_prefers_the_adjusted_close() -> None:
    assert tm.price_column(["Open", "Close", "Adj Close", "Volume"]) == "Adj Close"
    assert tm.price_column(["open", "CLOSE"]) == "CLOSE"
    assert tm.price_column(["date", "adj_close"]) == "adj_close"
    assert tm.price_column(["temperature", "closeness"]) is None
    x = np.ones((2, 3, 2))
    assert tm.price_column(["Open", "Close"], x) == "Close"
    x[1, 2, 1] = 0.0
    assert tm.price_column(["Open", "Close"], x) is None  # not a positive price


# -- baselines ----------------------------------------------------------------------------


def test_var1_recovers_its_coefficients() -> None:
    rng = np.random.default_rng(3)
    a, b = np.array([[0.5, 0.2], [-0.1, 0.7]]), np.array([0.1, -0.05])
    x = np.zeros((300, 20, 2))
    x[:, 0] = rng.standard_normal((300, 2))
    for t in range(1, 20):
        x[:, t] = x[:, t - 1] @ a.T + b + 0.1 * rng.standard_normal((300, 2))
    fit_a, fit_b, cov = tm.fit_var1(x)
    assert np.abs(fit_a - a).max() < 0.03 and np.abs(fit_b - b).max() < 0.01
    assert np.allclose(cov, 0.01 * np.eye(2), atol=0.002)
    sim = tm.gaussian_var1(x, 300, seed=0)
    assert sim.shape == (300, 20, 2)
    assert np.abs(tm.fit_var1(sim)[0] - a).max() < 0.05  # its own samples follow the fitted model
    assert np.array_equal(sim, tm.gaussian_var1(x, 300, seed=0))


def test_block_bootstrap_shapes_range_and_paths() -> None:
    x = ar1(30, 16, 3, 0.8, 5)
    boot = tm.block_bootstrap(x, 50, block=4, seed=0)
    assert boot.shape == (50, 16, 3) and boot.min() >= 0.0 and boot.max() <= 1.0
    starts = {tuple(row) for row in x[:, 0]}
    assert all(tuple(row) in starts for row in boot[:, 0])  # each starts from a real first row
    assert np.array_equal(boot, tm.block_bootstrap(x, 50, block=4, seed=0))
    one = x[:1]
    assert np.allclose(tm.block_bootstrap(one, 3, block=15, seed=1), np.repeat(one, 3, axis=0))  # one whole block
    assert tm.block_bootstrap(x[:, :1], 4, block=3, seed=0).shape == (4, 1, 3)


# -- the scorer ---------------------------------------------------------------------------


class MinMaxCodec:
    """The codec's normalisation contract: each column min-max scaled by a training range."""

    def __init__(self, train: np.ndarray, columns: list[str]):
        self.columns = columns
        self.low, self.high = train.min(axis=(0, 1)), train.max(axis=(0, 1))

    def normalise(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.low) / (self.high - self.low)).astype(np.float32)


def _series(n: int, t: int, seed: int, labelled: bool = True) -> Dataset:
    """Windows (n, t, 2) of an open and close price, two classes of different volatility."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    close = prices(0.01 * (1 + y[:, None]) * rng.standard_normal((n, t - 1)))[:, :, 0]
    x = np.stack([close * (1 + 0.002 * rng.standard_normal((n, t))), close], axis=2)
    return Dataset(
        x=x,
        y=y if labelled else None,
        class_names=["calm", "wild"] if labelled else [],
        source="t",
        modality="timeseries",
    )


def _undeclared(scores: dict) -> set[str]:
    missing = set(others(scores, DECLARED))
    for group in (scores.get("per_group") or {}).values():
        missing |= set(group) - used_keys(DECLARED) - {f.key for f in FACTS}
    return missing


def test_scorer_returns_every_declared_score_and_its_pictures(tmp_path: Path) -> None:
    train, holdout, fake = _series(80, 12, 0), _series(40, 12, 1), _series(40, 12, 2)
    codec = MinMaxCodec(train.x, ["Open", "Close"])
    scorer = TimeSeriesScorer(train, holdout, codec, log=lambda _: None, repeats=2, disc_steps=10, pred_steps=10)
    assert scorer.sizes(10_000) == 80 and scorer.sizes(5) == 5
    assert np.array_equal(scorer.fake_labels(6, 0), scorer.fake_labels(6, 0)) and len(scorer.fake_labels(6, 0)) == 6
    quick = scorer.quick(holdout.x)
    assert set(quick) == {"fd", "acf_distance", "n"} and quick["fd"] < 1e-6 and quick["acf_distance"] == 0.0
    assert scorer.quick(fake.x)["fd"] > 0.0 and math.isinf(scorer.quick(fake.x[:1])["fd"])

    picture = tmp_path / "report" / "embedding.png"
    full = scorer.full(fake.x, fake.y, seed=0, untrained_x=fake.x[::-1] * 1.5, picture=picture)
    for key in (
        "discriminative_score",
        "discriminative_score_std",
        "discriminative_score_floor",
        "predictive_score",
        "predictive_score_real",
        "acf_distance",
        "acf_distance_floor",
        "fd",
        "fd_real_floor",
        "fd_untrained",
        "kurtosis_gap",
        "kurtosis_gap_floor",
        "vol_clustering_gap",
        "leverage_gap_floor",
    ):
        assert isinstance(full[key], float), key
    assert full["n"] == 40 and full["n_real"] == 40 and full["fd_untrained"] > full["fd"]
    assert full["stylised_facts"]["column"] == "Close" and set(full["stylised_facts"]["synthetic"]) == {
        "kurtosis",
        "vol_clustering",
        "leverage",
    }
    assert set(full["per_group"]) == {"calm", "wild"} and full["worst_group"]["metric"] == "discriminative_score"
    assert _undeclared(full) == set()
    assert picture.is_file()
    files = [f["file"] for f in full["figures"]]
    assert files == ["tsne.png", "paths.png", "acf.png", "stylised.png"]
    assert all((picture.parent / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in files)
    text = format_scores(full, DECLARED)
    assert "discriminative score" in text and "±" in text and "trained on real" in text


def test_scorer_without_labels_or_prices_and_with_long_windows(tmp_path: Path) -> None:
    train, holdout = _series(30, 140, 0, labelled=False), _series(20, 140, 1, labelled=False)
    codec = MinMaxCodec(train.x, ["temperature", "pressure"])
    scorer = TimeSeriesScorer(train, holdout, codec, log=lambda _: None, repeats=1, disc_steps=3, pred_steps=3)
    assert scorer._features(scorer.hold_n).shape == (20, 20)  # T·C = 280 > 256: projected (20 rows: 20 axes)
    assert scorer.quick(holdout.x)["fd"] < 1e-6
    full = scorer.full(train.x[:20], None, picture=tmp_path / "embedding.png")
    assert "kurtosis_gap" not in full and "stylised_facts" not in full and "per_group" not in full
    assert [f["file"] for f in full["figures"]] == ["tsne.png", "paths.png", "acf.png"]
    assert _undeclared(full) == set()
    preview = paths_figure(holdout.x, None, codec.columns, tmp_path / "preview.png", {"Synthetic": "all"})
    assert preview.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the training preview: synthetic windows alone
