"""CTGAN-style networks for tables (Xu et al. 2019).

The generator is an MLP of residual blocks (each concatenates its input to its output)
whose last layer feeds one head per column block: tanh for a continuous offset and
Gumbel-softmax for a mode or category. The critic judges ``pac`` rows at once
(PacGAN, Lin et al. 2018), which penalises mode collapse; with a label, both networks
see its one-hot (the conditional vector).
"""

from __future__ import annotations

import hashlib

import torch
import torch.nn.functional as F
from torch import nn

from scigan.nets.layers import spectral

#: Gumbel-softmax temperature while training (CTGAN's 0.2).
TAU = 0.2


def latent_noise(z: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Uniform (0, 1) noise of ``shape`` drawn from a generator seeded by the bytes of
    the latent batch ``z``: the heads' randomness then follows the trainer's seeded
    latents, so runs stay reproducible and resumable bit for bit."""
    digest = hashlib.blake2b(z.detach().float().cpu().numpy().tobytes(), digest_size=8).digest()
    g = torch.Generator(device=z.device)
    g.manual_seed(int.from_bytes(digest, "little") & (2**63 - 1))
    return torch.rand(shape, generator=g, device=z.device).clamp_(1e-10, 1 - 1e-7)


class Residual(nn.Module):
    """Linear -> batch norm -> ReLU, its output concatenated to its input (CTGAN)."""

    def __init__(self, inputs: int, outputs: int):
        super().__init__()
        self.fc = nn.Linear(inputs, outputs)
        self.bn = nn.BatchNorm1d(outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)


class TableGenerator(nn.Module):
    """(z (N, z_dim), y (N,) or None) -> model-space rows (N, sum of block widths).

    Training: continuous offsets through tanh, discrete blocks through a soft
    Gumbel-softmax (τ = 0.2). Eval mode: discrete blocks are hard one-hots of the
    Gumbel-perturbed logits, i.e. categories are sampled from the softmax.
    """

    def __init__(self, z_dim: int, blocks: list[tuple[str, int]], num_classes: int, hidden: int):
        super().__init__()
        self.blocks, self.num_classes = blocks, num_classes
        dims = [z_dim + num_classes, hidden, hidden]
        self.body = nn.Sequential(*(Residual(sum(dims[:i + 1]), dims[i + 1]) for i in range(len(dims) - 1)))
        self.out = nn.Linear(sum(dims), sum(size for _, size in blocks))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = z if not self.num_classes else torch.cat([z, F.one_hot(y, self.num_classes).to(z.dtype)], 1)
        logits = self.out(self.body(h))
        u = latent_noise(z, tuple(logits.shape))
        gumbel = -torch.log(-torch.log(u)).to(logits.dtype)
        parts, start = [], 0
        for activation, size in self.blocks:
            block = logits[:, start:start + size]
            if activation == "tanh":
                parts.append(torch.tanh(block))
            elif self.training:
                parts.append(torch.softmax((block + gumbel[:, start:start + size]) / TAU, dim=1))
            else:
                pick = (block + gumbel[:, start:start + size]).argmax(dim=1)
                parts.append(F.one_hot(pick, size).to(block.dtype))
            start += size
        return torch.cat(parts, dim=1)


class TableCritic(nn.Module):
    """(x (N, width), y (N,) or None) -> scores (N / pac,): each score judges ``pac``
    consecutive rows (with their labels' one-hots) together. N must be a multiple of pac."""

    def __init__(self, width: int, num_classes: int, hidden: int, pac: int, sn: bool):
        super().__init__()
        self.num_classes, self.pac = num_classes, pac
        inputs = pac * (width + num_classes)
        self.body = nn.Sequential(
            spectral(nn.Linear(inputs, hidden), sn), nn.LeakyReLU(0.2),
            spectral(nn.Linear(hidden, hidden), sn), nn.LeakyReLU(0.2),
            spectral(nn.Linear(hidden, 1), sn),
        )

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            x = torch.cat([x, F.one_hot(y, self.num_classes).to(x.dtype)], 1)
        return self.body(x.reshape(x.shape[0] // self.pac, -1))[:, 0]


def build(z_dim: int, blocks: list[tuple[str, int]], num_classes: int, width: int, pac: int,
          spectral_norm: bool) -> tuple[nn.Module, nn.Module]:
    """Generator and critic for rows of ``blocks``; hidden layers have 8·width units
    (256 at the default width 32, as in CTGAN)."""
    hidden = 8 * width
    return (TableGenerator(z_dim, blocks, num_classes, hidden),
            TableCritic(sum(size for _, size in blocks), num_classes, hidden, pac, spectral_norm))
