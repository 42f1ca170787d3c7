"""The metric registry: every score a kind's scorer returns is declared once, with a valid
direction; evaluate's text and checkpoint choice read the declarations."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from scigan.enhance.scores import SCORES as ENHANCE_SCORES
from scigan.metrics.declared import any_score, scores_for, scores_for_run
from scigan.metrics.registry import DIRECTIONS, FACTS, SHARED, Score, find, merged
from scigan.metrics.text import format_scores, others, used_keys
from scigan.modalities import get_kind, get_modality, kinds
from scigan.modalities.base import split_holdout
from scigan.report.html import score_rows

#: Every declared score: shared, each built-in kind's own, the enhancement tasks'.
ALL = [*SHARED, *(s for k in kinds() for s in k.scores), *ENHANCE_SCORES]


def test_declarations_are_valid_and_unique() -> None:
    merged(*(k.scores for k in kinds()), SHARED, ENHANCE_SCORES)  # no key declared twice, differently
    assert len({s.key for s in ALL}) == len(ALL)
    facts = {f.key for f in FACTS}
    for s in ALL:
        assert s.direction in DIRECTIONS and s.label and s.meaning and "\n" not in s.meaning
        assert (s.ideal is not None) == (s.direction == "ideal")
        assert s.key not in facts
        assert s.key not in {s.floor, s.spread, s.untrained}
    with pytest.raises(ValueError, match="direction"):
        Score("x", "x", "smaller", "")
    with pytest.raises(ValueError, match="ideal"):
        Score("x", "x", "ideal", "")
    with pytest.raises(ValueError):
        Score("x", "x", "lower", "", fmt=".3q")


def test_directions_decide_what_is_better() -> None:
    lower, higher, auc = find("fd"), find("precision"), find("mia_auc")
    assert lower and higher and auc
    assert lower.better(1.0, 2.0) and not lower.better(2.0, 1.0)
    assert higher.better(0.9, 0.5) and not higher.better(0.5, 0.9)
    assert auc.better(0.48, 0.6) and not auc.better(0.7, 0.6) and auc.hint == "0.5 is ideal"
    assert lower.better(5.0, None) and lower.better(5.0, math.nan)
    assert not lower.better(math.nan, 5.0) and not lower.better(math.nan, None)


def test_each_kind_selects_a_declared_score() -> None:
    for kind in kinds():
        score = find(kind.selects, scores_for(kind.name))
        assert score is not None, kind.name
    assert get_kind("expression").selects == "fd_copy_penalised"
    assert find("fd_copy_penalised") is None  # not a shared score: expression's own
    assert any_score("fd_copy_penalised").label == "FD × copying penalty"  # type: ignore[union-attr]
    assert any_score("psnr").label == "PSNR (dB)" and any_score("no_such_score") is None  # type: ignore[union-attr]


def _digits() -> Any:
    data = get_modality("images").load("digits")
    return data.subset(np.random.default_rng(0).permutation(len(data))[:500])


def _table() -> Any:
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "dose": rng.normal(1, 0.2, 200),
            "age": rng.integers(18, 90, 200),
            "stage": rng.choice(["I", "II", "III"], 200),
            "site": "Berlin",
            "outcome": np.where(np.arange(200) % 2, "healthy", "sick"),
        }
    )
    return get_modality("tabular").load(frame, label_column="outcome")


def _cells(tmp_path: Path) -> Any:
    ad = pytest.importorskip("anndata")
    import pandas as pd

    rng = np.random.default_rng(0)
    kind = rng.integers(0, 2, 120)
    x = rng.poisson(np.where(kind[:, None] == 0, 2.0, 4.0) * rng.uniform(0.5, 2, (120, 20))).astype(np.float32)
    obs = pd.DataFrame({"cell_type": np.array(["B", "T"])[kind]}, index=[f"c{i}" for i in range(120)])
    path = tmp_path / "cells.h5ad"
    ad.AnnData(X=x, obs=obs, var=pd.DataFrame(index=[f"G{i}" for i in range(20)])).write_h5ad(path)
    return get_modality("expression").load(path, label_column="cell_type")


def _molecules() -> Any:
    pytest.importorskip("rdkit")
    if importlib.util.find_spec("qm9pack") is None:
        pytest.skip("qm9pack is not installed")
    data = get_modality("molecules").load("qm9", subset=300, label_column="HOMO_LUMO_gap_au", property_bins=2)
    return data


#: The config fields fit_codec reads, per kind.
_CODEC_CONFIG: dict[str, Any] = {
    "molecules": SimpleNamespace(
        model="molgan",
        seed=0,
        data_options=SimpleNamespace(atom_types="C,O,N,F,N+,O-,N-,C-", max_atoms=9, valence_correction=True),
    )
}


def _undeclared(scores: dict[str, Any], kind: str) -> set[str]:
    """Keys of a result that neither a score (with its floor, spread, untrained value), a
    fact, nor a nested detail explains; per-group metrics included."""
    declared = scores_for(kind)
    missing = set(others(scores, declared))
    for group in (scores.get("per_group") or {}).values():
        missing |= set(group) - used_keys(declared) - {f.key for f in FACTS}
    worst = scores.get("worst_group")
    if isinstance(worst, dict) and find(worst["metric"], declared) is None:
        missing.add(worst["metric"])
    return missing


@pytest.mark.filterwarnings("ignore:column 'site' holds a single value")
@pytest.mark.parametrize("kind", ["images", "tabular", "expression", "molecules"])
def test_every_score_a_kind_returns_is_declared(kind: str, tmp_path: Path) -> None:
    data = {"images": _digits, "tabular": _table, "expression": lambda: _cells(tmp_path), "molecules": _molecules}[
        kind
    ]()
    modality = get_modality(kind)
    train, holdout = split_holdout(data, 0.25, 0)
    codec = modality.fit_codec(train, _CODEC_CONFIG.get(kind, SimpleNamespace(conditional="yes", seed=0)))
    scorer = modality.scorer(train, holdout, codec, device="cpu", log=lambda _: None)
    n = min(len(holdout), 100)
    fake_x = train.subset(np.arange(n)).x
    quick = scorer.quick(fake_x)
    assert get_kind(kind).selects in quick  # the score that picks checkpoints is there
    assert _undeclared(quick, kind) == set()
    full = scorer.full(fake_x, train.y[:n], seed=0, untrained_x=holdout.subset(np.arange(n)).x)
    assert _undeclared(full, kind) == set()

    text = format_scores(full, scores_for(kind))
    assert "also:" not in text  # nothing printed under a bare key
    for s in scores_for(kind):
        if s.key in full and full[s.key] is not None:
            line = next(ln for ln in text.splitlines() if ln.startswith(s.label + " "))
            assert s.format(full[s.key]) in line and s.hint in line
            if s.floor in full:
                assert f"{s.floor_label} {s.format(full[s.floor])}" in line


def test_format_scores_puts_floors_beside_scores_and_names_the_worst() -> None:
    scores = {
        "n": 100,
        "reference": "test split",
        "extractor_hash": "abc123",
        "fd": 12.3456,
        "fd_real_floor": 2.0625,
        "fd_untrained": 310.5,
        "kid": 0.0123,
        "kid_std": 0.0021,
        "kid_real_floor": 0.0004,
        "worst_class": {"name": "Sandal", "fd": 31.75, "gap": 23.5},
        "run": "runs/x",
        "dcr_median": 3.5,
        "worst_group": {
            "name": "sick",
            "metric": "fidelity_gap",
            "value": 0.1,
            "gap": 0.05,
            "n": 40,
            "trusted": False,
            "small": ["rare"],
            "min_rows": 20,
        },
    }
    text = format_scores(scores, scores_for("tabular"))
    lines = text.splitlines()
    assert "samples (n) 100" in lines[0] and "reference split test split" in lines[0] and "abc123" in text
    fd = next(ln for ln in lines if ln.startswith("FD "))
    assert "12.346" in fd and "real-vs-real floor 2.062" in fd and "untrained G 310.500" in fd
    assert fd.endswith("(lower is better)")
    kid = next(ln for ln in lines if ln.startswith("KID "))
    assert "0.01230 ± 0.00210" in kid and "floor 0.00040" in kid
    assert "worst class 'Sandal': FD 31.750 (gap to best 23.500)" in text
    assert "worst group 'sick': fidelity gap 0.100" in text and "no group is large enough to trust" in text
    assert "too few held-out rows (< 20) to trust: rare" in text
    assert lines[-1] == "also: dcr_median 3.5"  # an undeclared value is shown under its key
    assert "runs/x" not in text and "precision" not in text  # absent scores are not printed


def test_membership_aucs_show_their_chance_spread_when_there_is_one() -> None:
    scores = {"mia_auc_logan": 0.557, "mia_auc_logan_chance_sd": 0.0543, "mia_auc_domias": None}
    scores["mia_auc_domias_chance_sd"] = None  # too few held-out rows to attack with
    text = format_scores(scores, scores_for("tabular"))
    logan = next(ln for ln in text.splitlines() if ln.startswith("membership AUC (LOGAN)"))
    domias = next(ln for ln in text.splitlines() if ln.startswith("membership AUC (DOMIAS)"))
    assert "0.557 ± 0.054" in logan
    assert "—" in domias and "± —" not in domias
    rows = {row[0]: row[1:] for row in score_rows(scores, scores_for("tabular"))}
    assert (
        rows["membership AUC (LOGAN)"][0] == "0.557 ± 0.0543"
        and "spread of a coin" in rows["membership AUC (LOGAN)"][2]
    )
    assert rows["membership AUC (DOMIAS)"][0] == "—"


def test_format_scores_of_an_enhancement_run() -> None:
    scores = {
        "psnr": 27.314,
        "ssim": 0.81234,
        "psnr_baseline": 25.0,
        "ssim_baseline": 0.7,
        "task": "superres",
        "baseline": "bicubic x4",
        "n_pictures": 2,
        "held_out": "a.png",
        "per_picture": [{"name": "a"}],
        "step": 100,
        "checkpoint": "auto",
        "run": "r",
    }
    assert scores_for_run("images", "superres") == merged(scores_for("images"), ENHANCE_SCORES)
    assert scores_for_run("images", "generate") == scores_for("images")
    text = format_scores(scores, scores_for_run("images", "superres"))
    assert "task superres" in text and "baseline bicubic x4" in text and "held-out pictures 2" in text
    assert "PSNR (dB)" in text and "27.31   baseline 25.00" in text and "0.8123   baseline 0.7000" in text
    assert "also:" not in text and "per_picture" not in text


def test_checkpoint_choice_follows_the_declared_direction() -> None:
    from scigan.core.selection import Selection
    from scigan.errors import ScienceError

    fd = Selection("fd")
    assert [fd.offer({"fd": v}, step) for step, v in enumerate([5.0, 4.0, 4.5], 1)] == [True, True, False]
    assert (fd.best_step, fd.best_score, fd.evals_since_best) == (2, 4.0, 1)
    auc = Selection("mia_auc")  # closest to 0.5 is best
    assert [auc.offer({"mia_auc": v}, s) for s, v in enumerate([0.8, 0.45, 0.6], 1)] == [True, True, False]
    assert auc.shown({"mia_auc": 0.45}) == {"membership AUC": "0.450"}
    with pytest.raises(ScienceError, match="returned no 'fd'"):
        fd.offer({"fd_train": 1.0}, 4)
    with pytest.raises(ScienceError, match="not declared"):
        Selection("no_such_score")

    old = {"best_step": 10, "best_score": 2.5, "evals_since_best": 1}  # a checkpoint written before the registry
    penalised = Selection("fd_copy_penalised")
    penalised.restore(old, log=lambda _: None)
    assert (penalised.best_step, penalised.best_score, penalised.evals_since_best) == (10, 2.5, 1)
    assert penalised.state()["selects"] == "fd_copy_penalised"
    said: list[str] = []
    fd.restore({**old, "selects": "fd_copy_penalised"}, log=said.append)  # chosen by another score
    assert fd.best_score is None and fd.best_step == 10 and "afresh" in said[0]
