"""TimeGAN's post-hoc scores (Yoon, Jarrett and van der Schaar 2019; the reference code's
``metrics/discriminative_metrics.py`` and ``metrics/predictive_metrics.py``): a small
recurrent network trained after the fact, to tell real from synthetic windows or to
forecast one column from the others.

Windows are float arrays (N, T, C), normalised (each column in [0, 1] by the training
split's range). Both networks are one GRU layer of ``hidden = max(4, C // 2)`` units
(the reference code uses C // 2, which is 0 or 1 for one or two columns), trained with
Adam (learning rate 1e-3) on batches of 128. Every random choice (splits, batches,
initial weights) comes from a ``torch.Generator`` seeded with ``seed``, so repeated calls
give the same numbers on the CPU.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from scigan.errors import ScienceError
from scigan.modalities.timeseries.statistics import windows

#: Windows per batch (the reference code's batch size).
BATCH = 128
#: Share of each set the discriminative score's classifier is trained on.
TRAIN_SHARE = 0.8


def hidden_units(columns: int) -> int:
    """Units of the post-hoc GRU for windows of ``columns`` columns: max(4, C // 2)."""
    return max(4, columns // 2)


class _GRUHead(nn.Module):
    """One GRU layer and a linear read-out: one logit per window (its last hidden state)
    or, with ``every_step``, one per step."""

    def __init__(self, inputs: int, hidden: int, every_step: bool, generator: torch.Generator):
        super().__init__()
        self.gru = nn.GRU(inputs, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.every_step = every_step
        bound = 1.0 / math.sqrt(hidden)  # PyTorch's default ranges, drawn from ``generator``
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, last = self.gru(x)
        return self.head(out) if self.every_step else self.head(last[-1]).squeeze(-1)


def _tensor(x: np.ndarray, device: str) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(x, dtype=np.float32), device=device)


def _batch(n: int, generator: torch.Generator) -> torch.Tensor:
    """At most BATCH distinct row indices of n, drawn from ``generator``."""
    return torch.randperm(n, generator=generator)[:BATCH]


def discriminative_score(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    seed: int = 0,
    repeats: int = 5,
    steps: int = 2000,
    device: str = "cpu",
) -> tuple[float, float]:
    """TimeGAN's discriminative score: (mean, std) over ``repeats`` runs of |accuracy − 0.5|
    of a GRU classifier telling ``real`` (N, T, C) from ``fake`` (M, T, C) windows.

    Each run draws n = min(N, M) windows of each set (so the sets weigh alike), trains the
    classifier (hidden = max(4, C // 2), its last hidden state to one logit, BCE) for
    ``steps`` Adam steps on batches of 128 real and 128 synthetic windows from a random
    80% of each, and scores it on the other 20%. 0 (best): the sets cannot be told apart;
    0.5: always told. The std is over runs (ddof 0). NaN when either set has < 2 windows.
    """
    real, fake = windows(real, "real windows"), windows(fake, "synthetic windows")
    if real.shape[1:] != fake.shape[1:]:
        raise ScienceError(f"window shapes differ: real {real.shape[1:]}, synthetic {fake.shape[1:]}")
    n = min(len(real), len(fake))
    if n < 2 or repeats < 1:
        return math.nan, math.nan
    n_test = min(max(round((1.0 - TRAIN_SHARE) * n), 1), n - 1)
    g = torch.Generator().manual_seed(seed)
    r_all, f_all = _tensor(real, device), _tensor(fake, device)
    loss_fn = nn.BCEWithLogitsLoss()
    scores = []
    for _ in range(repeats):
        r = r_all[torch.randperm(len(real), generator=g)[:n].to(device)]
        f = f_all[torch.randperm(len(fake), generator=g)[:n].to(device)]
        r_test, r_train, f_test, f_train = r[:n_test], r[n_test:], f[:n_test], f[n_test:]
        model = _GRUHead(real.shape[2], hidden_units(real.shape[2]), False, g).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for _ in range(steps):
            xr, xf = r_train[_batch(len(r_train), g).to(device)], f_train[_batch(len(f_train), g).to(device)]
            logits = model(torch.cat([xr, xf]))
            target = torch.cat([torch.ones(len(xr), device=device), torch.zeros(len(xf), device=device)])
            loss = loss_fn(logits, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            right = (model(r_test) > 0).sum() + (model(f_test) <= 0).sum()
        scores.append(abs(float(right) / (2 * n_test) - 0.5))
    return float(np.mean(scores)), float(np.std(scores))


def _inputs_targets(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (N, T − 1, C − 1: every column but the last, or the column itself when C = 1)
    at steps 0..T − 2 and targets (N, T − 1, 1): the last column one step later."""
    inputs = x[:, :-1, :-1] if x.shape[2] > 1 else x[:, :-1, :]
    return inputs, x[:, 1:, -1:]


def predictive_score(
    train_x: np.ndarray,
    test_x: np.ndarray,
    *,
    seed: int = 0,
    steps: int = 5000,
    device: str = "cpu",
) -> float:
    """TimeGAN's predictive score: the mean absolute error on ``test_x`` (M, T, C) of a GRU
    forecaster trained on ``train_x`` (N, T, C) to predict the last column at step t + 1
    from the other columns at step t (from the last column itself when C = 1).

    The forecaster (hidden = max(4, C // 2), a sigmoid read-out at every step, as the
    reference code) is trained with the L1 loss for ``steps`` Adam steps on batches of
    128 windows. In normalised units (the last column's training range is 1); lower is
    better. Train on synthetic windows and test on real ones (TSTR) beside training on
    real ones. NaN when T < 2 or either set is empty.
    """
    train_x, test_x = windows(train_x, "training windows"), windows(test_x, "test windows")
    if train_x.shape[1:] != test_x.shape[1:]:
        raise ScienceError(f"window shapes differ: training {train_x.shape[1:]}, test {test_x.shape[1:]}")
    if train_x.shape[1] < 2 or len(train_x) == 0 or len(test_x) == 0:
        return math.nan
    g = torch.Generator().manual_seed(seed)
    xs, ys = (_tensor(a, device) for a in _inputs_targets(train_x))
    model = _GRUHead(xs.shape[2], hidden_units(train_x.shape[2]), True, g).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        rows = _batch(len(xs), g).to(device)
        loss = (torch.sigmoid(model(xs[rows])) - ys[rows]).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    test_in, test_out = (_tensor(a, device) for a in _inputs_targets(test_x))
    with torch.no_grad():
        errors = [
            (torch.sigmoid(model(test_in[i : i + 4096])) - test_out[i : i + 4096]).abs().sum()
            for i in range(0, len(test_in), 4096)
        ]
    return float(sum(float(e) for e in errors) / test_out.numel())
