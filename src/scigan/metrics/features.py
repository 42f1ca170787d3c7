"""The in-domain feature extractor for images: a small CNN trained on the real data.

Fidelity scores (FD, KID, PRDC) are computed on its penultimate-layer features, as the
"Fréchet LeNet distance" does for MNIST. The network is trained once per data set on the
real training images (on their labels, or on predicting a rotation when unlabelled),
cached on disk as safetensors and named by a hash of the architecture version, the
training images and labels and the training recipe: scores are comparable only under
the same hash. The test images a caller gives (the validation split while training, the
holdout in ``evaluate``) are not part of it: the same extractor serves both, and its
accuracy on them is measured on each call. Nothing is ever downloaded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from scigan.errors import ScienceError
from scigan.metrics.cache import digest_arrays, key_hash, load_weights, save_weights
from scigan.metrics.extractor_net import FEATURE_DIM, RECIPE, ExtractorNet, accuracy, num_steps, to_model, train_net
from scigan.metrics.trained_extractor import TrainedExtractor

ARCH_VERSION = "scigan-image-cnn-v1"
_META_KEY = "scigan_feature_extractor"


class FeatureExtractor(TrainedExtractor):
    """A trained image CNN whose 128-d penultimate layer serves as the feature space
    (features, predictions: :class:`~scigan.metrics.trained_extractor.TrainedExtractor`).

    Attributes beside the shared ones:
        task: ``"labels"`` (trained on the class labels) or ``"rotation"`` (trained to
            tell 0/90/180/270° rotations apart, for unlabelled data).
        shape: the (C, H, W) image shape it accepts.
    """

    def __init__(self, model: ExtractorNet, meta: dict[str, Any], device: torch.device) -> None:
        """Wrap a trained ``model`` described by ``meta`` (the cached metadata) on ``device``."""
        super().__init__(model, meta, device)
        c, h, w = (int(s) for s in meta["shape"])
        self.shape: tuple[int, int, int] = (c, h, w)

    @property
    def network(self) -> ExtractorNet:
        """The trained CNN: (B, C, H, W) floats in [-1, 1] -> (B, outputs) logits."""
        return self._model

    def _check(self, x: np.ndarray) -> np.ndarray:
        """uint8 images (N, C, H, W) in 0..255 of the extractor's shape, or ScienceError."""
        x = np.asarray(x)
        if x.dtype != np.uint8 or x.ndim != 4 or tuple(x.shape[1:]) != self.shape:
            raise ScienceError(
                f"feature extractor {self.hash[:12]} takes uint8 images shaped N×{self.shape}, got {x.dtype} {x.shape}"
            )
        return x

    def _encode(self, batch: np.ndarray) -> torch.Tensor:
        return to_model(batch, self._device)

    def feature_maps(self, x: torch.Tensor, blocks: int = 2) -> torch.Tensor:
        """Differentiable feature maps after the first ``blocks`` conv blocks (before their
        pooling) of float images (B, C, h, w) in [-1, 1], any size: (B, 32·2^(blocks-1),
        h', w'). For a perceptual loss; the network's weights stay frozen."""
        self._model.requires_grad_(False)
        layers = list(self._model.body)[: 4 * blocks - 1]
        for layer in layers:
            x = layer(x)
        return x


def cache_dir() -> Path:
    """Where feature extractors are cached: ``$SCIGAN_CACHE/extractors``, else
    ``~/.cache/scigan/extractors``."""
    root = os.environ.get("SCIGAN_CACHE") or Path.home() / ".cache" / "scigan"
    return Path(root) / "extractors"


def _validate_images(name: str, x: np.ndarray) -> None:
    if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 4:
        shape = getattr(x, "shape", None)
        kind = getattr(x, "dtype", type(x).__name__)
        raise ScienceError(f"{name}: need a uint8 array shaped N×C×H×W, got {kind} {shape}")
    _, c, h, w = x.shape
    if c < 1 or h != w or not 8 <= h <= 64:
        raise ScienceError(f"{name}: images must be square, 8 to 64 pixels, with C >= 1; got {c}×{h}×{w}")


def _validate_labels(name: str, y: np.ndarray, n: int, num_classes: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ScienceError(f"{name}: need {n} integer labels, got {y.dtype} {y.shape}")
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ScienceError(f"{name}: labels must lie in [0, {num_classes}), got [{y.min()}, {y.max()}]")
    return y.astype(np.int64)


def _load(path: Path, expected_hash: str) -> tuple[ExtractorNet, dict[str, Any]]:
    """The network cached at ``path`` (on the CPU) and its metadata; ValueError when it
    holds another extractor."""
    state, meta = load_weights(path, _META_KEY, expected_hash, ARCH_VERSION)
    c, h, _ = meta["shape"]
    model = ExtractorNet(c, h, int(meta["num_outputs"]))
    model.load_state_dict(state)
    return model, meta


def get_extractor(
    train_x: np.ndarray,
    train_y: np.ndarray | None,
    test_x: np.ndarray | None,
    test_y: np.ndarray | None,
    *,
    num_classes: int,
    cache_dir: Path,
    device: str | torch.device = "cpu",
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> FeatureExtractor:
    """The feature extractor for a data set: loaded from ``cache_dir/<hash>.safetensors``
    if there, else trained on the real training images and cached; its accuracy on the
    test images is measured now (one forward pass), whether loaded or trained.

    The hash covers the architecture, the training images and labels, ``num_classes``
    and the recipe, not the test images: training's quick scores (validation split) and
    ``evaluate`` (holdout) share one extractor.

    Args:
        train_x, test_x: uint8 images (N, C, H, W), square, 8 to 64 pixels; ``test_x`` may
            be None or empty, then ``test_accuracy`` is None.
        train_y, test_y: integer labels (N,) in [0, num_classes); ``train_y`` None trains
            on the rotation task instead (``test_y`` is then ignored).
        num_classes: number of label values (ignored for the rotation task).
        cache_dir: folder of cached extractors, created if missing.
        device: where to train and run the network; not part of the hash.
        seed: seeds the initialisation and batch order; part of the hash.
        log: receives one-line progress messages.
    """
    _validate_images("training images", train_x)
    if test_x is not None and len(test_x) == 0:
        test_x = None
    if test_x is not None:
        _validate_images("test images", test_x)
        if test_x.shape[1:] != train_x.shape[1:]:
            raise ScienceError(f"test images are {test_x.shape[1:]}, training images {train_x.shape[1:]}")
    if len(train_x) < 2:
        raise ScienceError(f"need at least 2 training images to train a feature extractor, got {len(train_x)}")
    task = "rotation" if train_y is None else "labels"
    if task == "labels":
        if num_classes < 2:
            raise ScienceError(f"need at least 2 classes to train on labels, got num_classes={num_classes}")
        assert train_y is not None  # the labels task
        train_y = _validate_labels("training labels", train_y, len(train_x), num_classes)
        if test_x is not None:
            if test_y is None:
                raise ScienceError("test images have no labels while training images do; pass test_y")
            test_y = _validate_labels("test labels", test_y, len(test_x), num_classes)
        num_outputs = num_classes
    else:
        num_classes, test_y, num_outputs = 0, None, 4
    recipe = {**RECIPE, "seed": seed, "task": task}
    # "test_shape" and the two None markers stay so that an extractor cached without test
    # images keeps the name it had when test images were part of the hash
    digest = key_hash(
        {
            "arch": ARCH_VERSION,
            "shape": list(train_x.shape),
            "test_shape": None,
            "num_classes": num_classes,
            "recipe": recipe,
            "data": digest_arrays(train_x, train_y, None, None),
        }
    )
    dev = torch.device(device)
    cache_dir = Path(cache_dir)
    path = cache_dir / f"{digest}.safetensors"
    model: ExtractorNet | None = None
    meta: dict[str, Any] = {}
    if path.exists():
        try:
            model, meta = _load(path, digest)
        except Exception as exc:  # an unreadable cache is rebuilt, not fatal
            log(f"feature extractor cache {path} unreadable ({exc}); retraining")
    trained, seconds = model is None, 0.0
    if model is None:
        start = time.perf_counter()
        log(
            f"training feature extractor {digest[:12]} ({task} task, {len(train_x)} images "
            f"{tuple(train_x.shape[1:])}, {num_steps(len(train_x))} steps on {dev})"
        )
        model = train_net(train_x, train_y, num_outputs, seed, dev)
        meta = {
            "arch": ARCH_VERSION,
            "hash": digest,
            "task": task,
            "num_outputs": num_outputs,
            "num_classes": num_classes,
            "feature_dim": FEATURE_DIM,
            "shape": list(train_x.shape[1:]),
            "recipe": recipe,
        }
        seconds = time.perf_counter() - start
        cache_dir.mkdir(parents=True, exist_ok=True)
        save_weights(path, model.state_dict(), _META_KEY, meta)
    extractor = FeatureExtractor(model, meta, dev)
    if test_x is not None:
        extractor.test_accuracy = accuracy(extractor._model, test_x, test_y, dev)
    if trained:
        acc = extractor.test_accuracy
        acc_text = "no test images" if acc is None else f"test accuracy {acc:.4f}"
        log(f"feature extractor {digest[:12]}: {acc_text} ({task}), trained in {seconds:.1f} s")
    return extractor
