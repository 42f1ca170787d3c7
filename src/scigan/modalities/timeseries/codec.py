"""Windows of series in the user's units <-> the networks' space, fitted on training windows.

``levels``: every column min-max scaled to [0, 1] with the training windows' range (the
TimeGAN normalisation). ``returns``: the log-returns of every (positive) column,
standardised with the training returns' mean and spread; a generated return path is
decoded into levels from a starting row drawn from the training windows' first rows.

The scores compare windows in :meth:`SeriesCodec.normalise`'s space: the levels min-max
scaled (``levels``), or the log-returns min-max scaled by the training returns' range
(``returns``: prices of later years leave the training range, their returns do not).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, read_codec_json, write_codec_json

if TYPE_CHECKING:
    import torch

#: How many training first rows a returns codec keeps to start decoded paths from.
MAX_STARTS = 2000


class SeriesCodec:
    """Stored windows (N, T, C) in user units <-> model space: (N, T, C) in [0, 1]
    (``levels``) or (N, T − 1, C) standardised log-returns (``returns``)."""

    def __init__(
        self,
        columns: list[str],
        low: np.ndarray,
        high: np.ndarray,
        target: str = "levels",
        starts: np.ndarray | None = None,
        mean: np.ndarray | None = None,
        std: np.ndarray | None = None,
        returns_low: np.ndarray | None = None,
        returns_high: np.ndarray | None = None,
    ):
        self.columns, self.target = list(columns), target
        self.low = np.asarray(low, dtype=np.float64)
        self.high = np.asarray(high, dtype=np.float64)
        self.span = np.where(self.high > self.low, self.high - self.low, 1.0)
        self.starts = None if starts is None else np.asarray(starts, dtype=np.float64)
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.std = None if std is None else np.asarray(std, dtype=np.float64)
        self.returns_low = None if returns_low is None else np.asarray(returns_low, dtype=np.float64)
        self.returns_high = None if returns_high is None else np.asarray(returns_high, dtype=np.float64)

    @classmethod
    def fit(cls, train: Dataset, columns: list[str], target: str) -> SeriesCodec:
        """The codec of the training windows ``train.x`` (N, T, C) in user units."""
        x = train.x.astype(np.float64)
        low, high = x.min(axis=(0, 1)), x.max(axis=(0, 1))
        if target == "levels":
            return cls(columns, low, high)
        if (x <= 0).any():
            bad = [c for c, v in zip(columns, x.min(axis=(0, 1))) if v <= 0]
            raise ScienceError(
                f"--target returns takes log-returns, but column(s) {', '.join(bad)} hold values ≤ 0; "
                "choose positive columns with --columns or use --target levels"
            )
        r = np.diff(np.log(x), axis=1)
        std = r.std(axis=(0, 1))
        starts = x[np.random.default_rng(0).permutation(len(x))[:MAX_STARTS], 0, :]
        moments = (r.mean(axis=(0, 1)), np.where(std > 0, std, 1.0))
        return cls(columns, low, high, target, starts, *moments, r.min(axis=(0, 1)), r.max(axis=(0, 1)))

    @property
    def length_offset(self) -> int:
        """Steps the model space has fewer than a stored window (returns: 1)."""
        return 1 if self.target == "returns" else 0

    def stored(self, data: Dataset) -> np.ndarray:
        """The windows the trainer holds: (N, T, C) float32 in user units."""
        return np.ascontiguousarray(data.x, dtype=np.float32)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """A batch of stored windows (N, T, C) -> model space (N, T − offset, C) float32."""
        import torch

        low = torch.as_tensor(self.low, dtype=torch.float32, device=x.device)
        if self.target == "levels":
            span = torch.as_tensor(self.span, dtype=torch.float32, device=x.device)
            return (x.float() - low) / span
        mean = torch.as_tensor(self.mean, dtype=torch.float32, device=x.device)
        std = torch.as_tensor(self.std, dtype=torch.float32, device=x.device)
        r = torch.diff(torch.log(x.double()), dim=1).float()
        return (r - mean) / std

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        """Model-space windows (N, L, C) -> windows in user units (N, T, C) float64; a
        returns path starts from a training window's first row (a fixed seeded draw)."""
        m = z.detach().cpu().double().numpy()
        if self.target == "levels":
            return np.clip(m, 0.0, 1.0) * self.span + self.low
        assert self.starts is not None and self.mean is not None and self.std is not None
        start = self.starts[np.random.default_rng(1).integers(len(self.starts), size=len(m))]
        steps = np.clip(m * self.std + self.mean, -5.0, 5.0)  # a log-return beyond ±5 is ×150
        log_path = np.log(start)[:, None, :] + np.concatenate([np.zeros_like(m[:, :1]), np.cumsum(steps, 1)], 1)
        return np.exp(log_path)

    def normalise(self, x: np.ndarray) -> np.ndarray:
        """Windows in user units (N, T, C) -> the space the scores compare them in, float32:
        each column min-max scaled by the training range (levels: (N, T, C)), or the
        log-returns so scaled by the training returns' range (returns: (N, T − 1, C))."""
        x = np.asarray(x, dtype=np.float64)
        if self.target == "levels":
            return ((x - self.low) / self.span).astype(np.float32)
        assert self.returns_low is not None and self.returns_high is not None
        span = np.where(self.returns_high > self.returns_low, self.returns_high - self.returns_low, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.diff(np.log(np.maximum(x, 1e-300)), axis=1)
        return ((r - self.returns_low) / span).astype(np.float32)

    def describe(self) -> dict[str, Any]:
        """The [data] facts networks need: columns, target, model-space length offset."""
        return {"codec": "series", "columns": self.columns, "target": self.target, "length_offset": self.length_offset}

    def save(self, folder: Path) -> None:
        """Write the fitted ranges (and a returns codec's starts and moments) to codec.json."""
        doc: dict[str, Any] = {
            "columns": self.columns,
            "target": self.target,
            "low": self.low.tolist(),
            "high": self.high.tolist(),
        }
        if self.target == "returns":
            assert self.starts is not None and self.mean is not None and self.std is not None
            assert self.returns_low is not None and self.returns_high is not None
            doc.update(starts=self.starts.tolist(), mean=self.mean.tolist(), std=self.std.tolist())
            doc.update(returns_low=self.returns_low.tolist(), returns_high=self.returns_high.tolist())
        write_codec_json(folder, doc)

    @classmethod
    def load(cls, folder: Path) -> SeriesCodec:
        """The codec a run saved with :meth:`save`."""
        doc = read_codec_json(folder, "timeseries")
        keys = ("starts", "mean", "std", "returns_low", "returns_high")
        extra = {k: np.asarray(doc[k]) for k in keys if k in doc}
        return cls(doc["columns"], np.asarray(doc["low"]), np.asarray(doc["high"]), doc["target"], **extra)
