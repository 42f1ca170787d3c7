"""``scigan augment``: the split logic (no test example reaches the GAN or the
classifier), each kind's augmenter, the output folder, reproducibility and the refusals."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from helpers import cli_error
from scigan.augment import subsets, unlabeled
from scigan.augment.config import AugmentConfig, parse_shares, parse_weights, read_config
from scigan.augment.experiment import CONDITIONS, augment
from scigan.augment.gans import gan_config, synthetic_counts
from scigan.augment.protocol import augmenter_class
from scigan.augment.selection import accept, kept
from scigan.augment.shares import take_share
from scigan.augment.stats import paired_interval, scores
from scigan.augment.subsets import draw_subset
from scigan.cli import main
from scigan.errors import ScienceError
from scigan.modalities import DataKind, get_kind, kinds, register, unregister
from scigan.modalities.base import Dataset
from scigan.modalities.expression.augment import ExpressionAugmenter
from scigan.modalities.images.augment import ImageAugmenter
from scigan.modalities.tabular.augment import TableAugmenter

#: A tiny, fast experiment: 2 seeds, a few GAN and CNN steps.
FAST = {"repeats": 2, "gan_steps": 12, "cnn_steps": 15}
QUIET = {"log": lambda s: None}


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 classes × 30 images of 8×8 whose top-left pixels spell their row index, so any
    image that reaches a model can be traced back to its row."""
    rng = np.random.default_rng(0)
    n = 90
    y = np.repeat(np.arange(3), 30)
    x = rng.integers(0, 60, (n, 8, 8)).astype(np.uint8)
    for i in range(n):
        x[i, 2 + 2 * y[i] : 4 + 2 * y[i], 2:7] = 230  # a bar whose height tells the class
        x[i, 0, 0], x[i, 0, 1] = 100 + i % 100, 100 + i // 100
    path = tmp_path_factory.mktemp("data") / "tagged.npz"
    np.savez(path, x=x, y=y, class_names=np.array(["a", "b", "c"]))
    return path


@pytest.fixture(scope="module")
def rare_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A separable table of 80 common and 40 rare rows, with a categorical column."""
    import pandas as pd

    rng = np.random.default_rng(0)
    kind = np.repeat(["common", "rare"], [80, 40])
    shift = (kind == "rare") * 2.0
    path = tmp_path_factory.mktemp("table") / "t.csv"
    pd.DataFrame(
        {
            "a": rng.normal(shift, 1.0).round(3),
            "b": rng.normal(-shift, 1.0).round(3),
            "site": rng.choice(["x", "y"], 120),
            "kind": kind,
        }
    ).to_csv(path, index=False)
    return path


def _ids(x: np.ndarray) -> set[int]:
    """Row indices encoded in images (N, 1, 8, 8) or (N, 8, 8)."""
    x = x.reshape(len(x), 8, 8).astype(int)
    return set((x[:, 0, 0] - 100 + 100 * (x[:, 0, 1] - 100)).tolist())


def _images(n_per_class: int, size: int = 2, classes: int = 3) -> Dataset:
    y = np.repeat(np.arange(classes), n_per_class)
    return Dataset(
        x=np.zeros((len(y), 1, size, size), np.uint8),
        y=y,
        class_names=list("abcdefg"[:classes]),
        source="t",
        modality="images",
    )


def test_split_helpers() -> None:
    y = np.repeat(np.arange(3), [40, 30, 20])
    data = Dataset(x=np.zeros((90, 1, 2, 2), np.uint8), y=y, class_names=["a", "b", "c"], source="t", modality="images")
    pool, test = subsets.test_split(data, 0.25, seed=0)
    assert not set(pool) & set(test) and len(pool) + len(test) == 90
    assert np.bincount(y[test]).tolist() == [10, 8, 5]  # stratified
    assert np.array_equal(subsets.test_split(data, 0.25, seed=0)[1], test)  # fixed by the seed
    sub = draw_subset(y[pool], 3, 4, None, seed=1)
    assert np.bincount(y[pool][sub]).tolist() == [4, 4, 4]
    assert not np.array_equal(sub, draw_subset(y[pool], 3, 4, None, seed=2))
    rare = draw_subset(y[pool], 3, 0, (1, 0.25), seed=1)
    assert np.bincount(y[pool][rare]).tolist() == [30, 6, 15]
    # synthetic samples by default, as each kind says: images K per class (half the
    # training set), rows up to twice the largest class
    cfg = AugmentConfig()
    images = ImageAugmenter(cfg, data)
    rows = TableAugmenter(
        cfg, Dataset(x=np.zeros((90, 2)), y=y, class_names=["a", "b", "c"], source="t", modality="tabular")
    )
    assert synthetic_counts(cfg, images, y[pool][sub]).tolist() == [4, 4, 4]
    assert synthetic_counts(cfg, rows, y[pool][rare]).tolist() == [30, 54, 45]
    assert synthetic_counts(AugmentConfig(synthetic_per_class=7), rows, y[pool][rare]).tolist() == [7, 7, 7]
    # --rebalance: each class's gap to the largest, whatever the kind
    for task in (images, rows):
        assert synthetic_counts(AugmentConfig(rebalance=True), task, y[pool][rare]).tolist() == [0, 24, 15]
    # a source's own test split is kept as it is
    mask = np.zeros(90, bool)
    mask[::3] = True
    pool, test = subsets.test_split(Dataset(**{**data.__dict__, "test_mask": mask}), 0.25, seed=0)
    assert np.array_equal(test, np.flatnonzero(mask))


def test_no_test_example_reaches_the_gan_or_the_classifier(
    tagged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_by_classifier: list[np.ndarray] = []
    original_fit = ImageAugmenter.fit

    def spy(self, x, y, synthetic, classic, seed):
        seen_by_classifier.append(x)
        return original_fit(self, x, y, synthetic, classic, seed)

    monkeypatch.setattr(ImageAugmenter, "fit", spy)
    out = tmp_path / "out"
    results = augment(
        AugmentConfig(data=str(tagged), per_class=8, filter=0.2, synthetic_per_class=30, **FAST), out, **QUIET
    )
    splits = np.load(out / "splits.npz")
    test = set(splits["test_rows"].tolist())
    assert len(test) == 24  # 25 % of 90, stratified: 8 per class
    for seed in (0, 1):
        train_rows = splits[f"train_rows_seed{seed}"]
        assert len(train_rows) == 24 and not test & set(train_rows.tolist())
        # the GAN's copy of its data is exactly the subset; its holdout comes from the
        # subset, and with no quick evaluations no row is spent on a validation split
        gan_data = np.load(out / "gan" / f"seed-{seed}" / "data.npz")
        assert _ids(gan_data["x"]) == set(train_rows.tolist())
        info = (out / "gan" / f"seed-{seed}" / "config.toml").read_text()
        assert "n_train = 21" in info and "n_holdout = 3" in info and "n_validation = 0" in info
        assert 'holdout_from = "random split"' in info
    # every real image any classifier trained on is from that seed's subset
    real_fits = [x for x in seen_by_classifier if len(x) == 24]
    assert len(real_fits) == 2 * 4  # real, real+classic, real+gan, real+classic+gan per seed
    for x in real_fits:
        assert _ids(x) <= set(splits["train_rows_seed0"].tolist()) | set(splits["train_rows_seed1"].tolist())
        assert not _ids(x) & test
    gans = results["gans"]
    assert all(0 < g["synthetic_kept"] <= g["synthetic_drawn"] == 3 * 30 for g in gans)
    assert all(sum(g["synthetic_kept_per_class"]) == g["synthetic_kept"] for g in gans)
    assert results["classifier"] == "cnn" and results["classic"] == "affine"


def test_an_unlabeled_pool_trains_the_gan_and_never_holds_test_rows(tagged: Path, tmp_path: Path) -> None:
    out = tmp_path / "semi"
    cfg = AugmentConfig(data=str(tagged), per_class=8, unlabeled="30", pseudo_confidence=0.5, **FAST)
    results = augment(cfg, out, **QUIET)
    splits = np.load(out / "splits.npz")
    test = set(splits["test_rows"].tolist())
    for g in results["gans"]:
        seed = g["seed"]
        train, pool = set(splits[f"train_rows_seed{seed}"].tolist()), set(splits[f"unlabeled_rows_seed{seed}"].tolist())
        assert len(pool) == 30 and not pool & test and not pool & train
        # the GAN saw its labelled subset and the confident part of its pool, nothing else
        seen = _ids(np.load(out / "gan" / f"seed-{seed}" / "data.npz")["x"])
        assert train <= seen <= train | pool
        info = g["unlabeled"]
        assert info["pool"] == 30 and len(seen - train) == info["pseudo_labelled"] == sum(info["pseudo_per_class"])
        assert 0.0 <= info["pseudo_accuracy"] <= 1.0 and 0.0 <= g["label_agreement_real_only"] <= 1.0
    # the self-training baselines, and the same with the GAN's samples, beside the five conditions
    assert list(results["conditions"]) == [*CONDITIONS, "real+pseudo", "real+classic+pseudo", "real+classic+pseudo+gan"]
    assert "real+classic+pseudo+gan" in (out / "table.md").read_text()


def test_pseudo_labels_keep_the_confident_examples() -> None:
    real, pool = _bright(12, seed=0), _bright(10, seed=1)
    task = ImageAugmenter(AugmentConfig(cnn_steps=60), real)
    loose = unlabeled.pseudo_label(task, real, pool, 0.34, seed=0)
    strict = unlabeled.pseudo_label(task, real, pool, 0.99, seed=0)
    assert loose.pool == strict.pool == 30 and len(strict.data) <= len(loose.data) <= 30
    assert loose.accuracy is not None and loose.accuracy > 0.9  # the classes differ by brightness
    assert unlabeled.parse_unlabeled("") is None and unlabeled.parse_unlabeled(" 12") == 12


def _bright(n_per_class: int, seed: int) -> Dataset:
    """3 classes of noisy 8×8 images whose brightness tells the class."""
    data = _images(n_per_class, size=8)
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 40, data.x.shape)
    return replace(data, x=(data.y[:, None, None, None] * 100 + noise).astype(np.uint8))


def test_an_unlabeled_source(tagged: Path, tmp_path: Path) -> None:
    x = np.load(tagged)["x"]
    extra = tmp_path / "extra.npz"
    np.savez(extra, x=(255 - x[:40]).astype(np.uint8))  # no row of tagged, no labels
    results = augment(
        AugmentConfig(data=str(tagged), per_class=6, unlabeled=str(extra), pseudo_confidence=0.34, **FAST),
        tmp_path / "o",
        **QUIET,
    )
    assert all(g["unlabeled"]["pool"] == 40 and g["unlabeled"]["pseudo_accuracy"] is None for g in results["gans"])
    assert not any(k.startswith("unlabeled_rows") for k in np.load(tmp_path / "o" / "splits.npz"))
    # a source holding test examples, or of another size, is refused before anything is written
    np.savez(extra, x=x)
    with pytest.raises(ScienceError, match="24 of its examples are in the test split"):
        augment(AugmentConfig(data=str(tagged), per_class=6, unlabeled=str(extra)), tmp_path / "t", **QUIET)
    np.savez(extra, x=np.zeros((5, 4, 4), np.uint8))
    with pytest.raises(ScienceError, match=r"samples of shape \(1, 4, 4\), the labelled data's are \(1, 8, 8\)"):
        augment(AugmentConfig(data=str(tagged), per_class=6, unlabeled=str(extra)), tmp_path / "t", **QUIET)
    assert not (tmp_path / "t").exists()


def test_a_table_pool_takes_its_pseudo_labels_into_the_label_column(rare_table: Path, tmp_path: Path) -> None:
    import pandas as pd

    rng = np.random.default_rng(1)
    pool = pd.DataFrame(  # rare-looking rows whose label column says "common"
        {"a": rng.normal(2, 1, 30).round(3), "b": rng.normal(-2, 1, 30).round(3), "site": "x", "kind": "common"}
    )
    with_label, without = tmp_path / "pool.csv", tmp_path / "bare.csv"
    pool.to_csv(with_label, index=False)
    pool.drop(columns="kind").to_csv(without, index=False)
    cfg = AugmentConfig(
        data=str(rare_table), label_column="kind", unlabeled=str(with_label), repeats=2, gan_steps=20, gan_eval_every=0
    )
    results = augment(cfg, tmp_path / "o", **QUIET)
    for g in results["gans"]:
        pseudo = g["unlabeled"]["pseudo_per_class"]
        assert pseudo[1] >= 10  # the classifier calls many of them rare, confidently
        copy = pd.read_parquet(tmp_path / "o" / g["run"] / get_kind("tabular").data_copy)
        # the GAN learns the pseudo-labels, not the file's label column
        assert (copy["kind"].tail(sum(pseudo)) == "rare").sum() == pseudo[1]
    bare = augment(replace(cfg, unlabeled=str(without)), tmp_path / "b", **QUIET)
    assert [g["unlabeled"] for g in bare["gans"]] == [g["unlabeled"] for g in results["gans"]]
    pool.drop(columns=["kind", "b"]).to_csv(without, index=False)
    with pytest.raises(ScienceError, match=r"bare.csv: .*lacks the column\(s\) 'b' of"):
        augment(replace(cfg, unlabeled=str(without)), tmp_path / "c", **QUIET)


def test_gan_config_follows_the_kind() -> None:
    cfg = AugmentConfig(data="x.npz")
    for size, steps in ((8, 3000), (16, 3000), (28, 600)):
        d = _images(20, size, classes=2)
        gan = gan_config(cfg, ImageAugmenter(cfg, d), d, seed=0)
        assert gan.steps == steps and gan.eval_every == 0 and gan.validation == 0.0
        assert gan.conditional == "yes" and gan.batch_size == 34  # int(40 × 0.9) − 2 = 34, even
    assert gan_config(AugmentConfig(data="x.npz", gan_steps=50), ImageAugmenter(cfg, d), d, seed=0).steps == 50
    # --gan-select turns the images' quick evaluations on, with the kind's validation split
    chosen = gan_config(AugmentConfig(data="x.npz", gan_select="label_accuracy"), ImageAugmenter(cfg, d), d, seed=0)
    assert (chosen.select, chosen.eval_every, chosen.validation) == ("label_accuracy", 500, 0.1)
    consistent = gan_config(AugmentConfig(data="x.npz", class_consistency=0.5), ImageAugmenter(cfg, d), d, seed=0)
    assert consistent.data_options.class_consistency == 0.5
    # rows: 2000 steps, quick evaluations (on the training rows: tables keep no validation
    # split), the label column in the kind's section, a batch PacGAN's pack of 4 divides
    rows = Dataset(
        x=np.zeros((66, 2)),
        y=np.repeat([0, 1], [60, 6]),
        class_names=["common", "rare"],
        source="t",
        modality="tabular",
    )
    cfg = AugmentConfig(data="t.csv", label_column="kind")
    gan = gan_config(cfg, TableAugmenter(cfg, rows), rows, seed=3)
    assert (gan.steps, gan.eval_every, gan.validation, gan.seed) == (2000, 500, 0.0, 3)
    assert gan.data_options.label_column == "kind" and gan.batch_size == 56  # int(66 × .9) − 2 = 57
    off = gan_config(AugmentConfig(data="t.csv", gan_eval_every=0), TableAugmenter(cfg, rows), rows, seed=3)
    assert off.eval_every == 0 and off.validation == 0.0 and off.batch_size == 56


def test_every_builtin_kind_declares_its_augmenter() -> None:
    expected = {"images": ImageAugmenter, "tabular": TableAugmenter, "expression": ExpressionAugmenter}
    for kind in kinds():
        if kind.name in expected:
            cls = augmenter_class(kind)
            assert cls is expected[kind.name]
            assert cls.classifiers and cls.classics and cls.labels_hint
            for method in ("gan_defaults", "synthetic_counts", "fit_features", "features", "fit", "proba"):
                assert callable(getattr(cls, method)), (kind.name, method)


def test_a_kind_without_an_augmenter_is_refused(tmp_path: Path) -> None:
    register(DataKind(name="plane-points-noaug", modality="nowhere:Nothing", suffixes=(".noaug",)))
    try:
        out = tmp_path / "out"
        with pytest.raises(ScienceError, match="scigan augment does not support plane-points-noaug data"):
            augment(AugmentConfig(data=str(tmp_path / "p.noaug")), out, **QUIET)
        assert not out.exists()
    finally:
        unregister("plane-points-noaug")
    assert get_kind("images").augmenter  # the built-ins are untouched
    # a kind's augmenter is found through its "module:Class" path alone
    shared = DataKind(name="toy", modality="nowhere:Nothing", augmenter="scigan.downstream.rows:RowAugmenter")
    assert augmenter_class(shared).__name__ == "RowAugmenter"
    with pytest.raises(ScienceError, match="toy data: its augmenter 'nowhere:Nothing' does not load"):
        augmenter_class(DataKind(name="toy", modality="nowhere:Nothing", augmenter="nowhere:Nothing"))


def test_expression_rows_are_log_counts() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 20)
    counts = rng.poisson(np.where(y[:, None] == 1, [20, 1, 5], [1, 20, 5]), (40, 3)).astype(np.float32)
    data = Dataset(x=counts, y=y, class_names=["t", "b"], source="m", modality="expression", info={"values": "counts"})
    task = ExpressionAugmenter(AugmentConfig(classifier="gboost", classic="reweight"), data)
    task.fit_features(data)
    rows = task.features(data)
    assert np.allclose(rows, np.log1p(counts))
    model = task.fit(rows, y, None, True, seed=0)
    proba = task.proba(model, rows)
    assert proba.shape == (40, 2) and np.allclose(proba.sum(1), 1) and (proba.argmax(1) == y).mean() > 0.9
    # log-normalised values are the rows themselves
    logged = Dataset(**{**data.__dict__, "info": {"values": "log"}})
    task.fit_features(logged)
    assert np.array_equal(task.features(logged), counts.astype(float))


def test_classic_augment_shifts_exactly_and_affines_a_share() -> None:
    import torch

    from scigan.downstream.images import classic_augment

    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    # without the affine every image is its own whole-pixel shift (at most 2 px at 28 px,
    # black fill): no resampling blur, the pixel values are the original ones
    out = classic_augment(x, torch.Generator().manual_seed(1), affine_p=0.0)
    for i in range(len(x)):
        hits = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if torch.allclose(out[i], _shifted(x[i], dy, dx), atol=1e-5)
        ]
        assert hits, i
    # with the default recipe about half the images are resampled (not a pure shift)
    out = classic_augment(x, torch.Generator().manual_seed(1))
    pure = sum(
        any(torch.allclose(out[i], _shifted(x[i], dy, dx), atol=1e-5) for dy in range(-2, 3) for dx in range(-2, 3))
        for i in range(len(x))
    )
    assert 16 < pure < 48
    assert out.shape == x.shape and out.min() >= -1 - 1e-5 and out.max() <= 1 + 1e-5


def _shifted(img, dy: int, dx: int):
    """``img`` (C, H, W) in [-1, 1] moved by (dy, dx) pixels, the uncovered edge black."""
    import torch

    out = torch.full_like(img, -1.0)
    h, w = img.shape[1:]
    out[:, max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)] = img[
        :, max(0, -dy) : h + min(0, -dy), max(0, -dx) : w + min(0, -dx)
    ]
    return out


def test_output_folder_and_reproducibility(tagged: Path, tmp_path: Path) -> None:
    out = tmp_path / "first"
    results = augment(AugmentConfig(data=str(tagged), per_class=6, **FAST), out, **QUIET)
    for name in ("results.json", "table.md", "accuracy.png", "config.toml", "splits.npz"):
        assert (out / name).is_file(), name
    assert (out / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "table.md").read_text().startswith("| condition |")
    assert json.loads((out / "results.json").read_text()) == json.loads(json.dumps(results))
    assert list(results["conditions"]) == ["real", "real+classic", "real+gan", "real+classic+gan", "gan"]
    for name, entry in results["conditions"].items():
        assert len(entry["per_seed"]) == 2
        accs = [r["accuracy"] for r in entry["per_seed"]]
        assert entry["accuracy_mean"] == pytest.approx(np.mean(accs))
        assert entry["accuracy_std"] == pytest.approx(np.std(accs, ddof=1))
        assert 0 <= entry["macro_f1_mean"] <= 1 and set(entry["recall_mean"]) == {"a", "b", "c"}
        if name != "real":
            d = entry["vs_real"]["accuracy"]
            assert d["low"] <= d["mean"] <= d["high"]
    assert "vs_classic" in results["conditions"]["real+classic+gan"]
    assert "vs_real" not in results["conditions"]["real"]
    # the bars are readable: the data set is easy, so real-only beats chance clearly
    assert results["conditions"]["real"]["accuracy_mean"] > 0.6
    # the same config (read back from the folder) gives the same numbers
    again = tmp_path / "again"
    second = augment(AugmentConfig(**read_config(out / "config.toml")), again, **QUIET)
    assert second["conditions"] == results["conditions"]
    # other downstream options on the same GANs: nothing is trained again
    third = tmp_path / "filtered"
    filtered = augment(AugmentConfig(data=str(tagged), per_class=6, filter=0.3, **FAST), third, reuse_gans=out, **QUIET)
    assert all(g["reused_from"] == str(out / "gan" / f"seed-{g['seed']}") for g in filtered["gans"])
    assert filtered["conditions"]["real"] == results["conditions"]["real"]
    assert sum(g["synthetic_kept"] for g in filtered["gans"]) < sum(g["synthetic_drawn"] for g in filtered["gans"])
    # a GAN trained differently is not reused
    other = augment(
        AugmentConfig(data=str(tagged), per_class=6, **{**FAST, "gan_steps": 13}),
        tmp_path / "o",
        reuse_gans=out,
        **QUIET,
    )
    assert not any(g["reused_from"] for g in other["gans"])
    consistent = augment(
        AugmentConfig(data=str(tagged), per_class=6, class_consistency=0.5, **FAST),
        tmp_path / "c",
        reuse_gans=out,
        **QUIET,
    )
    assert not any(g["reused_from"] for g in consistent["gans"])  # the kind's GAN options count too
    # an existing folder is not replaced without overwrite, nor one that is not augment's
    with pytest.raises(ScienceError, match="already exists; pass --overwrite"):
        augment(AugmentConfig(data=str(tagged), per_class=6, **FAST), out, **QUIET)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(ScienceError, match="is not an augment output folder"):
        augment(AugmentConfig(data=str(tagged), per_class=6, **FAST), tmp_path / "mine", overwrite=True, **QUIET)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_image_corruptions() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(4, 1, 12, 12), dtype=np.uint8)
    cfg = AugmentConfig(data="digits", corruptions=True)
    data = Dataset(x=x, y=np.array([0, 1, 0, 1]), class_names=["a", "b"], source="t", modality="images")
    out = ImageAugmenter(cfg, data).corruptions(x, seed=0)
    assert list(out) == ["noise", "blur", "contrast"]
    assert all(v.shape == x.shape and v.dtype == np.uint8 for v in out.values())
    unit = x / 255.0
    assert 0.05 < np.abs(out["noise"] / 255.0 - unit).mean() < 0.12
    # blur removes the pixel-to-pixel differences; lower contrast halves the spread
    assert (
        np.abs(np.diff(out["blur"].astype(float), axis=-1)).mean()
        < 0.5 * np.abs(np.diff(x.astype(float), axis=-1)).mean()
    )
    assert (out["contrast"] / 255.0).std(axis=(1, 2, 3)) == pytest.approx(0.5 * unit.std(axis=(1, 2, 3)), abs=0.01)


def test_accuracy_under_corruption(tagged: Path, tmp_path: Path) -> None:
    results = augment(AugmentConfig(data=str(tagged), per_class=6, corruptions=True, **FAST), tmp_path / "o", **QUIET)
    c = results["conditions"]
    assert set(c["real"]["corrupted_mean"]) == {"noise", "blur", "contrast"}
    accs = [r["corrupted"]["blur"] for r in c["real+gan"]["per_seed"]]
    assert c["real+gan"]["corrupted_mean"]["blur"] == pytest.approx(np.mean(accs))
    d = c["real+classic+gan"]["vs_classic"]["corrupted"]["noise"]
    assert d["low"] <= d["mean"] <= d["high"]
    table = (tmp_path / "o" / "table.md").read_text()
    assert "| condition | noise | blur | contrast |" in table


def test_an_old_augment_config_is_read(tmp_path: Path) -> None:
    # config.toml as augment folders before the split wrote it: one [augment] table
    old = tmp_path / "config.toml"
    old.write_text(
        '[augment]\ndata = "digits"\nper_class = 10\nimbalance = ""\nrepeats = 3\nseed = 0\n'
        "test_fraction = 0.25\nsynthetic_per_class = 0\nmix = 0.0\nfilter = 0.5\ngan_steps = 0\n"
        'gan_eval_every = -1\nclassifier = "auto"\nclassic = "auto"\nflips = false\ncnn_steps = 400\n'
        'label_column = ""\nsize = 0\ndevice = "cpu"\n'
    )
    cfg = AugmentConfig(**read_config(old))
    assert (cfg.data, cfg.per_class, cfg.repeats, cfg.filter) == ("digits", 10, 3, 0.5)
    (tmp_path / "train.toml").write_text('[train]\ndata = "digits"\n')
    with pytest.raises(ScienceError, match="is not an augment config"):
        read_config(tmp_path / "train.toml")


def test_table_with_a_rare_class(rare_table: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = AugmentConfig(
        data=str(rare_table), label_column="kind", imbalance="rare=0.2", repeats=2, gan_steps=20, gan_eval_every=0
    )
    results = augment(cfg, out, **QUIET)
    assert results["classifier"] == "logreg" and results["classic"] == "smote"
    g = results["gans"][0]
    assert g["train_per_class"] == [60, 6]  # 75 % of each class, then 20 % of the rare one
    # auto: the GAN brings every class to twice the largest
    assert g["synthetic_kept_per_class"] == [60, 114]
    c = results["conditions"]
    assert set(c["real+classic"]["recall_mean"]) == {"common", "rare"}
    # a separable toy: the real-only model finds the rare class
    assert c["real"]["recall_mean"]["rare"] > 0.5
    assert results["data"]["rare_class"] == "rare"
    f1 = [r["f1"][1] for r in c["real+gan"]["per_seed"]]
    assert c["real+gan"]["f1_mean"]["rare"] == pytest.approx(np.mean(f1))
    d = c["real+gan"]["vs_classic"]["f1"]["rare"]
    assert d["low"] <= d["mean"] <= d["high"]
    table = (out / "table.md").read_text()
    assert table.splitlines()[0].endswith("| recall rare % | F1 rare % | Δ F1 rare vs classic (95 % CI) |")
    assert "Recall / F1 per class" in table and "| condition | common | rare |" in table
    # class weights instead of SMOTE, on the same GANs
    again = augment(
        AugmentConfig(**{**cfg.__dict__, "classic": "reweight"}), tmp_path / "reweight", reuse_gans=out, **QUIET
    )
    assert all(g["reused_from"] for g in again["gans"]) and again["classic"] == "reweight"
    assert again["conditions"]["real"]["per_seed"] == c["real"]["per_seed"]


def test_dropped_columns_stay_out_of_each_gan_and_its_reuse(rare_table: Path, tmp_path: Path) -> None:
    import pandas as pd

    from scigan.runs import open_run
    from scigan.workflows.sample import sample

    cfg = AugmentConfig(data=str(rare_table), label_column="kind", drop_columns="site", repeats=2, gan_steps=12)
    augment(cfg, tmp_path / "out", **QUIET)
    run = tmp_path / "out" / "gan" / "seed-0"
    assert list(pd.read_parquet(run / "data.parquet").columns) == ["a", "b", "kind"]
    assert open_run(run).config.data_options.drop_columns == ""  # the copy has them dropped already
    assert "site" not in sample(run, 5, seed=0).x.columns
    again = augment(cfg, tmp_path / "again", reuse_gans=tmp_path / "out", **QUIET)
    assert all(g["reused_from"] for g in again["gans"])


def test_rebalance_draws_only_the_rare_class(tagged: Path, tmp_path: Path) -> None:
    cfg = AugmentConfig(data=str(tagged), per_class=8, imbalance="b=0.25", rebalance=True, classic="oversample", **FAST)
    results = augment(cfg, tmp_path / "out", **QUIET)
    assert "gan" not in results["conditions"]  # a gan-only model would never see class a or c
    assert set(results["conditions"]) == set(CONDITIONS) - {"gan"}
    for g in results["gans"]:
        assert g["train_per_class"] == [8, 2, 8]
        assert g["synthetic_kept_per_class"] == [0, 6, 0]
    assert "| gan |" not in (tmp_path / "out" / "table.md").read_text()


def test_oversampling_draws_every_class_equally_often() -> None:
    import torch

    from scigan.downstream.images import _class_balanced, _draw

    y = torch.tensor([0] * 90 + [1] * 10)
    g = torch.Generator().manual_seed(0)
    picks = _draw(len(y), 20000, _class_balanced(y), g)
    assert abs(y[picks].float().mean().item() - 0.5) < 0.02  # 10 % of the images, half the draws
    assert set(picks[y[picks] == 1].tolist()) == set(range(90, 100))  # every rare image takes part
    assert abs(y[_draw(len(y), 20000, None, g)].float().mean().item() - 0.1) < 0.02  # uniform: as the data


def test_the_filter_then_the_cap_keep_the_first_passing_samples_of_each_class() -> None:
    y = np.array([0, 0, 0, 1, 1, 2, 0])
    proba = np.full((7, 3), 0.1)
    proba[np.arange(7), y] = [0.9, 0.2, 0.8, 0.9, 0.7, 0.3, 0.95]
    assert kept(y, np.array([2, 5, 5]), None, 0.0).tolist() == [0, 1, 3, 4, 5]  # the first 2 of class 0
    # the filter drops 1 (0.2) and 5 (0.3); the cap then takes 0 and 2 of class 0, not 6
    assert kept(y, np.array([2, 1, 1]), proba, 0.5).tolist() == [0, 2, 3]
    assert kept(y, np.array([0, 0, 0]), proba, 0.5).tolist() == []


def test_overdraw_refills_what_the_filter_drops(tagged: Path, tmp_path: Path) -> None:
    base = {"data": str(tagged), "per_class": 8, "synthetic_per_class": 10, **FAST}
    capped = augment(AugmentConfig(**base, overdraw=2.0), tmp_path / "capped", **QUIET)
    for g in capped["gans"]:
        assert g["synthetic_drawn"] == 60 and g["synthetic_kept_per_class"] == [10, 10, 10]
    filtered = augment(AugmentConfig(**base, overdraw=3.0, filter=0.4), tmp_path / "filtered", **QUIET)
    once = augment(AugmentConfig(**base, filter=0.4), tmp_path / "once", **QUIET)
    for g, h in zip(filtered["gans"], once["gans"], strict=True):
        assert g["synthetic_drawn"] == 90 and max(g["synthetic_kept_per_class"]) <= 10
        # the same GAN and filter: three times the draws keep at least as many per class
        assert all(a >= b for a, b in zip(g["synthetic_kept_per_class"], h["synthetic_kept_per_class"], strict=True))


def test_drs_accepts_the_samples_the_critic_rates_real() -> None:
    # half the samples look real (log ratio 0), half look fake (-6)
    log_ratio = np.r_[np.zeros(500), np.full(500, -6.0)]
    kept = accept(log_ratio, 50, seed=0)
    good, bad = (kept < 500).sum(), (kept >= 500).sum()
    assert good > 300 and bad < 30
    # a higher percentile rejects more; the same seed keeps the same samples
    assert len(accept(log_ratio, 90, seed=0)) < len(kept)
    assert np.array_equal(accept(log_ratio, 50, seed=0), kept)
    assert len(accept(np.full(4, -50.0), 99, seed=0)) >= 1


def test_drs_in_the_experiment_keeps_fewer_samples(rare_table: Path, tmp_path: Path) -> None:
    cfg = AugmentConfig(data=str(rare_table), label_column="kind", repeats=2, gan_steps=20, gan_eval_every=0)
    first = augment(cfg, tmp_path / "all", **QUIET)
    drs = augment(AugmentConfig(**{**cfg.__dict__, "drs": 80}), tmp_path / "drs", reuse_gans=tmp_path / "all", **QUIET)
    for plain, chosen in zip(first["gans"], drs["gans"], strict=True):
        assert chosen["synthetic_drawn"] == plain["synthetic_drawn"]
        assert 0 < chosen["synthetic_after_drs"] < 0.6 * chosen["synthetic_drawn"]
        assert chosen["synthetic_kept"] == chosen["synthetic_after_drs"]  # no --filter
    assert drs["conditions"]["real"] == first["conditions"]["real"]


def test_gan_select_keeps_each_gans_checkpoint_by_label_accuracy(tagged: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = AugmentConfig(data=str(tagged), per_class=10, **FAST, gan_eval_every=6, gan_select="label_accuracy")
    augment(cfg, out, **QUIET)
    for seed in (0, 1):
        run = out / "gan" / f"seed-{seed}"
        evals = [json.loads(ln)["eval"] for ln in (run / "metrics.jsonl").read_text().splitlines() if '"eval"' in ln]
        assert len(evals) == 2
        best = json.loads((run / "checkpoints" / "best" / "state.json").read_text())
        assert best["selects"] == "label_accuracy"
        assert best["best_score"] == max(e["label_accuracy"] for e in evals)


def test_table_gan_picks_its_checkpoint_without_spending_rows(rare_table: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    results = augment(
        AugmentConfig(data=str(rare_table), label_column="kind", repeats=2, gan_steps=20, gan_eval_every=10),
        out,
        **QUIET,
    )
    info = (out / "gan" / "seed-0" / "config.toml").read_text()
    # 90 training rows (60 + 30): 6 + 3 held out; the quick score compares with the
    # training rows (the kind's validation share is 0), so the other 81 train the GAN
    assert "n_train = 81" in info and "n_validation = 0" in info and "n_holdout = 9" in info
    assert results["gans"][0]["best_step"] in (10, 20)


def test_shares_parse_and_take_a_prefix_of_every_class() -> None:
    assert parse_shares("") is None and parse_shares("1, 0,0.5,0.5") == (0.0, 0.5, 1.0)
    y = np.array([0, 1, 0, 1, 0, 1, 0, 2])
    assert take_share(y, 0.5).tolist() == [0, 1, 2, 3]  # 2 of four 0s, 2 of three 1s (round), 0 of one 2
    assert take_share(y, 1.0).tolist() == list(range(8)) and len(take_share(y, 0.0)) == 0


def _record_fits(monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[int], int]]:
    """The (real row ids, synthetic sample count) of every downstream fit from now on."""
    fits: list[tuple[set[int], int]] = []
    original_fit = ImageAugmenter.fit

    def fit(self, x, y, synthetic, classic, seed):
        fits.append((_ids(x), 0 if synthetic is None else len(synthetic[1])))
        return original_fit(self, x, y, synthetic, classic, seed)

    monkeypatch.setattr(ImageAugmenter, "fit", fit)
    return fits


def test_the_share_is_chosen_on_rows_the_gan_never_trained_on(
    tagged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scigan.workflows.train as training

    fits = _record_fits(monkeypatch)
    gan_holdouts: list[set[int]] = []
    original_split = training.split_run

    def split_run(data, holdout, validation, seed):
        splits = original_split(data, holdout, validation, seed)
        gan_holdouts.append(_ids(splits.holdout.x))
        return splits

    monkeypatch.setattr(training, "split_run", split_run)
    out = tmp_path / "out"
    results = augment(
        AugmentConfig(data=str(tagged), per_class=8, synthetic_per_class=10, synthetic_shares="0,0.5,1", **FAST),
        out,
        **QUIET,
    )
    splits = np.load(out / "splits.npz")
    test = set(splits["test_rows"].tolist())
    for i, seed in enumerate((0, 1)):
        subset, held = set(splits[f"train_rows_seed{seed}"].tolist()), gan_holdouts[i]
        assert len(held) == 3 and held <= subset
        choice = [f for f in fits if f[0] == subset - held]  # 2 conditions × 3 shares
        assert sorted(n for _, n in choice) == [0, 0, 15, 15, 30, 30]
        g = results["gans"][i]["synthetic_shares"]
        assert set(g) == {"real+gan", "real+classic+gan"}
        for c in g.values():
            assert len(c["validation_macro_f1"]) == 3
            assert c["share"] == (0.0, 0.5, 1.0)[int(np.argmax(c["validation_macro_f1"]))]
        # the conditions then train on the whole subset with the chosen share
        tested = {n for ids, n in fits if ids == subset}
        assert {round(c["share"] * 30) for c in g.values()} <= tested
    assert all(not ids & test for ids, _ in fits)


def test_weights_parse_like_shares_without_an_upper_bound() -> None:
    assert parse_weights("") is None and parse_weights("2, 0,0.5") == (0.0, 0.5, 2.0)
    for bad in ("0.5", "0,-1", "0,inf", "0,nan"):
        with pytest.raises(ScienceError, match="give at least two distinct weights of 0 or more"):
            parse_weights(bad)


def test_the_class_consistency_weight_is_chosen_on_the_gans_holdout(
    tagged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scigan.runs import open_run

    fits = _record_fits(monkeypatch)
    out = tmp_path / "out"
    cfg = AugmentConfig(data=str(tagged), per_class=8, class_consistency_choices="0.5,0", **FAST)
    results = augment(cfg, out, **QUIET)
    splits = np.load(out / "splits.npz")
    test = set(splits["test_rows"].tolist())
    assert all(not ids & test for ids, _ in fits)
    for g in results["gans"]:
        choice = g["class_consistency"]
        assert choice["weights"] == [0.0, 0.5] and len(choice["validation_macro_f1"]) == 2
        assert choice["weight"] == choice["weights"][int(np.argmax(choice["validation_macro_f1"]))]
        assert g["run"] == f"gan/seed-{g['seed']}/weight-{choice['weight']:g}"
        for w in (0.0, 0.5):  # one GAN per weight, trained with that weight
            run = open_run(out / "gan" / f"seed-{g['seed']}" / f"weight-{w:g}")
            assert run.config.data_options.class_consistency == w
        subset = set(splits[f"train_rows_seed{g['seed']}"].tolist())
        # the choice: 2 mixed conditions x 2 weights, on the subset without the GAN's holdout
        inner = [n for ids, n in fits if ids < subset and len(ids) == len(subset) - 3]
        assert inner.count(24) == 4
    # the same choices reuse every candidate GAN of an earlier output
    again = augment(cfg, tmp_path / "again", reuse_gans=out, **QUIET)
    assert all(g["reused_from"] for g in again["gans"])
    assert [g["class_consistency"] for g in again["gans"]] == [g["class_consistency"] for g in results["gans"]]


def test_the_filter_classifier_of_the_holdout_is_fitted_once_a_seed(
    tagged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits = _record_fits(monkeypatch)
    out = tmp_path / "out"
    cfg = AugmentConfig(
        data=str(tagged),
        per_class=8,
        filter=0.01,
        class_consistency_choices="0,0.5",
        synthetic_shares="0,1",
        **FAST,
    )
    results = augment(cfg, out, **QUIET)
    splits = np.load(out / "splits.npz")
    for g in results["gans"]:
        subset = set(splits[f"train_rows_seed{g['seed']}"].tolist())
        inner = [n for ids, n in fits if ids < subset and len(ids) == len(subset) - 3]
        # 2 weights x 2 mixed conditions, then 2 shares x 2 conditions (share 0: no
        # synthetic samples), and --filter's real-only classifier once for all of them
        assert len(inner) == 4 + 4 + 1 and inner.count(0) == 1 + 2
        assert g["class_consistency"]["weight"] in (0.0, 0.5)


def test_statistics() -> None:
    d = paired_interval([0.8, 0.9, 0.85], [0.7, 0.8, 0.8])
    assert d["mean"] == pytest.approx(0.0833333)
    # t(0.975, 2) = 4.303; sd of (0.1, 0.1, 0.05) = 0.028868
    assert d["high"] - d["mean"] == pytest.approx(4.3027 * 0.028868 / np.sqrt(3), rel=1e-3)
    s = scores(np.array([0, 0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]]))
    assert s["accuracy"] == 0.75 and s["recall"] == [0.5, 1.0]
    # class 0: precision 1, recall 1/2 -> F1 2/3; class 1: precision 2/3, recall 1 -> 0.8
    assert s["f1"] == pytest.approx([2 / 3, 0.8]) and s["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"per_class": 40}, "class 'a' has only 22 training examples; choose --per-class 22 or less"),
        ({"per_class": 6, "imbalance": "zebra=0.1"}, "--imbalance: no class 'zebra'; classes: a, b, c"),
        ({"imbalance": "a=0"}, "--imbalance fraction must be in (0, 1), got 0.0"),
        ({"imbalance": "a=1.5"}, "--imbalance fraction must be in (0, 1), got 1.5"),
        ({"imbalance": "a"}, "write CLASS=FRACTION"),
        ({"per_class": 6, "repeats": 1}, "--repeats must be at least 2, got 1"),
        ({"per_class": 6, "unlabeled": "50"}, "--unlabeled 50: only 48 training examples lie outside the labelled"),
        ({"per_class": 6, "unlabeled": "nowhere.npz"}, "--unlabeled nowhere.npz: no such file or folder"),
        ({"per_class": 6, "unlabeled": "0"}, "--unlabeled 0: give a count of at least 1"),
        ({"per_class": 6, "filter": 1.2}, "--filter must be below 1, got 1.2"),
        ({"per_class": 6, "overdraw": 0.5}, "--overdraw must be at least 1"),
        ({"per_class": 6, "synthetic_shares": "0.5"}, "--synthetic-shares '0.5': give at least two distinct"),
        ({"per_class": 6, "synthetic_shares": "0,2"}, "--synthetic-shares '0,2': give at least two distinct"),
        ({"per_class": 6, "synthetic_shares": "0,half"}, "give comma-separated numbers, e.g. 0,0.25,0.5,1"),
        ({"per_class": 6, "class_consistency_choices": "0"}, "--class-consistency-choices '0': give at least two"),
        (
            {"per_class": 6, "class_consistency": 0.5, "class_consistency_choices": "0,1"},
            "--class-consistency-choices picks each seed's weight itself; drop --class-consistency or the choices",
        ),
        ({"per_class": 6, "gan_select": "fdd"}, "--gan-select fdd: not a declared score"),
        ({"per_class": 6, "gan_select": "label_accuracy", "gan_eval_every": 0}, "--gan-select needs quick evaluations"),
        ({"per_class": 6, "classifier": "logreg"}, "images data use --classifier cnn; drop --classifier logreg"),
        ({"per_class": 6, "classic": "smote"}, "--classic smote is not for images data; choose affine or oversample"),
        ({"per_class": 6, "rebalance": True}, "--rebalance: every class of the training subset is as large as"),
        (
            {"per_class": 6, "imbalance": "a=0.5", "rebalance": True, "synthetic_per_class": 5},
            "--rebalance sets each class's GAN samples itself; drop --synthetic-per-class or --rebalance",
        ),
        ({"per_class": 6, "drop_columns": "site"}, "--drop-columns is an option of tabular data, not of images data"),
        (
            {"per_class": 6, "label_column": "kind"},
            "--label-column is an option of tabular, expression, sequences, molecules and timeseries data",
        ),
    ],
)
def test_bad_input(tagged: Path, tmp_path: Path, options: dict, message: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(ScienceError) as err:
        augment(AugmentConfig(data=str(tagged), **options), out, **QUIET)
    assert message in str(err.value)
    assert not out.exists()  # refused before anything is written


@pytest.mark.parametrize(
    "options, message",
    [
        ({"flips": True}, "--flips is for images data, not tabular; drop it"),
        ({"cnn_steps": 50}, "--cnn-steps is for images data, not tabular; drop it"),
        ({"corruptions": True}, "--corruptions is for images data, not tabular; drop it"),
        ({"class_consistency": 0.5}, "--class-consistency is for images data, not tabular; drop it"),
        ({"class_consistency_choices": "0,1"}, "--class-consistency-choices is for images data, not tabular; drop"),
        ({"classifier": "cnn"}, "--classifier cnn is not for tabular data; choose logreg or gboost"),
        ({"classic": "affine"}, "--classic affine is not for tabular data; choose smote or reweight"),
        ({"size": 8}, "--size is an option of images data, not of tabular data"),
    ],
)
def test_a_table_refuses_the_options_of_images(rare_table: Path, tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(ScienceError) as err:
        augment(AugmentConfig(data=str(rare_table), label_column="kind", **options), tmp_path / "x", **QUIET)
    assert message in str(err.value)
    assert not (tmp_path / "x").exists()


def test_data_without_labels(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, x=np.zeros((20, 8, 8), np.uint8))
    with pytest.raises(ScienceError, match=r"has no class labels, which augment needs \(images: sub-folders"):
        augment(AugmentConfig(data=str(path)), tmp_path / "o", **QUIET)


def test_the_command_line(tagged: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli"
    fast = ["--repeats", "2", "--gan-steps", "12", "--cnn-steps", "15", "--quiet"]
    assert main(["augment", str(tagged), "--per-class", "6", "--out", str(out), *fast]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("| condition |") and "real+classic+gan" in printed
    again = tmp_path / "again"
    assert main(["augment", "--config", str(out / "config.toml"), "--out", str(again), "--quiet"]) == 0
    assert (
        json.loads((again / "results.json").read_text())["conditions"]
        == json.loads((out / "results.json").read_text())["conditions"]
    )
    err = cli_error(capsys, ["augment", str(tagged), "--per-class", "6", "--out", str(out), *fast])
    assert "already exists; pass --overwrite" in err
    assert "images data use --classifier cnn" in cli_error(
        capsys, ["augment", str(tagged), "--classifier", "logreg", "--out", str(tmp_path / "x")]
    )
    assert "name the data" in cli_error(capsys, ["augment"])


def test_the_seeds_in_a_pool_and_on_ray_give_the_serial_table(tagged: Path, tmp_path: Path) -> None:
    cfg = AugmentConfig(data=str(tagged), per_class=6, **FAST)
    serial = augment(cfg, tmp_path / "serial", **QUIET)
    pooled = augment(cfg, tmp_path / "pool", workers=2, **QUIET)
    assert pooled["conditions"] == serial["conditions"]
    assert (tmp_path / "pool" / "table.md").read_text() == (tmp_path / "serial" / "table.md").read_text()
    splits = [np.load(tmp_path / name / "splits.npz") for name in ("serial", "pool")]
    assert all(np.array_equal(splits[0][k], splits[1][k]) for k in splits[0].files)
    with pytest.raises(ScienceError, match="--workers"):
        augment(cfg, tmp_path / "bad", workers=-1, **QUIET)
    assert not (tmp_path / "bad").exists()
    pytest.importorskip("ray")
    on_ray = augment(cfg, tmp_path / "ray", ray="local", workers=2, **QUIET)
    assert on_ray["conditions"] == serial["conditions"]
