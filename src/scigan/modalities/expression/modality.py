"""The expression modality: single-cell or bulk expression, cells × genes.

Stored form is a float32 matrix in the user's units (counts or log-normalised values);
model space and the library-size layer are in :mod:`.codec` and :mod:`.networks`,
scores in :mod:`.metrics`, reading and writing (``.h5ad``, CSV/TSV) in :mod:`.io`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, log_frequency_rows, record_marks
from scigan.modalities.expression.catalogue import BUILTINS
from scigan.modalities.expression.io import load_expression, save_expression

if TYPE_CHECKING:
    from torch import nn

    from scigan.modalities.expression.codec import ExpressionCodec
    from scigan.modalities.expression.metrics import ExpressionScorer

__all__ = ["ExpressionModality", "load_expression", "save_expression"]

#: The architectures expression data can be trained with.
ARCHITECTURES = ("scgan",)


#: The built-ins' names: their values (counts or log) are public facts.
BUILTIN_NAMES = frozenset(entry.name for entry in BUILTINS)


class ExpressionModality:
    """Expression matrices: readers, writers, codec, networks and scores for the core."""

    name = "expression"

    def load(self, source: str | Path, *, label_column: str = "", values: str = "auto", **options: Any) -> Dataset:
        """A built-in (``pbmc68k``), an ``.h5ad`` or a CSV/TSV matrix (see :func:`load_expression`)."""
        if options:
            raise ScienceError(f"expression data takes no option {next(iter(options))!r}")
        return load_expression(source, label_column=label_column, values=values)

    def read(self, config: Any, source: Any = None) -> Dataset:
        """The matrix ``config.data`` names (or ``source``, an AnnData), with its label key
        and declared values."""
        cells = config.data_options
        return self.load(
            config.data if source is None else source, label_column=cells.label_column, values=cells.values
        )

    def resolve(self, config: Any, data: Dataset, log: Any = print) -> Any:
        """Expression defaults: the scgan networks with WGAN-GP and one critic step per
        generator step (on pbmc68k, 90 s of CPU gave a detection AUC of 0.65 with one
        critic step against 0.79 with five). A private run on the user's files must
        declare ``--values``."""
        model = "scgan" if config.model == "auto" else config.model
        if model not in ARCHITECTURES:
            raise ScienceError(f"unknown model {model!r} for expression; choose one of: {', '.join(ARCHITECTURES)}")
        loss = "wgan" if config.loss == "auto" else config.loss
        if config.dp_epsilon > 0 and config.data_options.values == "auto" and data.source not in BUILTIN_NAMES:
            raise ScienceError(
                "--dp-epsilon: detecting whether the matrix holds counts or log values reads the cells "
                "outside the privacy budget; pass --values counts or --values log"
            )
        cells = replace(config.data_options, label_column=data.info["label_column"], values=data.info["values"])
        return replace(
            config, model=model, loss=loss, n_critic=config.n_critic or (1 if loss == "wgan" else 0), data_options=cells
        )

    def fit_codec(self, train: Dataset, config: Any) -> ExpressionCodec:
        """Library-size statistics of the training cells (counts), and the gene names."""
        from scigan.modalities.expression.codec import ExpressionCodec

        return ExpressionCodec.fit(train)

    def private_codec(self, train: Dataset, config: Any) -> tuple[ExpressionCodec, float]:
        """A codec of public constants (:meth:`.ExpressionCodec.public`): ε 0. The user's
        files must say what they hold (``--values counts|log``): detecting it reads every
        cell, outside the budget (refused in :meth:`resolve`); a built-in's values are public."""
        from scigan.modalities.expression.codec import ExpressionCodec

        return ExpressionCodec.public(train), 0.0

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> ExpressionCodec:
        """The codec a run saved in ``codec.json``."""
        from scigan.modalities.expression.codec import ExpressionCodec

        return ExpressionCodec.load(run_path)

    def describe(self, data: Dataset, codec: ExpressionCodec) -> dict[str, Any]:
        """Gene count, values, library size (counts), mean and std of the log size factors
        (quantised log values; else empty) and label key (gene names live in codec.json)."""
        scale = [codec.log_lib_mean, codec.log_lib_std] if codec.quantised else []
        return {
            "genes": len(codec.genes),
            "values": codec.values,
            "library": codec.library,
            "scale": scale,
            "label_column": codec.label_column,
            "note": data.info.get("note", ""),
        }

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """The scGAN generator (with the LSN layer for counts, the size-factor grid for
        quantised log values) and projection critic; the critic has spectral norm only
        without the gradient penalty (loss other than wgan)."""
        from scigan.modalities.expression.networks import build

        scale = data.get("scale") or None
        return build(
            config.z_dim,
            int(data["genes"]),
            num_classes,
            config.width,
            float(data["library"]),
            config.spectral_norm and config.loss != "wgan",
            scale and (float(scale[0]), float(scale[1])),
        )

    def conditions(self, train: Dataset, codec: Any, config: Any) -> None:
        """No condition sampler: conditional runs condition on the label alone."""
        return None

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Conditional runs see each cell type in proportion to the log of its frequency."""
        return log_frequency_rows(train.y) if conditional and train.y is not None else np.arange(len(train))

    def scorer(
        self, train: Dataset, holdout: Dataset, codec: ExpressionCodec, *, device: str, log: Any = print
    ) -> ExpressionScorer:
        """Gene agreement, FD/MMD, detection, utility, privacy and per-type scores."""
        from scigan.modalities.expression.metrics import ExpressionScorer

        return ExpressionScorer(train, holdout, codec, log=log)

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        """The cells' log expression (log1p of counts; log values as they are) against
        ``reference`` (the training cells) on the real cells' first two principal
        components, beside each cell's total, its detected genes and the most variable
        gene (:func:`scigan.report.embedding.plot_preview`), as a PNG at ``path``; False
        without a reference."""
        if reference is None:
            return False
        from scigan.report.embedding import Marginal, plot_preview

        def log(x: np.ndarray) -> np.ndarray:
            return x if reference.info.get("values") == "log" else np.log1p(np.maximum(x, 0))

        real, fake = log(np.asarray(reference.x, dtype=np.float64)), log(np.asarray(samples.x, dtype=np.float64))
        top = int(np.argmax(real.var(axis=0)))
        gene = reference.info.get("genes", [])[top] if reference.info.get("genes") else f"gene {top}"
        marginals = [
            Marginal("total per cell", reference.x.sum(1), samples.x.sum(1), False),
            Marginal("genes detected", (reference.x > 0).sum(1), (samples.x > 0).sum(1), False),
            Marginal(f"{gene} (most variable, log)", real[:, top], fake[:, top], False),
        ]
        plot_preview(
            real,
            fake,
            marginals,
            path,
            provenance=provenance,
            real_labels=reference.y,
            fake_labels=samples.y,
            class_names=samples.class_names,
            title="Log expression, PCA: training cells (dots), synthetic (crosses)",
        )
        return True

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write cells as ``.h5ad`` (obs label, var names, ``uns['scigan']``) or CSV/TSV.

        Gene names, values and the label key come from ``samples.info`` (a loaded data
        set) or, for samples drawn from a run, from the run's codec (``samples.source``).
        """
        provenance = options.get("provenance") or {}
        if "genes" in samples.info:
            genes, values, label = samples.info["genes"], samples.info["values"], samples.info["label_column"]
            uns = {"synthetic": bool(samples.info.get("synthetic", False)), "source": samples.source}
        else:
            from scigan.runs import open_run

            run = open_run(samples.source)
            codec = self.load_codec(run.path, run.data)
            genes, values, label = codec.genes, codec.values, codec.label_column
            uns = {
                "synthetic": True,
                "model": run.config.model,
                "run": str(run.path),
                "step": int(samples.info.get("step", 0)),
                "source": run.config.data,
            }
        uns["software"] = provenance.get("Software", "scigan")
        uns.update(record_marks(provenance))
        save_expression(
            samples.x,
            genes,
            Path(path),
            labels=samples.y,
            class_names=samples.class_names,
            label_column=label or "label",
            values=values,
            uns=uns,
            provenance=provenance,
            overwrite=options.get("overwrite", False),
        )
