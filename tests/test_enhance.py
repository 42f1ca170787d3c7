"""Super-resolution and denoising: built-in pictures, degradations, tiling, metrics,
training on the core Trainer, `scigan enhance`, `evaluate`, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import assert_resume_is_exact, cli_error
from scigan.cli import main
from scigan.errors import ScienceError

#: A tiny enhancement run: 16-px patches, narrow nets, a short warm-up then the GAN terms.
TINY_SR = [
    "--patch",
    "16",
    "--width",
    "8",
    "--batch-size",
    "8",
    "--steps",
    "12",
    "--warmup",
    "6",
    "--checkpoint-every",
    "6",
    "--sample-every",
    "6",
    "--log-every",
    "3",
    "--feature-weight",
    "0",
    "--quiet",
]


def blobs(seed: int, h: int, w: int, channels: int = 1) -> np.ndarray:
    """A smooth random picture (sum of Gaussian blobs), uint8 H×W[×C]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    out = np.zeros((h, w, channels))
    for _ in range(12):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(3, 8)
        out += rng.uniform(0.3, 1, channels) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))[..., None]
    x = np.rint(255 * out / out.max()).astype(np.uint8)
    return x[..., 0] if channels == 1 else x


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Five 48×48 grayscale pictures (one is held out)."""
    root = tmp_path / "pics"
    root.mkdir()
    for i in range(5):
        Image.fromarray(blobs(i, 48, 48)).save(root / f"p{i}.png")
    return root


# ---------------------------------------------------------------- built-in data


def test_builtin_pictures_read_and_tile():
    from scigan.modalities import get_entry
    from scigan.modalities.images.pictures import read_pictures
    from scigan.modalities.images.read import load_images

    (nuclei,) = read_pictures("nuclei")
    assert nuclei.pixels.shape == (512, 512, 1) and nuclei.dtype == "uint16"
    assert nuclei.pixels.dtype == np.float32 and nuclei.pixels.min() >= 0 and nuclei.pixels.max() <= 1
    for name, channels in (("he-tile", 3), ("ihc", 3), ("cell", 1)):
        assert get_entry(name).available()
        (p,) = read_pictures(name)
        assert p.channels == channels
    tiles = load_images("nuclei")  # the GAN trainer's view: 64-px tiles
    assert tiles.x.shape == (64, 1, 64, 64) and tiles.x.dtype == np.uint8


def test_missing_picture_package_names_the_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    import scigan.modalities.images.catalogue as catalogue

    monkeypatch.setattr(catalogue, "package_file", lambda package, relative: None)  # what the probe asks
    err = cli_error(capsys, ["train", "he-tile", "--task", "superres", "--out", str(tmp_path / "never")])
    assert "not installed" in err and "pip install" in err
    assert not (tmp_path / "never").exists()


# --------------------------------------------------------------------- pieces


def test_psnr_and_ssim_known_values():
    from skimage.metrics import structural_similarity

    from scigan.enhance.quality import psnr, ssim

    a = np.full((1, 20, 20), 0.5)
    assert psnr(a + 0.1, a) == pytest.approx(20.0)  # MSE 0.01
    assert psnr(a, a) == float("inf") and ssim(a, a) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    x = rng.random((3, 32, 40))
    y = np.clip(x + 0.1 * rng.standard_normal(x.shape), 0, 1)
    want = structural_similarity(
        y, x, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1, channel_axis=0
    )
    assert ssim(y, x) == pytest.approx(want, abs=1e-9)


def test_degradations():
    from scigan.enhance.degrade import Degradation

    g = torch.Generator().manual_seed(0)
    clean = torch.full((2, 1, 64, 64), 0.5)
    lr = Degradation(scale=4, blur=1.0)(clean, g)
    assert lr.shape == (2, 1, 16, 16) and torch.allclose(lr, torch.full_like(lr, 0.5), atol=1e-5)
    assert Degradation(scale=4).baseline(lr).shape == (2, 1, 64, 64)
    noisy = Degradation(noise="gaussian", sigma=25)(clean, g)
    assert float((noisy - clean).std()) == pytest.approx(25 / 255, rel=0.05)
    shot = Degradation(noise="poisson", peak=20)(clean, g)
    assert float(shot.mean()) == pytest.approx(0.5, abs=0.02)
    assert float(shot.std()) == pytest.approx((0.5 * 20) ** 0.5 / 20, rel=0.1)  # Poisson: var = mean


def test_tiled_inference_equals_whole_image():
    from scigan.enhance.tiling import tiled_apply
    from scigan.nets.srresnet import SRResNet
    from scigan.nets.unet import UNet

    torch.manual_seed(0)
    G = SRResNet(1, 1, 4, width=8, blocks=2).eval()
    torch.nn.init.normal_(G.tail.weight, 0, 0.1)  # an untrained tail is zero
    x = torch.rand(1, 1, 70, 93) * 2 - 1
    with torch.no_grad():
        whole = G(x)
    tiled = tiled_apply(G, x, scale=4, tile=32, margin=10, blend=4)  # margin > receptive field
    assert tiled.shape == whole.shape == (1, 1, 280, 372)
    assert float((tiled - whole).abs().max()) < 1e-5
    # a U-Net sees further than any margin: tiles differ, but no seam shows
    U = UNet(1, 3, width=8, depth=3).eval()
    x = torch.rand(1, 1, 64, 96) * 2 - 1
    with torch.no_grad():
        whole = U(x)
    tiled = tiled_apply(U, x, tile=32, margin=8, blend=4, align=8)
    assert float((tiled - whole).abs().max()) < 0.01


def test_resolved_options_are_the_task_section():
    from scigan.config import TrainConfig
    from scigan.enhance.options import EnhanceOptions
    from scigan.enhance.resolve import resolve_enhancement
    from scigan.modalities.images import KIND
    from scigan.options import NoOptions

    denoise = resolve_enhancement(TrainConfig.from_flat(data="nuclei", task="denoise", scale=4))
    assert isinstance(denoise.task_options, EnhanceOptions) and denoise.data_options == NoOptions()
    o = denoise.task_options
    assert (o.scale, o.noise, o.warmup, o.adv_weight, o.feature_weight) == (1, "gaussian", 1000, 1e-3, 1.0)
    assert (denoise.model, denoise.modality, denoise.loss) == ("srresnet", KIND.name, "ns")
    assert (denoise.beta1, denoise.g_lr, denoise.eval_every, denoise.conditional) == (0.9, 1e-3, 0, "no")
    translate = resolve_enhancement(TrainConfig.from_flat(data="he-tile", task="translate", warmup=5))
    o = translate.task_options
    assert (o.warmup, o.adv_weight, o.feature_weight, translate.model, translate.beta1) == (5, 0.01, 0.0, "unet", 0.0)
    assert resolve_enhancement(TrainConfig.from_flat(data="x", task="cyclegan")).task_options.adv_weight == 1.0
    with pytest.raises(ScienceError, match="--size"):  # a data kind's option, refused in one place
        TrainConfig.from_flat(data="nuclei", task="superres", size=32)
    with pytest.raises(ScienceError, match="--noise is for superres and denoise"):
        resolve_enhancement(TrainConfig.from_flat(data="he-tile", task="translate", noise="gaussian"))
    with pytest.raises(ScienceError, match="--task superres trains the srresnet generator"):
        resolve_enhancement(TrainConfig.from_flat(data="nuclei", task="superres", model="unet"))


def test_old_flat_superres_run_evaluates(tmp_path: Path):
    """A run folder written before config sections (one flat [train] table)."""
    import shutil

    from scigan.enhance.evaluate import evaluate_enhancer

    run = tmp_path / "superres"
    shutil.copytree(Path(__file__).parent / "data" / "runs_v0" / "superres", run)
    scores = evaluate_enhancer(run, log=lambda s: None)
    assert scores["step"] == 10 and scores["baseline"] == "bicubic x2" and scores["n_pictures"] == 1
    assert np.isfinite(scores["psnr"]) and np.isfinite(scores["ssim_baseline"])
    assert json.loads((run / "evaluation.json").read_text())["psnr"] == scores["psnr"]
    assert (run / "report" / "enhance.png").is_file()


# ----------------------------------------------------------------- end to end


def test_superres_train_evaluate_enhance(folder: Path, tmp_path: Path, capsys):
    run = tmp_path / "sr"
    assert main(["train", str(folder), "--task", "superres", "--scale", "4", "--out", str(run), *TINY_SR]) == 0
    from scigan.runs import open_run

    doc = (run / "config.toml").read_text()
    assert 'task = "superres"' in doc and "[enhance]" in doc and "[images]" not in doc
    assert open_run(run).config.task_options.scale == 4
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert "G/l1" in metrics[0] and "D/adv" not in metrics[0]  # warm-up: pixel loss alone
    assert {"D/adv", "G/adv"} <= set(metrics[-1])  # then the GAN terms
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in ("psnr", "ssim", "psnr_baseline", "ssim_baseline"):
        assert np.isfinite(scores[key])
    assert scores["n_pictures"] == 1 and (run / "report" / "enhance.png").is_file()

    src = tmp_path / "odd.png"
    Image.fromarray(blobs(9, 37, 53)).save(src)  # any size
    assert main(["enhance", str(run), str(src), "--out", str(tmp_path / "big.png")]) == 0
    with Image.open(tmp_path / "big.png") as out:
        assert out.size == (53 * 4, 37 * 4)
        assert out.info["scigan:synthetic"] == "true" and out.info["scigan:processed"] == "super-resolution x4"
    err = cli_error(capsys, ["enhance", str(run), str(src), "--out", str(tmp_path / "big.png")])
    assert "--overwrite" in err

    import tifffile  # 16-bit in, 16-bit out, provenance in the description

    tifffile.imwrite(tmp_path / "deep.tif", blobs(3, 20, 24).astype(np.uint16) * 200)
    assert main(["enhance", str(run), str(tmp_path / "deep.tif"), "--out", str(tmp_path / "deep_x4.tif")]) == 0
    with tifffile.TiffFile(tmp_path / "deep_x4.tif") as tif:
        y = tif.asarray()
        assert y.dtype == np.uint16 and y.shape == (80, 96) and y.max() > 255
        assert json.loads(tif.pages[0].description)["scigan:synthetic"] == "true"


@pytest.mark.slow
def test_feature_loss_after_the_warmup(folder: Path, tmp_path: Path):
    """The feature term uses a CNN trained on the training patches (about 30 s)."""
    run = tmp_path / "sr"
    assert main(["train", str(folder), "--task", "superres", "--out", str(run), *TINY_SR, "--feature-weight", "1"]) == 0
    assert "feature_extractor" in (run / "config.toml").read_text()
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert "G/feature" not in metrics[0] and metrics[-1]["G/feature"] > 0


def test_resume_is_bit_exact(folder: Path, tmp_path: Path):
    assert_resume_is_exact(tmp_path, [str(folder), "--task", "denoise", *TINY_SR], steps=12, stop=6)


@pytest.mark.slow
def test_denoising_beats_the_noisy_input(folder: Path, tmp_path: Path, capsys):
    run = tmp_path / "dn"
    assert (
        main(
            [
                "train",
                str(folder),
                "--task",
                "denoise",
                "--sigma",
                "50",
                "--patch",
                "32",
                "--width",
                "16",
                "--batch-size",
                "8",
                "--steps",
                "150",
                "--warmup",
                "1000",
                "--quiet",
                "--out",
                str(run),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["psnr"] > s["psnr_baseline"] + 3 and s["ssim"] > s["ssim_baseline"]


def test_paired_folders(tmp_path: Path):
    root = tmp_path / "pairs"
    (root / "hr").mkdir(parents=True)
    (root / "lr").mkdir()
    for i in range(4):
        hr = blobs(i, 32, 40)
        Image.fromarray(hr).save(root / "hr" / f"s{i}.png")
        Image.fromarray(hr[::2, ::2]).save(root / "lr" / f"s{i}.tif")  # suffixes may differ
    assert (
        main(["train", str(root), "--task", "superres", "--scale", "2", "--out", str(tmp_path / "run"), *TINY_SR]) == 0
    )
    assert "read from paired folders" in (tmp_path / "run" / "config.toml").read_text()


# ------------------------------------------------------------------ bad input


def _one_pair(tmp_path: Path, lr_name: str, lr_size: int) -> Path:
    """hr/a.png (32×32) and lr/``lr_name`` (``lr_size`` square) under tmp_path/pairs."""
    root = tmp_path / "pairs"
    (root / "hr").mkdir(parents=True)
    (root / "lr").mkdir()
    Image.fromarray(blobs(0, 32, 32)).save(root / "hr" / "a.png")
    Image.fromarray(blobs(0, lr_size, lr_size)).save(root / "lr" / lr_name)
    return root


def test_unpaired_folders_are_refused(tmp_path: Path, capsys):
    root = _one_pair(tmp_path, "b.png", 16)
    err = cli_error(capsys, ["train", str(root), "--task", "superres", "--scale", "2", "--out", str(tmp_path / "r")])
    assert "do not pair up" in err and "no partner" in err


def test_scale_must_divide(tmp_path: Path, capsys):
    root = _one_pair(tmp_path, "a.png", 11)
    err = cli_error(capsys, ["train", str(root), "--task", "superres", "--scale", "4", "--out", str(tmp_path / "r")])
    assert "exactly 4x the input's size" in err
    err = cli_error(capsys, ["train", "nuclei", "--task", "superres", "--scale", "3", "--out", str(tmp_path / "r")])
    assert "--scale must be 2, 4 or 8" in err
    err = cli_error(capsys, ["train", "nuclei", "--task", "superres", "--patch", "30", "--out", str(tmp_path / "r")])
    assert "multiple of 4" in err


def test_images_smaller_than_a_patch(tmp_path: Path, capsys):
    root = tmp_path / "small"
    root.mkdir()
    for i in range(2):
        Image.fromarray(blobs(i, 40, 40)).save(root / f"{i}.png")
    err = cli_error(capsys, ["train", str(root), "--task", "denoise", "--patch", "64", "--out", str(tmp_path / "r")])
    assert "smaller than the 64-px training patch" in err


def test_enhance_refuses_wrong_channels_and_runs(folder: Path, tmp_path: Path, capsys):
    run = tmp_path / "dn"
    assert main(["train", str(folder), "--task", "denoise", "--out", str(run), *TINY_SR]) == 0
    Image.fromarray(blobs(1, 30, 30, channels=3)).save(tmp_path / "rgb.png")
    err = cli_error(capsys, ["enhance", str(run), str(tmp_path / "rgb.png"), "--out", str(tmp_path / "o.png")])
    assert "colour" in err and "grayscale" in err
    err = cli_error(capsys, ["translate", str(run), str(tmp_path / "rgb.png"), "--out", str(tmp_path / "o.png")])
    assert "scigan enhance" in err
    err = cli_error(capsys, ["sample", str(run), "-n", "4", "--out", str(tmp_path / "s.png")])
    assert "does not sample" in err and "scigan enhance" in err
    err = cli_error(
        capsys, ["train", str(folder), "--task", "denoise", "--noise", "none", "--out", str(tmp_path / "x")]
    )
    assert "needs a noise" in err


def test_report_shows_scores_and_crops(folder: Path, tmp_path: Path):
    from scigan.report.html import write_report

    run = tmp_path / "sr"
    assert main(["train", str(folder), "--task", "superres", "--out", str(run), *TINY_SR]) == 0
    assert main(["evaluate", str(run)]) == 0
    page = write_report(run).read_text()
    assert "PSNR (dB)" in page and "bicubic x4" in page and "report/enhance.png" in page
