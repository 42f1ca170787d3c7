"""pix2pix translation: training on colour pictures (grayscale -> colour) or paired A/B
folders, `scigan translate` on images of any size, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import cli_error
from scigan.cli import main
from scigan.runs import open_run
from test_enhance import blobs

TINY_TR = [
    "--patch",
    "16",
    "--width",
    "8",
    "--batch-size",
    "8",
    "--steps",
    "8",
    "--checkpoint-every",
    "4",
    "--sample-every",
    "4",
    "--log-every",
    "2",
    "--quiet",
]


def test_translate_grayscale_to_colour(tmp_path: Path, capsys):
    run = tmp_path / "tr"
    assert main(["train", "he-tile", "--task", "translate", "--out", str(run), *TINY_TR]) == 0
    doc = (run / "config.toml").read_text()
    assert 'model = "unet"' in doc and "grayscale (luma) -> colour" in doc
    options = open_run(run).config.task_options  # pix2pix's automatic choices, in the [enhance] table
    assert (options.scale, options.warmup, options.adv_weight, options.feature_weight) == (1, 0, 0.01, 0.0)
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert {"D/adv", "G/adv", "G/l1"} <= set(metrics[0])  # pix2pix: L1 + adversarial from the start
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["baseline"] == "the grayscale input" and np.isfinite(scores["psnr"])

    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(blobs(1, 45, 70)).save(src / "a.png")  # any size: padded to the U-Net's 16
    Image.fromarray(blobs(2, 20, 33)).save(src / "b.png")
    assert main(["translate", str(run), str(src), "--out", str(tmp_path / "out")]) == 0
    with Image.open(tmp_path / "out" / "a.png") as im:
        assert im.mode == "RGB" and im.size == (70, 45)
        assert im.info["scigan:processed"] == "image translation" and im.info["scigan:run"] == str(run)
    with Image.open(tmp_path / "out" / "b.png") as im:
        assert im.size == (33, 20)

    Image.fromarray(blobs(3, 30, 30, channels=3)).save(tmp_path / "rgb.png")
    err = cli_error(capsys, ["translate", str(run), str(tmp_path / "rgb.png"), "--out", str(tmp_path / "x.png")])
    assert "colour (3 channels)" in err and "trained on grayscale" in err
    err = cli_error(capsys, ["enhance", str(run), str(src / "a.png"), "--out", str(tmp_path / "x.png")])
    assert "scigan translate" in err


def test_paired_a_b_folders(tmp_path: Path, capsys):
    root = tmp_path / "stains"
    (root / "A").mkdir(parents=True)
    (root / "B").mkdir()
    for i in range(4):
        b = blobs(i, 32, 32, channels=3)
        Image.fromarray(b).save(root / "B" / f"{i}.png")
        Image.fromarray(255 - b[..., 0]).save(root / "A" / f"{i}.png")  # another "stain"
    assert main(["train", str(root), "--task", "translate", "--out", str(tmp_path / "r"), *TINY_TR]) == 0
    assert "read from paired folders" in (tmp_path / "r" / "config.toml").read_text()
    Image.fromarray(blobs(5, 16, 16)).save(root / "A" / "extra.png")
    err = cli_error(capsys, ["train", str(root), "--task", "translate", "--out", str(tmp_path / "r2"), *TINY_TR])
    assert "do not pair up" in err and "A/extra" in err


def test_translate_needs_pairs_or_colour(tmp_path: Path, capsys):
    root = tmp_path / "gray"
    root.mkdir()
    for i in range(2):
        Image.fromarray(blobs(i, 40, 40)).save(root / f"{i}.png")
    err = cli_error(capsys, ["train", str(root), "--task", "translate", "--out", str(tmp_path / "r")])
    assert "A/ and B/" in err
    err = cli_error(capsys, ["train", "he-tile", "--task", "translate", "--patch", "24", "--out", str(tmp_path / "r")])
    assert "multiple of 16" in err


def test_cyclegan_unpaired(tmp_path: Path, capsys):
    root = tmp_path / "domains"
    (root / "A").mkdir(parents=True)
    (root / "B").mkdir()
    for i in range(4):  # unpaired: other names, counts and sizes in each domain
        Image.fromarray(blobs(i, 32, 40)).save(root / "A" / f"a{i}.png")
    for i in range(5):
        Image.fromarray(blobs(10 + i, 36, 36, channels=3)).save(root / "B" / f"b{i}.png")
    run = tmp_path / "cyc"
    assert main(["train", str(root), "--task", "cyclegan", "--out", str(run), *TINY_TR]) == 0
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert {"D/adv", "D/adv_a", "G/adv", "G/cycle"} <= set(metrics[-1])
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert np.isfinite(scores["cycle_psnr"]) and scores["n_pictures"] == 1
    assert main(["translate", str(run), str(root / "A" / "a0.png"), "--out", str(tmp_path / "b.png")]) == 0
    with Image.open(tmp_path / "b.png") as im:
        assert im.mode == "RGB" and im.size == (40, 32)
    err = cli_error(capsys, ["train", str(root / "A"), "--task", "cyclegan", "--out", str(tmp_path / "r")])
    assert "A/ and B/" in err
