"""Randomness inside a generator that follows its latent batch.

A generator that samples (Gumbel noise for discrete outputs, a random mask) must not
draw from torch's global generator: the trainer seeds the latents z, not that state, so
a run would neither resume nor sample bit-exactly. These helpers draw from a generator
seeded by the bytes of z instead: new noise for every new z, the same for the same z.
"""

from __future__ import annotations

import hashlib

import torch


def latent_noise(z: torch.Tensor, shape: tuple[int, ...], key: int = 0) -> torch.Tensor:
    """Uniform (0, 1) noise of ``shape`` drawn from a generator seeded by the bytes of
    the latent batch ``z`` (and ``key``, for independent draws), float32 on ``z``'s device,
    clamped away from 0 and 1."""
    data = z.detach().float().cpu().numpy().tobytes() + (bytes([key]) if key else b"")
    digest = hashlib.blake2b(data, digest_size=8).digest()
    g = torch.Generator(device=z.device)
    g.manual_seed(int.from_bytes(digest, "little") & (2**63 - 1))
    return torch.rand(shape, generator=g, device=z.device).clamp_(1e-10, 1 - 1e-7)


def gumbel_noise(z: torch.Tensor, shape: tuple[int, ...], key: int = 0) -> torch.Tensor:
    """Gumbel(0, 1) noise of ``shape`` (float32) drawn as :func:`latent_noise` of ``z``."""
    return -torch.log(-torch.log(latent_noise(z, shape, key)))


def relax(logits: torch.Tensor, noise: torch.Tensor | None, mode: str, temperature: float, dim: int) -> torch.Tensor:
    """Categorical ``logits`` made differentiable along ``dim``: ``softmax`` (probabilities;
    ``noise`` unused), ``gumbel`` (a Gumbel-softmax sample at ``temperature`` with Gumbel
    ``noise`` of the logits' shape) or ``straight`` (that sample made one-hot on the way
    forward, its soft gradient on the way back). Same shape as ``logits``."""
    if mode == "softmax" or noise is None:
        return torch.softmax(logits, dim=dim)
    soft = torch.softmax((logits.float() + noise) / temperature, dim=dim).to(logits.dtype)
    if mode == "gumbel":
        return soft
    hard = torch.zeros_like(soft).scatter_(dim, soft.argmax(dim=dim, keepdim=True), 1.0)
    return hard + soft - soft.detach()
