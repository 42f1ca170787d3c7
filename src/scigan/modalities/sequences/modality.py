"""The sequences modality: DNA, RNA and protein sequences for the core.

Stored form is an int8 token array (N, L) over the alphabet's letters (and an end
token for variable lengths, :mod:`.codec`); reading and writing FASTA and tables is in
:mod:`.io`, the networks in :mod:`.networks`, the scores in :mod:`.metrics`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, record_marks
from scigan.modalities.sequences.codec import SequenceCodec
from scigan.modalities.sequences.io import load_sequences, save_sequences

if TYPE_CHECKING:
    from torch import nn

    from scigan.core.feedback import FeedbackPlan
    from scigan.modalities.sequences.metrics import SequenceScorer

__all__ = ["SequenceModality", "load_sequences", "save_sequences"]

#: The architectures sequences can be trained with.
ARCHITECTURES = ("resnet1d",)
#: Critic steps per generator step with wgan, and both learning rates, when left at auto.
CRITIC_STEPS, LEARNING_RATE = 2, 5e-4
#: The networks' width when left at the core's 32: on splice, 3 CPU minutes at width 16
#: (2,540 steps) reached k-mer JS 0.135 and detection AUC 0.85, against 0.17 and 0.92 at 32
#: (1,640 steps) and 0.21 and 0.92 at 8.
WIDTH = 16


class SequenceModality:
    """Sequences: readers, writers, codec, networks and scores for the core."""

    name = "sequences"

    def load(self, source: Any, **options: Any) -> Dataset:
        """A built-in (``splice``, ``amp``), a FASTA or CSV/TSV file, or a list of strings
        (see :func:`~scigan.modalities.sequences.io.load_sequences` for ``options``)."""
        return load_sequences(source, **options)

    def read(self, config: Any, source: Any = None) -> Dataset:
        """The sequences ``config.data`` names (or ``source``: a list of strings or a
        DataFrame), read with the config's ``[sequences]`` options."""
        o = config.data_options
        data = self.load(
            config.data if source is None else source,
            alphabet=o.alphabet,
            ambiguous=o.ambiguous,
            max_length=o.max_length,
            label_column=o.label_column,
            label_field=o.label_field,
            sequence_column=o.sequence_column,
            seed=config.seed,
        )
        if source is not None:  # the run keeps a FASTA copy, with label= tokens
            data = replace(data, source=str(config.data), info={**data.info, "in_memory": True})
        return data

    def resolve(self, config: Any, data: Dataset, log: Any = print) -> Any:
        """Sequence defaults: the resnet1d networks with WGAN-GP (Killoran et al.'s and
        FBGAN's choice), two critic steps per generator step, and learning rates of 5e-4
        when both are left at 2e-4 (on splice at width 16, after 800 steps: k-mer JS 0.16
        and detection AUC 0.90 at 5e-4, against 0.25 and 0.97 at 2e-4), and width 16 when
        left at the core's 32 (see ``WIDTH``). The reading options are
        set to what was read (the detected alphabet, the length), so ``evaluate`` reads the
        same sequences again."""
        model = "resnet1d" if config.model == "auto" else config.model
        if model not in ARCHITECTURES:
            raise ScienceError(f"unknown model {model!r} for sequences; choose one of: {', '.join(ARCHITECTURES)}")
        loss = "wgan" if config.loss == "auto" else config.loss
        if config.g_lr == config.d_lr == 2e-4:  # the GAN defaults
            config = replace(config, g_lr=LEARNING_RATE, d_lr=LEARNING_RATE)
        if config.width == 32:  # the core's default
            config = replace(config, width=WIDTH)
        info = data.info
        o = replace(
            config.data_options,
            alphabet=info["alphabet"],
            ambiguous=info.get("ambiguous", config.data_options.ambiguous),
            max_length=0 if info["fixed_length"] else int(info["length"]),
        )
        if info.get("in_memory"):  # read back from the run's FASTA copy
            o = replace(o, label_column="", sequence_column="", label_field="label" if data.y is not None else "")
        n_critic = config.n_critic or (CRITIC_STEPS if loss == "wgan" else 1)
        return replace(config, model=model, loss=loss, n_critic=n_critic, data_options=o)

    def fit_codec(self, train: Dataset, config: Any) -> SequenceCodec:
        """One-hot columns over the alphabet (and the end token for variable lengths)."""
        return SequenceCodec(train.info["letters"], int(train.info["length"]), bool(train.info["fixed_length"]))

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> SequenceCodec:
        """The codec a run's [data] table describes."""
        return SequenceCodec.from_data(data)

    def describe(self, data: Dataset, codec: SequenceCodec) -> dict[str, Any]:
        """Alphabet, letters, length and whether it is fixed (the codec's description)."""
        return {
            "alphabet": data.info["alphabet"],
            "letters": codec.letters,
            "length": codec.length,
            "fixed_length": codec.fixed_length,
            "note": data.info.get("note", ""),
        }

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """The resnet1d generator and projection critic (:mod:`.networks`); the critic has
        spectral norm only without the gradient penalty (loss other than wgan)."""
        from scigan.modalities.sequences.networks import build

        codec = SequenceCodec.from_data(data)
        o = config.data_options
        return build(
            config.z_dim,
            codec.channels,
            codec.length,
            num_classes,
            config.width,
            config.spectral_norm and config.loss != "wgan",
            relaxation=o.relaxation,
            temperature=o.temperature,
            dilation=o.dilation,
            attention=o.self_attention,
        )

    def conditions(self, train: Dataset, codec: Any, config: Any) -> None:
        """No condition sampler: conditional runs condition on the label alone."""
        return None

    def feedback(self, codec: SequenceCodec, config: Any) -> FeedbackPlan | None:
        """FBGAN's feedback when ``--feedback`` names a predictor (:mod:`.predictor`),
        scoring the generated token rows as strings; None when it is off."""
        o = config.data_options
        if not o.feedback:
            return None
        from scigan.core.feedback import FeedbackPlan
        from scigan.modalities.sequences.predictor import load_predictor

        predict = load_predictor(o.feedback)
        return FeedbackPlan(
            score=lambda rows: predict(codec.strings(rows)),
            every=o.feedback_every,
            threshold=o.feedback_threshold,
            samples=o.feedback_samples,
            source=o.feedback,
        )

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Every training sequence once per pass."""
        return np.arange(len(train))

    def scorer(
        self, train: Dataset, holdout: Dataset, codec: SequenceCodec, *, device: str, log: Any = print
    ) -> SequenceScorer:
        """k-mer spectra, extractor features (FD, PRDC, coverage), detection, copies and properties."""
        from scigan.modalities.sequences.metrics import SequenceScorer

        return SequenceScorer(train, holdout, codec, device=device, log=log)

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        """Synthetic sequences as rows of coloured letters beside real training ones (:mod:`.preview`)."""
        from scigan.modalities.sequences.preview import plot_rows

        letters = samples.info.get("letters") or (reference.info["letters"] if reference is not None else "")
        if not letters:
            return False
        plot_rows(samples, reference, letters, path, provenance)
        return True

    def nearest(self, samples: Dataset, run: Any) -> np.ndarray:
        """Identity (N,) in [0, 1] of each sample to its nearest sequence of the run's
        training split: 1 − the normalised edit distance (1.0: a copy)."""
        from scigan.modalities.base import split_run
        from scigan.modalities.sequences.similarity import nearest_identity

        cfg = run.config
        train = split_run(self.read(cfg), cfg.holdout, cfg.validation, cfg.seed).train
        codec = self.load_codec(run.path, run.data)
        return nearest_identity(codec.strings(samples.x), codec.strings(train.x))

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write sequences as FASTA (``.fasta``, ``.fa``, …) or CSV/TSV, each record marked
        ``synthetic=true`` with the run and step that drew it (samples of a run), or as
        they were read (a loaded data set: the run's own copy, labels as ``label=``).

        ``nearest`` (an array (N,) of identities to the nearest training sequence) adds
        ``nearest_identity`` to each record.
        """
        from scigan.runs import open_run

        synthetic = bool(samples.info.get("synthetic", False))
        if synthetic:
            run = open_run(samples.source)
            codec = self.load_codec(run.path, run.data)
            header = {
                "run": run.path.name,
                "step": str(samples.info.get("step", 0)),
                **record_marks(options.get("provenance")),
            }
        else:
            codec = SequenceCodec(samples.info["letters"], samples.info["length"], samples.info["fixed_length"])
            header = {}
        save_sequences(
            codec.strings(samples.x),
            Path(path),
            labels=samples.y,
            class_names=samples.class_names,
            header=header,
            synthetic=synthetic,
            nearest=options.get("nearest"),
            overwrite=options.get("overwrite", False),
        )
