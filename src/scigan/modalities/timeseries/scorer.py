"""Measuring generated windows of series against held-out real ones.

Samples arrive in stored form: windows (N, T, C) in the user's units. Every score but
the stylised facts is computed on the codec's normalisation (each column's levels, or
for price series its log-returns, min-max scaled by the training split's range): FD of
the flattened windows (projected on the first 64 principal axes of the reference windows
when T·C > 256), the ACF distance, and TimeGAN's post-hoc discriminative and predictive
scores, each beside its real-vs-real reference (real training windows against the
reference split). The stylised facts of returns are computed on the price column in
user units, when there is one. Keys are declared in :mod:`.scores` and
:mod:`scigan.metrics.registry`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scigan.metrics import fairness
from scigan.metrics.scorer import reference_name
from scigan.modalities.base import Dataset, proportional_labels
from scigan.modalities.timeseries import metrics as tm
from scigan.modalities.timeseries.statistics import FACTS

#: Flattened windows longer than this are projected before the FD.
MAX_FD_FEATURES = 256
#: Principal axes of that projection.
FD_COMPONENTS = 64
#: Windows each side needs for a class's scores.
MIN_CLASS_WINDOWS = 10
#: Most windows of each set in the PCA and t-SNE pictures.
PICTURE_POINTS = 1000
#: Lags drawn in the ACF and stylised-facts pictures.
PICTURE_LAGS = 20
#: TimeGAN's post-hoc protocol: runs and training steps of the discriminative score's
#: classifier, training steps of the predictive score's forecaster (the scorer's defaults).
REPEATS, DISC_STEPS, PRED_STEPS = 5, 2000, 5000


class TimeSeriesScorer:
    """Scores generated windows against a real split (see the module doc).

    Args:
        train: the real training split (floors and the real forecaster use it).
        holdout: the reference split: the validation split while training, the holdout
            for ``evaluate``.
        codec: the run's codec: ``normalise(x (N, T, C)) -> float32 (N, T', C)`` (the
            space scores compare in: scaled levels, or scaled log-returns with T' = T − 1)
            and ``columns`` (the value columns' names).
        device: where the post-hoc GRUs train.
        log: receives one-line progress messages.
        repeats, disc_steps, pred_steps: the discriminative score's runs and training
            steps, the predictive score's training steps; None = :data:`REPEATS`,
            :data:`DISC_STEPS`, :data:`PRED_STEPS` (TimeGAN's 5, 2000, 5000).
    """

    def __init__(
        self,
        train: Dataset,
        holdout: Dataset,
        codec: Any,
        *,
        device: str = "cpu",
        log: Callable[[str], None] = print,
        repeats: int | None = None,
        disc_steps: int | None = None,
        pred_steps: int | None = None,
    ):
        self.train, self.holdout, self.codec, self.device, self.log = train, holdout, codec, device, log
        self.repeats = REPEATS if repeats is None else repeats
        self.disc_steps = DISC_STEPS if disc_steps is None else disc_steps
        self.pred_steps = PRED_STEPS if pred_steps is None else pred_steps
        self.columns = [str(c) for c in codec.columns]
        self.train_n = self._normalise(train.x)
        self.hold_n = self._normalise(holdout.x)
        flat = tm.flatten(self.hold_n)
        self._mean: np.ndarray | None = None
        self._axes: np.ndarray | None = None
        if flat.shape[1] > MAX_FD_FEATURES and len(flat) >= 2:
            self._mean = flat.mean(axis=0)
            _, _, vt = np.linalg.svd(flat - self._mean, full_matrices=False)
            self._axes = vt[:FD_COMPONENTS]
        self._ref_features = self._features(self.hold_n)

    def _normalise(self, x: Any) -> np.ndarray:
        return np.asarray(self.codec.normalise(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def _features(self, xn: np.ndarray) -> np.ndarray:
        """FD features of normalised windows (N, T, C): (N, T·C), or (N, ≤ 64) projected."""
        flat = tm.flatten(xn)
        if self._axes is None or self._mean is None:
            return flat
        return (flat - self._mean) @ self._axes.T

    def _fd(self, xn: np.ndarray) -> float:
        feats = self._features(xn)
        if len(feats) < 2 or not np.isfinite(feats).all():
            return math.inf
        return tm.frechet_distance(feats, self._ref_features)

    # -- the Scorer protocol --------------------------------------------------------------

    def fake_labels(self, n: int, seed: int) -> np.ndarray | None:
        """Labels (n,) for conditional samples in the reference split's class proportions."""
        return proportional_labels(self.holdout.y, n, seed)

    def sizes(self, n: int) -> int:
        """Windows :meth:`full` wants for ``n`` asked: at most as many as the larger real
        split (the predictive score then trains on as many synthetic as real windows)."""
        return min(n, max(len(self.train), len(self.holdout)))

    def quick(self, fake_x: Any, fake_y: np.ndarray | None = None) -> dict[str, Any]:
        """FD (inf when undefined) and ACF distance of windows (N, T, C; user units)
        against the whole reference split; ``n``: N. Cheap (no network is trained); windows
        carry no class, ``fake_y`` is not scored."""
        fake = self._normalise(fake_x)
        return {"fd": self._fd(fake), "acf_distance": tm.acf_distance(self.hold_n, fake), "n": len(fake)}

    def full(
        self,
        fake_x: Any,
        fake_y: np.ndarray | None,
        *,
        seed: int = 0,
        untrained_x: Any = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        """Every score of windows ``fake_x`` (N, T, C; user units; ``fake_y``: the labels
        they were generated for, or None) against the whole reference split, beside the
        same score of real training windows (FD's floor: N of them, drawn with ``seed``);
        ``untrained_x`` adds ``fd_untrained``; labelled data with ``fake_y`` adds
        ``per_group`` (per class: discriminative score of one run, ACF distance) and
        ``worst_group``. ``picture`` (a PNG path) gets the PCA (a UMAP beside it with
        ``umap``), and ``tsne.png``, ``paths.png``, ``acf.png`` and ``stylised.png`` (with
        a price column) beside it, listed in ``figures``. Floats, NaN where undefined."""
        fake = self._normalise(fake_x)
        ref, train = self.hold_n, self.train_n
        rng = np.random.default_rng(seed)
        floor_rows = rng.permutation(len(train))[: max(len(fake), 2)]
        self.log(
            f"scoring {len(fake)} synthetic windows against {len(ref)} held-out ones (post-hoc GRUs: "
            f"{self.repeats} × {self.disc_steps} steps three times, {self.pred_steps} twice, on {self.device})"
        )
        disc, disc_std = self._disc(ref, fake, seed, self.repeats)
        disc_floor, _ = self._disc(ref, train, seed, self.repeats)
        # TimeGAN's own protocol compares with the windows it trained on (the paper's numbers)
        disc_train, disc_train_std = self._disc(train, fake, seed, self.repeats)
        out: dict[str, Any] = {
            "n": len(fake),
            "n_real": len(ref),
            "reference": reference_name(self.holdout),
            "fd": self._fd(fake),
            "fd_real_floor": self._fd(train[floor_rows]),
            "discriminative_score": disc,
            "discriminative_score_std": disc_std,
            "discriminative_score_floor": disc_floor,
            "discriminative_score_train": disc_train,
            "discriminative_score_train_std": disc_train_std,
            "predictive_score": self._pred(fake, ref, seed),
            "predictive_score_real": self._pred(train, ref, seed),
            "acf_distance": tm.acf_distance(ref, fake),
            "acf_distance_floor": tm.acf_distance(ref, train),
        }
        if untrained_x is not None:
            out["fd_untrained"] = self._fd(self._normalise(untrained_x))
        price = tm.price_column(self.columns, self.holdout.x)
        if price is not None:
            out.update(self._facts(np.asarray(fake_x, dtype=np.float64), self.columns.index(price)))
        if fake_y is not None and self.holdout.y is not None:
            out.update(self._per_class(fake, np.asarray(fake_y).reshape(-1), seed))
        if self.train.y is not None:  # unconditional: the class a forest on the training windows predicts
            groups = (
                fake_y
                if fake_y is not None
                else fairness.assign_groups(
                    np.nan_to_num(tm.flatten(train)), self.train.y, np.nan_to_num(tm.flatten(fake)), seed=seed
                )
            )
            names = self.train.class_names or [str(c) for c in range(int(self.train.y.max()) + 1)]
            out.update(fairness.representation(self.train.y, np.asarray(groups).reshape(-1), names))
        if picture is not None:
            facts = out.get("stylised_facts")
            out["figures"] = self._pictures(
                Path(picture), fake, np.asarray(fake_x, dtype=np.float64), fake_y, facts, seed=seed, umap=umap
            )
        return out

    # -- parts ----------------------------------------------------------------------------

    def _disc(self, real: np.ndarray, fake: np.ndarray, seed: int, repeats: int) -> tuple[float, float]:
        return tm.discriminative_score(
            real, fake, seed=seed, repeats=repeats, steps=self.disc_steps, device=self.device
        )

    def _pred(self, train_x: np.ndarray, test_x: np.ndarray, seed: int) -> float:
        return tm.predictive_score(train_x, test_x, seed=seed, steps=self.pred_steps, device=self.device)

    def _facts(self, fake_x: np.ndarray, column: int) -> dict[str, Any]:
        """The stylised facts' gaps to the reference (synthetic and real training windows)
        and the values themselves under ``stylised_facts``."""
        values = {
            "synthetic": tm.stylised_facts(fake_x, column),
            "holdout": tm.stylised_facts(self.holdout.x, column),
            "train": tm.stylised_facts(self.train.x, column),
        }
        out: dict[str, Any] = {}
        for key in FACTS:
            ref = values["holdout"][key]
            out[f"{key}_gap"] = abs(values["synthetic"][key] - ref)
            out[f"{key}_gap_floor"] = abs(values["train"][key] - ref)
        out["stylised_facts"] = {"column": self.columns[column], **values}
        return out

    def _per_class(self, fake: np.ndarray, fake_y: np.ndarray, seed: int) -> dict[str, Any]:
        """Discriminative score (one run) and ACF distance of each class with at least
        MIN_CLASS_WINDOWS windows on both sides; the worst class by the former."""
        assert self.holdout.y is not None
        names = self.holdout.class_names or [str(c) for c in np.unique(self.holdout.y)]
        per_group: dict[str, dict[str, Any]] = {}
        for c, name in enumerate(names):
            real, mine = self.hold_n[self.holdout.y == c], fake[fake_y == c]
            if len(real) < MIN_CLASS_WINDOWS or len(mine) < MIN_CLASS_WINDOWS:
                continue
            per_group[str(name)] = {
                "discriminative_score": self._disc(real, mine, seed, 1)[0],
                "acf_distance": tm.acf_distance(real, mine),
                "n_real": len(real),
                "n_synthetic": len(mine),
            }
        return {
            "per_group": per_group,
            "worst_group": fairness.worst_group(per_group, "discriminative_score", higher_is_better=False),
        }

    def _pictures(
        self,
        picture: Path,
        fake: np.ndarray,
        fake_x: np.ndarray,
        fake_y: np.ndarray | None,
        facts: dict[str, Any] | None,
        *,
        seed: int,
        umap: bool,
    ) -> list[dict[str, str]]:
        """The PCA at ``picture`` and the kind's own pictures beside it (the stylised
        facts' when ``facts``, the values :meth:`_facts` gave, name a column); their entries."""
        from scigan.modalities.timeseries import plots
        from scigan.report.embedding import plot_embedding

        folder = picture.parent
        folder.mkdir(parents=True, exist_ok=True)
        real_flat, fake_flat = tm.flatten(self.hold_n), tm.flatten(fake)
        labels: dict[str, Any] = dict(
            real_labels=self.holdout.y,
            fake_labels=None if fake_y is None else np.asarray(fake_y).reshape(-1),
            class_names=self.holdout.class_names,
        )
        plot_embedding(
            real_flat,
            fake_flat,
            picture,
            **labels,
            max_points=PICTURE_POINTS,
            seed=seed,
            umap=umap,
            title="Normalised windows (flattened): held-out (dots), synthetic (crosses), PCA",
        )
        provenance = {"Software": "scigan evaluate", "Synthetic": "the orange curves, crosses and lower panels"}
        plots.plot_tsne(
            real_flat, fake_flat, folder / "tsne.png", provenance, **labels, max_points=PICTURE_POINTS, seed=seed
        )
        plots.paths_figure(fake_x, self.holdout.x, self.columns, folder / "paths.png", provenance, seed=seed)
        lags = max(min(self.hold_n.shape[1] - 1, PICTURE_LAGS), 1)
        plots.plot_acf(
            tm.window_acf(self.hold_n, lags), tm.window_acf(fake, lags), self.columns, folder / "acf.png", provenance
        )
        out = [
            {"file": "tsne.png", "caption": "t-SNE of held-out real and synthetic windows (flattened, normalised)"},
            {
                "file": "paths.png",
                "caption": "A few held-out real windows (top) and synthetic windows (bottom), in the data's units",
            },
            {"file": "acf.png", "caption": "Mean autocorrelation within a window by lag: held-out real and synthetic"},
        ]
        if facts is not None:
            price = str(facts["column"])
            column, lags = self.columns.index(price), max(min(self.hold_n.shape[1] - 2, PICTURE_LAGS), 1)
            real_curves = tm.stylised_curves(self.holdout.x, column, lags)
            fake_curves = tm.stylised_curves(fake_x, column, lags)
            shown = {"real": facts["holdout"], "synthetic": facts["synthetic"]}
            plots.plot_stylised(real_curves, fake_curves, shown, price, folder / "stylised.png", provenance)
            out.append(
                {
                    "file": "stylised.png",
                    "caption": f"Stylised facts of the {price} log-returns: tails, volatility clustering, leverage",
                }
            )
        return out
