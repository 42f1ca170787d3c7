"""``scigan augment``: the split logic (no test example reaches the GAN or the
classifier), the output folder, reproducibility and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scigan.cli import main
from scigan.errors import ScienceError
from scigan.modalities.base import Dataset
from scigan.workflows import augment as aug
from helpers import cli_error

#: A tiny, fast experiment: 2 seeds, a few GAN and CNN steps.
FAST = ["--repeats", "2", "--gan-steps", "12", "--cnn-steps", "15", "--quiet"]


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 classes × 30 images of 8×8 whose top-left pixels spell their row index, so any
    image that reaches a model can be traced back to its row."""
    rng = np.random.default_rng(0)
    n = 90
    y = np.repeat(np.arange(3), 30)
    x = rng.integers(0, 60, (n, 8, 8)).astype(np.uint8)
    for i in range(n):
        x[i, 2 + 2 * y[i]:4 + 2 * y[i], 2:7] = 230  # a bar whose height tells the class
        x[i, 0, 0], x[i, 0, 1] = 100 + i % 100, 100 + i // 100
    path = tmp_path_factory.mktemp("data") / "tagged.npz"
    np.savez(path, x=x, y=y, class_names=np.array(["a", "b", "c"]))
    return path


def _ids(x: np.ndarray) -> set[int]:
    """Row indices encoded in images (N, 1, 8, 8) or (N, 8, 8)."""
    x = x.reshape(len(x), 8, 8).astype(int)
    return set((x[:, 0, 0] - 100 + 100 * (x[:, 0, 1] - 100)).tolist())


def test_split_helpers() -> None:
    y = np.repeat(np.arange(3), [40, 30, 20])
    data = Dataset(x=np.zeros((90, 1, 2, 2), np.uint8), y=y, class_names=["a", "b", "c"], source="t",
                   modality="images")
    pool, test = aug.test_split(data, 0.25, seed=0)
    assert not set(pool) & set(test) and len(pool) + len(test) == 90
    assert np.bincount(y[test]).tolist() == [10, 8, 5]  # stratified
    assert np.array_equal(aug.test_split(data, 0.25, seed=0)[1], test)  # fixed by the seed
    sub = aug.draw_subset(y[pool], 3, 4, None, seed=1)
    assert np.bincount(y[pool][sub]).tolist() == [4, 4, 4]
    assert not np.array_equal(sub, aug.draw_subset(y[pool], 3, 4, None, seed=2))
    rare = aug.draw_subset(y[pool], 3, 0, (1, 0.25), seed=1)
    assert np.bincount(y[pool][rare]).tolist() == [30, 6, 15]
    # synthetic samples by default: images K per class (half the training set), tables up
    # to twice the largest class
    cfg = aug.AugmentConfig()
    assert aug.synthetic_counts(cfg, y[pool][sub], 3, images=True).tolist() == [4, 4, 4]
    assert aug.synthetic_counts(cfg, y[pool][rare], 3, images=False).tolist() == [30, 54, 45]
    # a source's own test split is kept as it is
    mask = np.zeros(90, bool)
    mask[::3] = True
    pool, test = aug.test_split(Dataset(**{**data.__dict__, "test_mask": mask}), 0.25, seed=0)
    assert np.array_equal(test, np.flatnonzero(mask))


def test_no_test_example_reaches_the_gan_or_the_classifier(tagged: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seen_by_classifier: list[np.ndarray] = []
    original_fit = aug._Task.fit

    def spy(self, x, y, synthetic, classic, seed):
        seen_by_classifier.append(x)
        return original_fit(self, x, y, synthetic, classic, seed)

    monkeypatch.setattr(aug._Task, "fit", spy)
    out = tmp_path / "out"
    results = aug.augment(aug.AugmentConfig(data=str(tagged), per_class=8, repeats=2, gan_steps=12,
                                            cnn_steps=15, filter=0.2, synthetic_per_class=30),
                          out, log=lambda s: None)
    splits = np.load(out / "splits.npz")
    test = set(splits["test_rows"].tolist())
    assert len(test) == 24  # 25 % of 90, stratified: 8 per class
    for seed in (0, 1):
        train_rows = splits[f"train_rows_seed{seed}"]
        assert len(train_rows) == 24 and not test & set(train_rows.tolist())
        # the GAN's copy of its data is exactly the subset; its holdout comes from the subset
        gan_data = np.load(out / "gan" / f"seed-{seed}" / "data.npz")
        assert _ids(gan_data["x"]) == set(train_rows.tolist())
        info = (out / "gan" / f"seed-{seed}" / "config.toml").read_text()
        assert "n_train = 21" in info and "n_holdout = 3" in info and 'holdout_from = "random split"' in info
    # every real image any classifier trained on is from that seed's subset
    real_fits = [x for x in seen_by_classifier if len(x) == 24]
    assert len(real_fits) == 2 * 4  # real, real+classic, real+gan, real+classic+gan per seed
    for x in real_fits:
        assert _ids(x) <= set(splits["train_rows_seed0"].tolist()) | set(splits["train_rows_seed1"].tolist())
        assert not _ids(x) & test
    gans = results["gans"]
    assert all(0 < g["synthetic_kept"] <= g["synthetic_drawn"] == 3 * 30 for g in gans)
    assert all(sum(g["synthetic_kept_per_class"]) == g["synthetic_kept"] for g in gans)


def test_gan_steps_default_by_image_size() -> None:
    cfg = aug.AugmentConfig(data="x")
    for size, steps in ((8, 3000), (16, 3000), (28, 600)):
        d = Dataset(x=np.zeros((40, 1, size, size), np.uint8), y=np.repeat(np.arange(2), 20),
                    class_names=["a", "b"], source="t", modality="images")
        assert aug.gan_config(cfg, d, d, seed=0).steps == steps
    assert aug.gan_config(aug.AugmentConfig(data="x", gan_steps=50), d, d, seed=0).steps == 50


def test_classic_augment_shifts_exactly_and_affines_a_share() -> None:
    import torch

    from scigan.downstream.images import classic_augment

    x = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    # without the affine every image is its own whole-pixel shift (at most 2 px at 28 px,
    # black fill): no resampling blur, the pixel values are the original ones
    out = classic_augment(x, torch.Generator().manual_seed(1), affine_p=0.0)
    for i in range(len(x)):
        hits = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                if torch.allclose(out[i], _shifted(x[i], dy, dx), atol=1e-5)]
        assert hits, i
    # with the default recipe about half the images are resampled (not a pure shift)
    out = classic_augment(x, torch.Generator().manual_seed(1))
    pure = sum(any(torch.allclose(out[i], _shifted(x[i], dy, dx), atol=1e-5)
                   for dy in range(-2, 3) for dx in range(-2, 3)) for i in range(len(x)))
    assert 16 < pure < 48
    assert out.shape == x.shape and out.min() >= -1 - 1e-5 and out.max() <= 1 + 1e-5


def _shifted(img, dy: int, dx: int):
    """``img`` (C, H, W) in [-1, 1] moved by (dy, dx) pixels, the uncovered edge black."""
    import torch

    out = torch.full_like(img, -1.0)
    h, w = img.shape[1:]
    out[:, max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)] = \
        img[:, max(0, -dy):h + min(0, -dy), max(0, -dx):w + min(0, -dx)]
    return out


def test_output_folder_and_reproducibility(tagged: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "first"
    assert main(["augment", str(tagged), "--per-class", "6", "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("| condition |") and "real+classic+gan" in printed
    for name in ("results.json", "table.md", "accuracy.png", "config.toml", "splits.npz"):
        assert (out / name).is_file(), name
    assert (out / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    results = json.loads((out / "results.json").read_text())
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
    assert main(["augment", "--config", str(out / "config.toml"), "--out", str(again), "--quiet"]) == 0
    second = json.loads((again / "results.json").read_text())
    assert second["conditions"] == results["conditions"]
    # other downstream options on the same GANs: nothing is trained again
    third = tmp_path / "filtered"
    assert main(["augment", str(tagged), "--per-class", "6", "--out", str(third), "--filter", "0.3",
                 "--reuse-gans", str(out), *FAST]) == 0
    filtered = json.loads((third / "results.json").read_text())
    assert all(g["reused_from"] == str(out / "gan" / f"seed-{g['seed']}") for g in filtered["gans"])
    assert filtered["conditions"]["real"] == results["conditions"]["real"]
    assert sum(g["synthetic_kept"] for g in filtered["gans"]) < sum(g["synthetic_drawn"] for g in filtered["gans"])
    # an existing folder is not replaced without --overwrite
    err = cli_error(capsys, ["augment", str(tagged), "--per-class", "6", "--out", str(out), *FAST])
    assert "already exists; pass --overwrite" in err


def test_table_with_a_rare_class(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    kind = np.repeat(["common", "rare"], [80, 40])
    shift = (kind == "rare") * 2.0
    import pandas as pd

    path = tmp_path / "t.csv"
    pd.DataFrame({"a": rng.normal(shift, 1.0).round(3), "b": rng.normal(-shift, 1.0).round(3),
                  "site": rng.choice(["x", "y"], 120), "kind": kind}).to_csv(path, index=False)
    out = tmp_path / "out"
    results = aug.augment(aug.AugmentConfig(data=str(path), label_column="kind", imbalance="rare=0.2",
                                            repeats=2, gan_steps=20, gan_eval_every=0), out, log=lambda s: None)
    assert results["classifier"] == "logreg" and results["classic"] == "smote"
    g = results["gans"][0]
    assert g["train_per_class"] == [60, 6]  # 75 % of each class, then 20 % of the rare one
    # auto: the GAN brings every class to twice the largest
    assert g["synthetic_kept_per_class"] == [60, 114]
    c = results["conditions"]
    assert set(c["real+classic"]["recall_mean"]) == {"common", "rare"}
    # a separable toy: the real-only model finds the rare class
    assert c["real"]["recall_mean"]["rare"] > 0.5
    # class weights instead of SMOTE, on the same GANs
    again = aug.augment(aug.AugmentConfig(data=str(path), label_column="kind", imbalance="rare=0.2", repeats=2,
                                          gan_steps=20, gan_eval_every=0, classic="reweight"),
                        tmp_path / "reweight", log=lambda s: None, reuse_gans=out)
    assert all(g["reused_from"] for g in again["gans"]) and again["classic"] == "reweight"
    assert again["conditions"]["real"]["per_seed"] == c["real"]["per_seed"]
    with pytest.raises(ScienceError, match="--flips is for images"):
        aug.augment(aug.AugmentConfig(data=str(path), label_column="kind", flips=True), tmp_path / "x")


def test_statistics() -> None:
    d = aug.paired_interval([0.8, 0.9, 0.85], [0.7, 0.8, 0.8])
    assert d["mean"] == pytest.approx(0.0833333)
    # t(0.975, 2) = 4.303; sd of (0.1, 0.1, 0.05) = 0.028868
    assert d["high"] - d["mean"] == pytest.approx(4.3027 * 0.028868 / np.sqrt(3), rel=1e-3)
    s = aug.scores(np.array([0, 0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]]))
    assert s["accuracy"] == 0.75 and s["recall"] == [0.5, 1.0]


@pytest.mark.parametrize("argv, message", [
    (["--per-class", "40"], "class 'a' has only 22 training examples; choose --per-class 22 or less"),
    (["--per-class", "6", "--imbalance", "zebra=0.1"], "--imbalance: no class 'zebra'; classes: a, b, c"),
    (["--imbalance", "a=0"], "--imbalance fraction must be in (0, 1), got 0.0"),
    (["--imbalance", "a=1.5"], "--imbalance fraction must be in (0, 1), got 1.5"),
    (["--imbalance", "a"], "write CLASS=FRACTION"),
    (["--per-class", "6", "--repeats", "1"], "--repeats must be at least 2 for a confidence interval"),
    (["--per-class", "6", "--filter", "1.2"], "--filter must be in [0, 1)"),
    (["--per-class", "6", "--classifier", "logreg"], "images use --classifier cnn"),
])
def test_bad_input(tagged: Path, tmp_path: Path, capsys: pytest.CaptureFixture, argv: list[str],
                   message: str) -> None:
    out = tmp_path / "out"
    assert message in cli_error(capsys, ["augment", str(tagged), "--out", str(out), *argv])
    assert not out.exists()  # refused before anything is written


def test_data_without_labels(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, x=np.zeros((20, 8, 8), np.uint8))
    err = cli_error(capsys, ["augment", str(path), "--out", str(tmp_path / "o")])
    assert "has no class labels, which augment needs" in err
    with pytest.raises(ScienceError, match="name the data"):
        from scigan.cli import _augment, _parser

        _augment(_parser().parse_args(["augment"]), print)
