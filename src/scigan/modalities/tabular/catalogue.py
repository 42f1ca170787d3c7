"""The table built-ins, as plain metadata (standard library only; nothing is read here).
Their readers are in :mod:`scigan.modalities.tabular.io`."""

from __future__ import annotations

from scigan.datasets import DatasetEntry, has_module

BUILTINS: tuple[DatasetEntry, ...] = (
    DatasetEntry(
        name="breast-cancer",
        modality="tabular",
        shape="569x31",
        class_names=("benign", "malignant"),
        source="scikit-learn (sklearn.datasets.load_breast_cancer)",
        install="pip install scikit-learn pandas",
        description="Wisconsin diagnostic breast cancer: 30 nuclear features + diagnosis (label 'target')",
        probe=lambda: has_module("sklearn") and has_module("pandas"),
    ),
    DatasetEntry(
        name="gbsg2",
        modality="tabular",
        shape="686x10",
        class_names=("0", "1"),
        source="lifelines (lifelines/datasets/gbsg2.csv)",
        install="pip install 'scigan[tabular]' (or: pip install lifelines pandas)",
        description="German Breast Cancer Study Group 2: mixed clinical table; "
        "label 'cens' (recurrence or death observed; its follow-up 'time' gives it away: "
        "--drop-columns time to predict it)",
        probe=lambda: has_module("lifelines") and has_module("pandas"),
    ),
)
