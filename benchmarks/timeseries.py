"""Time series: TimeGAN on sp500 (24-step windows of the six columns, the TimeGAN
protocol) beside two baselines fitted on the same training windows in the same run — a
block bootstrap of real log-returns and a Gaussian VAR(1) of log-prices — all scored by
the same code against the same holdout (the last 10% of the days): TimeGAN's post-hoc
discriminative score (against the holdout, and against the training windows as the
paper's code does), its predictive score beside train-on-real, the ACF distance, the
stylised facts. Then ``scigan forecast`` on sp500 over several seeds: the LSTM-G/MLP-D
GAN beside the same LSTM trained on MSE alone, persistence and ARIMA.

    python benchmarks/timeseries.py [--quick] [--parts synthesis,forecast] [--threads 2] [--json F]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, quiet, table, write_json
from scigan.config import TrainConfig
from scigan.modalities import get_modality
from scigan.modalities.base import split_run
from scigan.modalities.timeseries import scorer as scoring
from scigan.modalities.timeseries.baselines import block_bootstrap, gaussian_var1
from scigan.workflows.generator import generate, load_generator
from scigan.workflows.train import train

#: CPU minutes of TimeGAN training (the target's budget is 15), then --quick's.
MINUTES, QUICK_MINUTES = 15.0, 1.0
#: Forecast seeds, then --quick's.
SEEDS, QUICK_SEEDS = 5, 2
SCORES = (
    "discriminative_score",
    "discriminative_score_std",
    "discriminative_score_train",
    "predictive_score",
    "acf_distance",
    "fd",
    "kurtosis_gap",
    "vol_clustering_gap",
    "leverage_gap",
)
FLOORS = ("discriminative_score_floor", "predictive_score_real", "acf_distance_floor", "fd_real_floor")


def in_log_space(make: Any, train_x: np.ndarray) -> np.ndarray:
    """Run a baseline ``make`` (normalised windows -> normalised windows) on the training
    windows' log-prices min-max scaled to [0, 1], and map its windows back to prices."""
    log = np.log(train_x)
    low, high = log.min(axis=(0, 1)), log.max(axis=(0, 1))
    out = make((log - low) / (high - low))
    return np.exp(out * (high - low) + low)


def synthesis(minutes: float, device: str, work: Path, seed: int = 0) -> tuple[list[dict], dict]:
    """TimeGAN on sp500 for ``minutes`` and the two baselines, scored alike; (rows, summary)."""
    config = TrainConfig.from_flat(
        data="sp500", model="timegan", steps=0, minutes=minutes, seed=seed, progress=False, device=device
    )
    start = time.perf_counter()
    run, result = train(config, work / "sp500", log=quiet)
    gan_seconds = time.perf_counter() - start
    modality = get_modality("timeseries")
    cfg = run.config
    splits = split_run(modality.read(cfg), cfg.holdout, cfg.validation, cfg.seed)
    codec = modality.load_codec(run.path, run.data)
    scorer = modality.scorer(splits.train, splits.holdout, codec, device="cpu", log=quiet)
    n = len(splits.train)  # as TimeGAN: as many synthetic windows as real training ones
    G, state = load_generator(run, "auto", device)
    train_x = splits.train.x
    fakes = {
        "scigan timegan": (codec.decode(generate(G, n, z_dim=cfg.z_dim, labels=None, seed=seed)), gan_seconds),
    }
    for name, make in (
        ("block bootstrap", lambda m: block_bootstrap(m, n, block=6, seed=seed)),
        ("gaussian VAR(1)", lambda m: gaussian_var1(m, n, seed=seed)),
    ):
        start = time.perf_counter()
        fakes[name] = (in_log_space(make, train_x), time.perf_counter() - start)
    rows, summary = [], {}
    for name, (x, fit_seconds) in fakes.items():
        start = time.perf_counter()
        scores = scorer.full(x, None, seed=seed)
        rows.append(
            {"model": name, "fit_seconds": fit_seconds, "score_seconds": time.perf_counter() - start}
            | {k: scores.get(k) for k in SCORES}
        )
        summary.update({f"{name.split()[-1].lower()}_{k}": scores.get(k) for k in SCORES})
    summary.update({k: scores.get(k) for k in FLOORS})
    summary.update(
        timegan_steps=result.step, timegan_sampled_step=int(state["step"]), n_synthetic=n, n_holdout=len(splits.holdout)
    )
    return rows, summary


def forecasting(seeds: int, quick: bool, device: str, work: Path) -> tuple[list[dict], dict]:
    """``scigan forecast sp500`` over ``seeds`` seeds; (its rows, a summary)."""
    from scigan.forecast.run import forecast

    extra: dict[str, Any] = {"steps": 300} if quick else {}
    report = forecast("sp500", out=work / "forecast", seeds=seeds, device=device, log=quiet, **extra)
    return report["rows"], report["summary"]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--parts", default="synthesis,forecast", help="which parts to run (comma-separated)")
    args = parse(p)
    parts = args.parts.split(",")
    if args.quick:  # a short post-hoc protocol too
        scoring.REPEATS, scoring.DISC_STEPS, scoring.PRED_STEPS = 2, 300, 500
    summary: dict[str, Any] = {}
    rows: list[dict] = []
    forecast_rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        if "synthesis" in parts:
            rows, s = synthesis(QUICK_MINUTES if args.quick else MINUTES, args.device, Path(tmp))
            summary.update(s)
            print(table(rows, ["model", "fit_seconds", *SCORES]))
            print("floors (real training windows):", {k: round(float(summary[k]), 4) for k in FLOORS})
            d, pred = summary["timegan_discriminative_score"], summary["timegan_predictive_score"]
            summary["target_discriminative_0.08"] = d <= 0.08
            summary["target_predictive_within_0.005"] = pred - summary["predictive_score_real"] <= 0.005
        if "forecast" in parts:
            forecast_rows, s = forecasting(QUICK_SEEDS if args.quick else SEEDS, args.quick, args.device, Path(tmp))
            summary.update({f"forecast_{k}": v for k, v in s.items()})
    write_json(
        args.json,
        summary,
        config={"parts": parts, "quick": args.quick, "minutes": QUICK_MINUTES if args.quick else MINUTES},
        rows=rows,
        forecast=forecast_rows,
    )


if __name__ == "__main__":
    main()
