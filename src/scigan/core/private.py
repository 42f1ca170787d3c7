"""Differentially private discriminator steps (DP-GAN, Xie et al. 2018).

Only the discriminator sees real data, so only its updates are made private: every
discriminator step draws its real batch by Poisson sampling (each training row with
probability ``q = batch_size / rows``), computes the gradient of each real row's own
loss terms (the objective's real term and the gradient penalty or R1 at that row),
clips each to L2 norm ``C``, sums them, adds Gaussian noise of standard deviation
``σ·C`` and divides by the expected batch size — DP-SGD (Abadi et al. 2016). The fake
rows' term is added with its ordinary gradient: fakes are a function of the generator,
which only ever sees the discriminator, so the generator is private by post-processing.

Per-sample gradients come from ``torch.func`` (``vmap`` over ``grad``) for every
objective: the core's discriminator step is a batched real + fake forward with
penalties that differentiate through the input, which Opacus's per-layer hooks cannot
serve. Opacus provides the accountant (RDP by default, PRV on request) and the noise
calibration: σ is chosen before training from (ε, δ, q, planned discriminator steps).

Under DP the penalties are taken on un-augmented samples (DiffAugment still applies to
the adversarial term) and fake labels are drawn uniformly over the classes (drawing them
from the training labels would leak their frequencies).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from scigan.core.objectives import Objective
from scigan.core.phases import StepContext, Term
from scigan.errors import ScienceError

#: Accountants of Opacus that scigan offers.
ACCOUNTANTS = ("rdp", "prv")


@contextmanager
def _quiet_orders() -> Iterator[None]:
    """Drop Opacus's "optimal order is the largest alpha" warning inside: the ε it reports
    is then a valid, slightly loose upper bound, nothing the user must act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Optimal order is the")
        yield


def _accountant(name: str) -> Any:
    from opacus.accountants import create_accountant

    return create_accountant(name)


def spent_epsilon(
    noise_multiplier: float, sample_rate: float, steps: int, delta: float, accountant: str = "rdp"
) -> float:
    """ε spent by ``steps`` Poisson-subsampled Gaussian steps (noise multiplier σ, rate q)
    at ``delta``, as Opacus's ``accountant`` computes it (0 before the first step)."""
    if steps <= 0:
        return 0.0
    acc = _accountant(accountant)
    acc.history = [(noise_multiplier, sample_rate, steps)]
    with _quiet_orders():
        return float(acc.get_epsilon(delta=delta))


@dataclass(frozen=True)
class PrivacyPlan:
    """The privacy budget of a run and what it buys: ``epsilon``, ``delta`` (the target),
    ``codec_epsilon`` (spent by the data kind's private codec, before training; counted
    by basic composition), the noise multiplier σ calibrated for ``steps`` discriminator
    steps at sampling rate ``sample_rate``, the clipping norm ``max_grad_norm`` and the
    number of classes fake labels are drawn from (0: unconditional). The expected real
    batch is ``sample_rate · rows`` (the ``rows`` training rows)."""

    epsilon: float
    delta: float
    max_grad_norm: float
    noise_multiplier: float
    sample_rate: float
    steps: int
    rows: int
    accountant: str = "rdp"
    codec_epsilon: float = 0.0
    num_classes: int = 0

    def spent(self, d_steps: int) -> float:
        """ε spent after ``d_steps`` discriminator steps, the codec's share included."""
        return self.codec_epsilon + spent_epsilon(
            self.noise_multiplier, self.sample_rate, d_steps, self.delta, self.accountant
        )

    def divergence_error(self, step: int, what: object) -> ScienceError:
        """The refusal to roll a diverged DP run back: replaying steps would spend ε twice."""
        return ScienceError(
            f"training diverged at step {step} ({what}); under --dp-epsilon a roll-back would "
            "spend privacy beyond the budget: train a new run with a lower --d-lr or --g-lr"
        )

    def record(self, d_steps: int) -> dict[str, Any]:
        """What the run reports: the plan, the steps taken and ε spent so far."""
        return {**asdict(self), "d_steps": d_steps, "epsilon_spent": round(self.spent(d_steps), 6)}


def plan_privacy(
    *,
    epsilon: float,
    delta: float,
    max_grad_norm: float,
    rows: int,
    batch_size: int,
    d_steps: int,
    accountant: str = "rdp",
    codec_epsilon: float = 0.0,
    num_classes: int = 0,
) -> PrivacyPlan:
    """Calibrate σ so that ``d_steps`` discriminator steps on ``rows`` training rows with
    expected batch ``batch_size`` spend ``epsilon - codec_epsilon`` at ``delta``."""
    if accountant not in ACCOUNTANTS:
        raise ScienceError(f"--dp-accountant {accountant!r}: choose one of {', '.join(ACCOUNTANTS)}")
    left = epsilon - codec_epsilon
    if left <= 0:
        raise ScienceError(
            f"--dp-epsilon {epsilon:g} is used up by the codec's private statistics (ε {codec_epsilon:g}); "
            "give a larger --dp-epsilon"
        )
    if not 0 < delta < 1:
        raise ScienceError(f"--dp-delta must be in (0, 1), got {delta:g}")
    q = batch_size / rows
    if q >= 1:
        raise ScienceError(
            f"--batch-size {batch_size} is not below the {rows} training rows: DP-SGD needs a sampled "
            "batch; pass a smaller --batch-size"
        )
    from opacus.accountants.utils import get_noise_multiplier

    with _quiet_orders():
        sigma = float(
            get_noise_multiplier(
                target_epsilon=left, target_delta=delta, sample_rate=q, steps=d_steps, accountant=accountant
            )
        )
    return PrivacyPlan(epsilon, delta, max_grad_norm, sigma, q, d_steps, rows, accountant, codec_epsilon, num_classes)


def poisson_rows(rows: int, rate: float, rng: torch.Generator, device: torch.device) -> torch.Tensor:
    """Indices (K,) of a Poisson sample: each of ``rows`` rows kept with probability ``rate``."""
    return torch.nonzero(torch.rand(rows, generator=rng, device=device) < rate).flatten()


def refuse_batch_mixing(D: nn.Module) -> None:
    """ScienceError when ``D`` has a layer whose output for one sample depends on the
    others (batch normalisation): per-sample clipping cannot bound such a sample's
    influence."""
    for name, module in D.named_modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            raise ScienceError(
                f"the discriminator's layer {name} is a batch norm, which mixes samples; "
                "DP training needs a discriminator without it (use another --model)"
            )


def clipped_sum(grads: dict[str, torch.Tensor], limit: float) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """The sum over samples of per-sample gradients {name: (K, *shape)}, each sample's
    gradient (all parameters together) scaled to an L2 norm of at most ``limit``, and the
    share (scalar) of samples that were clipped."""
    first = next(iter(grads.values()))
    k = first.shape[0]
    norms = torch.stack([g.reshape(k, -1).pow(2).sum(1) for g in grads.values()]).sum(0).sqrt()
    factor = (limit / (norms + 1e-6)).clamp(max=1.0)
    summed = {name: torch.einsum("k,k...->...", factor, g) for name, g in grads.items()}
    return summed, (factor < 1).float().mean()


class PrivateDiscriminatorLoss(Term):
    """The discriminator's loss under DP-SGD, as one term: its value is the objective's
    loss (plus penalties) and its gradient is the clipped, noised real-sample gradient
    plus the fake samples' gradient, clipped per sample to the same norm but not noised
    (they hold no real data; clipping them alike keeps the two sides in balance, as
    Opacus's DP-GAN does); the trainer's ``backward`` is unchanged.

    ``gp_weight`` > 0 adds WGAN-GP at a point between each real row and a fake one;
    ``r1_gamma`` > 0 adds R1 at each real row every ``r1_interval`` steps.
    """

    name = "adv"

    def __init__(
        self,
        objective: Objective,
        plan: PrivacyPlan,
        *,
        gp_weight: float = 0.0,
        r1_gamma: float = 0.0,
        r1_interval: int = 1,
    ):
        self.objective, self.plan = objective, plan
        self.gp_weight, self.r1_gamma, self.r1_interval = gp_weight, r1_gamma, r1_interval
        self._calls = 0

    def _per_sample(
        self,
        D: nn.Module,
        real: torch.Tensor,
        seen: torch.Tensor,
        labels: torch.Tensor | None,
        fake: torch.Tensor,
        alpha: torch.Tensor,
        with_r1: bool,
    ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Per-sample gradients {name: (K, *shape)} of each real row's terms and their values (K,)."""
        from torch.func import functional_call, grad, grad_and_value, vmap

        params = {k: p.detach() for k, p in D.named_parameters()}
        buffers = dict(D.named_buffers())
        objective, gp, r1 = self.objective, self.gp_weight, 0.5 * self.r1_gamma * self.r1_interval

        def score(p: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
            return functional_call(D, (p, buffers), (x, y)).sum()

        def loss(
            p: dict[str, torch.Tensor],
            xa: torch.Tensor,
            x: torch.Tensor,
            y: torch.Tensor | None,
            f: torch.Tensor,
            a: torch.Tensor,
        ) -> torch.Tensor:
            y1 = None if y is None else y.unsqueeze(0)
            value = objective.d_real(functional_call(D, (p, buffers), (xa.unsqueeze(0), y1))).sum()
            if gp > 0:
                between = (a * x + (1 - a) * f).unsqueeze(0)
                g = grad(score, argnums=1)(p, between, y1)
                value = value + gp * ((g.pow(2).sum() + 1e-12).sqrt() - 1) ** 2
            if with_r1:
                g = grad(score, argnums=1)(p, x.unsqueeze(0), y1)
                value = value + r1 * g.pow(2).sum()
            return value

        dims = (None, 0, 0, None if labels is None else 0, 0, 0)
        return vmap(grad_and_value(loss), in_dims=dims)(params, seen, real, labels, fake, alpha)

    def _per_fake(self, D: nn.Module, fake: torch.Tensor, labels: torch.Tensor | None) -> dict[str, torch.Tensor]:
        """Per-sample gradients {name: (M, *shape)} of each fake sample's term."""
        from torch.func import functional_call, grad, vmap

        params = {k: p.detach() for k, p in D.named_parameters()}
        buffers = dict(D.named_buffers())

        def loss(p: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
            y1 = None if y is None else y.unsqueeze(0)
            return self.objective.d_fake(functional_call(D, (p, buffers), (x.unsqueeze(0), y1))).sum()

        return vmap(grad(loss), in_dims=(None, 0, None if labels is None else 0))(params, fake, labels)

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        D, plan, real = ctx.D, self.plan, ctx.real
        with_r1 = self.r1_gamma > 0 and self._calls % self.r1_interval == 0
        self._calls += 1
        fake = ctx.fake().detach()
        fake_logits = D(ctx.augment(fake), ctx.fake_labels)  # train mode: spectral norm's power step
        if fake_logits.shape[0] != fake.shape[0]:
            raise ScienceError(
                "a packing discriminator scores groups of samples; DP training needs one score per sample"
            )
        fake_loss = self.objective.d_fake(fake_logits).mean().detach()
        k, limit = real.shape[0], plan.max_grad_norm
        params = dict(D.named_parameters())
        real_sum = {name: torch.zeros_like(p) for name, p in params.items()}
        real_value = torch.zeros((), device=real.device)
        was_training = D.training
        D.eval()  # no in-place buffer updates inside vmap (spectral norm stepped in train mode above)
        try:
            fake_sum, _ = clipped_sum(self._per_fake(D, ctx.augment(fake), ctx.fake_labels), limit)
            if k:
                pairs = fake[torch.arange(k, device=real.device) % fake.shape[0]]
                shape = (k,) + (1,) * (real.dim() - 1)
                alpha = torch.rand(shape, generator=ctx.rng, device=real.device, dtype=real.dtype)
                grads, values = self._per_sample(D, real, ctx.augment(real), ctx.labels, pairs, alpha, with_r1)
                real_sum, clipped = clipped_sum(grads, limit)
                ctx.outputs["dp_clipped_share"] = clipped.reshape(1)
                real_value = values.mean().detach()
        finally:
            D.train(was_training)
        expected = plan.sample_rate * plan.rows
        surrogate = torch.zeros((), device=real.device)
        for name, p in params.items():
            noise = torch.randn(p.shape, generator=ctx.rng, device=p.device, dtype=p.dtype)
            private = (real_sum[name] + plan.noise_multiplier * limit * noise) / expected
            surrogate = surrogate + (p * (private + fake_sum[name] / fake.shape[0])).sum()
        return surrogate - surrogate.detach() + real_value + fake_loss
