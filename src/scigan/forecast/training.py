"""Training the forecaster: on MSE alone (the LSTM row), or as Zhang et al.'s GAN with
generator loss MSE + λ·adversarial (non-saturating) against the MLP discriminator. Every
draw comes from a generator seeded by the run's seed: the same seed gives the same model."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F

from scigan.forecast.networks import Forecaster, SequenceJudge


def fit_forecaster(
    x: np.ndarray,
    y: np.ndarray,
    target_column: int,
    *,
    adversarial: float,
    steps: int,
    minutes: float,
    hidden: int,
    batch_size: int,
    lr: float,
    seed: int,
    device: torch.device,
) -> tuple[Forecaster, dict[str, float]]:
    """A forecaster trained on windows ``x`` (N, W, C) and scaled target moves ``y`` (N,) for
    ``steps`` steps or ``minutes``, whichever ends first; ``adversarial`` = 0 trains on MSE
    alone, > 0 adds λ·adversarial against a discriminator judging the window's target
    column (``target_column``) followed by the next value. Returns it (eval mode) and facts.
    On a CPU it trains on one thread (restored after): these networks are too small to gain
    from more, and on a busy machine torch's spinning threads made it 20 times slower."""
    with _one_cpu_thread(device):
        return _train(x, y, target_column, adversarial, steps, minutes, hidden, batch_size, lr, seed, device)


@contextmanager
def _one_cpu_thread(device: torch.device) -> Iterator[None]:
    """torch on one CPU thread inside, its thread count restored after (CUDA: unchanged)."""
    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _train(x, y, target_column, adversarial, steps, minutes, hidden, batch_size, lr, seed, device):
    """:func:`fit_forecaster`'s loop (its arguments, in its order)."""
    torch.manual_seed(seed)
    rng = torch.Generator().manual_seed(seed)
    G = Forecaster(x.shape[2], hidden).to(device)
    D = SequenceJudge(x.shape[1]).to(device) if adversarial > 0 else None
    opt_g = torch.optim.Adam(G.parameters(), lr=lr)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr) if D is not None else None
    xs = torch.as_tensor(x, dtype=torch.float32, device=device)
    ys = torch.as_tensor(y, dtype=torch.float32, device=device)
    batch = min(batch_size, len(xs))
    limit = minutes * 60 if minutes > 0 else float("inf")
    start, step = time.perf_counter(), 0
    while (not steps or step < steps) and time.perf_counter() - start < limit:
        index = torch.randint(len(xs), (batch,), generator=rng).to(device)
        window, truth = xs[index], ys[index]
        forecast = G(window)
        loss = F.mse_loss(forecast, truth)
        if D is not None and opt_d is not None:
            past = window[:, :, target_column]
            real, fake = D(past, truth), D(past, forecast.detach())
            d_loss = F.softplus(-real).mean() + F.softplus(fake).mean()
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            loss = loss + adversarial * F.softplus(-D(past, forecast)).mean()
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        step += 1
    return G.eval(), {"steps": step, "seconds": time.perf_counter() - start}


def predict(G: Forecaster, x: np.ndarray, device: torch.device) -> np.ndarray:
    """Scaled forecasts (N,) of windows ``x`` (N, W, C)."""
    with torch.no_grad():
        xs = torch.as_tensor(x, dtype=torch.float32, device=device)
        return torch.cat([G(xs[i : i + 4096]) for i in range(0, len(xs), 4096)]).cpu().double().numpy()
