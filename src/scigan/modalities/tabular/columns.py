"""The per-column transforms between a table and the generator's model space, that invert
exactly (Xu et al. 2019, CTGAN):

* numeric, integer and datetime columns: mode-specific normalisation. A Bayesian
  Gaussian mixture per column finds its modes; a value is coded as the one-hot of a
  mode and its offset from that mode's mean in units of 4σ (tanh head). The training
  rows draw their mode from its posterior, as CTGAN does (on breast-cancer this took the
  detection AUC from 0.67 to 0.55); otherwise the most likely mode is used.
  Decoding rounds to the column's own precision (integers to whole numbers, datetimes to
  their unit, decimals to the digits the data had) and clips to the observed bounds.
* categorical and boolean columns: one-hot over the training values (softmax head).
* missing values: their own category (discrete) or a present/missing one-hot beside
  the value (continuous), never dropped or filled.
* constant columns: no output; decoded as the constant.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError

if TYPE_CHECKING:
    import pandas as pd


#: Most mixture components per continuous column, and the weight below which one is dropped.
MAX_MODES = 10
MIN_MODE_WEIGHT = 0.005
#: Units a datetime column may be stored in, coarsest first (nanoseconds per unit).
DATETIME_UNITS = {"D": 86_400 * 10**9, "s": 10**9, "ms": 10**6, "us": 10**3}


def _jsonable(value: Any) -> Any:
    """A category value as JSON can hold it (numpy scalars unwrapped, missing -> None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class Continuous:
    """Mode-specific normalisation of one numeric, integer or datetime column."""

    def __init__(
        self,
        name: str,
        kind: str,
        dtype: str,
        means: list[float],
        stds: list[float],
        weights: list[float],
        lo: float,
        hi: float,
        missing: bool,
        fill: float,
        decimals: int | None = None,
        unit: str = "",
        tz: str = "",
    ):
        self.name, self.kind, self.dtype = name, kind, dtype
        self.means, self.stds, self.weights = np.asarray(means), np.asarray(stds), np.asarray(weights)
        self.lo, self.hi, self.missing, self.fill = lo, hi, missing, fill
        self.decimals, self.unit, self.tz = decimals, unit, tz

    @classmethod
    def fit(cls, series: pd.Series, kind: str, seed: int) -> Continuous:
        """Fit the modes of ``series`` (training rows) with a Bayesian Gaussian mixture."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import BayesianGaussianMixture

        unit, tz = "", ""
        if kind == "datetime":
            stamps = series.dropna()
            if getattr(stamps.dt, "tz", None) is not None:
                tz = str(stamps.dt.tz)
            ns = _datetime_ns(series)
            ns = ns[~np.isnan(ns)]
            unit = next(u for u, per in DATETIME_UNITS.items() if u == "us" or np.all(ns % per == 0))
        values = _numbers(series, unit)
        present = values[~np.isnan(values)]
        decimals = None
        if kind == "numeric":
            decimals = next((d for d in range(11) if np.array_equal(np.round(present, d), present)), None)
        distinct = np.unique(present)
        spread = float(present.std()) or 1.0
        if len(distinct) == 1:
            means, stds, weights = [float(distinct[0])], [spread], [1.0]
        else:
            bgm = BayesianGaussianMixture(
                n_components=min(MAX_MODES, len(distinct)),
                weight_concentration_prior_type="dirichlet_process",
                weight_concentration_prior=1e-3,
                max_iter=100,
                n_init=1,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                bgm.fit(present.reshape(-1, 1))
            keep = bgm.weights_ > MIN_MODE_WEIGHT
            if not keep.any():
                keep = bgm.weights_ == bgm.weights_.max()
            floor = 1e-3 * spread
            means = bgm.means_[keep, 0].tolist()
            stds = np.maximum(np.sqrt(bgm.covariances_[keep].ravel()), floor).tolist()
            weights = (bgm.weights_[keep] / bgm.weights_[keep].sum()).tolist()
        return cls(
            str(series.name),
            kind,
            str(series.dtype),
            means,
            stds,
            weights,
            float(present.min()),
            float(present.max()),
            bool(np.isnan(values).any()),
            float(np.median(present)),
            decimals,
            unit,
            tz,
        )

    @property
    def blocks(self) -> list[tuple[str, int]]:
        """Output heads: the offset (tanh), the mode (softmax), and present/missing."""
        return [("tanh", 1), ("softmax", len(self.means))] + ([("softmax", 2)] if self.missing else [])

    def modes(self, values: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """The mode of each value (N,) under the fitted mixture: the most likely one, or
        drawn from the posterior with ``rng``."""
        z = (values[:, None] - self.means[None]) / self.stds[None]
        log_p = np.log(self.weights)[None] - np.log(self.stds)[None] - 0.5 * z**2
        if rng is None:
            return np.argmax(log_p, axis=1)
        p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
        cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        return np.minimum((cdf < rng.random((len(values), 1))).sum(axis=1), len(self.means) - 1)

    def encode(self, series: pd.Series, rng: np.random.Generator | None = None) -> np.ndarray:
        """(N,) column -> (N, 1 + modes [+ 2]) float64 (modes drawn with ``rng`` if given)."""
        values = _numbers(series, self.unit)
        absent = np.isnan(values)
        values = np.where(absent, self.fill, values)
        mode = self.modes(values, rng)
        out = np.zeros((len(values), sum(size for _, size in self.blocks)))
        out[:, 0] = (values - self.means[mode]) / (4 * self.stds[mode])
        out[np.arange(len(values)), 1 + mode] = 1.0
        if self.missing:
            out[np.arange(len(values)), 1 + len(self.means) + absent.astype(int)] = 1.0
        return out

    def decode(self, block: np.ndarray) -> pd.Series:
        """(N, width) model-space block -> the column in its own dtype."""
        import pandas as pd

        k = len(self.means)
        mode = np.argmax(block[:, 1 : 1 + k], axis=1)
        values = np.clip(block[:, 0] * 4 * self.stds[mode] + self.means[mode], self.lo, self.hi)
        absent = np.argmax(block[:, 1 + k : 3 + k], axis=1) == 1 if self.missing else np.zeros(len(values), bool)
        if self.kind == "datetime":
            ns = np.round(values).astype(np.int64) * DATETIME_UNITS[self.unit]
            stamps = pd.to_datetime(ns, unit="ns")
            if self.tz:
                stamps = stamps.tz_localize("UTC").tz_convert(self.tz)
            return pd.Series(stamps, name=self.name).mask(absent).astype(self.dtype)
        if self.kind == "integer":
            values = np.round(values)
        elif self.decimals is not None:
            values = np.round(values, self.decimals)
        series = pd.Series(values, name=self.name).mask(absent)
        if self.kind == "integer" and not self.missing and self.dtype.startswith(("int", "uint")):
            return series.astype(self.dtype)
        if self.kind == "integer" and self.dtype.startswith(("Int", "UInt")):
            return series.round().astype(self.dtype)
        return series.astype(self.dtype)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {
            "type": "continuous",
            "name": self.name,
            "kind": self.kind,
            "dtype": self.dtype,
            "means": self.means.tolist(),
            "stds": self.stds.tolist(),
            "weights": self.weights.tolist(),
            "lo": self.lo,
            "hi": self.hi,
            "missing": self.missing,
            "fill": self.fill,
            "decimals": self.decimals,
            "unit": self.unit,
            "tz": self.tz,
        }


class Discrete:
    """One-hot coding of a categorical or boolean column (missing is a category)."""

    def __init__(self, name: str, kind: str, dtype: str, categories: list[Any]):
        self.name, self.kind, self.dtype, self.categories = name, kind, dtype, categories

    @classmethod
    def fit(cls, series: pd.Series, kind: str) -> Discrete:
        """The categories of ``series`` (training rows), sorted, missing last."""
        present = [_jsonable(v) for v in series.dropna().unique().tolist()]
        present = sorted(set(present), key=lambda v: (str(type(v)), v))
        return cls(str(series.name), kind, str(series.dtype), present + ([None] if series.isna().any() else []))

    @property
    def blocks(self) -> list[tuple[str, int]]:
        """One softmax head over the categories; none when the column is constant."""
        return [("softmax", len(self.categories))] if len(self.categories) > 1 else []

    def index(self, series: pd.Series) -> np.ndarray:
        """The category index of each value (N,); values unseen in training are refused."""
        lookup = {json.dumps(v): i for i, v in enumerate(self.categories)}
        keys = [json.dumps(_jsonable(v)) for v in series.tolist()]
        unknown = [k for k in keys if k not in lookup]
        if unknown:
            raise ScienceError(
                f"column {self.name!r} holds {json.loads(unknown[0])!r}, unseen when the codec was fitted"
            )
        return np.array([lookup[k] for k in keys], dtype=np.int64)

    def encode(self, series: pd.Series, rng: np.random.Generator | None = None) -> np.ndarray:
        """(N,) column -> (N, categories) one-hot (N, 0 when constant); ``rng`` is unused."""
        if not self.blocks:
            return np.zeros((len(series), 0))
        out = np.zeros((len(series), len(self.categories)))
        out[np.arange(len(series)), self.index(series)] = 1.0
        return out

    def values(self, index: np.ndarray) -> pd.Series:
        """Category indices (N,) -> the column in its own dtype."""
        import pandas as pd

        column = pd.Series([self.categories[i] for i in index], name=self.name, dtype=object)
        if self.dtype == "object" or self.dtype.startswith("str"):
            return column.where(column.notna(), np.nan) if None in self.categories else column
        try:
            return column.astype(self.dtype)
        except (TypeError, ValueError):
            return column.astype("float64" if self.dtype.startswith(("int", "uint")) else object)

    def decode(self, block: np.ndarray) -> pd.Series:
        """(N, categories) model-space block -> the column."""
        if not self.blocks:
            return self.values(np.zeros(len(block), dtype=np.int64))
        return self.values(np.argmax(block, axis=1))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters."""
        return {
            "type": "discrete",
            "name": self.name,
            "kind": self.kind,
            "dtype": self.dtype,
            "categories": self.categories,
        }


def _datetime_ns(series: pd.Series) -> np.ndarray:
    """Datetimes as float nanoseconds since the epoch (UTC), NaN where missing."""
    import pandas as pd

    stamps = pd.to_datetime(series)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    ns[stamps.isna().to_numpy()] = np.nan
    return ns


def _numbers(series: pd.Series, unit: str) -> np.ndarray:
    """A continuous column as float64 (N,), NaN where missing; datetimes in ``unit``."""
    if unit:
        return np.round(_datetime_ns(series) / DATETIME_UNITS[unit])
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def column_from_dict(d: dict[str, Any]) -> Continuous | Discrete:
    kind = d.pop("type")
    return Continuous(**d) if kind == "continuous" else Discrete(**d)
