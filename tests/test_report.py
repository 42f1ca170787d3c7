"""``scigan report``: the HTML page built from a hand-made run folder."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from PIL import Image

from scigan.errors import ScienceError
from scigan.report.data import read_metrics
from scigan.report.html import write_report

CLASSES = ["T-shirt", "<script>alert(1)</script>", "Sandal & boot"]


class _Page(HTMLParser):
    """Collects the tags, <img> sources and table cells of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.cells: list[str] = []
        self.worst_rows = 0
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attrs_ = dict(attrs)
        if tag == "img":
            self.images.append(attrs_["src"] or "")
        if tag == "tr" and attrs_.get("class") == "worst":
            self.worst_rows += 1
        if tag == "td":
            self._in_td = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_td = False

    def handle_data(self, data: str) -> None:
        if self._in_td:
            self.cells[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _make_run(root: Path, *, metrics: bool = True, evaluation: bool = True) -> Path:
    run = root / "my run"
    (run / "samples").mkdir(parents=True)
    config = {
        "train": {
            "data": "fashion-mnist",
            "model": "dcgan",
            "loss": "hinge",
            "conditional": "yes",
            "size": 28,
            "steps": 1000,
            "batch_size": 64,
            "seed": 0,
        },
        "data": {
            "modality": "images",
            "source": "fashion-mnist",
            "channels": 1,
            "size": 28,
            "num_classes": 3,
            "class_names": CLASSES,
            "n_train": 600,
            "n_holdout": 100,
            "holdout_from": "test split",
        },
    }
    (run / "config.toml").write_bytes(tomli_w.dumps(config).encode())
    rng = np.random.default_rng(0)
    for step in (500, 1000):
        grid = rng.integers(0, 256, size=(3 * 30, 8 * 30), dtype=np.uint8)
        Image.fromarray(grid).save(run / "samples" / f"{step:08d}.png")
    if metrics:
        lines = [
            json.dumps(
                {"step": s, "images": s * 64, "seconds": s / 10, "D/adv": 1.5 - s / 1000, "G/adv": 0.5 + s / 2000}
            )
            for s in (100, 200, 300, 400)
        ]
        lines.insert(
            2,
            json.dumps({"step": 250, "images": 16000, "seconds": 25.0, "eval": {"fd": 41.25, "kid": 0.031, "n": 200}}),
        )
        lines.append(
            json.dumps({"step": 500, "images": 32000, "seconds": 50.0, "eval": {"fd": 17.5, "kid": 0.012, "n": 200}})
        )
        lines.append('{"step": 550, "images": 35200, "D/a')  # killed mid-write
        (run / "metrics.jsonl").write_text("\n".join(lines))
    (run / "checkpoints" / "00000500").mkdir(parents=True)
    (run / "checkpoints" / "00000500" / "state.json").write_text(
        json.dumps({"step": 500, "images": 32000, "seconds": 50.0, "best_step": 500, "best_score": 17.5})
    )
    if evaluation:
        (run / "evaluation.json").write_text(
            json.dumps(
                {
                    "n": 100,
                    "fd": 12.3456,
                    "fd_real_floor": 2.0625,
                    "fd_untrained": 310.5,
                    "kid": 0.0123,
                    "kid_std": 0.0021,
                    "kid_real_floor": 0.0004,
                    "precision": 0.71,
                    "recall": 0.42,
                    "density": 0.88,
                    "coverage": 0.63,
                    "class_coverage": 1.0,
                    "label_accuracy": 0.81,
                    "fd_per_class": {CLASSES[0]: 10.5, CLASSES[1]: 31.75, CLASSES[2]: 8.25},
                    "worst_class": {"name": CLASSES[1], "fd": 31.75, "gap": 23.5},
                    "extractor_hash": "abc123def456",
                    "extractor_test_accuracy": 0.9125,
                    "reference": "test split",
                    "step": 500,
                    "checkpoint": "auto",
                    "dcr_median": 3.5,
                }
            )
        )
    return run


def test_report_of_a_full_run(tmp_path: Path) -> None:
    run = _make_run(tmp_path)
    out = write_report(run)
    assert out == run / "report.html" and out.is_file()
    text = out.read_text(encoding="utf-8")
    page = _parse(out)

    assert text.startswith("<!DOCTYPE html>")
    assert page.tags[:3] == ["html", "head", "meta"]
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert "synthetic" in text.lower()

    # evaluation beside its floors, and what the score depends on
    assert "12.35" in text and "2.062" in text and "310.5" in text
    assert "0.0123 ± 0.0021" in text
    assert "abc123def456" in text and "0.9125" in text
    assert "dcr_median" in text  # a score the page does not know is still shown
    # (310.5 - 12.3456) / (310.5 - 2.0625) = 97%
    assert "97%" in text

    # per-class table: one row per class, the worst highlighted, names escaped
    for name, fd in zip(CLASSES, ("10.5", "31.75", "8.25")):
        i = page.cells.index(name)
        assert page.cells[i + 1] == fd
    assert page.worst_rows == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Sandal &amp; boot" in text

    # summary from the checkpoint's state; config tables
    assert "fashion-mnist" in page.cells and "dcgan" in page.cells
    assert "1 unreadable line" in text

    # every image link is relative and resolves; plots are valid PNGs
    expected = {"report/losses.png", "report/metrics.png", "samples/00001000.png", "samples/00000500.png"}
    assert expected <= set(page.images)
    for src in page.images:
        assert "://" not in src and not src.startswith("/")
        with Image.open(run / src) as img:
            img.verify()
    for name in ("losses.png", "metrics.png"):
        with Image.open(run / "report" / name) as img:
            assert img.format == "PNG" and img.width > 100
    assert not list(run.glob(".report.html.tmp-*")) and not list((run / "report").glob(".*tmp*"))


def test_report_without_metrics_or_evaluation_says_how_to_evaluate(tmp_path: Path) -> None:
    run = _make_run(tmp_path, metrics=False, evaluation=False)
    text = write_report(run).read_text(encoding="utf-8")
    assert "scigan evaluate" in text and "Not evaluated yet" in text
    assert "No loss terms logged yet" in text
    assert "report/losses.png" not in text
    assert "samples/00001000.png" in text
    _parse(run / "report.html")


def test_report_of_unreadable_evaluation_and_empty_metrics(tmp_path: Path) -> None:
    run = _make_run(tmp_path, metrics=False, evaluation=False)
    (run / "metrics.jsonl").write_text("")
    (run / "evaluation.json").write_text('{"fd": 1')
    text = write_report(run).read_text(encoding="utf-8")
    assert "evaluation.json is unreadable" in text and "scigan evaluate" in text


def test_read_metrics_skips_truncated_line(tmp_path: Path) -> None:
    run = _make_run(tmp_path)
    metrics = read_metrics(run / "metrics.jsonl")
    assert [p.step for p in metrics.losses] == [100, 200, 300, 400]
    assert metrics.losses[0].values == {"D/adv": 1.4, "G/adv": 0.55} and metrics.losses[0].images == 6400
    assert [p.values["fd"] for p in metrics.evals] == [41.25, 17.5]
    assert metrics.skipped == 1
    missing = read_metrics(tmp_path / "missing.jsonl")
    assert (missing.losses, missing.evals, missing.skipped) == ([], [], 0)


def test_not_a_run_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(ScienceError, match="does not exist"):
        write_report(tmp_path / "nowhere")
    (tmp_path / "plain").mkdir()
    with pytest.raises(ScienceError, match="not a scigan run folder"):
        write_report(tmp_path / "plain")


def test_report_reads_the_kinds_declared_scores(tmp_path: Path) -> None:
    """An expression run: checkpoints were picked by its own score (FD × copying penalty,
    not FD), and its evaluation's rows, floors and worst group come from the registry."""
    run = tmp_path / "cells"
    run.mkdir()
    config = {
        "train": {"data": "cells.h5ad", "steps": 30, "seed": 0},
        "data": {
            "modality": "expression",
            "source": "cells.h5ad",
            "num_classes": 2,
            "class_names": ["B", "T"],
            "n_train": 60,
            "n_holdout": 20,
            "holdout_from": "random split",
        },
    }
    (run / "config.toml").write_bytes(tomli_w.dumps(config).encode())
    evals = [
        (10, {"fd_copy_penalised": 9.0, "fd_train": 3.0, "close_share": 1.5}),
        (20, {"fd_copy_penalised": 4.0, "fd_train": 4.0, "close_share": 0.4}),  # the best: it does not copy
        (30, {"fd_copy_penalised": 5.0, "fd_train": 2.5, "close_share": 1.0}),
    ]
    (run / "metrics.jsonl").write_text(
        "".join(json.dumps({"step": s, "images": 16 * s, "seconds": s / 10.0, "eval": e}) + "\n" for s, e in evals)
    )
    (run / "evaluation.json").write_text(
        json.dumps(
            {
                "n": 60,
                "n_reference": 20,
                "reference": "holdout",
                "values": "counts",
                "gene_mean_r": 0.91,
                "gene_mean_r_real_floor": 0.97,
                "detection_auc": 0.64,
                "detection_auc_real": 0.52,
                "per_group": {"B": {"detection_auc": 0.6, "n_real": 12}, "T": {"detection_auc": 0.7, "n_real": 8}},
                "worst_group": {"name": "T", "metric": "detection_auc", "value": 0.7, "gap": 0.1, "n": 8},
            }
        )
    )
    page = _parse(write_report(run))
    text = (run / "report.html").read_text(encoding="utf-8")
    assert "best step (by FD × copying penalty, lower is better)" in page.cells
    assert page.cells[page.cells.index("best step (by FD × copying penalty, lower is better)") + 1] == "20"
    row = page.cells.index("gene mean r")
    assert page.cells[row + 1 : row + 3] == ["0.91", "real-vs-real 0.97"]
    assert page.cells[page.cells.index("detection AUC") + 2] == "real-vs-real 0.52"
    assert "0.5 is ideal" in page.cells[page.cells.index("detection AUC") + 3]
    assert "Worst group: <strong>T</strong> (detection AUC 0.7" in text and page.worst_rows == 1
    assert "held-out rows" in text  # per-group sizes under their declared label
    assert "expression values" in page.cells  # a fact the kind reports
    assert "Other values" not in text  # every value is declared
    with Image.open(run / "report" / "metrics.png") as img:
        assert img.width > 3 * 400  # one curve per logged quick score: the selection score and two others
