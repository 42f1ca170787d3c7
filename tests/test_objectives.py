"""Losses, regularizers, EMA and DiffAugment on values that can be worked out by hand."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from scigan.core.consistency import ClassConsistency
from scigan.core.diffaugment import diff_augment, parse_policy
from scigan.core.ema import EMA
from scigan.core.objectives import OBJECTIVES, make_objective
from scigan.core.phases import StepContext
from scigan.core.regularizers import GradientPenalty, R1Penalty
from scigan.errors import ScienceError


def test_hinge_values() -> None:
    hinge = make_objective("hinge")
    assert hinge.d_loss(torch.tensor([2.0]), torch.tensor([-2.0])).item() == 0.0
    assert hinge.d_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == 2.0
    assert hinge.g_loss(torch.tensor([3.0, 1.0])).item() == -2.0


def test_nonsaturating_values() -> None:
    ns = make_objective("ns")
    assert ns.d_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == pytest.approx(2 * math.log(2))
    assert ns.g_loss(torch.tensor([100.0])).item() == pytest.approx(0.0, abs=1e-6)


def test_wasserstein_and_lsgan_values() -> None:
    assert make_objective("wgan").d_loss(torch.tensor([3.0]), torch.tensor([1.0])).item() == -2.0
    ls = make_objective("lsgan")
    assert ls.d_loss(torch.tensor([1.0]), torch.tensor([0.0])).item() == 0.0
    assert ls.g_loss(torch.tensor([0.0])).item() == 0.5


def test_unknown_loss_lists_valid_ones() -> None:
    with pytest.raises(ScienceError, match="ns, hinge, wgan, lsgan"):
        make_objective("wasserstein-ish")
    assert set(OBJECTIVES) == {"ns", "hinge", "wgan", "lsgan"}


class Linear(nn.Module):
    """D(x) = <w, x>: its input gradient is w everywhere."""

    def __init__(self, w: torch.Tensor):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return (x.flatten(1) * self.w).sum(1)


def _ctx(D: nn.Module, n: int = 4) -> StepContext:
    return StepContext(
        G=lambda z, y: z,
        D=D,
        real=torch.randn(n, 3),
        labels=None,
        z=torch.randn(n, 3),
        fake_labels=None,
        rng=torch.Generator().manual_seed(0),
        augment=lambda x: x,
        grad_to_generator=False,
    )


def test_gradient_penalty_of_a_linear_critic() -> None:
    w = torch.tensor([3.0, 0.0, 4.0])  # ‖∇D‖ = 5 everywhere -> penalty (5-1)² = 16
    assert GradientPenalty(10.0)(_ctx(Linear(w))).item() == pytest.approx(160.0, rel=1e-5)


def test_r1_of_a_linear_critic_is_lazy_scaled() -> None:
    w = torch.tensor([1.0, 2.0, 2.0])  # ‖∇D‖² = 9
    assert R1Penalty(gamma=2.0, interval=1)(_ctx(Linear(w))).item() == pytest.approx(9.0)
    assert R1Penalty(gamma=2.0, interval=4)(_ctx(Linear(w))).item() == pytest.approx(36.0)


def test_penalty_gradients_reach_the_critic() -> None:
    D = Linear(torch.tensor([3.0, 0.0, 4.0]))
    GradientPenalty(1.0)(_ctx(D)).backward()
    assert D.w.grad is not None and D.w.grad.abs().sum() > 0


def test_ema_half_life() -> None:
    src = nn.Linear(1, 1, bias=False)
    ema = EMA(src, half_life_images=100, rampup=0)
    with torch.no_grad():
        src.weight.fill_(1.0)
        ema.model.weight.fill_(0.0)
    ema.update(src, batch=100, images_seen=1000)  # one half-life: halfway to the source
    assert ema.model.weight.item() == pytest.approx(0.5)
    assert not ema.model.weight.requires_grad


def test_ema_rampup_caps_half_life_early() -> None:
    ema = EMA(nn.Linear(1, 1), half_life_images=10_000, rampup=0.05)
    assert ema.decay(batch=50, images_seen=1000) == pytest.approx(0.5)


def test_diffaugment_is_seeded_differentiable_and_shape_preserving() -> None:
    x = (torch.rand(6, 3, 16, 16) * 2 - 1).requires_grad_(True)
    policy = parse_policy("color,translation,cutout")
    a = diff_augment(x, policy, torch.Generator().manual_seed(1))
    b = diff_augment(x, policy, torch.Generator().manual_seed(1))
    c = diff_augment(x, policy, torch.Generator().manual_seed(2))
    assert a.shape == x.shape
    assert torch.equal(a, b) and not torch.equal(a, c)
    a.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_cutout_blanks_a_quarter() -> None:
    x = torch.ones(8, 1, 16, 16)
    out = diff_augment(x, parse_policy("cutout"), torch.Generator().manual_seed(0))
    zeros = (out == 0).float().mean(dim=(1, 2, 3))
    assert torch.all(zeros > 0.05) and torch.all(zeros <= 0.25 + 1e-6)


def test_unknown_augment_is_refused() -> None:
    with pytest.raises(ScienceError, match="color, translation, cutout"):
        parse_policy("color,flip")


class _LabelledGenerator(nn.Module):
    """G(z, y): a linear map of the latent and the one-hot label to a 2-d point."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.classes, self.net = classes, nn.Linear(4 + classes, 2)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([z, nn.functional.one_hot(y, self.classes).float()], 1))


def test_class_consistency_teaches_the_generator_the_frozen_classifiers_classes() -> None:
    torch.manual_seed(0)
    classifier = nn.Linear(2, 3)
    before = classifier.weight.detach().clone()
    G = _LabelledGenerator(3)
    term = ClassConsistency(classifier, weight=1.0)
    opt = torch.optim.Adam(G.parameters(), lr=0.05)
    y = torch.arange(3).repeat(40)
    z = torch.randn(len(y), 4)

    def agreement() -> float:
        with torch.no_grad():
            return (classifier(G(z, y)).argmax(1) == y).float().mean().item()

    start = agreement()
    for step in range(100):
        ctx = StepContext(
            G=G,
            D=nn.Identity(),
            real=torch.zeros(1, 2),
            labels=None,
            z=z,
            fake_labels=y,
            rng=torch.Generator().manual_seed(step),
            augment=lambda x: x,
            grad_to_generator=True,
        )
        opt.zero_grad()
        term(ctx).backward()
        opt.step()
    assert start < 0.6 and agreement() > 0.95
    assert torch.equal(classifier.weight, before) and classifier.weight.grad is None  # frozen


def test_class_consistency_refuses_an_unconditional_step() -> None:
    ctx = StepContext(
        G=lambda z, y: z,
        D=nn.Identity(),
        real=torch.zeros(1, 2),
        labels=None,
        z=torch.randn(4, 2),
        fake_labels=None,
        rng=torch.Generator().manual_seed(0),
        augment=lambda x: x,
        grad_to_generator=True,
    )
    with pytest.raises(ScienceError, match="needs a conditional run"):
        ClassConsistency(nn.Linear(2, 3), 1.0)(ctx)
    with pytest.raises(ScienceError, match="must be > 0"):
        ClassConsistency(nn.Linear(2, 3), 0.0)
