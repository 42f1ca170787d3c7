"""CTGAN-style networks for tables (Xu et al. 2019).

The generator is an MLP of residual blocks (each concatenates its input to its output)
whose last layer feeds one head per column block: tanh for a continuous offset and
Gumbel-softmax for a mode or category. The critic judges ``pac`` rows at once
(PacGAN, Lin et al. 2018), which penalises mode collapse. Both networks see the
conditional vector beside each row: the label's one-hot (conditional runs) followed by
a mask over the discrete columns' categories (:mod:`.conditions`; ``cond_width``
entries, all zeros when sampling by label only).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from scigan.nets.layers import spectral
from scigan.nets.noise import gumbel_noise, latent_noise

#: Gumbel-softmax temperature while training (CTGAN's 0.2).
TAU = 0.2


def condition_vector(
    y: torch.Tensor | None,
    num_classes: int,
    cond_width: int,
    n: int,
    like: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> torch.Tensor | None:
    """The conditional vector (n, num_classes + cond_width) in ``like``'s dtype and device:
    ``y`` itself when it is one already (float, from the training sampler), else the
    one-hot of integer labels ``y`` (n,) followed by ``mask`` (n, cond_width; zeros when
    not given); None when both widths are 0."""
    if not num_classes + cond_width:
        return None
    if y is not None and y.is_floating_point():
        return y.to(like.dtype)
    parts = []
    if num_classes:
        if y is None:
            raise ValueError(f"the network is conditioned on {num_classes} classes: pass labels y")
        # a comparison, not F.one_hot, whose range check per-sample gradients (vmap) cannot run
        parts.append((y.unsqueeze(-1) == torch.arange(num_classes, device=y.device)).to(like.dtype))
    parts.append(like.new_zeros(n, cond_width) if mask is None else mask.to(like.dtype))
    return torch.cat(parts, dim=1)


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

    cond_shares: torch.Tensor  # (classes or 1, cond_width) buffers, only with discrete conditions
    cond_column: torch.Tensor  # (cond_width,)

    def __init__(
        self,
        z_dim: int,
        blocks: list[tuple[str, int]],
        num_classes: int,
        hidden: int,
        cond_sizes: Sequence[int] = (),
        cond_shares: Sequence[Sequence[float]] = (),
    ):
        super().__init__()
        self.blocks, self.num_classes = blocks, num_classes
        self.cond_columns, self.cond_width = len(cond_sizes), int(sum(cond_sizes))
        if self.cond_width:  # built from the run's config, so not saved with the weights
            self.register_buffer("cond_shares", torch.tensor(cond_shares, dtype=torch.float32), persistent=False)
            self.register_buffer(
                "cond_column",
                torch.repeat_interleave(torch.arange(len(cond_sizes)), torch.tensor(list(cond_sizes))),
                persistent=False,
            )
        dims = [z_dim + num_classes + self.cond_width, hidden, hidden]
        self.body = nn.Sequential(*(Residual(sum(dims[: i + 1]), dims[i + 1]) for i in range(len(dims) - 1)))
        self.out = nn.Linear(sum(dims), sum(size for _, size in blocks))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        mask = self.sampled_mask(z, y) if self.cond_width and (y is None or not y.is_floating_point()) else None
        cond = condition_vector(y, self.num_classes, self.cond_width, z.shape[0], z, mask)
        h = z if cond is None else torch.cat([z, cond], 1)
        logits = self.out(self.body(h))
        gumbel = gumbel_noise(z, tuple(logits.shape)).to(logits.dtype)
        parts, start = [], 0
        for activation, size in self.blocks:
            block = logits[:, start : start + size]
            if activation == "tanh":
                parts.append(torch.tanh(block))
            elif self.training:
                parts.append(torch.softmax((block + gumbel[:, start : start + size]) / TAU, dim=1))
            else:
                pick = (block + gumbel[:, start : start + size]).argmax(dim=1)
                parts.append(F.one_hot(pick, size).to(block.dtype))
            start += size
        return torch.cat(parts, dim=1)

    def sampled_mask(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """The discrete columns' mask (N, cond_width) for sampling by label ``y`` (N,) or
        unconditionally: as in training, no column or one column uniformly (the
        :mod:`.conditions` options), but its category drawn by its share among the
        training rows of the label, so the conditions follow the data; drawn from ``z``."""
        n = z.shape[0]
        u = latent_noise(z, (n, 2), key=1)
        option = (u[:, 0] * (self.cond_columns + 1)).long().clamp_(max=self.cond_columns)  # 0: no column
        shares = self.cond_shares[y if self.num_classes else torch.zeros(n, dtype=torch.long, device=z.device)]
        p = shares * (self.cond_column[None] == (option - 1)[:, None])
        total = p.sum(1, keepdim=True)
        pick = (p.cumsum(1) < u[:, 1:] * total).sum(1).clamp_(max=self.cond_width - 1)
        return F.one_hot(pick, self.cond_width).to(z.dtype) * (total > 0).to(z.dtype)


class TableCritic(nn.Module):
    """(x (N, width), y (N,) labels, (N, C) conditions or None) -> scores (N / pac,): each
    score judges ``pac`` consecutive rows (with their conditions) together. N must be a
    multiple of pac."""

    def __init__(self, width: int, num_classes: int, hidden: int, pac: int, sn: bool, cond_width: int = 0):
        super().__init__()
        self.num_classes, self.pac, self.cond_width = num_classes, pac, cond_width
        inputs = pac * (width + num_classes + cond_width)
        self.body = nn.Sequential(
            spectral(nn.Linear(inputs, hidden), sn),
            nn.LeakyReLU(0.2),
            spectral(nn.Linear(hidden, hidden), sn),
            nn.LeakyReLU(0.2),
            spectral(nn.Linear(hidden, 1), sn),
        )

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        cond = condition_vector(y, self.num_classes, self.cond_width, x.shape[0], x)
        if cond is not None:
            x = torch.cat([x, cond], 1)
        return self.body(x.reshape(x.shape[0] // self.pac, -1))[:, 0]


def build(
    z_dim: int,
    blocks: list[tuple[str, int]],
    num_classes: int,
    width: int,
    pac: int,
    spectral_norm: bool,
    cond_sizes: Sequence[int] = (),
    cond_shares: Sequence[Sequence[float]] = (),
) -> tuple[nn.Module, nn.Module]:
    """Generator and critic for rows of ``blocks``; hidden layers have 8·width units
    (256 at the default width 32, as in CTGAN). ``cond_sizes``: the category counts of
    the discrete columns in the conditional vector besides the label; ``cond_shares``
    (labels or 1, sum of sizes): their training shares per label, for sampling."""
    hidden = 8 * width
    return (
        TableGenerator(z_dim, blocks, num_classes, hidden, cond_sizes, cond_shares),
        TableCritic(sum(size for _, size in blocks), num_classes, hidden, pac, spectral_norm, int(sum(cond_sizes))),
    )
