"""``scigan forecast``: read one series, train the GAN and the MSE-only LSTM over seeds,
run persistence and ARIMA on the same test days, print the table and write
``forecast.json``, ``predictions.csv`` (with a provenance sidecar) and ``forecast.png``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError
from scigan.forecast.options import ForecastOptions

#: Columns of the printed table.
COLUMNS = ("mae", "rmse", "mape", "direction", "strategy_return")


def forecast(
    data: Any, out: str | Path, *, overwrite: bool = False, log: Callable[[str], None] = print, **options: Any
) -> dict[str, Any]:
    """Forecast ``data`` (a built-in name, a CSV/Parquet path or a DataFrame) as ``options``
    (:class:`ForecastOptions` fields) say and write the results into the folder ``out``.
    Returns what forecast.json holds: ``rows`` (one per model, mean and sd over seeds for
    the networks) and ``summary``."""
    from scigan import options as opt

    o = opt.update(ForecastOptions(), options)
    opt.validate(o)
    out = Path(out)
    _check_out(out, overwrite)
    from scigan.core.device import resolve_device
    from scigan.forecast import baselines
    from scigan.forecast.data import prepare
    from scigan.forecast.scores import buy_and_hold, forecast_scores
    from scigan.forecast.training import fit_forecaster, predict
    from scigan.modalities.timeseries.frames import read_frame

    device = resolve_device(o.device)
    frame = read_frame(data, time_column=o.time_column, columns=o.columns, fill=o.fill)
    d = prepare(frame, o.target, o.window, o.horizon, o.test_share)
    log(f"forecast {o.target} of {frame.source}: {len(d.y_train)} training days, {len(d.y_test)} test days")
    forecasts: dict[str, list[np.ndarray]] = {"persistence": [baselines.persistence(d.today_test)]}
    arima_name = "ARIMA"
    if o.horizon == 1:
        values, arima_name = baselines.arima(d.series, d.n_fit, o.horizon)
        forecasts[arima_name] = [values[len(values) - len(d.truth_test) :]]
    steps_done: dict[str, list[int]] = {}
    column = d.columns.index(d.target)
    for name, weight in (("LSTM (MSE)", 0.0), ("GAN (LSTM-G / MLP-D)", o.adv_weight)):
        for seed in range(o.seed, o.seed + o.seeds):
            G, facts = fit_forecaster(
                d.x_train,
                d.y_train,
                column,
                adversarial=weight,
                steps=o.steps,
                minutes=o.minutes,
                hidden=o.hidden,
                batch_size=o.batch_size,
                lr=o.lr,
                seed=seed,
                device=device,
            )
            forecasts.setdefault(name, []).append(d.unscale(predict(G, d.x_test, device), d.today_test))
            steps_done.setdefault(name, []).append(int(facts["steps"]))
        log(f"{name}: {o.seeds} seed(s), {steps_done[name][0]} steps each")
    rows = [_row(name, runs, d.truth_test, d.today_test, forecast_scores) for name, runs in forecasts.items()]
    hold = buy_and_hold(d.truth_test, d.today_test)
    summary = _summary(rows, hold, o.seeds)
    report = {
        "rows": rows,
        "summary": summary,
        "options": asdict(o),
        "steps": steps_done,
    }
    _write(out, report, d, {name: runs[0] for name, runs in forecasts.items()}, o)
    print(_table(rows, hold))
    print(_verdict(rows))
    return report


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ScienceError(f"--out {out} is a file; name a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ScienceError(f"{out} already exists and is not empty; pass --overwrite to replace its files")


def _row(name: str, runs: list[np.ndarray], truth: np.ndarray, today: np.ndarray, score: Any) -> dict[str, Any]:
    """One table row: the mean of each score over the runs, with its sd when several."""
    scored = [score(r, truth, today) for r in runs]
    row: dict[str, Any] = {"model": name, "runs": len(runs)}
    for key in COLUMNS:
        values = np.array([s[key] for s in scored])
        row[key] = float(values.mean())
        if len(runs) > 1:
            row[f"{key}_std"] = float(values.std(ddof=1))
    return row


def _summary(rows: list[dict[str, Any]], hold: float, seeds: int) -> dict[str, Any]:
    by = {r["model"].split()[0].split("(")[0].lower(): r for r in rows}
    out: dict[str, Any] = {f"{k}_mae": r["mae"] for k, r in by.items()}
    out.update({f"{k}_direction": r["direction"] for k, r in by.items()})
    out["buy_and_hold_return"] = hold
    out["seeds"] = seeds
    out["gan_beats_lstm_mae"] = by["gan"]["mae"] <= by["lstm"]["mae"]
    out["gan_beats_persistence_mae"] = by["gan"]["mae"] <= by["persistence"]["mae"]
    return out


def _table(rows: list[dict[str, Any]], hold: float) -> str:
    head = f"{'model':<24}{'MAE':>16}{'RMSE':>16}{'MAPE %':>16}{'direction':>16}{'long/flat %/day':>18}"
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = []
        for key, width, fmt in zip(COLUMNS, (16, 16, 16, 16, 18), (".2f", ".2f", ".3f", ".3f", ".4f")):
            text = format(r[key], fmt) + (f" ± {format(r[key + '_std'], fmt)}" if f"{key}_std" in r else "")
            cells.append(text.rjust(width))
        lines.append(f"{r['model']:<24}" + "".join(cells))
    lines.append(f"{'buy and hold':<24}{'':>80}{hold:>18.4f}")
    return "\n".join(lines)


def _verdict(rows: list[dict[str, Any]]) -> str:
    """One plain sentence on where each model stands against persistence."""
    base = rows[0]["mae"]
    parts = []
    for r in rows[1:]:
        change = 100 * (r["mae"] / base - 1)
        parts.append(f"{r['model']} {'+' if change >= 0 else '−'}{abs(change):.1f}% MAE")
    best = min(rows, key=lambda r: r["mae"])["model"]
    lead = "persistence (tomorrow = today) is the one to beat on daily prices; "
    ending = "none of the models beats it." if best == "persistence" else f"{best} has the lowest MAE."
    return lead + "against it: " + ", ".join(parts) + "; " + ending


def _write(out: Path, report: dict[str, Any], d: Any, forecasts: dict[str, np.ndarray], o: ForecastOptions) -> None:
    """forecast.json, predictions.csv (+ its provenance sidecar) and forecast.png."""
    import pandas as pd

    from scigan import __version__
    from scigan.forecast.plots import forecast_figure
    from scigan.modalities.images.writers import atomic_write

    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1, default=str)
    atomic_write(out / "forecast.json", lambda f: f.write(text.encode()))
    table = pd.DataFrame({"date": d.dates_test, "truth": d.truth_test, **forecasts})
    csv = table.to_csv(index=False)
    atomic_write(out / "predictions.csv", lambda f: f.write(csv.encode()))
    provenance = {
        "generator": f"scigan {__version__} forecast",
        "content": "model forecasts, not observations",
        "target": o.target,
    }
    side = json.dumps(provenance, indent=1)
    atomic_write(out / "predictions.csv.provenance.json", lambda f: f.write(side.encode()))
    forecast_figure(np.asarray(d.dates_test), d.truth_test, forecasts, o.target, out / "forecast.png", provenance)
