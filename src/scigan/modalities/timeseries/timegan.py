"""TimeGAN's training (Yoon, Jarrett & van der Schaar 2019) as the core's phase list.

Four phases run every step, each on its own networks and optimiser; their terms switch
on by step (``Term.start``), which gives the paper's three stages:

1. steps [0, e): the embedder and recovery learn to reconstruct windows (``E/recon``);
2. steps [e, e + s): the supervisor learns the next latent step of real windows (``S/sup``);
3. from e + s on, jointly: the generator and supervisor against the discriminator in
   latent space (``G/timegan``: adversarial on supervised and raw latents, 100·√supervised,
   100·moments), the embedder keeps reconstructing with 0.1·supervised (``E/sup``), the
   discriminator separates real latents from both kinds of fakes (``D/adv``).

Adam with the config's learning rates and betas on each phase; the supervisor keeps its
own step in the joint stage besides its part in the generator's. The paper's skip of the
discriminator step while its loss is below 0.15 is not reproduced (every joint step
updates it once).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import nn

from scigan.core.phases import Phase, StepContext, Term
from scigan.modalities.timeseries.networks import LatentCritic, TimeGAN

#: The reference code's weights: γ on the raw latents' adversarial terms; the supervised
#: loss (under a square root) and the moments each weigh 100 in the generator's loss.
GAMMA, SUPERVISED, MOMENTS = 1.0, 100.0, 100.0


def _parts(ctx: StepContext) -> tuple[TimeGAN, LatentCritic]:
    G, D = ctx.G, ctx.D
    assert isinstance(G, TimeGAN) and isinstance(D, LatentCritic), "TimeGAN's terms need its own networks"
    return G, D


def supervised_loss(G: TimeGAN, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    """MSE of the supervisor's prediction of each next latent step of ``h`` (N, L, H)."""
    return F.mse_loss(G.supervise(h, y)[:, :-1], h[:, 1:])


def _bce(logits: torch.Tensor, real: bool) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, float(real)))


class Reconstruction(Term):
    """Embedder and recovery: 10·√MSE(recovery(embedder(x)), x)."""

    name = "recon"

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, _ = _parts(ctx)
        x = ctx.real
        return 10.0 * torch.sqrt(F.mse_loss(G.recovery(G.embedder(x)), x))


class EmbedderSupervision(Term):
    """The joint stage's 0.1·supervised loss on the embedder (the latents stay predictable)."""

    name = "sup"

    def __init__(self, start: int):
        self.start = start

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, _ = _parts(ctx)
        return 0.1 * supervised_loss(G, G.embedder(ctx.real), ctx.labels)


class Supervision(Term):
    """The supervisor alone on real latents (the embedder is not moved by it)."""

    name = "sup"

    def __init__(self, start: int):
        self.start = start

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, _ = _parts(ctx)
        with torch.no_grad():
            h = G.embedder(ctx.real)
        return supervised_loss(G, h, ctx.labels)


class GeneratorLoss(Term):
    """Generator and supervisor: non-saturating adversarial terms on H_hat and (γ) E_hat,
    100·√supervised on real latents, and 100·(|Δ std| + |Δ mean|) of recovered fakes."""

    name = "timegan"

    def __init__(self, start: int):
        self.start = start

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, D = _parts(ctx)
        e_hat, h_hat = G.latents(ctx.z, ctx.fake_labels)
        adversarial = _bce(D.steps(h_hat, ctx.fake_labels), True) + GAMMA * _bce(D.steps(e_hat, ctx.fake_labels), True)
        with torch.no_grad():
            h = G.embedder(ctx.real)
        supervised = supervised_loss(G, h, ctx.labels)
        x, x_hat = ctx.real, G.recovery(h_hat)
        spread = (torch.sqrt(x_hat.var(0) + 1e-6) - torch.sqrt(x.var(0) + 1e-6)).abs().mean()
        centre = (x_hat.mean(0) - x.mean(0)).abs().mean()
        return adversarial + SUPERVISED * torch.sqrt(supervised) + MOMENTS * (spread + centre)


class DiscriminatorLoss(Term):
    """Real latents against the supervised (H_hat) and raw (E_hat, weight γ) generated ones."""

    name = "adv"

    def __init__(self, start: int):
        self.start = start

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        G, D = _parts(ctx)
        with torch.no_grad():
            h = G.embedder(ctx.real)
            e_hat, h_hat = G.latents(ctx.z, ctx.fake_labels)
        real = _bce(D.steps(h, ctx.labels), True)
        return (
            real + _bce(D.steps(h_hat, ctx.fake_labels), False) + GAMMA * _bce(D.steps(e_hat, ctx.fake_labels), False)
        )


def _adam(modules: Iterable[nn.Module], lr: float, betas: tuple[float, float]) -> torch.optim.Optimizer:
    params = [p for m in modules for p in m.parameters()]
    return torch.optim.Adam(params, lr=lr, betas=betas)


def timegan_phases(
    G: nn.Module,
    D: nn.Module,
    *,
    embed_steps: int,
    supervise_steps: int,
    g_lr: float,
    d_lr: float,
    betas: tuple[float, float],
) -> list[Phase]:
    """The four phases of TimeGAN's training for the (placed) ``G`` and ``D``: embedding
    from step 0, supervision from ``embed_steps``, the joint stage from
    ``embed_steps + supervise_steps``."""
    assert isinstance(G, TimeGAN) and isinstance(D, LatentCritic)
    joint = embed_steps + supervise_steps
    supervise = Supervision(embed_steps)
    return [
        Phase(
            "E",
            G.embedder,
            _adam([G.embedder, G.recovery], g_lr, betas),
            [Reconstruction(), EmbedderSupervision(joint)],
        ),
        Phase("S", G.supervisor, _adam([G.supervisor], g_lr, betas), [supervise]),
        Phase(
            "G",
            G.generator,
            _adam([G.generator, G.supervisor], g_lr, betas),
            [GeneratorLoss(joint)],
            trains_generator=True,
        ),
        Phase("D", D, _adam([D], d_lr, betas), [DiscriminatorLoss(joint)]),
    ]
