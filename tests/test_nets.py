"""Architectures: output shapes and ranges, conditioning, and size checks."""

from __future__ import annotations

import pytest
import torch

from scigan.errors import ScienceError
from scigan.nets import NetSpec, build
from scigan.nets.spec import upsampling_plan


@pytest.mark.parametrize("model", ["mlp", "dcgan", "resnet"])
@pytest.mark.parametrize("size,channels", [(8, 1), (28, 1), (32, 3)])
@pytest.mark.parametrize("num_classes", [0, 10])
def test_shapes_and_range(model: str, size: int, channels: int, num_classes: int) -> None:
    torch.manual_seed(0)
    spec = NetSpec(size=size, channels=channels, num_classes=num_classes, z_dim=16, width=8)
    G, D = build(model, spec)
    y = torch.arange(4) % 10 if num_classes else None
    x = G(torch.randn(4, 16), y)
    assert x.shape == (4, channels, size, size)
    assert x.min() >= -1 and x.max() <= 1
    logits = D(x, y)
    assert logits.shape == (4,)
    assert torch.isfinite(logits).all()


def test_conditioning_changes_output() -> None:
    torch.manual_seed(0)
    G, _ = build("dcgan", NetSpec(size=8, channels=1, num_classes=3, z_dim=8, width=8))
    with torch.no_grad():
        for p in G.modules():  # make class embeddings differ, as training would
            if isinstance(p, torch.nn.Embedding):
                p.weight.normal_()
    G.eval()
    z = torch.randn(2, 8)
    a = G(z, torch.tensor([0, 0]))
    b = G(z, torch.tensor([1, 1]))
    assert not torch.allclose(a, b)


def test_spectral_norm_bounds_layers() -> None:
    torch.manual_seed(0)
    _, D = build("dcgan", NetSpec(size=16, channels=1, width=8, spectral_norm=True))
    for _ in range(20):  # power iterations converge in train mode
        D(torch.randn(8, 1, 16, 16))
    W = D.body[0].weight.detach().flatten(1)
    assert torch.linalg.matrix_norm(W, ord=2).item() == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("size,plan", [(8, (4, 1)), (28, (7, 2)), (32, (4, 3)), (64, (4, 4)), (14, (7, 1))])
def test_upsampling_plan(size: int, plan: tuple[int, int]) -> None:
    assert upsampling_plan(size, "dcgan") == plan


@pytest.mark.parametrize("size", [12, 20, 30, 128, 4])
def test_bad_size_is_refused(size: int) -> None:
    with pytest.raises(ScienceError, match="4·2\\^k or 7·2\\^k"):
        build("dcgan", NetSpec(size=size, channels=1))


def test_mlp_takes_any_size() -> None:
    G, _ = build("mlp", NetSpec(size=12, channels=2, width=4, z_dim=4))
    assert G(torch.randn(3, 4)).shape == (3, 2, 12, 12)


def test_unknown_model_lists_valid_ones() -> None:
    with pytest.raises(ScienceError, match="mlp, dcgan, resnet"):
        build("stylegan9", NetSpec(size=8, channels=1))
