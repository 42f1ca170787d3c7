"""Measuring synthetic cells against held-out real cells.

All scores compare log-normalised expression (see :meth:`ExpressionCodec.log_expression`):
per-gene mean and variance agreement (Pearson r across genes), the correlation of the
gene–gene correlation matrices of the most variable genes, the Fréchet distance and an
RBF-kernel MMD in the space of the first 50 principal components of the real cells
(both splits), a random-forest detection AUC in that space (as scGAN reports it), cell-type
utility, privacy, and the same per cell type.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scigan.metrics import fairness, fidelity, privacy, utility
from scigan.metrics.detection import mean_detection
from scigan.metrics.scorer import reference_name
from scigan.modalities.base import Dataset, proportional_labels
from scigan.modalities.expression.codec import ExpressionCodec

#: Principal components of the feature space, and genes in the correlation comparison.
COMPONENTS = 50
TOP_GENES = 200
#: Cell types with fewer held-out cells than this are not scored on their own.
MIN_GROUP_CELLS = 5


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two vectors (0 when either is constant)."""
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def gene_agreement(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """Pearson r across genes of the per-gene means and of the per-gene variances of two
    log-expression matrices (cells, genes); 1.0 is perfect agreement."""
    return {"gene_mean_r": _pearson(real.mean(0), fake.mean(0)), "gene_var_r": _pearson(real.var(0), fake.var(0))}


def correlation_of_correlations(real: np.ndarray, fake: np.ndarray, genes: np.ndarray) -> float:
    """Pearson r between the upper triangles of the gene–gene correlation matrices of the
    ``genes`` columns of ``real`` and ``fake`` (constant genes count as uncorrelated)."""

    def corr(x: np.ndarray) -> np.ndarray:
        x = x[:, genes] - x[:, genes].mean(0)
        norm = np.sqrt((x**2).sum(0))
        norm[norm == 0] = np.inf
        return (x.T @ x) / np.outer(norm, norm)

    upper = np.triu_indices(len(genes), 1)
    return _pearson(corr(real)[upper], corr(fake)[upper])


def mmd_rbf(a: np.ndarray, b: np.ndarray, bandwidth: float) -> float:
    """Biased MMD² with the kernel exp(−‖x − y‖² / (2 bandwidth²)) between rows of ``a``
    and ``b``; 0 for identical sets."""

    def kernel(x: np.ndarray, y: np.ndarray) -> float:
        d = (x**2).sum(1)[:, None] + (y**2).sum(1)[None] - 2 * x @ y.T
        return float(np.exp(-np.maximum(d, 0) / (2 * bandwidth**2)).mean())

    return kernel(a, a) + kernel(b, b) - 2 * kernel(a, b)


class ExpressionScorer:
    """Scores synthetic cells against the held-out cells (see the module docstring)."""

    def __init__(
        self,
        train: Dataset,
        holdout: Dataset,
        codec: ExpressionCodec,
        *,
        log: Callable[[str], None] = print,
        seed: int = 0,
    ):
        from sklearn.decomposition import PCA

        self.train, self.holdout, self.codec, self.log = train, holdout, codec, log
        self.real_train = codec.log_expression(train.x)
        self.real_hold = codec.log_expression(holdout.x)
        # fitted on both real splits: fitted on one only, its trailing components carry
        # that split's noise and set it apart from the other (real-vs-real AUC ≫ 0.5)
        both = np.concatenate([self.real_train, self.real_hold])
        k = min(COMPONENTS, both.shape[0] - 1, both.shape[1])
        self.pca = PCA(n_components=k, random_state=seed).fit(both)
        self.f_train = self.pca.transform(self.real_train)
        self.top = np.argsort(self.real_train.var(0))[::-1][:TOP_GENES]
        d = ((self.f_train[:, None] - self.f_train[None, :200]) ** 2).sum(-1)
        self.bandwidth = float(np.sqrt(np.median(d[d > 0]) / 2)) or 1.0

    def fake_labels(self, n: int, seed: int) -> np.ndarray | None:
        """Cell types for ``n`` conditional cells, in the holdout's proportions."""
        return proportional_labels(self.holdout.y, n, seed)

    def sizes(self, n: int) -> int:
        """Cells to generate: as many as the training split (utility trains on them)."""
        return max(len(self.train), min(n, len(self.holdout)))

    def quick(self, fake: np.ndarray, fake_y: np.ndarray | None = None) -> dict[str, Any]:
        """Scores against the training cells only (model selection never looks at the
        holdout): ``fd_train``, the FD in the PCA space; ``close_share``, the share of
        synthetic cells nearer a training cell than training cells lie to each other
        (:func:`privacy.close_share`, 0.5 for fresh cells); ``fd_copy_penalised``, the
        checkpoint choice (the kind's ``selects``), ``fd_train`` times max(1, 2
        ``close_share``), so a generator that copies its training cells is not kept for an
        FD it gets by copying; gene mean agreement (``fake_y`` is not scored: no cell-type
        classifier is trained while training)."""
        lx = self.codec.log_expression(fake)
        f_fake = self.pca.transform(lx)
        fd, close = fidelity.frechet_distance(self.f_train, f_fake), privacy.close_share(f_fake, self.f_train)
        return {
            "fd_copy_penalised": fd * max(1.0, 2 * close),
            "fd_train": fd,
            "close_share": close,
            "gene_mean_r": gene_agreement(self.real_train, lx)["gene_mean_r"],
            "n": len(fake),
            "reference": "train",
        }

    def full(
        self,
        fake: np.ndarray,
        fake_y: np.ndarray | None,
        *,
        seed: int = 0,
        untrained_x: np.ndarray | None = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        """Every score of ``fake`` (cells, genes) against the holdout, beside the same
        score of real training cells (the floor)."""
        rng = np.random.default_rng(seed)
        m = len(self.holdout)
        lx = self.codec.log_expression(fake)
        rows = rng.permutation(len(self.train))
        floor, same = self.real_train[rows[: len(fake)]], self.real_train[rows[:m]]
        f_fake, f_hold = self.pca.transform(lx), self.pca.transform(self.real_hold)
        f_floor, f_same = self.pca.transform(floor), self.pca.transform(same)
        few = rng.permutation(len(fake))[:m]
        self.log(f"scoring {len(fake)} synthetic cells against {m} held-out cells")
        fake_g, floor_g = gene_agreement(self.real_hold, lx), gene_agreement(self.real_hold, floor)
        out: dict[str, Any] = {
            "n": len(fake),
            "n_reference": m,
            "reference": reference_name(self.holdout),
            "values": self.codec.values,
            "pca_components": int(self.pca.n_components_),
            "gene_mean_r": fake_g["gene_mean_r"],
            "gene_mean_r_real_floor": floor_g["gene_mean_r"],
            "gene_var_r": fake_g["gene_var_r"],
            "gene_var_r_real_floor": floor_g["gene_var_r"],
            "corr_of_corr": correlation_of_correlations(self.real_hold, lx, self.top),
            "corr_of_corr_real_floor": correlation_of_correlations(self.real_hold, floor, self.top),
            "fd": fidelity.frechet_distance(f_hold, f_fake),
            "fd_real_floor": fidelity.frechet_distance(f_hold, f_floor),
            "mmd": mmd_rbf(f_hold, f_fake[few], self.bandwidth),
            "mmd_real_floor": mmd_rbf(f_hold, f_same, self.bandwidth),
            "detection_auc": mean_detection(f_hold, f_fake[rng.permutation(len(fake))], seed),
            "detection_auc_real": mean_detection(f_hold, self.pca.transform(self.real_train[rows]), seed),
            **privacy.dcr_scores(f_fake, f_same, f_hold),
            "mia_auc": privacy.membership_auc(f_fake, f_same, f_hold),
        }
        if untrained_x is not None:
            f_untrained = self.pca.transform(self.codec.log_expression(untrained_x))
            out["fd_untrained"] = fidelity.frechet_distance(f_hold, f_untrained)
        if self.holdout.y is not None and self.train.y is not None and fake_y is not None:
            out.update(
                utility.utility_scores(
                    (f_fake, fake_y), (self.f_train, self.train.y), (f_hold, self.holdout.y), seed=seed
                )
            )
            out.update(self._per_group(lx, f_fake, fake_y, seed))
        else:
            out.update(
                {
                    "utility_ratio": None,
                    "worst_group": None,
                    "utility_note": "unconditional or unlabelled: no cell types to predict or group by",
                }
            )
        if self.train.y is not None:  # unconditional: the cell type a forest on the training cells predicts
            groups = fake_y if fake_y is not None else fairness.assign_groups(self.f_train, self.train.y, f_fake)
            out.update(fairness.representation(self.train.y, np.asarray(groups), list(self.train.class_names)))
        if picture is not None:
            from scigan.report.embedding import plot_embedding

            plot_embedding(
                f_hold,
                f_fake,
                picture,
                real_labels=self.holdout.y,
                fake_labels=fake_y,
                class_names=self.holdout.class_names,
                seed=seed,
                umap=umap,
                title="Log expression: held-out real (dots) and synthetic (crosses), PCA",
            )
        return out

    def _per_group(self, lx: np.ndarray, f_fake: np.ndarray, fake_y: np.ndarray, seed: int) -> dict[str, Any]:
        """Detection AUC and gene agreement per cell type; the worst type and the gap."""
        per_group: dict[str, dict[str, float]] = {}
        assert self.holdout.y is not None  # scored per group only when labelled
        for c, name in enumerate(self.holdout.class_names):
            real = np.asarray(self.holdout.y == c)
            mine = np.flatnonzero(fake_y == c)[: max(int(real.sum()), MIN_GROUP_CELLS)]
            if real.sum() < MIN_GROUP_CELLS or len(mine) < MIN_GROUP_CELLS:
                continue
            g = gene_agreement(self.real_hold[real], lx[mine])
            per_group[name] = {
                "detection_auc": mean_detection(
                    self.pca.transform(self.real_hold[real]), f_fake[np.flatnonzero(fake_y == c)], seed
                ),
                **g,
                "n_real": int(real.sum()),
                "n_synthetic": len(mine),
            }
        return {
            "per_group": per_group,
            "worst_group": fairness.worst_group(per_group, "detection_auc", higher_is_better=False),
        }
