"""What every in-domain feature extractor does with its trained network: features of
the penultimate layer, class predictions, and the class head alone on features a caller
already holds. The image CNN (:mod:`scigan.metrics.features`) and the sequence CNN
(:mod:`scigan.modalities.sequences.extractor`) differ only in the inputs they accept
and how a batch of them becomes the network's tensor.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from scigan.errors import ScienceError


class TrainedExtractor(ABC):
    """A trained network with ``features`` (B, ·) -> (B, feature_dim) and a class
    ``head`` (B, feature_dim) -> (B, classes) logits, on ``device``.

    Attributes:
        hash: hex digest naming the extractor (architecture, training data, recipe).
        task: ``"labels"`` (trained on the class labels) or the self-supervised task
            it was trained on without labels.
        feature_dim: length of a feature vector.
        num_classes: number of label values (0 without labels).
        test_accuracy: accuracy on the test inputs given when it was made, or None.

    An abstract base: subclasses give :meth:`_check` (validate the inputs) and
    :meth:`_encode` (a batch of inputs -> the network's tensor on the device).
    """

    def __init__(self, model: nn.Module, meta: dict[str, Any], device: torch.device) -> None:
        """Wrap a trained ``model`` described by ``meta`` (the cached metadata) on ``device``."""
        # channels-last, as trained (a loaded copy computes the very same features);
        # Module.to accepts memory_format (documented), torch's overloads omit it
        self._model = model.to(device=device, memory_format=torch.channels_last).eval()  # type: ignore[call-overload]
        self._device = device
        self.hash: str = meta["hash"]
        self.task: str = meta["task"]
        self.feature_dim: int = int(meta["feature_dim"])
        self.num_classes: int = int(meta["num_classes"])
        self.test_accuracy: float | None = None

    @abstractmethod
    def _check(self, x: np.ndarray) -> np.ndarray:
        """``x`` as an array the network accepts, or ScienceError."""

    @abstractmethod
    def _encode(self, batch: np.ndarray) -> torch.Tensor:
        """A batch of checked inputs -> the network's input tensor on the device."""

    def _refuse_without_labels(self) -> None:
        if self.task != "labels":
            raise ScienceError(
                f"this feature extractor was trained without labels ({self.task} task), so it cannot predict classes"
            )

    @torch.no_grad()
    def _run(self, x: np.ndarray, batch_size: int, fn: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """``fn`` applied to batches of inputs x (N, ...), concatenated on the CPU."""
        starts = range(0, len(x), batch_size)
        return torch.cat([fn(self._encode(x[i : i + batch_size])).cpu() for i in starts])

    def features(self, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Features (N, feature_dim) float32 of the inputs x (N, ...)."""
        x = self._check(x)
        if len(x) == 0:
            return np.zeros((0, self.feature_dim), dtype=np.float32)
        return self._run(x, batch_size, self._model.features).numpy().astype(np.float32)

    def predict(self, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Predicted class labels (N,) int64 of the inputs x (N, ...); task "labels" only."""
        self._refuse_without_labels()
        x = self._check(x)
        if len(x) == 0:
            return np.zeros(0, dtype=np.int64)
        return self._run(x, batch_size, lambda t: self._model(t).argmax(dim=1)).numpy().astype(np.int64)

    @torch.no_grad()
    def predict_features(self, features: np.ndarray) -> np.ndarray:
        """Predicted class labels (N,) int64 of features (N, feature_dim) that
        :meth:`features` returned: the class head alone, so a caller holding the
        features skips a second pass through the network; task "labels" only."""
        self._refuse_without_labels()
        f = torch.as_tensor(np.asarray(features, dtype=np.float32), device=self._device)
        return self._model.head(f).argmax(dim=1).cpu().numpy().astype(np.int64)
