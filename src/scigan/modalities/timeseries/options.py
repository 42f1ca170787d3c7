"""The time-series kind's options: the ``[timeseries]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class TimeSeriesOptions:
    """How series are read and cut into windows, and how the recurrent networks are built."""

    time_column: str = option(
        "",
        "CSV/Parquet: the column of timestamps (parsed; rows sorted by it); empty = a column "
        "named date, time, timestamp or datetime (any case) if there is one, else the row order.",
    )
    columns: str = option(
        "",
        "CSV/Parquet: the value columns, comma-separated (e.g. Open,Close,Volume); empty = every "
        "numeric column but the time, id and label columns.",
    )
    id_column: str = option(
        "", "CSV/Parquet: the column naming which series a row belongs to (many series in one file)."
    )
    label_column: str = option(
        "", "CSV/Parquet: the column holding each series' class (one per series; conditional generation)."
    )
    window: int = option(
        -1,
        "Steps per training window; -1 = 24 for long series (the TimeGAN protocol), the whole "
        "series when every series is shorter than 200 steps and of one length (e.g. gunpoint).",
        Interval(-1),
    )
    stride: int = option(1, "Steps between the starts of consecutive windows.", Interval(1))
    fill: str = option(
        "refuse",
        "Missing values (NaN, empty cells): refuse (say how many and where), ffill (carry the "
        "last value forward; leading gaps take the first value) or drop (remove those rows).",
        OneOf(("refuse", "ffill", "drop")),
    )
    target: str = option(
        "auto",
        "What the GAN models: levels (the values, min-max scaled as TimeGAN) or returns "
        "(log-returns of positive columns such as prices, decoded back to paths from a real "
        "starting level; the scores then compare returns, whose range does not drift out of "
        "the training years). auto = returns for prices (a close or adj close column, every "
        "column positive), else levels.",
        OneOf(("auto", "levels", "returns")),
    )
    cell: str = option(
        "lstm",
        "Recurrent cell of every network: lstm or gru (TimeGAN's; about half as fast on a CPU).",
        OneOf(("lstm", "gru")),
    )
    layers: int = option(3, "Recurrent layers per network (TimeGAN: 3).", Interval(1))
    noise_dim: int = option(
        0, "Noise channels per time step of the generator; 0 = the number of value columns.", Interval(0)
    )
    embed_steps: int = option(
        1000, "timegan: training steps of the embedder and recovery alone before the supervisor.", Interval(0)
    )
    supervise_steps: int = option(
        1000, "timegan: training steps of the supervisor alone before the joint adversarial phase.", Interval(0)
    )
