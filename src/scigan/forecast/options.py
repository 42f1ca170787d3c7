"""The options of ``scigan forecast`` (its flags, from these declarations)."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class ForecastOptions:
    """What is forecast, from what, and how long each network trains."""

    target: str = option("Close", "The column to forecast (e.g. Close); the other value columns are features.")
    window: int = option(
        10,
        "Past days of every value column the forecast sees: Zhang et al. fed the LSTM a few days of "
        "OHLCV features; 10 is two trading weeks, enough for weekly patterns and short enough to "
        "leave many training windows.",
        Interval(2),
    )
    horizon: int = option(1, "How many steps ahead the target is forecast.", Interval(1))
    test_share: float = option(
        0.2,
        "The last share of the days forecast walk-forward (the test years); nothing of them is trained on.",
        Interval(0, 1, low_open=True, high_open=True),
    )
    steps: int = option(
        1500,
        "Training steps of each network (about 5 s each on one CPU core for sp500, so the whole "
        "command takes well under a minute); 0 = no step limit (give --minutes).",
        Interval(0),
    )
    minutes: float = option(
        0.0,
        "Wall-clock budget of each network (each seed) in minutes; 0 = none; given without --steps, "
        "the budget alone limits training.",
        Interval(0),
    )
    seeds: int = option(1, "Train the GAN and the LSTM this many times (seeds --seed, --seed + 1, …).", Interval(1))
    seed: int = option(0, "Seed of the first run: initial weights and batch order.")
    adv_weight: float = option(
        0.01, "λ of the generator's loss MSE + λ·adversarial (0 would be the LSTM row).", Interval(0, low_open=True)
    )
    hidden: int = option(32, "LSTM hidden units of the generator.", Interval(1))
    batch_size: int = option(64, "Windows per training step.", Interval(1))
    lr: float = option(1e-3, "Adam learning rate of both networks.", Interval(0, low_open=True))
    time_column: str = option("", "The column of timestamps; empty = a column named date, time, timestamp or datetime.")
    columns: str = option("", "The value columns, comma-separated; empty = every numeric column.")
    fill: str = option(
        "refuse", "Missing values: refuse, ffill or drop (as `scigan train`).", OneOf(("refuse", "ffill", "drop"))
    )
    device: str = option("auto", "auto (CUDA when available), cpu or cuda.")
