"""Fairness: representation ratios, equalized odds, group weights, balanced sampling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import cli_error
from scigan.cli import main
from scigan.config import TrainConfig
from scigan.errors import ScienceError
from scigan.metrics.fairness import (
    UNDER_REPRESENTED,
    equalized_odds_gap,
    positive_classes,
    representation,
    with_fairness_keys,
)
from scigan.metrics.groups import draw_balanced, group_row_weights
from scigan.modalities import get_modality
from scigan.modalities.base import Dataset
from scigan.workflows.train import group_weighted_rows
from test_tabular import TINY


def test_a_group_never_generated_has_ratio_zero_and_is_flagged() -> None:
    train = np.array([0] * 60 + [1] * 30 + [2] * 10)
    fake = np.array([0] * 70 + [2] * 30)  # the generator never makes group B
    out = representation(train, fake, ["A", "B", "C"])
    assert out["representation"]["B"] == {"real_share": 0.3, "synthetic_share": 0.0, "ratio": 0.0}
    assert out["representation"]["C"]["ratio"] == pytest.approx(3.0)
    assert out["representation_ratio_min"] == 0.0 and out["under_represented"] == ["B"]
    faithful = representation(train, train[::-1], ["A", "B", "C"])
    assert faithful["representation_ratio_min"] == pytest.approx(1.0) and faithful["under_represented"] == []
    assert UNDER_REPRESENTED == 0.8
    filled = with_fairness_keys({"fd": 1.0})
    assert filled["representation"] is None and filled["equalized_odds_gap"] is None and "fairness_note" in filled


def test_equalized_odds_gap_of_a_biased_and_an_unbiased_classifier() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1], 200)
    y = rng.integers(0, 2, 400)
    fair = np.where(rng.random(400) < 0.9, y, 1 - y)  # 10 % errors in both groups
    biased = np.where(groups == 0, y, 0)  # group 1: every positive missed
    assert positive_classes(np.array([0, 0, 0, 1])) == [1]  # binary: the minority class
    assert positive_classes(np.array([0, 1, 2])) == [0, 1, 2]  # one-vs-rest
    assert equalized_odds_gap(y, fair, groups, [1]) < 0.1
    assert equalized_odds_gap(y, biased, groups, [1]) == pytest.approx(1.0)  # TPR 1 against 0
    assert equalized_odds_gap(y, y, groups, [0, 1]) == 0.0
    # a tiny group is left out while two large ones exist
    tiny = np.r_[groups, [2] * 5]
    assert equalized_odds_gap(np.r_[y, [1] * 5], np.r_[fair, [0] * 5], tiny, [1]) < 0.1


def test_group_row_weights_give_each_group_its_share() -> None:
    groups = np.array(["A"] * 90 + ["B"] * 10)
    w = group_row_weights(groups, "equal", ["A", "B"])
    assert w.shape == (100,) and w.sum() == pytest.approx(1.0)
    assert w[groups == "B"].sum() == pytest.approx(0.5) and np.allclose(w[:90], w[0])
    w = group_row_weights(np.array([0] * 90 + [1] * 10), "A=3,B=1", ["A", "B"])
    assert w[:90].sum() == pytest.approx(0.75)
    for spec, match in (("A=1,C=1", "unknown group 'C'"), ("A=1,B=0", "positive"), ("A=1", "missing: B")):
        with pytest.raises(ScienceError, match=match):
            group_row_weights(groups, spec, ["A", "B"])
    with pytest.raises(ScienceError, match="no training rows"):
        group_row_weights(groups, "equal", ["A", "B", "C"])


def test_group_weights_draw_each_group_in_its_share() -> None:
    y = np.array([0] * 180 + [1] * 20)
    data = Dataset(
        x=np.zeros((200, 1, 8, 8), np.uint8), y=y, class_names=["big", "rare"], source="t", modality="images"
    )
    images = get_modality("images")
    rows = group_weighted_rows(images, data, TrainConfig(group_weights="equal", seed=3), sampled=False)
    assert len(rows) == 200 and 0.4 < (y[rows] == 1).mean() < 0.6  # 10 % -> about half
    again = group_weighted_rows(images, data, TrainConfig(group_weights="equal", seed=3), sampled=False)
    assert (rows == again).all()  # seeded: a resumed run cycles through the same rows
    rows = group_weighted_rows(images, data, TrainConfig(group_weights="big=1,rare=3", seed=0), sampled=False)
    assert 0.65 < (y[rows] == 1).mean() < 0.85
    with pytest.raises(ScienceError, match="DP-SGD"):
        group_weighted_rows(images, data, TrainConfig(group_weights="equal", dp_epsilon=3), sampled=False)
    with pytest.raises(ScienceError, match="--condition-columns label"):
        group_weighted_rows(images, data, TrainConfig(group_weights="equal"), sampled=True)
    unlabelled = Dataset(x=data.x, y=None, class_names=[], source="t", modality="images")
    with pytest.raises(ScienceError, match="needs groups"):
        group_weighted_rows(images, unlabelled, TrainConfig(group_weights="equal"), sampled=False)


def test_group_weights_on_a_table_group_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    tables = get_modality("tabular")
    config = TrainConfig.from_flat(data="gbsg2", group_column="menostat", group_weights="Pre=0.8,Post=0.2")
    data = tables.read(config)
    rows = group_weighted_rows(tables, data, config, sampled=False)
    assert 0.74 < (data.x["menostat"].to_numpy()[rows] == "Pre").mean() < 0.86
    argv = ["train", "gbsg2", "--group-column", "menostat", "--steps", "2", "--eval-every", "0", *TINY]
    err = cli_error(capsys, [*argv, "--group-weights", "equal", "--out", str(tmp_path / "a")])
    assert "--condition-columns label" in err
    argv = [*argv, "--condition-columns", "label"]
    err = cli_error(capsys, [*argv, "--group-weights", "Pre=1", "--out", str(tmp_path / "b")])
    assert "missing: Post" in err
    run = tmp_path / "c"
    assert main([*argv, "--group-weights", "equal", "--out", str(run)]) == 0
    assert 'group_weights = "equal"' in (run / "config.toml").read_text()


def test_draw_balanced_fills_rare_groups_and_gives_up_clearly() -> None:
    def draw(p_b: float):
        def one(n: int, attempt: int) -> tuple[pd.DataFrame, np.ndarray]:
            rng = np.random.default_rng(attempt)
            frame = pd.DataFrame({"g": np.where(rng.random(n) < p_b, "B", "A"), "v": rng.random(n)})
            return frame, frame["g"].to_numpy()

        return one

    rows = draw_balanced(draw(0.1), "g", ["A", "B"], 40)
    assert rows["g"].value_counts().to_dict() == {"A": 20, "B": 20}
    with pytest.raises(ScienceError, match=r"B \(0 of 20\)"):
        draw_balanced(draw(0.0), "g", ["A", "B"], 40, attempts=3)
    with pytest.raises(ScienceError, match="multiple of 2"):
        draw_balanced(draw(0.5), "g", ["A", "B"], 41)


def test_wrong_group_column_lists_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    err = cli_error(capsys, ["train", "gbsg2", "--group-column", "nope", "--out", str(tmp_path / "r"), *TINY])
    assert "--group-column 'nope'" in err and "horTh" in err and "menostat" in err
    err = cli_error(capsys, ["train", "gbsg2", "--group-column", "age", "--out", str(tmp_path / "r"), *TINY])
    assert "not discrete" in err


@pytest.fixture(scope="module")
def group_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gbsg2, conditional on its censoring label, grouped by menopausal status."""
    run = tmp_path_factory.mktemp("runs") / "g"
    argv = ["train", "gbsg2", "--group-column", "menostat", "--steps", "10", "--out", str(run), *TINY]
    assert main([*argv, "--eval-every", "0"]) == 0
    return run


def test_evaluate_has_the_fairness_keys(group_run: Path, capsys: pytest.CaptureFixture) -> None:
    capsys.readouterr()
    assert main(["evaluate", str(group_run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert set(scores["representation"]) == {"Post", "Pre"}
    assert 0 <= scores["representation_ratio_min"] <= 2
    assert scores["worst_group"]["name"] in ("Post", "Pre")
    assert 0 <= scores["equalized_odds_gap"] <= 1 and 0 <= scores["equalized_odds_gap_real"] <= 1
    group = scores["per_group"]["Pre"]
    assert {"fidelity", "detection_auc", "utility_tstr", "utility_trtr"} <= set(group)


def test_sample_balance(group_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "b.csv"
    assert main(["sample", str(group_run), "-n", "40", "--balance", "--out", str(out)]) == 0
    assert pd.read_csv(out)["menostat"].value_counts().to_dict() == {"Post": 20, "Pre": 20}
    err = cli_error(capsys, ["sample", str(group_run), "-n", "4", "--balance", "--label", "0"])
    assert "drop --label" in err
