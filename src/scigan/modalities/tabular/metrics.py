"""Measuring synthetic tables against held-out real rows.

Fidelity follows SDMetrics' quality report: per column the complement of the
Kolmogorov–Smirnov statistic (continuous) or of the total-variation distance
(discrete); per column pair the correlation similarity 1 − |r_real − r_syn| / 2
(two continuous columns) or the contingency similarity 1 − TV of the joint frequencies
(otherwise, continuous columns cut into the real data's deciles). ``fidelity`` is the
mean of the two. Distances (FD, detection, privacy) use a feature space fitted on the
training rows: standardised numbers with a missing indicator, one-hot categories.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from scigan.metrics import detection, fairness, fidelity, privacy, utility
from scigan.metrics.scorer import reference_name
from scigan.modalities.base import proportional_labels
from scigan.modalities.tabular.codec import TableCodec
from scigan.modalities.tabular.io import TableData

if TYPE_CHECKING:
    import pandas as pd

CONTINUOUS = ("numeric", "integer", "datetime")


def _as_numbers(series: pd.Series, kind: str) -> np.ndarray:
    """A continuous column as float64, NaN where missing (datetimes in seconds)."""
    if kind == "datetime":
        import pandas as pd

        stamps = pd.to_datetime(series)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        out = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64) / 1e9
        out[stamps.isna().to_numpy()] = np.nan
        return out
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _as_keys(series: pd.Series) -> np.ndarray:
    """A discrete column as strings, missing as its own value."""
    return series.astype(object).where(series.notna(), "<missing>").astype(str).to_numpy()


class TableFeatures:
    """Rows -> (N, F) float features: each continuous column standardised with the
    training mean and deviation (missing -> 0, plus an indicator when training had
    missing values); each discrete column one-hot over its training values."""

    def __init__(self, train: pd.DataFrame, schema: dict[str, str], exclude: tuple[str, ...] = ()):
        self.schema = {c: k for c, k in schema.items() if c not in exclude}
        self.stats: dict[str, tuple[float, float, bool]] = {}
        self.levels: dict[str, list[str]] = {}
        for column, kind in self.schema.items():
            if kind in CONTINUOUS:
                v = _as_numbers(train[column], kind)
                self.stats[column] = (float(np.nanmean(v)), float(np.nanstd(v)) or 1.0, bool(np.isnan(v).any()))
            else:
                self.levels[column] = sorted(set(_as_keys(train[column])))

    def __call__(self, frame: pd.DataFrame) -> np.ndarray:
        """Features (N, F) float64 of ``frame``."""
        parts = []
        for column, kind in self.schema.items():
            if kind in CONTINUOUS:
                mean, std, missing = self.stats[column]
                v = (_as_numbers(frame[column], kind) - mean) / std
                parts.append(np.nan_to_num(v, nan=0.0)[:, None])
                if missing:
                    parts.append(np.isnan(v)[:, None].astype(np.float64))
            else:
                keys = _as_keys(frame[column])
                parts.append((keys[:, None] == np.array(self.levels[column])[None]).astype(np.float64))
        return np.concatenate(parts, axis=1) if parts else np.zeros((len(frame), 0))


def column_shapes(real: pd.DataFrame, fake: pd.DataFrame, schema: dict[str, str]) -> dict[str, float]:
    """Per column: 1 − KS statistic (continuous, present values) or 1 − TV distance of
    the value frequencies (discrete, missing as a value). 1.0 is identical."""
    from scipy.stats import ks_2samp

    out = {}
    for column, kind in schema.items():
        if kind in CONTINUOUS:
            a, b = _as_numbers(real[column], kind), _as_numbers(fake[column], kind)
            a, b = a[~np.isnan(a)], b[~np.isnan(b)]
            out[column] = 1.0 - float(ks_2samp(a, b).statistic) if len(a) and len(b) else float(len(a) == len(b))
        else:
            out[column] = 1.0 - _tv(_as_keys(real[column]), _as_keys(fake[column]))
    return out


def _tv(a: np.ndarray, b: np.ndarray) -> float:
    """Total-variation distance between the empirical distributions of keys ``a`` and ``b``."""
    values, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    pa = np.bincount(inverse[: len(a)], minlength=len(values)) / len(a)
    pb = np.bincount(inverse[len(a) :], minlength=len(values)) / len(b)
    return 0.5 * float(np.abs(pa - pb).sum())


def _discretise(real: pd.DataFrame, fake: pd.DataFrame, schema: dict[str, str]) -> tuple[dict, dict]:
    """Every column as keys: continuous ones cut at the real data's deciles."""
    ra, fa = {}, {}
    for column, kind in schema.items():
        if kind in CONTINUOUS:
            a, b = _as_numbers(real[column], kind), _as_numbers(fake[column], kind)
            edges = np.unique(np.nanquantile(a, np.linspace(0.1, 0.9, 9))) if np.isfinite(a).any() else np.array([])
            ra[column] = np.where(np.isnan(a), -1, np.searchsorted(edges, a)).astype(str)
            fa[column] = np.where(np.isnan(b), -1, np.searchsorted(edges, b)).astype(str)
        else:
            ra[column], fa[column] = _as_keys(real[column]), _as_keys(fake[column])
    return ra, fa


def column_pairs(real: pd.DataFrame, fake: pd.DataFrame, schema: dict[str, str]) -> float:
    """Mean pair similarity over all column pairs: correlation similarity for two
    continuous columns, contingency similarity otherwise (1.0 is identical)."""
    continuous = [c for c, k in schema.items() if k in CONTINUOUS]
    scores = []
    if len(continuous) > 1:

        def corr(frame: pd.DataFrame) -> np.ndarray:
            m = np.column_stack([_as_numbers(frame[c], schema[c]) for c in continuous])
            import pandas as pd

            return pd.DataFrame(m).corr().to_numpy()

        cr, cf = corr(real), corr(fake)
        upper = np.triu_indices(len(continuous), 1)
        diff = np.abs(cr[upper] - cf[upper])
        scores += list(1.0 - np.nan_to_num(diff, nan=2.0) / 2)
    ra, fa = _discretise(real, fake, schema)
    for a, b in combinations(schema, 2):
        if a in continuous and b in continuous:
            continue
        scores.append(
            1.0 - _tv(np.char.add(np.char.add(ra[a], "\x1f"), ra[b]), np.char.add(np.char.add(fa[a], "\x1f"), fa[b]))
        )
    return float(np.mean(scores)) if scores else 1.0


def quality(real: pd.DataFrame, fake: pd.DataFrame, schema: dict[str, str]) -> dict[str, Any]:
    """``column_shapes`` (mean), ``column_pairs`` and their mean ``fidelity``, plus the
    per-column shape scores."""
    shapes = column_shapes(real, fake, schema)
    shape = float(np.mean(list(shapes.values()))) if shapes else 1.0
    pairs = column_pairs(real, fake, schema)
    return {
        "fidelity": (shape + pairs) / 2,
        "column_shapes": shape,
        "column_pairs": pairs,
        "column_shape_per_column": shapes,
    }


class TableScorer:
    """Scores synthetic tables against the held-out rows (see the module docstring).

    Args:
        train, holdout: the real splits (the holdout was never shown to the GAN).
        codec: the run's codec (knows the label column).
    """

    def __init__(self, train: TableData, holdout: TableData, codec: TableCodec, *, log: Callable[[str], None] = print):
        self.train, self.holdout, self.codec, self.log = train, holdout, codec, log
        schema = dict(train.info["schema"])
        self.constant = set(codec.constant_columns())
        self.schema = {c: k for c, k in schema.items() if c not in self.constant}
        self.label = train.info.get("label_column", "")
        self.features = TableFeatures(train.x, self.schema)
        self._train_features = self.features(train.x)

    def fake_labels(self, n: int, seed: int) -> np.ndarray | None:
        """Labels for ``n`` conditional rows, in the holdout's class proportions."""
        return proportional_labels(self.holdout.y, n, seed)

    def sizes(self, n: int) -> int:
        """Rows to generate: as many as the training split (utility trains on them)."""
        return max(len(self.train), min(n, len(self.holdout)))

    def quick(self, fake: pd.DataFrame, fake_y: np.ndarray | None = None) -> dict[str, Any]:
        """FD of the features of ``fake`` against the training rows (so that choosing the
        best checkpoint never looks at the holdout) and the fidelity score; a conditional
        run's labels are the rows' own label column, so ``fake_y`` adds nothing."""
        scores = quality(self.train.x, fake, self.schema)
        return {
            "fd": fidelity.frechet_distance(self._train_features, self.features(fake)),
            "fidelity": scores["fidelity"],
            "n": len(fake),
            "reference": "train",
        }

    def full(
        self,
        fake: pd.DataFrame,
        fake_y: np.ndarray | None,
        *,
        seed: int = 0,
        untrained_x: pd.DataFrame | None = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        """Every score of ``fake`` (rows in the user's columns) against the holdout,
        beside the same score of real training rows (the floor)."""
        rng = np.random.default_rng(seed)
        hold, m = self.holdout.x, len(self.holdout)
        train_rows = rng.permutation(len(self.train))
        rows: pd.DataFrame = cast("pd.DataFrame", self.train.x)  # a TableData holds a DataFrame
        floor = rows.iloc[train_rows[: len(fake)]].reset_index(drop=True)
        same_n = rows.iloc[train_rows[:m]].reset_index(drop=True)
        f_fake, f_hold = self.features(fake), self.features(hold)
        f_floor, f_same = self.features(floor), self.features(same_n)
        few = fake.iloc[rng.permutation(len(fake))[:m]].reset_index(drop=True)
        self.log(f"scoring {len(fake)} synthetic rows against {m} held-out rows")
        real_q, fake_q = quality(hold, floor, self.schema), quality(hold, fake, self.schema)
        out: dict[str, Any] = {
            "n": len(fake),
            "n_reference": m,
            "reference": reference_name(self.holdout),
            "fidelity": fake_q["fidelity"],
            "fidelity_real_floor": real_q["fidelity"],
            "column_shapes": fake_q["column_shapes"],
            "column_shapes_real_floor": real_q["column_shapes"],
            "column_pairs": fake_q["column_pairs"],
            "column_pairs_real_floor": real_q["column_pairs"],
            "column_shape_per_column": fake_q["column_shape_per_column"],
            "fd": fidelity.frechet_distance(f_hold, f_fake),
            "fd_real_floor": fidelity.frechet_distance(f_hold, f_floor),
            "detection_auc": detection.detection_auc(f_hold, self.features(few), seed=seed),
            "detection_auc_real": detection.detection_auc(f_hold, f_same, seed=seed),
            **privacy.dcr_scores(f_fake, f_same, f_hold),
            "mia_auc": privacy.membership_auc(f_fake, f_same, f_hold),
            "constant_columns": sorted(self.constant),
        }
        if untrained_x is not None:
            out["fd_untrained"] = fidelity.frechet_distance(f_hold, self.features(untrained_x))
        out.update(self._utility(fake, seed))
        out.update(self._per_group(fake, seed))
        if picture is not None:
            from scigan.report.embedding import plot_embedding

            plot_embedding(
                f_hold,
                f_fake,
                picture,
                real_labels=self.holdout.y,
                fake_labels=self.codec.labels_of(fake),
                class_names=self.holdout.class_names,
                seed=seed,
                umap=umap,
                title="Table features: held-out real (dots) and synthetic (crosses), PCA",
            )
        return out

    def _utility(self, fake: pd.DataFrame, seed: int) -> dict[str, Any]:
        """TSTR against TRTR for predicting the label column (None when unlabelled)."""
        if not self.label:
            return {"utility_ratio": None, "utility_note": "no label column: pass --label-column to measure utility"}
        features = TableFeatures(self.train.x, self.schema, exclude=(self.label,))
        fake_y = self.codec.labels_of(fake)
        assert fake_y is not None and self.train.y is not None and self.holdout.y is not None  # a label column
        return utility.utility_scores(
            (features(fake), fake_y),
            (features(self.train.x), self.train.y),
            (features(self.holdout.x), self.holdout.y),
            seed=seed,
        )

    def _per_group(self, fake: pd.DataFrame, seed: int) -> dict[str, Any]:
        """Per value of the group column (``group_column``, default the label; synthetic
        rows' group read from their own column): fidelity beside the same score of the
        group's real training rows (its floor at this group size), detection AUC, and
        TSTR/TRTR balanced accuracy on the group's held-out rows, each group with its
        held-out size; the worst group is the one furthest below its floor among those
        large enough to trust (:mod:`scigan.metrics.fairness`); representation ratios;
        with a label other than the group column, the equalized-odds gaps of the utility
        forests. Groups without held-out or synthetic rows get no score."""
        column = self.train.info.get("group_column") or self.label
        if not column:
            return {"worst_group": None}
        schema = {c: k for c, k in self.schema.items() if c != column}
        names = sorted(set(_as_keys(self.train.x[column])) | set(_as_keys(self.holdout.x[column])))
        train_g, hold_g, fake_g = (
            fairness.group_indices(_as_keys(f[column]), names) for f in (self.train.x, self.holdout.x, fake)
        )
        out: dict[str, Any] = fairness.representation(train_g, fake_g, names)
        predictions = None
        if self.label and column != self.label:
            features = TableFeatures(self.train.x, self.schema, exclude=(self.label,))
            fake_y, hold_y = self.codec.labels_of(fake), self.holdout.y
            assert fake_y is not None and self.train.y is not None and hold_y is not None  # a label column
            predictions = fairness.forest_predictions(
                (features(fake), fake_y), (features(self.train.x), self.train.y), features(self.holdout.x), seed=seed
            )
            out.update(fairness.equalized_odds_scores(hold_y, predictions, hold_g, self.train.y))
        else:
            out.update(equalized_odds_gap=None, equalized_odds_note="needs --label-column and another --group-column")
        per_group: dict[str, dict[str, Any]] = {}
        for g, name in enumerate(names):
            real, mine = self.holdout.x[hold_g == g], fake[fake_g == g]
            train_rows = self.train.x[train_g == g]
            group: dict[str, Any] = dict.fromkeys(
                ("fidelity", "fidelity_real_floor", "fidelity_gap", "column_shapes", "column_pairs", "detection_auc")
            )
            if len(real) and len(mine):
                q = quality(real, mine, schema)
                group.update(fidelity=q["fidelity"], column_shapes=q["column_shapes"], column_pairs=q["column_pairs"])
                if len(train_rows):
                    floor = quality(real, train_rows, schema)["fidelity"]
                    group.update(fidelity_real_floor=floor, fidelity_gap=floor - q["fidelity"])
            if len(real) >= 2 and len(mine) >= 2:
                group["detection_auc"] = detection.detection_auc(self.features(real), self.features(mine), seed=seed)
            if predictions is not None:
                truth = self.holdout.y[hold_g == g]  # type: ignore[index]
                group["utility_tstr"] = fairness.balanced_accuracy(truth, predictions[0][hold_g == g])
                group["utility_trtr"] = fairness.balanced_accuracy(truth, predictions[1][hold_g == g])
            per_group[name] = {
                **group,
                "n_real": len(real),
                "n_synthetic": len(mine),
                "trusted": fairness.is_trusted(len(real)),
            }
        return {
            **out,
            "per_group": per_group,
            "worst_group": fairness.worst_group(per_group, "fidelity_gap", higher_is_better=False),
        }
