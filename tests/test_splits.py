"""The three-way split: training rows, a validation split that picks checkpoints, and a
holdout that only ``evaluate`` reads."""

import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

import toy_points
from scigan.cli import main
from scigan.errors import ScienceError
from scigan.modalities import register, unregister
from scigan.modalities.base import Dataset, split_run


def _rows(data: Dataset) -> set[tuple[float, float]]:
    return {tuple(map(float, r)) for r in np.asarray(data.x)}


def _labelled(n: int) -> Dataset:
    return Dataset(
        x=np.arange(2 * n, dtype=np.float32).reshape(n, 2),
        y=np.arange(n) % 3,
        class_names=["a", "b", "c"],
        source="t",
        modality="points",
    )


def test_three_splits_are_disjoint_stratified_and_reproducible() -> None:
    data = _labelled(300)
    s = split_run(data, 0.1, 0.2, seed=4)
    parts = [_rows(s.train), _rows(s.validation), _rows(s.holdout)]
    assert sum(map(len, parts)) == 300 and len(set.union(*parts)) == 300
    assert (len(s.holdout), len(s.validation)) == (30, 54)
    assert np.bincount(s.validation.y).tolist() == [18, 18, 18]  # stratified
    again = split_run(data, 0.1, 0.2, seed=4)
    assert np.array_equal(again.validation.x, s.validation.x)
    assert s.sizes() == {"n_train": 216, "n_validation": 54, "n_holdout": 30, "holdout_from": "random split"}


def test_an_official_test_split_stays_the_holdout() -> None:
    data = replace(_labelled(90), test_mask=np.arange(90) >= 60)
    s = split_run(data, 0.1, 0.1, seed=0)
    assert _rows(s.holdout) == _rows(data.subset(data.test_mask)) and s.holdout_from == "test split"
    assert len(s.train) + len(s.validation) == 60


def test_no_validation_share_keeps_the_old_training_rows() -> None:
    s = split_run(_labelled(100), 0.1, 0.0, seed=0)
    assert s.validation is s.train and s.sizes()["n_validation"] == 0


def test_too_small_a_validation_share_is_refused() -> None:
    with pytest.raises(ScienceError, match="--validation"):
        split_run(_labelled(6), 0.34, 0.1, seed=0)


class _Recording(toy_points.PointModality):
    """The toy kind, recording every reference split a scorer is built on."""

    references: ClassVar[list[set[tuple[float, float]]]] = []

    def scorer(self, train: Dataset, reference: Dataset, codec, *, device: str, log=print):  # type: ignore[no-untyped-def]
        self.references.append(_rows(reference))
        return super().scorer(train, reference, codec, device=device, log=log)


@pytest.fixture
def recording() -> Iterator[type[_Recording]]:
    register(replace(toy_points.KIND, modality=_Recording), replace=True)
    _Recording.references = []
    yield _Recording
    unregister(toy_points.KIND.name)


def test_no_holdout_row_reaches_checkpoint_choice(recording: type[_Recording], tmp_path: Path) -> None:
    run = tmp_path / "r"
    assert (
        main(
            [
                "train",
                "ring8",
                "--out",
                str(run),
                "--steps",
                "40",
                "--eval-every",
                "20",
                "--eval-n",
                "100",
                "--width",
                "4",
                "--z-dim",
                "2",
                "--checkpoint-every",
                "20",
                "--quiet",
            ]
        )
        == 0
    )
    data = toy_points.PointModality().load("ring8")
    splits = split_run(data, 0.1, 0.1, seed=0)
    doc = tomllib.loads((run / "config.toml").read_text())["data"]
    assert [doc["n_train"], doc["n_validation"], doc["n_holdout"]] == [1620, 180, 200]
    (during,) = recording.references  # training built one scorer: on the validation split
    assert during == _rows(splits.validation) and not during & _rows(splits.holdout)
    assert main(["evaluate", str(run), "--json"]) == 0
    assert recording.references[-1] == _rows(splits.holdout)  # evaluate scores on the holdout
