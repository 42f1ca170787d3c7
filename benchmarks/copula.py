"""The baseline for tables: a Gaussian copula (as SDV's GaussianCopulaSynthesizer).

Each column is mapped to a standard normal score: continuous columns through their
empirical CDF (mid-ranks), discrete ones (missing as a category) through the interval
of cumulative frequency their category owns, jittered uniformly inside it. The scores'
correlation matrix is the model. Sampling draws correlated normal scores and maps each
back through the column's empirical quantiles (continuous; integers rounded, missing
values drawn at their observed rate) or category intervals (discrete).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

CONTINUOUS = ("numeric", "integer", "datetime")


class GaussianCopula:
    """fit(frame, schema) then sample(n) -> a frame in the same columns and dtypes."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def fit(self, frame: pd.DataFrame, schema: dict[str, str]) -> GaussianCopula:
        """Learn every marginal and the normal-score correlations of ``frame``."""
        self.frame, self.schema, self.columns = frame, schema, list(frame.columns)
        self.marginals: dict[str, dict] = {}
        scores = []
        for column in self.columns:
            series = frame[column]
            if schema[column] in CONTINUOUS and series.dropna().nunique() > 1:
                values = series.to_numpy(dtype=np.float64, na_value=np.nan)
                present = np.sort(values[~np.isnan(values)])
                self.marginals[column] = {
                    "kind": "continuous",
                    "sorted": present,
                    "missing": float(np.isnan(values).mean()),
                }
                ranks = pd.Series(values).rank(method="average").to_numpy()
                u = np.where(np.isnan(values), 0.5, (ranks - 0.5) / len(present))
            else:
                keys = series.astype(object).where(series.notna(), None)
                counts = keys.value_counts(dropna=False)
                cats = list(counts.index)
                upper = np.cumsum(counts.to_numpy()) / len(series)
                lower = np.r_[0.0, upper[:-1]]
                self.marginals[column] = {"kind": "discrete", "categories": cats, "lower": lower, "upper": upper}
                where = {c: i for i, c in enumerate(cats)}
                idx = np.array([where[k] for k in keys])
                u = lower[idx] + self.rng.uniform(size=len(idx)) * (upper[idx] - lower[idx])
            scores.append(norm.ppf(np.clip(u, 1e-6, 1 - 1e-6)))
        z = np.column_stack(scores)
        self.corr = np.nan_to_num(np.corrcoef(z, rowvar=False), nan=0.0)
        np.fill_diagonal(self.corr, 1.0)
        return self

    def sample(self, n: int) -> pd.DataFrame:
        """``n`` rows drawn from the fitted copula."""
        w, v = np.linalg.eigh(self.corr)
        z = self.rng.standard_normal((n, len(self.columns))) @ (v * np.sqrt(np.clip(w, 0, None))).T
        u = norm.cdf(z)
        out = {}
        for j, column in enumerate(self.columns):
            m, original = self.marginals[column], self.frame[column]
            if m["kind"] == "continuous":
                values = np.quantile(m["sorted"], u[:, j])
                if self.schema[column] == "integer":
                    values = np.round(values)
                values[self.rng.uniform(size=n) < m["missing"]] = np.nan
                series = pd.Series(values)
                if not np.isnan(values).any() and str(original.dtype).startswith("int"):
                    series = series.astype(original.dtype)
            else:
                idx = np.minimum(np.searchsorted(m["upper"], u[:, j], side="right"), len(m["categories"]) - 1)
                series = pd.Series([m["categories"][i] for i in idx], dtype=object)
                if original.dtype != object:
                    series = series.astype(original.dtype)
            out[column] = series
        return pd.DataFrame(out)
