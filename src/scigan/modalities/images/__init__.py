"""The image modality: grayscale or colour images, stored as uint8 N×C×H×W.

Model space is float in [-1, 1]. Reading and writing live in :mod:`.io`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.modalities.base import Dataset
from scigan.modalities.images.io import load_images, make_grid, save_images

if TYPE_CHECKING:
    import torch
    from torch import nn

    from scigan.nets import NetSpec

__all__ = ["ImageModality", "load_images", "make_grid", "save_images"]


class ImageModality:
    """Images: readers, writers, codec and networks for the core."""

    name = "images"

    def load(self, source: str | Path, *, size: int | None = None, **options: Any) -> Dataset:
        """A built-in name or a folder / ``.npz`` of the user's images, resized to ``size``."""
        return load_images(source, size=size, **options)

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write ``samples`` as a PNG grid, an ``.npz`` or a folder of PNGs (by ``path``)."""
        save_images(samples.x, path, labels=samples.y,
                    class_names=samples.class_names or None, **options)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 pixels (N, C, H, W) -> float in [-1, 1]."""
        return x.float().mul_(1 / 127.5).sub_(1.0)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Float in [-1, 1] (N, C, H, W) -> uint8 pixels, rounded and clipped."""
        import torch

        return ((z.float() + 1.0) * 127.5).round_().clamp_(0, 255).to(torch.uint8)

    def networks(self, model: str, spec: NetSpec) -> tuple[nn.Module, nn.Module]:
        """Generator and discriminator of architecture ``model`` for images of ``spec``."""
        from scigan.nets import build

        return build(model, spec)

    def features(self, train: Dataset, holdout: Dataset, *, cache_dir: Path, device: str,
                 log: Any = print):
        """The feature extractor for this data: a small CNN classifier trained on the real
        training images (the rotation task when unlabelled), cached under ``cache_dir``."""
        from scigan.metrics.features import get_extractor

        return get_extractor(train.x, train.y, holdout.x, holdout.y,
                             num_classes=max(train.num_classes, 1), cache_dir=cache_dir,
                             device=device, log=log)

    def preview(self, x_uint8: np.ndarray, labels: np.ndarray | None, class_names: list[str],
                path: Path, provenance: dict[str, str]) -> None:
        """A grid of samples (one row per class when labelled) written to ``path``."""
        save_images(x_uint8, path, labels=labels, class_names=class_names or None,
                    provenance=provenance, overwrite=True)
