"""The molecules kind's own scores: the MOSES metric set (Polykovskiy et al. 2020). The
shared ones (FD, KID, PRDC, detection AUC) are in :mod:`scigan.metrics.registry`.

Every distribution score stands beside its real-vs-real floor: the same score of as
many real training molecules against the reference split. ``uniqueness`` (unique@10k) is
declared with the shared scores, as sequences report it too. Standard library only.
"""

from scigan.metrics.registry import Score

#: Per-molecule properties whose distributions are compared (keys of the ``*_w`` scores).
PROPERTY_LABELS: dict[str, str] = {
    "qed": "QED",
    "sa": "SA score",
    "logp": "logP",
    "mw": "molecular weight",
}

SCORES: tuple[Score, ...] = (
    Score("validity", "validity", "higher", "share of generated molecules RDKit parses and sanitises"),
    Score("uniqueness_1k", "unique@1k", "higher", "share of distinct molecules among the first 1,000 valid ones"),
    Score("novelty", "novelty", "higher", "share of the distinct valid molecules that are not in the training split"),
    Score(
        "int_div",
        "IntDiv",
        "higher",
        "internal diversity: 1 − mean Tanimoto similarity of Morgan fingerprints between valid molecules",
        floor="int_div_floor",
        floor_label="train molecules",
    ),
    Score(
        "fcd",
        "FCD",
        "lower",
        "Fréchet ChemNet Distance between valid generated and reference molecules",
        floor="fcd_real_floor",
        floor_label="real-vs-real floor",
        untrained="fcd_untrained",
    ),
    Score(
        "snn",
        "SNN",
        "higher",
        "mean Tanimoto similarity of a valid molecule to its nearest reference molecule (Morgan fingerprints)",
        floor="snn_floor",
        floor_label="train vs reference",
    ),
    Score(
        "frag",
        "Frag",
        "higher",
        "cosine similarity of the BRICS fragment counts to the reference's",
        floor="frag_floor",
        floor_label="train vs reference",
    ),
    Score(
        "scaf",
        "Scaf",
        "higher",
        "cosine similarity of the Bemis–Murcko scaffold counts to the reference's",
        floor="scaf_floor",
        floor_label="train vs reference",
    ),
    Score(
        "filters",
        "filters",
        "higher",
        "share of valid molecules passing the MOSES filters (PAINS, MCF, allowed atoms, no charge, rings < 8)",
        floor="filters_floor",
        floor_label="train molecules",
    ),
    *(
        Score(
            f"{name}_w",
            f"{label} W1",
            "lower",
            f"Wasserstein-1 distance of the {label} distribution to the reference's",
            floor=f"{name}_w_floor",
            floor_label="train vs reference",
            fmt=".4f",
        )
        for name, label in PROPERTY_LABELS.items()
    ),
)
