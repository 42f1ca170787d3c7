"""The higher-resolution architectures: progressive growing, the style-based generator,
LAPGAN and self-attention. Shapes, their mechanisms, a few CLI steps, exact resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from helpers import TINY, assert_resume_is_exact, cli_error, newest_weights
from scigan.cli import main
from scigan.errors import ScienceError
from scigan.nets import NetSpec, build
from scigan.nets.attention import SelfAttention
from scigan.nets.lapgan import laplacian_pyramid, upsample
from scigan.nets.progress import progress_hooks
from scigan.nets.progressive import grow_level

NEW = ["progressive", "stylegan", "lapgan"]


@pytest.mark.parametrize("model", NEW)
@pytest.mark.parametrize("size,channels", [(8, 1), (28, 1), (32, 3)])
@pytest.mark.parametrize("num_classes", [0, 10])
def test_shapes_range_and_gradients(model: str, size: int, channels: int, num_classes: int) -> None:
    torch.manual_seed(0)
    G, D = build(model, NetSpec(size=size, channels=channels, num_classes=num_classes, z_dim=16, width=8))
    y = torch.arange(4) % 10 if num_classes else None
    x = G(torch.randn(4, 16), y)
    assert x.shape == (4, channels, size, size)
    assert x.min() >= -1 and x.max() <= 1
    logits = D(x, y)
    assert logits.shape == (4,) and torch.isfinite(logits).all()
    logits.sum().backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


@pytest.mark.parametrize("model", ["dcgan", "resnet"])
def test_attention_block_is_placed_and_checked(model: str) -> None:
    for resolution in (7, 14):
        G, D = build(model, NetSpec(size=28, channels=1, num_classes=10, z_dim=16, width=8, attention=resolution))
        blocks = [m for net in (G, D) for m in net.modules() if isinstance(m, SelfAttention)]
        assert len(blocks) == 2
        seen = []
        hooks = [b.register_forward_hook(lambda m, i, o, seen=seen: seen.append(o.shape[-1])) for b in blocks]
        y = torch.arange(3)
        D(G(torch.randn(3, 16), y), y)
        assert seen == [resolution, resolution]
        for h in hooks:
            h.remove()
    plain, _ = build(model, NetSpec(size=28, channels=1, z_dim=16, width=8))
    assert not any(isinstance(m, SelfAttention) for m in plain.modules())
    with pytest.raises(ScienceError, match="--attention 9"):
        build(model, NetSpec(size=28, channels=1, z_dim=16, width=8, attention=9))


def test_attention_starts_as_identity_and_is_refused_elsewhere() -> None:
    block = SelfAttention(16)
    x = torch.randn(2, 16, 7, 7)
    assert torch.equal(block(x), x)  # γ = 0 at initialisation
    with torch.no_grad():
        block.gamma.fill_(1.0)
    assert not torch.allclose(block(x), x)
    with pytest.raises(ScienceError, match="--attention is an option of dcgan and resnet"):
        build("stylegan", NetSpec(size=28, channels=1, z_dim=16, width=8, attention=14))


def test_grow_schedule_is_stable_then_fades_in() -> None:
    levels = [grow_level(i * 250, 1000, 2) for i in range(0, 24)]
    assert levels[:4] == [0.0] * 4  # stable at the start size
    assert levels[4:8] == [0.0, 0.25, 0.5, 0.75]  # fading in the second stage
    assert levels[8:12] == [1.0] * 4
    assert levels[12:16] == [1.0, 1.25, 1.5, 1.75]
    assert levels[16:] == [2.0] * 8  # full size, and it stays there


def test_progressive_networks_work_at_the_current_resolution() -> None:
    torch.manual_seed(0)
    G, D = build("progressive", NetSpec(size=28, channels=1, z_dim=16, width=8, grow_images=1000))
    [hook] = progress_hooks(G, D)
    hook.before_step(0)
    assert hook.values() == {"level": 0.0}
    D.eval()  # no power-iteration update between the calls compared below
    z = torch.randn(4, 16)
    coarse = G(z)  # 7×7 upsampled: constant over 4×4 blocks
    assert torch.allclose(coarse, F.interpolate(F.avg_pool2d(coarse, 4), scale_factor=4.0), atol=1e-6)
    x = torch.rand(4, 1, 28, 28) * 2 - 1
    blurred = F.interpolate(F.avg_pool2d(x, 4), scale_factor=4.0)
    assert torch.allclose(D(x), D(blurred), atol=1e-5)  # D reads 7×7 only
    hook.before_step(1500)
    assert hook.values() == {"level": 0.5}
    half = G(z)
    assert not torch.allclose(half, F.interpolate(F.avg_pool2d(half, 4), scale_factor=4.0), atol=1e-6)
    assert torch.allclose(half, F.interpolate(F.avg_pool2d(half, 2), scale_factor=2.0), atol=1e-6)  # 14×14
    hook.before_step(10_000)
    full = G(z)
    assert not torch.allclose(full, F.interpolate(F.avg_pool2d(full, 2), scale_factor=2.0), atol=1e-6)
    assert not torch.allclose(D(x), D(blurred), atol=1e-5)


def test_style_generator_mixing_noise_and_determinism() -> None:
    torch.manual_seed(0)
    G, _ = build("stylegan", NetSpec(size=16, channels=1, num_classes=3, z_dim=16, width=8))
    assert G.num_ws == 5  # 4×4 start, two ×2 stages of two layers
    with torch.no_grad():
        for layer in G.layers:
            layer.noise_strength.fill_(0.5)
    z, y = torch.randn(2, 16), torch.tensor([0, 1])
    G.eval()
    a = G(z, y)
    assert torch.equal(a, G(z, y))  # eval: fixed noise buffers
    w = G.mapping(z, y)
    ws = w[:, None].expand(-1, G.num_ws, -1)
    assert torch.allclose(G.synthesis(ws), a)
    other = G.mapping(torch.randn(2, 16), y)
    mixed = torch.cat([ws[:, :2], other[:, None].expand(-1, G.num_ws - 2, -1)], dim=1)
    assert not torch.allclose(G.synthesis(mixed), a)
    G.train()
    G.set_progress(640)
    first = G(z, y)
    G.set_progress(640)
    assert torch.equal(G(z, y), first)  # training draws are a function of images seen
    G.set_progress(704)
    assert not torch.equal(G(z, y), first)


def test_laplacian_pyramid_round_trip_and_generator_bands() -> None:
    x = torch.randn(2, 3, 32, 32)
    levels = laplacian_pyramid(x, 3)
    assert [t.shape[-1] for t in levels] == [4, 8, 16, 32]
    image = levels[0]
    for band in levels[1:]:
        image = upsample(image) + band
    assert torch.allclose(image, x, atol=1e-5)
    G, D = build("lapgan", NetSpec(size=28, channels=1, num_classes=10, z_dim=16, width=8))
    y = torch.arange(4)
    bands = G.pyramid(torch.randn(4, 16), y)
    assert [t.shape[-1] for t in bands] == [7, 14, 28]
    assert len(D.judges) == 3


@pytest.mark.parametrize("model", ["progressive", "stylegan"])
def test_cli_trains_and_resumes_exactly(tmp_path: Path, model: str) -> None:
    """Growing across the resume point (progressive) and network-drawn noise (stylegan)
    continue bit for bit."""
    flags = ["digits", "--size", "16", "--model", model, "--grow-images", "160", *TINY]
    straight, resumed = assert_resume_is_exact(tmp_path, flags, steps=20, stop=10)
    if model == "progressive":
        log = [json.loads(line) for line in (straight / "metrics.jsonl").read_text().splitlines()]
        # logged at steps 5, 10, 15, 20, each from the images seen before the step (32 each)
        assert [r["progress/level"] for r in log] == [0.0, 0.8, 1.0, 1.8]
        assert newest_weights(resumed)["G_ema.safetensors/level"].item() == pytest.approx(1.8)


@pytest.mark.parametrize(
    "model,extra", [("lapgan", []), ("dcgan", ["--attention", "8"]), ("resnet", ["--attention", "4"])]
)
def test_cli_trains_the_others(tmp_path: Path, model: str, extra: list[str]) -> None:
    run = tmp_path / "run"
    assert (
        main(["train", "digits", "--size", "16", "--model", model, *extra, "--steps", "10", "--out", str(run), *TINY])
        == 0
    )
    assert (run / "checkpoints" / "00000010" / "G_ema.safetensors").is_file()
    assert f'model = "{model}"' in (run / "config.toml").read_text()


def test_cli_refuses_bad_architecture_options(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "run")
    err = cli_error(capsys, ["train", "digits", "--model", "dcgan", "--attention", "5", "--out", out, *TINY])
    assert "--attention 5" in err and "4, 8" in err
    err = cli_error(capsys, ["train", "digits", "--model", "stylegan", "--attention", "4", "--out", out, *TINY])
    assert "--attention is an option of dcgan and resnet" in err
    err = cli_error(capsys, ["train", "breast-cancer", "--attention", "4", "--out", out, *TINY])
    assert "--attention" in err and "tabular" in err
    err = cli_error(capsys, ["train", "digits", "--model", "progressive", "--grow-images", "0", "--out", out, *TINY])
    assert "--grow-images must be at least 1" in err
    err = cli_error(capsys, ["train", "digits", "--model", "biggan", "--out", out, *TINY])
    assert "progressive" in err and "stylegan" in err and "lapgan" in err
    assert not (tmp_path / "run").exists()
