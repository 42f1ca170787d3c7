"""``scigan forecast``: the table, the files, walk-forward without look-ahead, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import cli_error
from scigan.cli import main

pd = pytest.importorskip("pandas")
pytest.importorskip("statsmodels")

#: A short training of both networks.
QUICK = ["--steps", "30", "--window", "5", "--quiet"]


def _walk(path: Path, days: int = 300, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0.0005, 0.01, days)))
    frame = pd.DataFrame(
        {
            "Date": pd.bdate_range("2015-01-01", periods=days).strftime("%Y-%m-%d"),
            "Close": close,
            "Volume": rng.uniform(1e6, 2e6, days),
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_forecast_writes_table_csv_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = _walk(tmp_path / "walk.csv")
    out = tmp_path / "f"
    assert main(["forecast", str(data), "--out", str(out), *QUICK]) == 0
    printed = capsys.readouterr().out
    for row in ("persistence", "ARIMA", "LSTM (MSE)", "GAN (LSTM-G / MLP-D)", "buy and hold"):
        assert row in printed
    assert "persistence" in printed.splitlines()[-1]  # the closing sentence says where each model stands
    report = json.loads((out / "forecast.json").read_text(), parse_constant=_no_nan)  # strict JSON
    assert report["rows"][0]["direction"] is None  # persistence never calls a direction
    assert set(report["summary"]) >= {"persistence_mae", "gan_mae", "lstm_mae", "buy_and_hold_return"}
    names = [r["model"] for r in report["rows"]]
    assert (
        names[0] == "persistence"
        and names[1].startswith("ARIMA(")
        and names[2:] == ["LSTM (MSE)", "GAN (LSTM-G / MLP-D)"]
    )
    predictions = pd.read_csv(out / "predictions.csv")
    n_test = round(0.2 * (300 - 5))
    assert len(predictions) == n_test and predictions["date"].iloc[-1] == pd.read_csv(data)["Date"].iloc[-1]
    sidecar = json.loads((out / "predictions.csv.provenance.json").read_text())
    assert sidecar["scigan:forecast"] == "true" and "forecast" in sidecar["scigan:content"]
    assert (out / "forecast.png").read_bytes()[:4] == b"\x89PNG"
    # persistence's MAE is the mean absolute day-to-day move of the test days
    close = pd.read_csv(data)["Close"].to_numpy()
    moves = np.abs(np.diff(close))[-n_test:]
    assert report["rows"][0]["mae"] == pytest.approx(moves.mean())
    assert np.allclose(predictions["persistence"], close[-n_test - 1 : -1])


def _no_nan(name: str) -> None:
    raise AssertionError(f"forecast.json holds {name}, which is not JSON")


def test_forecast_sp500(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The built-in: 5031 days, the last 20% of the windows forecast walk-forward."""
    pytest.importorskip("arch")
    out = tmp_path / "sp"
    assert main(["forecast", "sp500", "--out", str(out), "--steps", "5", "--quiet"]) == 0
    table = capsys.readouterr().out
    rows = [line.split("  ")[0] for line in table.splitlines() if "  " in line]
    assert [r for r in rows if r.startswith(("persistence", "ARIMA(", "LSTM", "GAN"))] == [
        "persistence",
        "ARIMA(1,1,1)",
        "LSTM (MSE)",
        "GAN (LSTM-G / MLP-D)",
    ]
    predictions = pd.read_csv(out / "predictions.csv")
    assert len(predictions) == round(0.2 * (5031 - 10)) and predictions["date"].iloc[-1].startswith("2018-")
    assert list(predictions.columns)[:3] == ["date", "truth", "persistence"] and predictions.notna().all().all()


def test_arima_uses_no_future_days(tmp_path: Path) -> None:
    from scigan.forecast.baselines import arima

    rng = np.random.default_rng(1)
    series = 50 + np.cumsum(rng.normal(0, 1, 400))
    first, _ = arima(series, 300, 1)
    changed = series.copy()
    changed[350:] += 40  # a jump later in the test days
    second, _ = arima(changed, 300, 1)
    np.testing.assert_allclose(first[:50], second[:50])  # forecasts up to the jump are unchanged
    assert not np.allclose(first[51:], second[51:])


def test_same_seed_same_forecast(tmp_path: Path) -> None:
    from scigan.forecast.run import forecast

    data = _walk(tmp_path / "walk.csv")
    runs = [
        forecast(str(data), tmp_path / f"r{i}", steps=20, window=5, log=lambda s: None, device="cpu") for i in range(2)
    ]
    assert json.dumps(runs[0]["rows"]) == json.dumps(runs[1]["rows"])  # NaN-safe: persistence has no direction
    other = forecast(str(data), tmp_path / "r2", steps=20, window=5, seed=1, log=lambda s: None, device="cpu")
    assert other["rows"][2:] != runs[0]["rows"][2:]  # another seed, other networks


def test_training_restores_thread_count(tmp_path: Path) -> None:
    import torch

    from scigan.forecast.training import fit_forecaster

    before = torch.get_num_threads()
    x, y = np.zeros((8, 4, 2)), np.zeros(8)
    fit_forecaster(
        x,
        y,
        0,
        adversarial=0.1,
        steps=2,
        minutes=0,
        hidden=4,
        batch_size=4,
        lr=1e-3,
        seed=0,
        device=torch.device("cpu"),
    )
    assert torch.get_num_threads() == before


def test_forecast_refusals(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = _walk(tmp_path / "walk.csv")
    out = str(tmp_path / "f")
    line = cli_error(capsys, ["forecast", str(data), "--target", "Price", "--out", out, *QUICK])
    assert "--target 'Price'" in line and "Close" in line
    line = cli_error(capsys, ["forecast", str(data), "--out", out, "--steps", "5", "--window", "400"])
    assert "--window" in line
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "x.txt").write_text("mine")
    line = cli_error(capsys, ["forecast", str(data), "--out", out, *QUICK])
    assert "--overwrite" in line
    line = cli_error(capsys, ["forecast", str(tmp_path / "missing.csv"), "--out", out + "2", *QUICK])
    assert "missing.csv" in line
    flat = tmp_path / "flat.csv"
    pd.DataFrame({"Close": np.full(100, 5.0), "Volume": np.arange(100.0)}).to_csv(flat, index=False)
    line = cli_error(capsys, ["forecast", str(flat), "--out", out + "3", *QUICK])
    assert "constant" in line and "'Close'" in line
    for bad, word in (
        (["--horizon", "0"], "--horizon"),
        (["--test-share", "0.97"], "--test-share"),
        (["--steps", "0"], "--minutes"),
    ):
        line = cli_error(capsys, ["forecast", str(data), "--out", out + "4", "--window", "5", *bad])
        assert word in line, line
    text = tmp_path / "text.csv"
    pd.DataFrame({"Close": ["a", "b"] * 50, "Volume": np.arange(100.0)}).to_csv(text, index=False)
    line = cli_error(capsys, ["forecast", str(text), "--out", out + "5", *QUICK])
    assert "Close" in line
