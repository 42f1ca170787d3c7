"""The expression kind's own scores, on log-normalised expression; the shared ones (FD,
detection, utility, privacy) are in :mod:`scigan.metrics.registry`. Standard library only."""

from scigan.metrics.registry import Score

SCORES: tuple[Score, ...] = (
    Score(
        "gene_mean_r",
        "gene mean r",
        "higher",
        "Pearson r across genes of the per-gene means",
        floor="gene_mean_r_real_floor",
    ),
    Score(
        "gene_var_r",
        "gene var r",
        "higher",
        "Pearson r across genes of the per-gene variances",
        floor="gene_var_r_real_floor",
    ),
    Score(
        "corr_of_corr",
        "corr of corr",
        "higher",
        "Pearson r between the gene–gene correlations of the most variable genes",
        floor="corr_of_corr_real_floor",
    ),
    Score(
        "mmd",
        "MMD (PCA)",
        "lower",
        "RBF-kernel MMD² in the principal components of the real cells",
        floor="mmd_real_floor",
        fmt=".4f",
    ),
    Score(
        "fd_copy_penalised",
        "FD × copying penalty",
        "lower",
        "FD against the training cells times max(1, 2 · close share): picks checkpoints, "
        "so copying training cells does not pay",
    ),
    Score("fd_train", "FD (training cells)", "lower", "FD of the PCA features against the training cells"),
    Score(
        "close_share",
        "close share",
        "ideal",
        "share of synthetic cells nearer a training cell than training cells lie to each other",
        ideal=0.5,
    ),
)
