"""``scigan forecast``: read one series, train the GAN and the MSE-only LSTM over seeds,
run persistence and ARIMA on the same test days, print the table and write
``forecast.json``, ``predictions.csv`` (with a provenance sidecar) and ``forecast.png``."""

from __future__ import annotations

import json
import re
import warnings
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
    if o.steps == 0 and o.minutes == 0:
        raise ScienceError("--steps 0 trains without a step limit: give a budget with --minutes M")
    out = Path(out)
    _check_out(out, overwrite)
    from scigan.core.device import resolve_device
    from scigan.forecast import baselines
    from scigan.forecast.data import prepare
    from scigan.forecast.scores import buy_and_hold, forecast_scores
    from scigan.forecast.training import fit_forecaster, predict

    device = resolve_device(o.device)
    frame, held = _read(data, o)
    try:
        d = prepare(frame, o.target, o.window, o.horizon, o.test_share)
    except ScienceError:
        said = " ".join(str(w.message) for w in held if "not numeric" in str(w.message))
        if o.target not in frame.columns and re.search(rf"\b{re.escape(o.target)}\b", said):
            raise ScienceError(
                f"--target {o.target!r} of {frame.source} is not numeric; choose one of: {', '.join(frame.columns)}"
            ) from None
        raise
    for w in held:  # the reader's warnings, once the series is known to be usable
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    log(f"forecast {o.target} of {frame.source}: {len(d.y_train)} training days, {len(d.y_test)} test days")
    forecasts: dict[str, list[np.ndarray]] = {"persistence": [baselines.persistence(d.today_test)]}
    if o.horizon == 1:
        values, arima_name = baselines.arima(d.series, d.n_fit, o.horizon)
        forecasts[arima_name] = [values[len(values) - len(d.truth_test) :]]
    else:
        log(f"ARIMA forecasts one step ahead: left out of the table for --horizon {o.horizon}")
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
    report: dict[str, Any] = _finite(
        {
            "source": frame.source,
            "rows": rows,
            "summary": summary,
            "options": asdict(o),
            "steps": steps_done,
        }
    )
    _write(out, report, d, {name: runs[0] for name, runs in forecasts.items()}, o)
    print(_table(rows, hold))
    print(_verdict(rows))
    return report


def _read(data: Any, o: ForecastOptions) -> tuple[Any, list[warnings.WarningMessage]]:
    """The SeriesFrame of ``data`` and the reader's warnings, held back: a target it left
    out as text is then refused in one line instead of a warning and an error."""
    from scigan.modalities.timeseries.io import read_frame

    with warnings.catch_warnings(record=True) as held:
        warnings.simplefilter("always")
        frame = read_frame(data, time_column=o.time_column, columns=o.columns, fill=o.fill)
    return frame, held


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ScienceError(f"--out {out} is a file; name a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ScienceError(f"{out} already exists and is not empty; pass --overwrite to replace its files")


def _row(name: str, runs: list[np.ndarray], truth: np.ndarray, today: np.ndarray, score: Any) -> dict[str, Any]:
    """One table row: the mean of each score over the runs, with its sd when several; a
    score no run defines (direction of a forecast that never moves) is None (JSON null)."""
    scored = [score(r, truth, today) for r in runs]
    row: dict[str, Any] = {"model": name, "runs": len(runs)}
    for key in COLUMNS:
        values = np.array([s[key] for s in scored])
        values = values[np.isfinite(values)]
        row[key] = float(values.mean()) if values.size else None
        if len(runs) > 1:
            row[f"{key}_std"] = float(values.std(ddof=1)) if values.size > 1 else None
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
            text = "n/a" if r[key] is None else format(r[key], fmt)
            if r.get(f"{key}_std") is not None:
                text += f" ± {format(r[key + '_std'], fmt)}"
            cells.append(text.rjust(width))
        lines.append(f"{r['model']:<24}" + "".join(cells))
    lines.append(f"{'buy and hold':<24}{'':>80}{format(hold, '.4f'):>18}")
    lines.append("direction: n/a where a forecast never moves (persistence); long/flat: mean daily return")
    return "\n".join(lines)


def _verdict(rows: list[dict[str, Any]]) -> str:
    """One plain sentence on where each model stands against persistence."""
    base = rows[0]["mae"]
    parts = []
    for r in rows[1:]:
        change = 100 * (r["mae"] / base - 1)
        parts.append(f"{r['model']} {'+' if change >= 0 else '−'}{abs(change):.1f}% MAE")
    best = min(rows, key=lambda r: r["mae"])
    lead = "persistence (tomorrow = today) is the one to beat on daily prices; "
    if best is rows[0]:
        ending = "none of the models beats it."
    elif best["mae"] > 0.99 * base:
        ending = f"{best['model']} has the lowest MAE, but by under 1%: no practical gain over persistence."
    else:
        ending = f"{best['model']} has the lowest MAE."
    return lead + "against it: " + ", ".join(parts) + "; " + ending


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float inside it as None (JSON null: strict JSON)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _write(out: Path, report: dict[str, Any], d: Any, forecasts: dict[str, np.ndarray], o: ForecastOptions) -> None:
    """forecast.json, predictions.csv (+ its provenance sidecar) and forecast.png."""
    import pandas as pd

    from scigan import __version__
    from scigan.forecast.plots import forecast_figure
    from scigan.modalities.base import write_sidecar
    from scigan.modalities.images.writers import atomic_write

    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1, default=str, allow_nan=False)
    atomic_write(out / "forecast.json", lambda f: f.write(text.encode()))
    table = pd.DataFrame({"date": d.dates_test, "truth": d.truth_test, **forecasts})
    csv = table.to_csv(index=False)
    atomic_write(out / "predictions.csv", lambda f: f.write(csv.encode()))
    provenance = {
        "Software": "scigan",
        "scigan:version": __version__,
        "scigan:forecast": "true",
        "scigan:content": "date and truth are observed; every other column is a model's forecast, not an observation",
        "scigan:source": str(report["source"]),
        "scigan:target": o.target,
        "scigan:models": ", ".join(forecasts),
    }
    write_sidecar(out / "predictions.csv", provenance)
    forecast_figure(np.asarray(d.dates_test), d.truth_test, forecasts, o.target, out / "forecast.png", provenance)
