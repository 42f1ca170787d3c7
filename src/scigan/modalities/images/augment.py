"""The image kind's part of ``scigan augment``: the small CNN with a fixed recipe
(:mod:`scigan.downstream.images`) on the uint8 images themselves, with crops, a small
affine and optional flips as the classic augmentation."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from scigan.augment.protocol import BaseAugmenter, GanDefaults
from scigan.modalities.base import Dataset


class ImageAugmenter(BaseAugmenter):
    """Images: ``cnn`` with the ``affine`` classic augmentation, or ``oversample`` (the
    same with batches that draw every class equally often); reads ``flips``,
    ``cnn_steps`` and ``corruptions``."""

    classifiers: ClassVar[tuple[str, ...]] = ("cnn",)
    classics: ClassVar[tuple[str, ...]] = ("affine", "oversample")
    options: ClassVar[frozenset[str]] = frozenset(
        {"flips", "cnn_steps", "corruptions", "class_consistency", "class_consistency_choices"}
    )
    gan_options: ClassVar[frozenset[str]] = frozenset({"class_consistency"})
    labels_hint = "images: sub-folders per class or an .npz with y"

    def __init__(self, cfg: Any, data: Dataset) -> None:
        super().__init__(cfg, data)
        self.channels = int(data.x.shape[1])

    def gan_defaults(self, subset: Dataset) -> GanDefaults:
        """3000 steps for images of 16 px or less, else 600; no quick evaluations (the
        feature extractor costs a minute per seed); an even batch."""
        return GanDefaults(steps=3000 if subset.x.shape[-1] <= 16 else 600, eval_every=0, batch_multiple=2)

    def synthetic_counts(self, y: np.ndarray) -> np.ndarray:
        """As many per class (C,) as the largest class of labels ``y`` (N,) has."""
        return np.full(self.num_classes, np.bincount(y, minlength=self.num_classes).max())

    def fit_features(self, real: Dataset) -> None:
        """Nothing to fit: the CNN sees the images."""

    def features(self, data: Dataset) -> np.ndarray:
        """The uint8 images (N, C, H, W)."""
        return data.x

    def fit(
        self, x: np.ndarray, y: np.ndarray, synthetic: tuple[np.ndarray, np.ndarray] | None, classic: bool, seed: int
    ) -> Any:
        """A trained :class:`~scigan.downstream.images.ImageClassifier` (``cnn_steps``
        steps; ``mix`` of every batch synthetic; ``flips`` in the classic augmentation,
        class-balanced batches with it under ``oversample``)."""
        from scigan.downstream.images import CNNRecipe, ImageClassifier

        model = ImageClassifier(self.channels, self.num_classes, CNNRecipe(steps=self.cfg.cnn_steps), seed)
        balanced = classic and self.classic == "oversample"
        return model.fit(
            x, y, synthetic=synthetic, mix=self.cfg.mix, augment=classic, flips=self.cfg.flips, balanced=balanced
        )

    def corruptions(self, x: np.ndarray, seed: int) -> dict[str, np.ndarray]:
        """Corrupted copies of the uint8 images ``x`` (N, C, H, W), by name: Gaussian
        noise (σ 0.1 of the range), Gaussian blur (σ 1 px) and contrast halved about
        each image's mean (the robustness conditions of ``--corruptions``)."""
        from scipy.ndimage import gaussian_filter

        unit = x.astype(np.float32) / 255.0
        noise = unit + np.random.default_rng([seed, 23]).normal(0.0, 0.1, size=unit.shape).astype(np.float32)
        blur = gaussian_filter(unit, sigma=(0, 0, 1, 1))
        mean = unit.mean(axis=(1, 2, 3), keepdims=True)
        contrast = mean + 0.5 * (unit - mean)
        return {name: _to_uint8(v) for name, v in (("noise", noise), ("blur", blur), ("contrast", contrast))}

    def proba(self, model: Any, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, C)."""
        return np.asarray(model.predict_proba(x))


def _to_uint8(unit: np.ndarray) -> np.ndarray:
    """Images in [0, 1] (clipped) as uint8."""
    return np.round(np.clip(unit, 0.0, 1.0) * 255.0).astype(np.uint8)
