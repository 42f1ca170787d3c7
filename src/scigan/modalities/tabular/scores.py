"""The table kind's own scores (SDMetrics' quality report); the shared ones (FD,
detection, utility, privacy) are in :mod:`scigan.metrics.registry`. Standard library only."""

from scigan.metrics.registry import Score

SCORES: tuple[Score, ...] = (
    Score(
        "fidelity",
        "fidelity",
        "higher",
        "mean of per-column and per-pair similarity; 1 is identical",
        floor="fidelity_real_floor",
    ),
    Score(
        "column_shapes",
        "column shapes",
        "higher",
        "per column 1 − KS statistic (numbers) or 1 − TV distance (categories), averaged",
        floor="column_shapes_real_floor",
    ),
    Score(
        "column_pairs",
        "column pairs",
        "higher",
        "per column pair correlation or contingency similarity, averaged",
        floor="column_pairs_real_floor",
    ),
    Score(
        "fidelity_gap",
        "fidelity gap",
        "lower",
        "a group's real-vs-real fidelity minus its synthetic fidelity (per group)",
    ),
)
