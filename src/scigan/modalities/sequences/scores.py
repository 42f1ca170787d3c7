"""The sequences kind's own scores; the shared ones (FD, KID, PRDC, class coverage,
detection AUC) are in :mod:`scigan.metrics.registry`. Standard library only."""

from scigan.metrics.registry import Score

#: Per-sequence properties whose distributions are compared (DNA/RNA, protein).
PROPERTIES: dict[str, tuple[str, ...]] = {
    "dna": ("gc", "length"),
    "rna": ("gc", "length"),
    "protein": ("length", "charge", "hydrophobicity", "weight", "pi"),
}
_PROPERTY_LABELS = {
    "gc": "GC content",
    "length": "length",
    "charge": "net charge (pH 7)",
    "hydrophobicity": "hydrophobicity (GRAVY)",
    "weight": "molecular weight",
    "pi": "isoelectric point",
}

SCORES: tuple[Score, ...] = (
    Score(
        "kmer_js",
        "k-mer JS",
        "lower",
        "Jensen–Shannon distance of the k-mer spectra (mean over k), against the holdout",
        floor="kmer_js_floor",
        floor_label="train vs holdout",
        untrained="kmer_js_untrained",
        fmt=".4f",
    ),
    Score(
        "position_tv",
        "position composition TV",
        "lower",
        "total variation between the per-position letter frequencies (fixed-length sets)",
        floor="position_tv_floor",
        floor_label="train vs holdout",
        fmt=".4f",
    ),
    Score(
        "nearest_identity_median",
        "identity to nearest training",
        "lower",
        "median identity (1 − normalised edit distance) of a synthetic sequence to its nearest training one",
        floor="nearest_identity_median_holdout",
        floor_label="holdout to train",
    ),
    *(
        Score(
            f"{name}_distance",
            f"{label} distance",
            "lower",
            f"Wasserstein-1 distance of the {label} distribution to the holdout's, in units of its spread",
            floor=f"{name}_distance_floor",
            floor_label="train vs holdout",
        )
        for name, label in _PROPERTY_LABELS.items()
    ),
)
