"""Adaptive augmentation (ADA) and the limited-data defaults."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from helpers import TINY, assert_resume_is_exact, cli_error
from scigan.cli import main
from scigan.core.ada import ADA_INTERVAL, AdaptiveAugment
from scigan.core.diffaugment import DEFAULT_POLICY, diff_augment


def _batch() -> torch.Tensor:
    return torch.rand(64, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_probability_zero_one_and_between() -> None:
    x = _batch()
    assert torch.equal(diff_augment(x, DEFAULT_POLICY, torch.Generator().manual_seed(1), p=0.0), x)
    always = diff_augment(x, DEFAULT_POLICY, torch.Generator().manual_seed(1), p=1.0)
    default = diff_augment(x, DEFAULT_POLICY, torch.Generator().manual_seed(1))
    assert torch.equal(always, default)  # p = 1 is plain DiffAugment, draw for draw
    half = diff_augment(x, DEFAULT_POLICY, torch.Generator().manual_seed(1), p=0.5)
    unchanged = (half == x).flatten(1).all(1).float().mean().item()
    # each of 3 parts skipped with probability 1/2: about 1/8 of the images stay as they were
    assert 0.02 < unchanged < 0.4
    assert not (always == x).flatten(1).all(1).any()


def _feed(ada: AdaptiveAugment, sign: float, steps: int) -> list[float]:
    """Run ``steps`` steps whose discriminator says ``sign`` on every real image."""
    d_phase, g_phase = SimpleNamespace(trains_generator=False), SimpleNamespace(trains_generator=True)
    ps = []
    for _ in range(steps):
        ctx = SimpleNamespace(outputs={"d_real": torch.full((32,), sign)}, rng=None, augment=None)
        ada.after_phase(d_phase, ctx)
        ada.after_phase(g_phase, SimpleNamespace(outputs={}))  # generator phases are ignored
        ada.after_step()
        ps.append(ada.p)
    return ps


def test_controller_rises_while_d_overfits_and_falls_otherwise() -> None:
    ada = AdaptiveAugment(DEFAULT_POLICY, target=0.6, speed=3200, batch_size=32)
    up = _feed(ada, 1.0, 4 * ADA_INTERVAL)
    step = 32 * ADA_INTERVAL / 3200
    assert up[ADA_INTERVAL - 2] == 0.0 and up[ADA_INTERVAL - 1] == pytest.approx(step)
    assert up[-1] == pytest.approx(4 * step) and ada.rt == 1.0
    down = _feed(ada, -1.0, 2 * ADA_INTERVAL)
    assert down[-1] == pytest.approx(2 * step) and ada.rt == -1.0
    _feed(ada, -1.0, 10 * ADA_INTERVAL)
    assert ada.p == 0.0  # clamped at 0
    _feed(ada, 1.0, 100 * ADA_INTERVAL)
    assert ada.p == 1.0  # and at 1


def test_controller_state_round_trip() -> None:
    a = AdaptiveAugment(DEFAULT_POLICY, 0.6, 3200, 32)
    _feed(a, 1.0, ADA_INTERVAL + 2)  # mid-interval: pending signs must survive
    b = AdaptiveAugment(DEFAULT_POLICY, 0.6, 3200, 32)
    b.load_state_dict(json.loads(json.dumps(a.state_dict())))
    assert _feed(a, -1.0, 2 * ADA_INTERVAL) == _feed(b, -1.0, 2 * ADA_INTERVAL)


def _records(run: Path) -> list[dict]:
    return [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]


def _train_config(run: Path) -> dict:
    """The [train] and [images] tables of a run's config.toml, as one dict."""
    doc = tomllib.loads((run / "config.toml").read_text())
    return {**doc["train"], **doc["images"]}


def test_limited_data_switches_on_below_the_threshold(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "small"
    flags = [f for f in TINY if f != "--quiet"]
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *flags]) == 0
    assert "limited data (1211 training samples, fewer than 10000)" in capsys.readouterr().err
    cfg = _train_config(run)
    assert cfg["limited_data"] == "yes" and cfg["ada_target"] == 0.6
    assert cfg["diffaugment"] == "color,translation,cutout"
    ps = [r["ada/p"] for r in _records(run)]
    # a fresh discriminator is certain about real images at once: p only rises
    assert ps == sorted(ps) and ps[-1] > 0
    state = json.loads((run / "checkpoints" / "00000020" / "state.json").read_text())
    assert state["hooks"]["ada"]["p"] == pytest.approx(ps[-1], abs=1e-5)

    big = tmp_path / "off"
    assert main(["train", "digits", "--steps", "10", "--out", str(big), "--limited-data-threshold", "1000", *TINY]) == 0
    cfg = _train_config(big)
    assert cfg["limited_data"] == "no" and cfg["ada_target"] == 0 and cfg["diffaugment"] == ""
    assert not any("ada/p" in r for r in _records(big))


def test_explicit_ada_and_limited_data_no(tmp_path: Path) -> None:
    run = tmp_path / "ada"
    assert (
        main(
            [
                "train",
                "digits",
                "--steps",
                "10",
                "--out",
                str(run),
                "--limited-data",
                "no",
                "--ada-target",
                "0.9",
                "--diffaugment",
                "translation",
                *TINY,
            ]
        )
        == 0
    )
    cfg = _train_config(run)
    assert cfg["limited_data"] == "no" and cfg["ada_target"] == 0.9 and cfg["diffaugment"] == "translation"
    assert all("ada/p" in r and "ada/rt" in r for r in _records(run))


def test_resume_with_ada_is_exact(tmp_path: Path) -> None:
    a, b = assert_resume_is_exact(tmp_path, ["digits", *TINY, "--ada-speed", "2000"], steps=30, stop=18)
    assert _records(a)[-1]["ada/p"] == _records(b)[-1]["ada/p"] > 0


def test_bad_limited_data_value(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    err = cli_error(capsys, ["train", "digits", "--limited-data", "maybe", "--out", str(tmp_path / "r"), *TINY])
    assert "--limited-data must be auto, yes or no" in err
