"""The time-series modality: windows of multivariate series for the core.

Stored form is a float array (N, T, C) of windows in the user's units (:mod:`.io`); the
codec scales levels or takes log-returns, fitted on training windows (:mod:`.codec`); the
networks are RCGAN's or TimeGAN's (:mod:`.networks`), TimeGAN training its four networks
as the core's phase list (:mod:`.timegan`); the TimeGAN scores are in :mod:`.scorer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.config import TrainConfig
from scigan.errors import ScienceError
from scigan.modalities.base import Dataset
from scigan.modalities.timeseries.codec import SeriesCodec

if TYPE_CHECKING:
    import torch
    from torch import nn

    from scigan.core.phases import Phase
    from scigan.modalities.timeseries.scorer import TimeSeriesScorer

#: The architectures series can be trained with.
ARCHITECTURES = ("timegan", "rcgan")

#: [data] facts of the reader that a run records.
READ_FACTS = (
    "n_series",
    "n_rows",
    "n_windows",
    "n_straddling",
    "stride",
    "time_column",
    "first_time",
    "last_time",
    "cut_time",
    "n_filled",
    "n_dropped",
)


class TimeSeriesModality:
    """Time series: readers, writers, codec, networks, phases and scores for the core."""

    name = "timeseries"

    def load(self, source: Any, **options: Any) -> Dataset:
        """A built-in (``sp500``, ``gunpoint``), a CSV/Parquet/.npz file or a DataFrame, cut
        into windows (see :func:`~scigan.modalities.timeseries.io.load_windows`)."""
        from scigan.modalities.timeseries.io import load_windows

        return load_windows(source, **options)

    def read(self, config: Any, source: Any = None) -> Dataset:
        """The windows ``config.data`` names (or ``source``, a DataFrame), read with the
        ``[timeseries]`` options; the holdout is the last ``--holdout`` share of each series."""
        o = config.data_options
        data = self.load(
            config.data if source is None else source,
            window=o.window,
            stride=o.stride,
            holdout=config.holdout,
            time_column=o.time_column,
            columns=o.columns,
            id_column=o.id_column,
            label_column=o.label_column,
            fill=o.fill,
        )
        if source is not None:
            return replace(data, source=str(config.data), info={**data.info, "in_memory": True})
        return data

    def resolve(self, config: Any, data: Dataset, log: Callable[[str], None] = print) -> Any:
        """Series defaults: TimeGAN, its BCE losses and Adam (lr 1e-3, β 0.9/0.999) when the
        learning rates and betas are left at the core's defaults, its batch of 128 when the
        batch size is left at 64 and there are at least 1,280 training windows, fp32
        (recurrent cells), ``z_dim`` = window × noise channels per step (the noise is drawn
        per step), and the target: returns for prices, else levels."""
        o = config.data_options
        model = "timegan" if config.model == "auto" else config.model
        if model not in ARCHITECTURES:
            raise ScienceError(f"unknown model {model!r} for time series; choose one of: {', '.join(ARCHITECTURES)}")
        loss = "ns" if config.loss == "auto" else config.loss
        if model == "timegan" and loss != "ns":
            raise ScienceError("timegan trains with its own cross-entropy losses; drop --loss or use --model rcgan")
        target = o.target
        if target == "auto":
            from scigan.modalities.timeseries.statistics import price_column

            prices = price_column(list(data.info["columns"]), data.x) is not None and bool((data.x > 0).all())
            target = "returns" if prices else "levels"
            log(f"target auto: {target}" + (" (the columns are prices)" if prices else ""))
        _, window, channels = data.x.shape
        length = window - (1 if target == "returns" else 0)
        noise = o.noise_dim or channels
        z_dim = config.z_dim
        if z_dim == TrainConfig.z_dim:
            z_dim = length * noise
        elif z_dim % length:
            raise ScienceError(
                f"--z-dim {z_dim} is not a multiple of the {length} generated steps; the noise is drawn per step: "
                f"pass --noise-dim instead"
            )
        core = (config.g_lr, config.d_lr, config.beta1, config.beta2)
        defaults = (TrainConfig.g_lr, TrainConfig.d_lr, TrainConfig.beta1, TrainConfig.beta2)
        optimiser: dict[str, Any] = {}
        if core == defaults:
            optimiser = {"g_lr": 1e-3, "d_lr": 1e-3, "beta1": 0.9, "beta2": 0.999}
            log("time series: Adam lr 1e-3, betas 0.9/0.999 (TimeGAN's); set --g-lr/--beta1 to change")
        if config.batch_size == TrainConfig.batch_size and len(data) >= 10 * 128:
            optimiser["batch_size"] = 128  # TimeGAN's; a recurrent step costs about the same
        precision = "fp32" if config.precision == "auto" else config.precision
        o = replace(o, window=window, target=target)
        if data.info.get("in_memory"):  # read back from the run's .npz copy
            o = replace(o, time_column="", columns="", id_column="", label_column="")
        return replace(config, model=model, loss=loss, z_dim=z_dim, precision=precision, data_options=o, **optimiser)

    def fit_codec(self, train: Dataset, config: Any) -> SeriesCodec:
        """Scaling (levels) or return moments (returns), fitted on ``train`` only."""
        return SeriesCodec.fit(train, list(train.info["columns"]), config.data_options.target)

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> SeriesCodec:
        """The codec the run saved."""
        return SeriesCodec.load(run_path)

    def describe(self, data: Dataset, codec: SeriesCodec) -> dict[str, Any]:
        """What was read (series, windows, the time cut) and what the networks need:
        window, generated length, channels."""
        _, window, channels = data.x.shape
        facts = {k: data.info[k] for k in READ_FACTS if data.info.get(k) not in (None, "")}
        shape = {"window": window, "length": window - codec.length_offset, "channels": channels}
        return {**facts, **codec.describe(), **shape}

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """TimeGAN's four networks (as one generator module) and its latent discriminator,
        or RCGAN's recurrent generator and critic; hidden size ``--width``."""
        from scigan.modalities.timeseries import networks as nets

        o = config.data_options
        length, channels = int(data["length"]), int(data["channels"])
        noise, bounded = config.z_dim // length, data["target"] == "levels"
        shape = (length, noise, channels, num_classes, config.width, o.layers, o.cell, bounded)
        if config.model == "timegan":
            return nets.TimeGAN(*shape), nets.LatentCritic(config.width, num_classes, o.layers, o.cell)
        return nets.SeriesGenerator(*shape), nets.SeriesCritic(channels, num_classes, config.width, o.layers, o.cell)

    def critic_scores(self, G: nn.Module, D: nn.Module, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """The critic's scores (N,) of model-space windows ``x`` (N, length, channels):
        TimeGAN's critic reads the embedder's latent sequences, RCGAN's the windows."""
        from scigan.modalities.timeseries.networks import TimeGAN

        return D(G.embedder(x), y) if isinstance(G, TimeGAN) else D(x, y)

    def phases(self, config: Any) -> Callable[[nn.Module, nn.Module], list[Phase]] | None:
        """TimeGAN's four phases (:mod:`.timegan`); None for rcgan (the core's D and G)."""
        if config.model != "timegan":
            return None
        from scigan.modalities.timeseries.timegan import timegan_phases

        o = config.data_options
        return lambda G, D: timegan_phases(
            G,
            D,
            embed_steps=o.embed_steps,
            supervise_steps=o.supervise_steps,
            g_lr=config.g_lr,
            d_lr=config.d_lr,
            betas=(config.beta1, config.beta2),
        )

    def conditions(self, train: Dataset, codec: Any, config: Any) -> None:
        """No condition sampler: conditional runs condition on the series' label."""
        return None

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Every training window once per pass."""
        return np.arange(len(train))

    def scorer(
        self, train: Dataset, holdout: Dataset, codec: Any, *, device: str, log: Any = print
    ) -> TimeSeriesScorer:
        """TimeGAN's discriminative and predictive scores, ACF and stylised facts (:mod:`.scorer`)."""
        from scigan.modalities.timeseries.scorer import TimeSeriesScorer

        return TimeSeriesScorer(train, holdout, codec, device=device, log=log)

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        """Generated windows beside real training ones, column by column (:mod:`.plots`)."""
        from scigan.modalities.timeseries.plots import paths_figure

        columns = list(samples.info.get("columns") or _run_columns(samples))
        paths_figure(samples.x, None if reference is None else reference.x, columns, path, provenance)
        return True

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write windows as .csv (long: sample, step, [label], the user's columns), .parquet
        or .npz, marked synthetic with the run and step (samples of a run); the run's copy
        of in-memory data keeps its split (test_mask, time_rank) in .npz."""
        from scigan.modalities.timeseries.io import save_windows

        synthetic = bool(samples.info.get("synthetic", False))
        columns = _run_columns(samples) if synthetic else list(samples.info["columns"])
        save_windows(
            samples.x,
            Path(path),
            columns=columns,
            labels=samples.y,
            class_names=samples.class_names,
            provenance=options.get("provenance") if synthetic else None,
            overwrite=options.get("overwrite", False),
            test_mask=None if synthetic else samples.test_mask,
            time_rank=None if synthetic else samples.time_rank,
        )


def _run_columns(samples: Dataset) -> list[str]:
    """The value columns of the run that drew ``samples``."""
    from scigan.runs import open_run

    return list(open_run(samples.source).data["columns"])
