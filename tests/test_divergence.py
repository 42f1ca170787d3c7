"""Divergence: a NaN, an exploding loss or collapsed samples roll training back to the last
good checkpoint with learning rates ×0.1, once; the second time the run stops with one
line that says what diverged and what to try."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import torch

from helpers import TINY, cli_error
from scigan.cli import main
from scigan.core.divergence import Guard, spread
from scigan.core.phases import GeneratorLoss

VERBOSE = [f for f in TINY if f != "--quiet"] + ["--no-progress"]


def _metrics(run: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]


def _newest_state(run: Path) -> dict[str, Any]:
    newest = max((p for p in (run / "checkpoints").iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    return json.loads((newest / "state.json").read_text())


@pytest.fixture
def nan_at(monkeypatch: pytest.MonkeyPatch):
    """``nan_at(steps)``: the generator loss is NaN on these (1-based) generator steps."""

    def install(steps: set[int] | None) -> None:
        original = GeneratorLoss.__call__
        calls = [0]

        def poisoned(self: GeneratorLoss, ctx: Any) -> torch.Tensor:
            calls[0] += 1
            value = original(self, ctx)
            return value * math.nan if steps is None or calls[0] in steps else value

        monkeypatch.setattr(GeneratorLoss, "__call__", poisoned)

    return install


def test_one_nan_rolls_back_to_the_last_checkpoint_and_lowers_the_rates(
    nan_at: Any, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    nan_at({17})
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "30", "--out", str(run), *VERBOSE]) == 0
    said = [ln for ln in capsys.readouterr().err.splitlines() if "diverged" in ln]
    assert said == [
        "training diverged at step 20: D/adv, G/adv = nan (not finite); rolled back to step 10 and lowered "
        "the learning rates ×0.1 (D 0.0002 → 2e-05, G 0.0002 → 2e-05)"
    ]
    lines = _metrics(run)
    events = [ln for ln in lines if "divergence" in ln]
    assert len(events) == 1 and events[0]["step"] == 10
    assert events[0]["divergence"] == {
        "what": "D/adv, G/adv",
        "value": "nan",
        "why": "not finite",
        "at_step": 20,
        "lr": {"D": pytest.approx(2e-5), "G": pytest.approx(2e-5)},
    }
    assert [ln["step"] for ln in lines if "G/adv" in ln] == [5, 10, 15, 20, 25, 30]
    assert all(math.isfinite(ln["G/adv"]) for ln in lines if "G/adv" in ln)
    state = _newest_state(run)
    assert state["step"] == 30 and state["divergence"] == {"lr_cuts": 1}
    rates = [g["lr"] for groups in state["optimizer_groups"].values() for g in groups["param_groups"]]
    assert rates == [pytest.approx(2e-5)] * 2


def test_a_nan_before_the_first_checkpoint_rolls_back_to_the_start(
    nan_at: Any, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    nan_at({3})
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "12", "--out", str(run), *VERBOSE]) == 0
    err = capsys.readouterr().err
    assert "training diverged at step 5: D/adv, G/adv = nan (not finite); rolled back to step 0 and lowered" in err


def test_the_lowered_rates_and_the_one_chance_survive_a_resume(
    nan_at: Any, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """After a rollback the run is resumed: its rates stay lowered, and the next
    divergence stops it (the chance was used)."""
    nan_at({7})
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY]) == 0
    nan_at({5})  # counted afresh in the resumed run: its 5th generator step is step 25
    line = cli_error(capsys, ["train", "digits", "--steps", "40", "--out", str(run), "--resume", *TINY])
    assert line.startswith("scigan train: error: training diverged again at step 25, after the learning rates")
    assert "G/adv = nan (not finite)" in line and "D 2e-05, G 2e-05" in line and "--g-lr and --d-lr" in line


def test_nan_every_step_stops_with_one_line(nan_at: Any, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    nan_at(None)
    run = tmp_path / "run"
    line = cli_error(capsys, ["train", "digits", "--steps", "30", "--out", str(run), *TINY])
    assert "training diverged again at step 5" in line and "G/adv = nan (not finite)" in line
    assert not list((run / "checkpoints").glob("0*"))  # no diverged weights were saved


def test_d_lr_1e6_explodes_and_is_stopped(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """--d-lr 1e6: losses near 1e6 (the issue's case); lowered to 1e5 they still are."""
    run = tmp_path / "run"
    line = cli_error(capsys, ["train", "digits", "--steps", "100", "--out", str(run), *TINY, "--d-lr", "1e6"])
    assert "training diverged again" in line and "D/adv" in line and "above 1e+04 in size" in line
    assert "D 1e+05" in line, line
    [event] = [ln["divergence"] for ln in _metrics(run) if "divergence" in ln]
    assert event["what"] == "D/adv" and event["lr"]["D"] == pytest.approx(1e5)


def test_g_lr_1e6_collapses_and_is_stopped(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """--g-lr 1e6: the losses look tame, but every sample is the same saturated image."""
    run = tmp_path / "run"
    line = cli_error(capsys, ["train", "digits", "--steps", "100", "--out", str(run), *TINY, "--g-lr", "1e6"])
    assert "training diverged again" in line and "the generator's samples collapsed" in line
    assert "G 1e+05" in line, line


def test_a_healthy_run_is_left_alone(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY, "--loss", "wgan"]) == 0
    assert not [ln for ln in _metrics(run) if "divergence" in ln]
    assert _newest_state(run)["divergence"] == {"lr_cuts": 0}


# ---- the rules themselves ------------------------------------------------------------
@pytest.mark.parametrize(
    "losses,found",
    [
        ({"D/adv": 1.2, "G/adv": -0.4}, None),
        ({"D/adv": math.inf}, "D/adv = inf (not finite)"),
        ({"D/adv": 1.0, "G/adv": -math.nan}, "G/adv = nan (not finite)"),
        ({"D/gp": 2e4}, "D/gp = 2e+04 (above 1e+04 in size)"),
        ({"G/adv": -3e4}, "G/adv = -3e+04 (above 1e+04 in size)"),
        ({"D/adv": 9000.0}, None),  # large, but no history to grow from
    ],
)
def test_guard_rules(losses: dict[str, float], found: str | None) -> None:
    assert (str(f) if (f := Guard().check(losses)) else None) == found


def test_guard_sees_a_loss_grow_100_times_its_recent_median() -> None:
    guard = Guard()
    for value in (20.0, 22.0, 19.0, 21.0):
        guard.remember({"D/adv": value})
    assert guard.check({"D/adv": 1500.0}) is None  # 71×
    found = guard.check({"D/adv": 2500.0})
    assert found is not None and str(found) == "D/adv = 2.5e+03 (over 100× its recent median 20.5)"
    small = Guard()
    for value in (0.01, 0.02, 0.01):
        small.remember({"G/adv": value})
    assert small.check({"G/adv": 900.0}) is None  # a small loss may wander up to 100 × 10


def test_spread_sees_constant_samples() -> None:
    g = torch.Generator().manual_seed(0)
    real = torch.rand(32, 1, 8, 8, generator=g)
    assert spread(real, torch.rand(32, 1, 8, 8, generator=g)) == pytest.approx(1.0, rel=0.2)
    assert spread(real, -torch.ones(32, 1, 8, 8)) == 0.0
    assert spread(real, torch.rand(32, 3, generator=g)) is None  # another shape: not comparable
    assert spread(torch.zeros(32, 3), torch.rand(32, 3, generator=g)) is None  # no real spread
    found = Guard().check({"G/adv": 0.5}, 0.0)
    assert (
        found is not None and str(found) == "the generator's samples collapsed (their spread is 0 of the real data's)"
    )


def test_a_private_guard_reads_the_generators_terms_alone() -> None:
    """Under DP the discriminator's terms and the real batch read the training rows."""
    real, constant = torch.rand(32, 3, generator=torch.Generator().manual_seed(0)), torch.zeros(32, 3)
    plain, private = Guard(), Guard(private=True)
    assert str(plain.watch({"D/adv": math.inf, "G/adv": 0.5}, None)) == "D/adv = inf (not finite)"
    assert private.watch({"D/adv": math.inf, "G/adv": 0.5}, None) is None
    assert plain.watch({"G/adv": 0.5}, (real, constant)) is not None  # collapsed samples
    assert private.watch({"G/adv": 0.5}, (real, constant)) is None
    assert str(private.watch({"D/adv": 1.0, "G/adv": math.nan}, (real, real))) == "G/adv = nan (not finite)"
    private.remember({"D/adv": 1.0, "G/adv": 0.5})
    assert set(private.history) == {"G/adv"}
