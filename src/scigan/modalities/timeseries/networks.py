"""Recurrent networks for windows of series (N, L, C), batch first.

``rcgan``: a recurrent generator of per-step noise and a recurrent critic whose score is
the mean of its per-step logits (Esteban et al. 2017). ``timegan``: the embedder,
recovery, generator and supervisor of Yoon et al. (2019) in one module (its forward pass
is generator -> supervisor -> recovery, so it samples like any generator) and a
recurrent discriminator of latent sequences. Labels enter as one-hot channels at every
step.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def with_labels(x: torch.Tensor, y: torch.Tensor | None, classes: int) -> torch.Tensor:
    """``x`` (N, L, D) with the one-hot labels ``y`` (N,) appended at every step
    (N, L, D + classes); ``x`` itself when unconditional."""
    if not classes or y is None:
        return x
    hot = F.one_hot(y.long(), classes).to(x.dtype)
    return torch.cat([x, hot[:, None, :].expand(-1, x.shape[1], -1)], dim=2)


class Recurrent(nn.Module):
    """A stacked GRU or LSTM and a linear map of every step: (N, L, D_in) -> (N, L, D_out),
    through a sigmoid when ``bounded``."""

    def __init__(self, inputs: int, hidden: int, outputs: int, layers: int, cell: str, bounded: bool):
        super().__init__()
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(inputs, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, outputs)
        self.bounded = bounded

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)
        y = self.out(h)
        return torch.sigmoid(y) if self.bounded else y


def _noise(z: torch.Tensor, length: int) -> torch.Tensor:
    """The latent vector (N, length·k) as k noise channels per step (N, length, k)."""
    return z.reshape(z.shape[0], length, -1)


def _mean_logit(steps: torch.Tensor) -> torch.Tensor:
    """Per-step logits (N, L, 1) -> one score per window (N,)."""
    return steps.mean(dim=(1, 2))


class SeriesGenerator(nn.Module):
    """RCGAN's generator: z (N, L·k) and labels (N,) -> windows (N, L, C) in model space
    (in [0, 1] when ``bounded``)."""

    def __init__(
        self, length: int, noise: int, channels: int, classes: int, hidden: int, layers: int, cell: str, bounded: bool
    ):
        super().__init__()
        self.length, self.classes = length, classes
        self.body = Recurrent(noise + classes, hidden, channels, layers, cell, bounded)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(with_labels(_noise(z, self.length), y, self.classes))


class SeriesCritic(nn.Module):
    """RCGAN's critic: windows (N, L, C) and labels -> the mean of its per-step logits (N,)."""

    def __init__(self, channels: int, classes: int, hidden: int, layers: int, cell: str):
        super().__init__()
        self.classes = classes
        self.body = Recurrent(channels + classes, hidden, 1, layers, cell, bounded=False)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return _mean_logit(self.body(with_labels(x, y, self.classes)))


class TimeGAN(nn.Module):
    """TimeGAN's four sequence networks; ``forward`` samples windows (N, L, C).

    embedder: windows -> latent sequences (N, L, H) in [0, 1]; recovery: latents -> windows;
    generator: per-step noise (N, L·k) and labels -> latents; supervisor: latents -> the
    next step's latents (one layer fewer, as the paper).
    """

    def __init__(
        self, length: int, noise: int, channels: int, classes: int, hidden: int, layers: int, cell: str, bounded: bool
    ):
        super().__init__()
        self.length, self.classes = length, classes
        self.embedder = Recurrent(channels, hidden, hidden, layers, cell, bounded=True)
        self.recovery = Recurrent(hidden, hidden, channels, layers, cell, bounded)
        self.generator = Recurrent(noise + classes, hidden, hidden, layers, cell, bounded=True)
        self.supervisor = Recurrent(hidden + classes, hidden, hidden, max(layers - 1, 1), cell, bounded=True)

    def latents(self, z: torch.Tensor, y: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """(E_hat, H_hat): the generator's latent sequences and the supervisor's, (N, L, H)."""
        e_hat = self.generator(with_labels(_noise(z, self.length), y, self.classes))
        return e_hat, self.supervise(e_hat, y)

    def supervise(self, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """The supervisor's next-step latents (N, L, H) of latents ``h`` (N, L, H)."""
        return self.supervisor(with_labels(h, y, self.classes))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.recovery(self.latents(z, y)[1])


class LatentCritic(nn.Module):
    """TimeGAN's discriminator: latent sequences (N, L, H) and labels -> mean per-step logit (N,)."""

    def __init__(self, hidden: int, classes: int, layers: int, cell: str):
        super().__init__()
        self.classes = classes
        self.body = Recurrent(hidden + classes, hidden, 1, layers, cell, bounded=False)

    def steps(self, h: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """One logit per window and step (N, L): TimeGAN's losses average over steps."""
        return self.body(with_labels(h, y, self.classes))[..., 0]

    def forward(self, h: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.steps(h, y).mean(dim=1)
