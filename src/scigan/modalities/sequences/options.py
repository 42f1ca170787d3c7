"""The sequences kind's options: the ``[sequences]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class SequenceOptions:
    """How sequences are read and how the sequence generator relaxes its letters."""

    alphabet: str = option(
        "auto",
        "dna, rna or protein; auto detects it from the letters.",
        OneOf(("auto", "dna", "rna", "protein")),
    )
    ambiguous: str = option(
        "auto",
        "IUPAC ambiguity codes (N, R, Y … in DNA; X, B, Z in protein): refuse (say which "
        "records hold them), drop those records, or sample a letter each code stands for; "
        "auto refuses them in the user's files and drops the few records of the splice built-in.",
        OneOf(("auto", "refuse", "drop", "sample")),
    )
    max_length: int = option(
        0,
        "Longest sequence (letters); shorter ones are padded with an end token the "
        "generator learns to emit. 0 = every sequence must have the same length.",
        Interval(0),
    )
    label_column: str = option("", "CSV/TSV: the column holding each sequence's class; empty = unlabelled.")
    label_field: str = option(
        "",
        "FASTA: the header token KEY=value (e.g. label) or the field number (1 = the ID) "
        "holding the class; empty takes a label= token when every header has one.",
    )
    sequence_column: str = option("", "CSV/TSV: the column holding the sequences; empty = sequence or seq.")
    relaxation: str = option(
        "straight",
        "How the generator emits letters: softmax (per-position probabilities), gumbel "
        "(Gumbel-softmax samples at --temperature) or straight (those samples made one-hot "
        "on the way forward, soft on the way back: the critic never sees blurred letters).",
        OneOf(("softmax", "gumbel", "straight")),
    )
    temperature: float = option(
        0.5,
        "Gumbel-softmax temperature (with --relaxation gumbel or straight); on splice, 0.5 "
        "reached detection AUC 0.81 in 3 CPU minutes against 0.85 at 1 and 0.91 at 0.25.",
        Interval(0, low_open=True),
    )
    dilation: bool = option(
        False, "Dilated residual convolutions (rates 1, 2, 4, …) for long sequences such as proteins."
    )
    self_attention: bool = option(False, "A self-attention block in both networks (ProteinGAN's choice).")
    feedback: str = option(
        "",
        "FBGAN's feedback: Python code scoring sequences (module:function or file.py:name, a "
        "function of a list of strings or a model with predict_proba); every --feedback-every "
        "steps, generated sequences scoring above --feedback-threshold replace the oldest "
        "training rows. Pickled model files are refused. Empty = off.",
    )
    feedback_every: int = option(100, "Steps between feedback rounds.", Interval(1))
    feedback_threshold: float = option(0.5, "Generated sequences scoring strictly above it join the training rows.")
    feedback_samples: int = option(256, "Sequences generated per feedback round.", Interval(1))
