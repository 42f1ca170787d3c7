"""The metric registry: every score declared once, with what it means and which way is good.

A :class:`Score` names a key of the dicts that scorers return (``evaluate``'s full scores
and the quick scores of training), its label, its direction (lower, higher, or closest
to an ideal value), the key of its real-vs-real floor (or other reference value) and a
one-line meaning. ``scigan evaluate``'s text (:mod:`scigan.metrics.text`), the report's
tables and curves, the progress bar and checkpoint choice read these declarations; none
of them sniffs result keys.

The scores every kind may produce are declared here (:data:`SHARED`); a data kind
declares its own in its package (``DataKind.scores``), a task its own (``Task.scores``);
:mod:`scigan.metrics.declared` gathers those of a kind, a task or a run. :class:`Fact`
declares a value a score depends on (sample sizes, the extractor's hash). Standard
library only, and nothing of scigan: the kinds and tasks import it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: What ``Score.direction`` takes.
DIRECTIONS = ("lower", "higher", "ideal")


@dataclass(frozen=True)
class Score:
    """One declared score.

    Attributes:
        key: the key in a scorer's result dict, e.g. ``"fd"``.
        label: how people read it, e.g. ``"FD"`` (units in brackets: ``"PSNR (dB)"``).
        direction: ``"lower"`` or ``"higher"`` is better, or ``"ideal"``: closest to
            ``ideal`` is best (0.5 for a detection or membership AUC).
        meaning: one line saying what it measures.
        floor: the key of the value to read it against (its real-vs-real floor, or a
            baseline's value), or "".
        floor_label: how that value is named beside it.
        ideal: the best value, for direction ``"ideal"`` (else None).
        spread: the key of its standard deviation (shown as ± beside it), or "".
        untrained: the key of an untrained generator's value (the far end of the scale), or "".
        fmt: the format spec of its value, e.g. ``".3f"``.
    """

    key: str
    label: str
    direction: str
    meaning: str
    floor: str = ""
    floor_label: str = "real-vs-real"
    ideal: float | None = None
    spread: str = ""
    untrained: str = ""
    fmt: str = ".3f"

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"score {self.key!r}: direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if (self.direction == "ideal") != (self.ideal is not None):
            raise ValueError(f"score {self.key!r}: give an ideal value exactly when the direction is 'ideal'")
        format(1.0, self.fmt)  # a bad format spec fails here, not when printing

    @property
    def hint(self) -> str:
        """Which way is good, in a few words: ``"lower is better"``, ``"0.5 is ideal"``."""
        if self.direction == "ideal":
            return f"{self.ideal:g} is ideal"
        return f"{self.direction} is better"

    def badness(self, value: float) -> float:
        """``value`` on a scale where lower is better (NaN stays NaN)."""
        if self.direction == "lower":
            return float(value)
        if self.direction == "higher":
            return -float(value)
        return abs(float(value) - float(self.ideal))  # type: ignore[arg-type]

    def better(self, value: float, than: float | None) -> bool:
        """Whether ``value`` beats ``than`` (None or NaN: anything finite beats it; a NaN
        value beats nothing)."""
        if not _is_number(value) or math.isnan(value):
            return False
        if than is None or math.isnan(than):
            return True
        return self.badness(value) < self.badness(than)

    def format(self, value: Any) -> str:
        """``value`` written with ``fmt`` ("—" when missing, as is for non-numbers)."""
        if value is None:
            return "—"
        if not _is_number(value):
            return str(value)
        return format(value, self.fmt)


@dataclass(frozen=True)
class Fact:
    """A value a score depends on, e.g. the sample size or the extractor's hash."""

    key: str
    label: str


#: The scores any kind's scorer may return: feature-space distances (FD, KID), PRDC,
#: class scores of labelled images, and the detection, utility and privacy scores.
SHARED: tuple[Score, ...] = (
    Score(
        "uniqueness",
        "uniqueness",
        "higher",
        "share of distinct samples among the synthetic ones (molecules: the first 10,000 valid, MOSES's unique@10k)",
    ),
    Score(
        "fd",
        "FD",
        "lower",
        "Fréchet distance between real and synthetic features",
        floor="fd_real_floor",
        floor_label="real-vs-real floor",
        untrained="fd_untrained",
    ),
    Score(
        "kid",
        "KID",
        "lower",
        "kernel (MMD) distance of the features, unbiased at small n",
        floor="kid_real_floor",
        floor_label="floor",
        spread="kid_std",
        fmt=".5f",
    ),
    Score("precision", "precision", "higher", "share of samples inside the real data's k-NN balls (fidelity)"),
    Score("recall", "recall", "higher", "share of real samples reached by the samples' k-NN balls (diversity)"),
    Score(
        "density", "density", "ideal", "fidelity robust to outliers; about 1 when samples match real data", ideal=1.0
    ),
    Score("coverage", "coverage", "higher", "share of real neighbourhoods holding at least one sample"),
    Score("class_coverage", "class coverage", "higher", "share of classes the samples cover (low: mode collapse)"),
    Score("label_accuracy", "label accuracy", "higher", "the extractor predicts the label a sample was generated for"),
    Score(
        "detection_auc",
        "detection AUC",
        "ideal",
        "a random forest telling real from synthetic; 0.5 cannot",
        floor="detection_auc_real",
        ideal=0.5,
    ),
    Score(
        "utility_tstr",
        "utility (TSTR)",
        "higher",
        "the label predicted on held-out rows by a model trained on synthetic rows",
        floor="utility_trtr",
        floor_label="train on real",
    ),
    Score("utility_ratio", "utility ratio", "higher", "TSTR / TRTR: 1 is as useful as the real rows"),
    Score(
        "dcr_closer_to_train_share",
        "DCR closer to train",
        "ideal",
        "share of synthetic rows nearer a training row than any held-out row",
        ideal=0.5,
    ),
    Score(
        "dcr_median_train",
        "DCR median to train",
        "higher",
        "median distance of a synthetic row to its nearest training row (0: copies)",
        floor="dcr_median_holdout",
        floor_label="to the holdout",
    ),
    Score(
        "mia_auc", "membership AUC", "ideal", "a distance attack on training membership; 0.5 learns nothing", ideal=0.5
    ),
    Score(
        "mia_auc_logan",
        "membership AUC (LOGAN)",
        "ideal",
        "the run's own discriminator scoring training rows above held-out rows; 0.5 learns nothing, "
        "± the spread of a coin's AUC at these counts",
        spread="mia_auc_logan_chance_sd",
        ideal=0.5,
    ),
    Score(
        "mia_auc_domias",
        "membership AUC (DOMIAS)",
        "ideal",
        "a density-ratio attack (synthetic / reference density) on training membership; 0.5 learns nothing, "
        "± the spread of a coin's AUC at these counts",
        spread="mia_auc_domias_chance_sd",
        ideal=0.5,
    ),
    Score(
        "exact_copy_share",
        "exact copies",
        "lower",
        "share of synthetic samples identical in stored form to a training sample",
        floor="exact_copy_share_holdout",
        floor_label="holdout in train",
    ),
    Score(
        "representation_ratio_min",
        "representation ratio (worst group)",
        "ideal",
        "the least-generated group's synthetic share / real share (0: a group never generated)",
        ideal=1.0,
    ),
    Score(
        "equalized_odds_gap",
        "equalized-odds gap",
        "ideal",
        "largest TPR or FPR difference between groups of a forest trained on synthetic rows, on held-out rows",
        floor="equalized_odds_gap_real",
        floor_label="train on real",
        ideal=0.0,
    ),
)

#: What the scores depend on: shown beside them so two results are compared only alike.
FACTS: tuple[Fact, ...] = (
    Fact("n", "samples (n)"),
    Fact("n_reference", "reference rows"),
    Fact("reference", "reference split"),
    Fact("n_reference_available", "reference rows available"),
    Fact("extractor_hash", "feature extractor hash"),
    Fact("extractor_task", "extractor trained for"),
    Fact("extractor_test_accuracy", "extractor accuracy on the reference"),
    Fact("utility_metric", "utility measured as"),
    Fact("utility_note", "utility"),
    Fact("constant_columns", "constant columns (kept as they are)"),
    Fact("pca_components", "principal components of the feature space"),
    Fact("values", "expression values"),
    Fact("n_real", "held-out rows"),
    Fact("n_synthetic", "synthetic rows"),
    Fact("trusted", "large enough to trust"),
    Fact("under_represented", "under-represented groups (ratio < 0.8)"),
    Fact("equalized_odds_note", "equalized odds"),
    Fact("fairness_note", "fairness"),
    Fact("dp_epsilon", "DP ε spent"),
    Fact("dp_delta", "DP δ"),
    Fact("task", "task"),
    Fact("baseline", "baseline"),
    Fact("n_pictures", "held-out pictures"),
    Fact("held_out", "held out"),
    Fact("step", "generator step"),
    Fact("checkpoint", "checkpoint"),
    Fact("n_valid", "valid molecules"),
    Fact("n_floor", "real molecules in the floor"),
    Fact("filters_set", "MOSES filter set"),
)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def merged(*groups: Iterable[Score]) -> list[Score]:
    """The scores of ``groups`` in order, each key once (a later declaration of a key
    already declared is refused: a score has one meaning)."""
    out: dict[str, Score] = {}
    for group in groups:
        for score in group:
            if score.key in out and out[score.key] != score:
                raise ValueError(f"score {score.key!r} is declared twice, differently")
            out[score.key] = score
    return list(out.values())


def find(key: str, declared: Sequence[Score] = SHARED) -> Score | None:
    """The score declared under ``key`` in ``declared`` (default: the shared scores), or None."""
    return next((s for s in declared if s.key == key), None)


def label(key: str, declared: Sequence[Score] = SHARED) -> str:
    """The label of the score in ``declared`` or the fact called ``key`` (the key itself
    when neither is declared)."""
    found = find(key, declared) or next((f for f in FACTS if f.key == key), None)
    return key if found is None else found.label
