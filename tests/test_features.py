"""The in-domain image feature extractor, trained on sklearn's 8×8 digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

from scigan.errors import ScienceError
from scigan.metrics.features import FeatureExtractor, get_extractor

Digits = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Trained = tuple[FeatureExtractor, list[str]]


@pytest.fixture(scope="module")
def digits() -> Digits:
    """(train_x, train_y, test_x, test_y): uint8 1×8×8 images, a fixed 75/25 split."""
    d = load_digits()
    x = np.round(d.images * (255 / 16)).astype(np.uint8)[:, None]
    y = d.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1350], order[1350:]
    return x[train], y[train], x[test], y[test]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("extractors")


@pytest.fixture(scope="module")
def trained(digits: Digits, cache_dir: Path) -> Trained:
    messages: list[str] = []
    ext = get_extractor(*digits, num_classes=10, cache_dir=cache_dir, log=messages.append)
    return ext, messages


def test_trains_to_good_accuracy(trained: Trained, digits: Digits) -> None:
    ext, messages = trained
    assert ext.task == "labels"
    assert ext.test_accuracy is not None and ext.test_accuracy >= 0.85
    assert any("test accuracy" in m for m in messages)
    _, _, test_x, test_y = digits
    pred = ext.predict(test_x)
    assert pred.dtype == np.int64 and pred.shape == test_y.shape
    assert np.mean(pred == test_y) == pytest.approx(ext.test_accuracy)
    np.testing.assert_array_equal(ext.predict_features(ext.features(test_x)), pred)  # the head alone, same labels


def test_features_shape_and_determinism(trained: Trained, digits: Digits) -> None:
    ext, _ = trained
    test_x = digits[2]
    f = ext.features(test_x)
    assert ext.feature_dim == 128
    assert f.shape == (len(test_x), 128) and f.dtype == np.float32
    assert np.isfinite(f).all() and f.std() > 0
    np.testing.assert_allclose(ext.features(test_x, batch_size=7), f, rtol=1e-4, atol=1e-5)


def test_second_call_hits_cache(trained: Trained, digits: Digits, cache_dir: Path) -> None:
    ext, _ = trained
    assert (cache_dir / f"{ext.hash}.safetensors").is_file()
    messages: list[str] = []
    again = get_extractor(*digits, num_classes=10, cache_dir=cache_dir, log=messages.append)
    assert messages == []  # nothing trained
    assert again.hash == ext.hash
    assert again.test_accuracy == ext.test_accuracy
    np.testing.assert_array_equal(again.features(digits[2]), ext.features(digits[2]))
    assert not list(cache_dir.glob("*.tmp"))


def test_test_images_do_not_name_the_extractor(trained: Trained, digits: Digits, cache_dir: Path) -> None:
    """Training's quick scorer (validation split) and evaluate (holdout) share one
    extractor; each call measures the accuracy on the test images it was given."""
    ext, _ = trained
    train_x, train_y, test_x, test_y = digits
    messages: list[str] = []
    half = get_extractor(
        train_x, train_y, test_x[:100], test_y[:100], num_classes=10, cache_dir=cache_dir, log=messages.append
    )
    none = get_extractor(train_x, train_y, None, None, num_classes=10, cache_dir=cache_dir, log=messages.append)
    assert messages == []  # both loaded, nothing trained
    assert half.hash == none.hash == ext.hash
    # the name an extractor trained on these images without test images had before
    assert ext.hash == "4def45565ea7ed6a0eed02e3b3db6eab"
    assert half.test_accuracy == pytest.approx(np.mean(half.predict(test_x[:100]) == test_y[:100]))
    assert none.test_accuracy is None
    wrong = (test_y[:100] + 1) % 10  # the same images with other labels: the accuracy follows the call
    assert (
        get_extractor(
            train_x, train_y, test_x[:100], wrong, num_classes=10, cache_dir=cache_dir, log=messages.append
        ).test_accuracy
        < half.test_accuracy
    )


def test_changed_data_gives_new_hash(trained: Trained, digits: Digits, tmp_path: Path) -> None:
    ext, _ = trained
    train_x, train_y, test_x, test_y = digits
    changed = train_x.copy()
    changed[0, 0, 0, 0] ^= 1  # one pixel
    other = get_extractor(changed, train_y, test_x, test_y, num_classes=10, cache_dir=tmp_path, log=lambda m: None)
    assert other.hash != ext.hash
    assert len(other.hash) == len(ext.hash) and int(other.hash, 16) >= 0


def test_rotation_task_when_unlabelled(digits: Digits, tmp_path: Path) -> None:
    train_x, _, test_x, _ = digits
    ext = get_extractor(train_x, None, test_x, None, num_classes=0, cache_dir=tmp_path, log=lambda m: None)
    assert ext.task == "rotation"
    assert ext.test_accuracy is not None and ext.test_accuracy > 0.6  # chance is 0.25
    assert ext.features(test_x).shape == (len(test_x), 128)
    with pytest.raises(ScienceError, match="rotation"):
        ext.predict(test_x)
    with pytest.raises(ScienceError, match="rotation"):
        ext.predict_features(ext.features(test_x))


def test_rejects_bad_images(digits: Digits, tmp_path: Path) -> None:
    train_x, train_y, test_x, test_y = digits
    with pytest.raises(ScienceError, match="uint8"):
        floats = train_x.astype(np.float32)
        get_extractor(floats, train_y, test_x, test_y, num_classes=10, cache_dir=tmp_path)
    with pytest.raises(ScienceError, match="8 to 64"):
        small = np.zeros((10, 1, 4, 4), np.uint8)
        get_extractor(small, None, None, None, num_classes=0, cache_dir=tmp_path)
    with pytest.raises(ScienceError, match="labels must lie"):
        get_extractor(train_x, train_y + 5, test_x, test_y, num_classes=10, cache_dir=tmp_path)


def test_features_reject_wrong_shape(trained: Trained) -> None:
    ext, _ = trained
    with pytest.raises(ScienceError, match="uint8 images"):
        ext.features(np.zeros((3, 3, 8, 8), np.uint8))


def test_a_scorer_on_one_split_does_not_report_the_extractors_training_accuracy(
    digits: Digits, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A private run's scorer is fitted and scored on its validation split: the extractor's
    accuracy there would be its training accuracy, so it is not measured."""
    from scigan.metrics.scorer import Scorer
    from scigan.modalities.base import Dataset
    from scigan.modalities.images.modality import ImageModality

    monkeypatch.setenv("SCIGAN_CACHE", str(tmp_path))
    train_x, train_y, test_x, test_y = digits
    names = [str(i) for i in range(10)]
    split = Dataset(train_x[:300], train_y[:300], names, "digits", "images")
    other = Dataset(test_x, test_y, names, "digits", "images")
    messages: list[str] = []
    same = Scorer(ImageModality(), split, split, log=messages.append)
    assert same.extractor.test_accuracy is None and same.provenance()["extractor_test_accuracy"] is None
    assert any("no test images" in m for m in messages) and not any("test accuracy" in m for m in messages)
    apart = Scorer(ImageModality(), split, other, log=lambda _: None)
    assert apart.extractor.hash == same.extractor.hash and apart.extractor.test_accuracy is not None
