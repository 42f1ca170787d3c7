"""The one training loop of the small image classifiers (the downstream CNN of
``scigan augment`` and the feature extractor behind the image scores).

Each caller keeps what differs, its network, how it draws a batch and how it augments
one; the loop owns the rest: seeding, AdamW with a cosine schedule to 0, channels-last
inputs, optional autocast, cross-entropy on the logits in float32.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

#: Draws one training batch with the given generator: images (B, C, H, W) float in
#: [-1, 1] and their targets (B,) int64, or None when ``augment`` makes the targets.
Batches = Callable[[torch.Generator], tuple[torch.Tensor, torch.Tensor | None]]

#: Augments a batch (images (B, C, H, W) in [-1, 1] on the training device, targets or
#: None) with the generator, returning images of the same shape and targets (B,) int64.
Augment = Callable[[torch.Tensor, torch.Tensor | None, torch.Generator], tuple[torch.Tensor, torch.Tensor]]


def train_classifier(
    make_net: Callable[[], nn.Module],
    batches: Batches,
    *,
    steps: int,
    lr: float,
    seed: int,
    device: str | torch.device = "cpu",
    weight_decay: float = 0.0,
    augment: Augment | None = None,
    autocast: torch.dtype | None = None,
) -> nn.Module:
    """Train a fresh classifier and return it (on ``device``, channels-last, in eval mode).

    Args:
        make_net: builds the untrained network, (B, C, H, W) in [-1, 1] -> (B, K) logits;
            called once, with the torch random state seeded with ``seed``, so the initial
            weights depend on ``seed`` only.
        batches: ``batches(g)`` draws each step's batch (see :data:`Batches`).
        steps: optimizer steps; the learning rate decays from ``lr`` to 0 on a cosine
            over them.
        lr: AdamW learning rate.
        seed: seeds the initial weights, the network's own randomness (dropout) and the
            CPU generator ``g`` handed to ``batches`` and ``augment``.
        device: where the network trains.
        weight_decay: AdamW's decoupled weight decay (0: plain Adam).
        augment: applied to every batch after it is drawn (see :data:`Augment`).
        autocast: a reduced-precision dtype for the forward pass (e.g. ``torch.bfloat16``),
            or None for float32.

    The caller's torch random state (CPU, and the training GPU's) is left as it was.
    """
    device = torch.device(device)
    gpu = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=gpu):
        torch.manual_seed(seed)
        # Module.to accepts memory_format (documented), torch's overloads omit it
        net = make_net().to(device=device, memory_format=torch.channels_last).train()  # type: ignore[call-overload]
        opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
        g = torch.Generator().manual_seed(seed)
        for _ in range(steps):
            x, y = batches(g)
            x = x.to(device)
            if augment is not None:
                x, y = augment(x, y, g)
            assert y is not None, "batches gave no targets and no augment made them"
            cast = contextlib.nullcontext() if autocast is None else torch.autocast(device.type, dtype=autocast)
            with cast:
                logits = net(x.contiguous(memory_format=torch.channels_last))
            loss = F.cross_entropy(logits.float(), y.to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return net.eval()
