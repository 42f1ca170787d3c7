"""scikit-learn downstream models for tables and expression matrices, with the classic
remedies for rare classes: SMOTE (imbalanced-learn) and class re-weighting.

Features are float matrices (N, F): a table's rows through
:class:`scigan.modalities.tabular.metrics.TableFeatures` (fitted on the real training
rows), an expression matrix as log values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scigan.errors import ScienceError

#: The downstream models: ``logreg`` (standardised features, L2 logistic regression)
#: and ``gboost`` (scikit-learn's gradient boosting, 100 trees of depth 3).
MODELS = ("logreg", "gboost")
#: Classic remedies for tables: SMOTE oversampling or balanced class weights.
CLASSIC = ("smote", "reweight")


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Per-row weights n / (classes × n_c) for labels ``y`` (N,), so every class carries
    the same total weight (scikit-learn's "balanced")."""
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    return (len(y) / (len(classes) * counts))[inverse]


def smote(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """SMOTE up to the largest class: returns (x, y) with the input rows first and the
    new rows appended, and the number of new rows. Needs imbalanced-learn."""
    try:
        from imblearn.over_sampling import SMOTE
    except ImportError:
        raise ScienceError("SMOTE needs imbalanced-learn: pip install 'scigan[augment]'") from None
    smallest = int(np.bincount(y).astype(float)[np.unique(y)].min())
    if smallest < 2 or len(np.unique(y)) < 2:
        return x, y, 0
    xs, ys = SMOTE(k_neighbors=min(5, smallest - 1), random_state=seed).fit_resample(x, y)
    return np.asarray(xs), np.asarray(ys), len(ys) - len(y)


class TableClassifier:
    """A scikit-learn model (``logreg`` or ``gboost``) with the classic remedies.

    Args:
        model: one of :data:`MODELS`.
        classic: one of :data:`CLASSIC`, applied when :meth:`fit` is asked to.
        seed: seeds the model and SMOTE.
    """

    def __init__(self, model: str, classic: str, seed: int):
        if model not in MODELS:
            raise ScienceError(f"unknown classifier {model!r} for tables and expression; choose {', '.join(MODELS)}")
        if classic not in CLASSIC:
            raise ScienceError(f"unknown classic augmentation {classic!r}; choose {', '.join(CLASSIC)}")
        self.model, self.classic, self.seed = model, classic, seed
        self.estimator: Any = None

    def _make(self) -> Any:
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.model == "logreg":
            return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=self.seed))
        return GradientBoostingClassifier(random_state=self.seed)

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        synthetic: tuple[np.ndarray, np.ndarray] | None = None,
        mix: float = 0.0,
        augment: bool = False,
    ) -> TableClassifier:
        """Fit on ``x`` (N, F) with labels ``y`` (N,) plus ``synthetic`` (x, y) when given;
        with ``mix`` in (0, 1) the synthetic rows carry that share of the total weight.
        ``augment`` applies the classic remedy (SMOTE on everything, or balanced weights)."""
        weights = np.ones(len(y))
        if synthetic is not None and len(synthetic[1]):
            sx, sy = synthetic
            w = mix / (1 - mix) * len(y) / len(sy) if mix > 0 else 1.0
            x, y = np.concatenate([x, sx]), np.concatenate([y, sy])
            weights = np.concatenate([weights, np.full(len(sy), w)])
        if augment and self.classic == "smote":
            x, y, added = smote(x, y, self.seed)
            weights = np.concatenate([weights, np.ones(added)])
        elif augment:
            weights = weights * balanced_weights(y)
        self.estimator = self._make()
        key = "logisticregression__sample_weight" if self.model == "logreg" else "sample_weight"
        self.estimator.fit(x, y, **{key: weights})
        self.classes_ = self.estimator.classes_
        return self

    def predict_proba(self, x: np.ndarray, num_classes: int) -> np.ndarray:
        """Probabilities (N, num_classes); classes the training data lacked get 0."""
        out = np.zeros((len(x), num_classes))
        out[:, self.classes_] = self.estimator.predict_proba(x)
        return out
