"""The seam between the core (training, metrics) and a data kind.

A modality knows how to read and write its data, how to map it to model space and
back (the codec), which networks fit it and which features measure it. The core knows
none of that: it trains and measures anything that provides this interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from scigan.errors import ScienceError

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass
class Dataset:
    """Samples of one modality in their stored form, with optional labels.

    Attributes:
        x: the samples, in the modality's stored form (images: uint8, N×C×H×W).
        y: integer labels (N,), or None for unlabelled data.
        class_names: the name of each label value; empty when unlabelled.
        source: the built-in name or the path it was read from.
        modality: the modality's name, e.g. ``"images"``.
        test_mask: where the source defines an official test split, True for its rows.
        info: free-form facts about the source (e.g. original sizes), JSON-serialisable.
    """

    x: np.ndarray
    y: np.ndarray | None
    class_names: list[str]
    source: str
    modality: str
    test_mask: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def num_classes(self) -> int:
        """Number of label values (0 when unlabelled)."""
        return len(self.class_names) if self.y is not None else 0

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample in stored form, e.g. (C, H, W)."""
        return tuple(int(s) for s in self.x.shape[1:])

    def subset(self, index: np.ndarray) -> Dataset:
        """The rows at ``index`` (an integer array or boolean mask), as a new Dataset."""
        return replace(
            self,
            x=self.x[index],
            y=None if self.y is None else self.y[index],
            test_mask=None if self.test_mask is None else self.test_mask[index],
        )


def split_holdout(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """Split into (train, holdout): the source's own test split if it has one, else a
    stratified random ``fraction`` of the rows drawn with ``seed``.

    The holdout is never shown to the GAN; metrics compare against it.
    """
    if data.test_mask is not None and data.test_mask.any() and (~data.test_mask).any():
        return data.subset(~data.test_mask), data.subset(data.test_mask)
    if not 0.0 < fraction < 1.0:
        raise ScienceError(f"holdout fraction must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    n = len(data)
    groups = data.y if data.y is not None else np.zeros(n, dtype=np.int64)
    holdout = np.zeros(n, dtype=bool)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        k = int(round(fraction * len(rows)))
        if len(rows) >= 2:
            k = min(max(k, 1), len(rows) - 1)
        else:
            k = 0
        holdout[rng.permutation(rows)[:k]] = True
    if not holdout.any() or holdout.all():
        raise ScienceError(
            f"{data.source}: {n} samples are too few to hold out {fraction:.0%} for evaluation; "
            "add data or change --holdout"
        )
    return data.subset(~holdout), data.subset(holdout)


class Modality(Protocol):
    """What a data kind provides to the core."""

    name: str

    def load(self, source: str | Path, **options: Any) -> Dataset:
        """Read a built-in data set by name or the user's files at a path."""

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write samples in the user's own format, chosen by the path."""

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Stored form -> model space (float tensor)."""

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Model space -> stored form."""

    def networks(self, spec: Any, data: Dataset) -> tuple[nn.Module, nn.Module]:
        """The generator and discriminator that fit ``data`` under ``spec``."""
