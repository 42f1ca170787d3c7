"""A toy data kind, "points": points in the plane, defined here in the tests folder and
added to scigan through the registry only (``scigan.modalities.register(KIND)``).

Its built-in ``ring8`` is the classic mode-collapse toy: eight Gaussians on a circle of
``--radius``; the user's files are ``.points`` text files of ``x,y`` lines. Everything a
kind provides to the core is here, and nothing in ``src/`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from scigan.datasets import DatasetEntry
from scigan.errors import ScienceError
from scigan.metrics.registry import Score
from scigan.modalities import DataKind
from scigan.modalities.base import Dataset
from scigan.options import Interval, option

MODES = 8


@dataclass(frozen=True)
class PointOptions:
    """The points kind's own options: its config.toml section ``[points]``."""

    radius: float = option(2.0, "ring8: radius of the circle the eight modes sit on.", Interval(0, low_open=True))


def ring(n: int, radius: float, seed: int = 0) -> np.ndarray:
    """``n`` points (n, 2) float32 from eight Gaussians (σ 0.05·radius) on a circle."""
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * rng.integers(0, MODES, n) / MODES
    centres = radius * np.stack([np.cos(angle), np.sin(angle)], 1)
    return (centres + rng.normal(scale=0.05 * radius, size=(n, 2))).astype(np.float32)


def frechet_2d(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to point sets ``a`` and ``b`` (N, 2)."""
    ma, mb = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    vals, vecs = np.linalg.eigh(ca)
    root = vecs @ np.diag(np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    middle = np.linalg.eigvalsh(root @ cb @ root)
    return float(((ma - mb) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * np.sqrt(np.clip(middle, 0, None)).sum())


class PointCodec:
    """Points <-> model space: divided by a scale fitted on the training split."""

    def __init__(self, scale: float):
        self.scale = scale

    def stored(self, data: Dataset) -> np.ndarray:
        return data.x

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x.float() / self.scale

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        return (z.float() * self.scale).numpy()

    def save(self, folder: Path) -> None:
        """Nothing to save: the scale is in the run's [data] table."""


class PointScorer:
    """Fréchet distance of the points against a reference split, and modes covered."""

    def __init__(self, train: Dataset, reference: Dataset):
        self.train, self.reference = train, reference

    def fake_labels(self, n: int, seed: int) -> None:
        return None

    def sizes(self, n: int) -> int:
        return min(n, len(self.reference))

    def quick(self, fake_x: np.ndarray) -> dict[str, float]:
        return {"fd": frechet_2d(fake_x, self.reference.x)}

    def full(
        self,
        fake_x: np.ndarray,
        fake_y: Any,
        *,
        seed: int = 0,
        untrained_x: np.ndarray | None = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        radius = float(np.linalg.norm(self.reference.x, axis=1).mean())
        angles = np.round(np.arctan2(fake_x[:, 1], fake_x[:, 0]) / (2 * np.pi / MODES)) % MODES
        near = np.abs(np.linalg.norm(fake_x, axis=1) - radius) < 0.25 * radius
        scores = {
            "n": len(fake_x),
            "fd": frechet_2d(fake_x, self.reference.x),
            "fd_real_floor": frechet_2d(self.train.x[: len(fake_x)], self.reference.x),
            "modes_covered": len(set(angles[near].astype(int).tolist())) / MODES,
        }
        if untrained_x is not None:
            scores["fd_untrained"] = frechet_2d(untrained_x, self.reference.x)
        return scores


class PointGenerator(nn.Module):
    def __init__(self, z_dim: int, width: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(z_dim, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 2)
        )

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(z)


class PointDiscriminator(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(2, width), nn.LeakyReLU(0.2), nn.Linear(width, width), nn.LeakyReLU(0.2), nn.Linear(width, 1)
        )

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(x).squeeze(1)


class PointModality:
    """The points kind for the core: read, resolve, codec, networks, score, write."""

    name = "points"

    def load(self, source: str | Path, *, radius: float = 2.0) -> Dataset:
        if str(source) == "ring8":
            return Dataset(x=ring(2000, radius), y=None, class_names=[], source="ring8", modality=self.name)
        path = Path(source)
        if not path.is_file():
            raise ScienceError(f"{path}: no such file; give a .points file of x,y lines")
        try:
            x = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
        except ValueError as err:
            raise ScienceError(f"{path}: not x,y lines ({err})") from None
        if x.shape[1] != 2 or not np.isfinite(x).all():
            raise ScienceError(f"{path}: every line must hold two finite numbers x,y")
        return Dataset(x=x, y=None, class_names=[], source=str(path), modality=self.name)

    def read(self, config: Any, source: Any = None) -> Dataset:
        return self.load(config.data if source is None else source, radius=config.data_options.radius)

    def resolve(self, config: Any, data: Dataset, log: Any = print) -> Any:
        if config.model not in ("auto", "mlp2d"):
            raise ScienceError(f"unknown model {config.model!r} for points; choose mlp2d")
        return replace(config, model="mlp2d", loss="ns" if config.loss == "auto" else config.loss)

    def fit_codec(self, train: Dataset, config: Any) -> PointCodec:
        return PointCodec(float(np.abs(train.x).max()))

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> PointCodec:
        return PointCodec(float(data["scale"]))

    def describe(self, data: Dataset, codec: PointCodec) -> dict[str, Any]:
        return {"scale": codec.scale}

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        return PointGenerator(config.z_dim, 4 * config.width), PointDiscriminator(4 * config.width)

    def conditions(self, train: Dataset, codec: Any, config: Any) -> None:
        return None

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        return np.arange(len(train))

    def scorer(
        self, train: Dataset, reference: Dataset, codec: PointCodec, *, device: str, log: Any = print
    ) -> PointScorer:
        return PointScorer(train, reference)

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        return False

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        if path.suffix != ".points":
            raise ScienceError(f"{path}: points are written as a .points file")
        np.savetxt(path, samples.x, delimiter=",", fmt="%.6f")


KIND = DataKind(
    name="points",
    modality=PointModality,
    options=PointOptions,
    suffixes=(".points",),
    data_copy="data.points",
    builtins=(
        DatasetEntry(
            name="ring8",
            modality="points",
            shape="2000x2",
            class_names=(),
            source="generated by tests/toy_points.py",
            install="",
            probe=lambda: True,
            description="eight Gaussians on a circle (the mode-collapse toy)",
        ),
    ),
    scores=(
        Score("modes_covered", "modes covered", "higher", "share of the eight ring modes with a sample near them"),
    ),
    summary="points: .points files of x,y lines",
)
