"""The tabular modality: clinical and other tables (CSV, TSV, Parquet or a DataFrame).

Stored form is a pandas DataFrame in the user's columns and dtypes; model space is the
CTGAN coding of :mod:`.codec`; the networks are in :mod:`.networks`, the scores in
:mod:`.metrics`, reading and writing in :mod:`.io`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, log_frequency_rows
from scigan.modalities.tabular.io import TableData, load_table, save_table

if TYPE_CHECKING:
    import pandas as pd
    from torch import nn

    from scigan.modalities.tabular.codec import TableCodec
    from scigan.modalities.tabular.conditions import ConditionSampler
    from scigan.modalities.tabular.metrics import TableScorer

__all__ = ["TableData", "TabularModality", "load_table", "save_table"]

#: The architectures a table can be trained with.
ARCHITECTURES = ("ctgan",)


def group_column(data: TableData, name: str) -> str:
    """The column grouping the fairness scores: ``name``, else the label column ("" for
    neither). ScienceError, listing the discrete columns, when ``name`` is no column of the
    table or not a discrete (categorical or boolean) one."""
    schema = data.info["schema"]
    discrete = [c for c, kind in schema.items() if kind in ("categorical", "boolean")]
    if name and schema.get(name) not in ("categorical", "boolean"):
        what = "is no column of the table" if name not in schema else f"is {schema[name]}, not discrete"
        raise ScienceError(
            f"--group-column {name!r} {what}; choose one of: {', '.join(discrete) or 'none'} "
            f"(or declare a column with --column-types {name}=categorical)"
        )
    return name or data.info["label_column"]


class TabularModality:
    """Tables: readers, writers, codec, networks and scores for the core."""

    name = "tabular"

    def load(
        self,
        source: str | Path | pd.DataFrame,
        *,
        label_column: str = "",
        column_types: str | dict[str, str] = "",
        drop_columns: str = "",
        **options: Any,
    ) -> TableData:
        """A built-in table, a CSV/TSV/Parquet file or a DataFrame (see :func:`load_table`)."""
        if options:
            raise ScienceError(f"tables take no option {next(iter(options))!r}")
        return load_table(source, label_column=label_column, column_types=column_types, drop_columns=drop_columns)

    def read(self, config: Any, source: Any = None) -> TableData:
        """The table ``config.data`` names (or ``source``, a pandas DataFrame), with its
        label column, type overrides and dropped columns."""
        table = config.data_options
        data = self.load(
            config.data if source is None else source,
            label_column=table.label_column,
            column_types=table.column_types,
            drop_columns=table.drop_columns,
        )
        data.info["group_column"] = group_column(data, table.group_column)
        return data

    def resolve(self, config: Any, data: Dataset, log: Any = print) -> Any:
        """Table defaults: the ctgan networks, WGAN-GP with one critic step per generator
        step (as CTGAN; the non-saturating loss under DP), and a PacGAN pack of 4 rows when
        it divides the batch. Every column's type is recorded (as JSON) so later commands
        read the table alike."""
        model = "ctgan" if config.model == "auto" else config.model
        if model not in ARCHITECTURES:
            raise ScienceError(f"unknown model {model!r} for tables; choose one of: {', '.join(ARCHITECTURES)}")
        table = config.data_options
        if config.dp_epsilon > 0 and table.pac > 1:
            raise ScienceError(f"--pac {table.pac} scores rows together; DP training needs --pac 1 (or leave it auto)")
        pac = table.pac or (4 if config.batch_size % 4 == 0 and not config.dp_epsilon else 1)
        if config.batch_size % pac:
            raise ScienceError(f"--pac {pac} must divide --batch-size {config.batch_size}")
        # Under DP the critic's gradients are clipped and noised; WGAN-GP's unbounded critic then
        # drives the generator onto the bounds (breast-cancer, ε = 3, seed 0: fidelity 0.48, 0.60
        # with the non-saturating loss; benchmarks/privacy.py), so a private table trains with "ns".
        loss = ("ns" if config.dp_epsilon > 0 else "wgan") if config.loss == "auto" else config.loss
        n_critic = config.n_critic or (1 if loss == "wgan" else 0)
        table = replace(
            table,
            pac=pac,
            label_column=data.info["label_column"],
            group_column=data.info.get("group_column", ""),
            column_types=json.dumps(data.info["schema"], ensure_ascii=False),
        )
        return replace(config, model=model, loss=loss, n_critic=n_critic, data_options=table)

    def fit_codec(self, train: TableData, config: Any) -> TableCodec:
        """Fit the per-column transforms on the training rows; warn about constant columns."""
        from scigan.modalities.tabular.codec import TableCodec

        codec = TableCodec.fit(train, conditional=config.conditional == "yes", seed=config.seed)
        for column in codec.constant_columns():
            warnings.warn(
                f"column {column!r} holds a single value in the training rows; it is kept and reproduced as that value",
                stacklevel=2,
            )
        return codec

    def private_codec(self, train: TableData, config: Any) -> tuple[TableCodec, float]:
        """The codec of a DP run, from public bounds (:mod:`.private`); it spends no ε."""
        from scigan.modalities.tabular.private import private_table_codec

        return private_table_codec(train, config), 0.0

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> TableCodec:
        """The codec a run saved in ``codec.json``."""
        from scigan.modalities.tabular.codec import TableCodec

        return TableCodec.load(run_path)

    def describe(self, data: TableData, codec: TableCodec) -> dict[str, Any]:
        """Columns, label and the generator's output blocks ("tanh:1", "softmax:k")."""
        return {
            "columns": list(data.x.columns),
            "label_column": data.info["label_column"],
            "schema": [f"{c}={k}" for c, k in data.info["schema"].items()],
            "blocks": [f"{a}:{s}" for a, s in codec.blocks],
            "condition_sizes": codec.condition_codes(data.x.iloc[:0])[1],
            "condition_frequencies": codec.condition_frequencies,
        }

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """The residual-MLP generator and packing critic for the run's column blocks; the
        critic has spectral norm only without the gradient penalty (loss other than wgan);
        both see the discrete columns' mask with ``condition_columns`` "all", which the
        generator draws from the training category shares when sampling."""
        from scigan.modalities.tabular.networks import build

        blocks = [(b.split(":")[0], int(b.split(":")[1])) for b in data["blocks"]]
        sn = config.spectral_norm and config.loss != "wgan"
        sizes, shares = data.get("condition_sizes", []), data.get("condition_frequencies", [])
        table = config.data_options
        return build(
            config.z_dim,
            blocks,
            num_classes,
            config.width,
            table.pac,
            sn,
            sizes if table.condition_columns == "all" else [],
            shares,
        )

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Conditional runs see each class in proportion to the log of its frequency
        (training-by-sampling); otherwise every row once."""
        return log_frequency_rows(train.y) if conditional and train.y is not None else np.arange(len(train))

    def group_values(self, train: TableData) -> tuple[np.ndarray, list[str]] | None:
        """Each training row's value (N,) of the group column (``--group-column``, else the
        label) as a string, and the sorted group names; None for neither column."""
        from scigan.modalities.tabular.metrics import _as_keys

        column = train.info.get("group_column", "")
        if not column:
            return None
        values = _as_keys(train.x[column])
        return values, sorted(set(values))

    def conditions(self, train: TableData, codec: TableCodec, config: Any) -> ConditionSampler | None:
        """CTGAN's conditional vector with training-by-sampling over every discrete column
        (a step hook for the trainer), or None when ``condition_columns`` is "label", no
        generated column is discrete (the label alone is then resampled by
        :meth:`training_rows`) or the run is differentially private."""
        from scigan.modalities.tabular.conditions import ConditionSampler

        codes, sizes, positions = codec.condition_codes(train.x)
        # training-by-sampling draws rows by their categories: not a private sample
        if config.data_options.condition_columns != "all" or not sizes or config.dp_epsilon > 0:
            return None
        conditional = config.conditional == "yes" and train.y is not None
        return ConditionSampler(
            codec.stored(train),
            codes,
            sizes,
            positions,
            train.y if conditional else None,
            train.num_classes if conditional else 0,
        )

    def scorer(
        self, train: TableData, holdout: TableData, codec: TableCodec, *, device: str, log: Any = print
    ) -> TableScorer:
        """Fidelity, detection, utility, privacy and per-group scores against ``holdout``."""
        from scigan.modalities.tabular.metrics import TableScorer

        return TableScorer(train, holdout, codec, log=log)

    def preview(
        self, samples: TableData, path: Path, provenance: dict[str, str], reference: TableData | None = None
    ) -> bool:
        """The rows' table features against ``reference`` (the training rows) on the real
        rows' first two principal components, beside the marginals of the three columns
        whose shapes match worst (:func:`scigan.report.embedding.plot_preview`), as a PNG
        at ``path``; False without a reference."""
        if reference is None:
            return False
        from scigan.modalities.tabular.metrics import CONTINUOUS, TableFeatures, _as_numbers, column_shapes
        from scigan.report.embedding import Marginal, plot_preview

        schema = reference.info["schema"]
        shapes = column_shapes(reference.x, samples.x, schema)

        def values(frame: pd.DataFrame, column: str) -> np.ndarray:
            kind = schema[column]
            return _as_numbers(frame[column], kind) if kind in CONTINUOUS else frame[column].astype(str).to_numpy()

        marginals = [
            Marginal(
                f"{c} (shape {shapes[c]:.2f})",
                values(reference.x, c),
                values(samples.x, c),
                schema[c] not in CONTINUOUS,
            )
            for c in sorted(shapes, key=lambda column: shapes[column])[:3]
        ]
        features = TableFeatures(reference.x, schema)
        plot_preview(
            features(reference.x),
            features(samples.x),
            marginals,
            path,
            provenance=provenance,
            real_labels=reference.y,
            fake_labels=samples.y,
            class_names=samples.class_names,
            title="Table features, PCA: training rows (dots), synthetic (crosses)",
        )
        return True

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write the rows as ``.csv``, ``.tsv`` or ``.parquet`` (by ``path``)."""
        save_table(
            samples.x, Path(path), overwrite=options.get("overwrite", False), provenance=options.get("provenance")
        )
