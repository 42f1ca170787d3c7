"""Utility: train on synthetic, test on real (TSTR), against train on real (TRTR)."""

from __future__ import annotations

from typing import Any

import numpy as np


def forest(train_x: np.ndarray, train_y: np.ndarray, *, seed: int = 0, trees: int = 100) -> Any:
    """The utility scores' classifier: a seeded random forest of ``trees`` trees fitted on
    ``train_x`` (N, D) with labels ``train_y`` (N,)."""
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=trees, n_jobs=1, random_state=seed).fit(train_x, train_y)


def tstr(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, *, seed: int = 0, trees: int = 100
) -> float:
    """Balanced accuracy on the real test rows (``test_x`` (M, D), ``test_y`` (M,)) of a
    random forest trained on ``train_x`` (N, D) with labels ``train_y`` (N,).

    Balanced accuracy (the mean per-class recall) is defined for any number of classes,
    also when the training labels miss some; chance level is 1 / classes in ``test_y``.
    """
    from sklearn.metrics import balanced_accuracy_score

    model = forest(train_x, train_y, seed=seed, trees=trees)
    return float(balanced_accuracy_score(test_y, model.predict(test_x)))


def utility_scores(
    synthetic: tuple[np.ndarray, np.ndarray],
    real_train: tuple[np.ndarray, np.ndarray],
    real_test: tuple[np.ndarray, np.ndarray],
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """``utility_tstr`` (trained on synthetic), ``utility_trtr`` (trained on real) and their
    ratio ``utility_ratio`` (1.0: synthetic data is as useful as real), all tested on
    ``real_test``; each argument is (features (N, D), labels (N,))."""
    on_synthetic = tstr(*synthetic, *real_test, seed=seed)
    on_real = tstr(*real_train, *real_test, seed=seed)
    return {
        "utility_tstr": on_synthetic,
        "utility_trtr": on_real,
        "utility_ratio": on_synthetic / on_real if on_real > 0 else float("nan"),
        "utility_metric": "balanced accuracy of a random forest on the held-out real rows",
    }
