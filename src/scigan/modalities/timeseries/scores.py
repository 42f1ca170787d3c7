"""The time-series kind's own scores: TimeGAN's post-hoc discriminative and predictive
scores (Yoon et al. 2019), the ACF distance and the stylised facts of financial returns.
The shared ones (FD with its floor and untrained value) are in
:mod:`scigan.metrics.registry`.

Every score stands beside a reference: its real-vs-real floor (real training windows
against the held-out ones) or, for the predictive score, the same forecaster trained on
real windows. The stylised facts are "closest to the held-out value is best", which the
registry's directions cannot say of a value whose target is data: each is declared as
its gap |synthetic − held-out| (lower is better) beside the gap of real training windows;
the values themselves are under ``stylised_facts`` in the result. Standard library only.
"""

from scigan.metrics.registry import Score

#: The stylised facts (keys of the ``*_gap`` scores) and how they are named.
FACT_LABELS: dict[str, str] = {
    "kurtosis": "excess kurtosis",
    "vol_clustering": "volatility clustering",
    "leverage": "leverage effect",
}

_FACT_MEANINGS: dict[str, str] = {
    "kurtosis": "excess kurtosis of the log-returns pooled",
    "vol_clustering": "mean over lags 1–5 of the correlation of |r_t| with |r_t+k|",
    "leverage": "mean over lags 1–5 of the correlation of r_t with |r_t+k|",
}

SCORES: tuple[Score, ...] = (
    Score(
        "discriminative_score",
        "discriminative score",
        "lower",
        "|accuracy − 0.5| of a GRU classifier telling held-out from synthetic windows (TimeGAN; 0: indistinguishable)",
        floor="discriminative_score_floor",
        floor_label="real-vs-real floor",
        spread="discriminative_score_std",
    ),
    Score(
        "discriminative_score_train",
        "discriminative score (vs training windows)",
        "lower",
        "TimeGAN's own protocol: the same classifier telling the training windows from synthetic ones "
        "(comparable with the paper's numbers; a copy of the training data scores 0)",
        spread="discriminative_score_train_std",
    ),
    Score(
        "predictive_score",
        "predictive score (MAE)",
        "lower",
        "MAE on held-out windows of a GRU forecasting the last column one step ahead, trained on synthetic ones",
        floor="predictive_score_real",
        floor_label="trained on real",
        fmt=".4f",
    ),
    Score(
        "acf_distance",
        "ACF distance",
        "lower",
        "mean |ACF gap| over columns and lags 1–10 of the mean per-window autocorrelation",
        floor="acf_distance_floor",
        floor_label="real-vs-real floor",
        fmt=".4f",
    ),
    *(
        Score(
            f"{name}_gap",
            f"{label} gap",
            "lower",
            f"|synthetic − held-out| of the {_FACT_MEANINGS[name]} (price column)",
            floor=f"{name}_gap_floor",
            floor_label="real-vs-real floor",
        )
        for name, label in FACT_LABELS.items()
    ),
)
