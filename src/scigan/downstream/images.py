"""A small CNN classifier with a fixed recipe, and classic image augmentation.

The recipe is fixed so that conditions differ only in their training data: the same
number of optimizer steps (not epochs, so a larger training set does not buy more
compute), Adam with a cosine schedule, weight decay, dropout. Images are uint8
N×C×H×W; the network sees them in [-1, 1], channels-last, with bf16 autocast where
the processor computes bf16 natively (as the GAN trainer's ``--precision auto``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class CNNRecipe:
    """How the downstream CNN is trained (the same for every condition)."""

    steps: int = 400
    """Optimizer steps (batches), whatever the training set's size."""
    batch_size: int = 64
    """Images per step."""
    lr: float = 2e-3
    """Adam learning rate, decayed to 0 on a cosine."""
    weight_decay: float = 5e-4
    """L2 penalty on the weights (AdamW)."""
    width: int = 32
    """Channels of the first convolution (doubled twice)."""


class SmallCNN(nn.Module):
    """Three conv-BN-ReLU blocks (width, 2×, 4× channels; max-pooling after the first
    two), global average pooling, dropout 0.3 and a linear head: (B, C, H, W) in
    [-1, 1] -> (B, num_classes) logits."""

    def __init__(self, channels: int, num_classes: int, width: int = 32):
        super().__init__()
        layers: list[nn.Module] = []
        c_in = channels
        for i, c_out in enumerate((width, 2 * width, 4 * width)):
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
            if i < 2:
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            c_in = c_out
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(c_in, num_classes)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) floats in [-1, 1] -> (B, num_classes) logits."""
        return self.net(x)


def to_model(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 (N, C, H, W) -> float32 in [-1, 1]."""
    return torch.as_tensor(x).float().mul_(1 / 127.5).sub_(1.0)


def classic_augment(
    x: torch.Tensor,
    g: torch.Generator,
    *,
    flips: bool = False,
    degrees: float = 10.0,
    scale: float = 0.1,
    affine_p: float = 0.5,
) -> torch.Tensor:
    """Classic augmentation of a batch ``x`` (N, C, H, W) in [-1, 1], one random draw per
    image from ``g``: a random crop (a whole-pixel shift of up to size/14 pixels, at least
    1, zero-padded, i.e. black; exact, no resampling), on a random ``affine_p`` share of
    the images a small affine (rotation within ±``degrees``, scale within 1 ± ``scale``,
    bilinear) and, with ``flips``, a horizontal flip with probability 1/2.
    Returns (N, C, H, W).

    Why this recipe: bilinear resampling blurs, and the test images are sharp. On
    Fashion-MNIST at 20 per class (2 seeds, 3000 test images, 400 CNN steps) the affine on
    every image cost 2 points of accuracy (71.5 % vs 73.6 % without augmentation), shifts
    alone gained 0.5 to 1.4, and the affine on half of the images 74.4 %."""
    n, _, h, w = x.shape
    pad = max(1, round(h / 14))
    u = lambda: torch.rand(n, generator=g) * 2 - 1  # noqa: E731  uniform in [-1, 1]
    shift_x = torch.randint(-pad, pad + 1, (n,), generator=g).float() * 2 / w
    shift_y = torch.randint(-pad, pad + 1, (n,), generator=g).float() * 2 / h
    on = (torch.rand(n, generator=g) < affine_p).float()
    angle = u() * math.radians(degrees) * on
    zoom = 1 + u() * scale * on
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, shift_x], 1), torch.stack([sin, cos, shift_y], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # sample x + 1 so the zero padding is black (-1) after shifting back
    out = F.grid_sample(x + 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1
    if flips:
        flip = (torch.rand(n, generator=g) < 0.5)[:, None, None, None]
        out = torch.where(flip, out.flip(3), out)
    return out


class ImageClassifier:
    """The downstream CNN: :meth:`fit` on real (and synthetic) uint8 images, then
    :meth:`predict_proba`.

    Args:
        channels, num_classes: of the images and labels.
        recipe: the fixed training recipe.
        seed: seeds the initial weights, the batches and the augmentation draws.
    """

    def __init__(self, channels: int, num_classes: int, recipe: CNNRecipe, seed: int):
        self.channels, self.num_classes, self.recipe, self.seed = channels, num_classes, recipe, seed
        self.net: nn.Module | None = None

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        synthetic: tuple[np.ndarray, np.ndarray] | None = None,
        mix: float = 0.0,
        augment: bool = False,
        flips: bool = False,
        balanced: bool = False,
    ) -> ImageClassifier:
        """Train on ``x`` (N, C, H, W) uint8 with labels ``y`` (N,), plus ``synthetic``
        (x, y) when given: with ``mix`` in (0, 1) that share of every batch is synthetic,
        with ``mix`` 0 the batches draw uniformly from real and synthetic together.
        ``augment`` applies :func:`classic_augment` to every batch; ``balanced`` draws
        every class equally often (random oversampling of the smaller classes), each
        image of a class alike."""
        from scigan.nets.classifier import train_classifier

        r = self.recipe
        real_x, real_y = torch.as_tensor(x), torch.as_tensor(y, dtype=torch.long)
        syn = synthetic if synthetic is not None and len(synthetic[0]) else None
        if syn is not None and mix <= 0:
            real_x = torch.cat([real_x, torch.as_tensor(syn[0])])
            real_y = torch.cat([real_y, torch.as_tensor(syn[1], dtype=torch.long)])
            syn = None
        n_syn = round(mix * r.batch_size) if syn is not None else 0
        if syn is not None and n_syn:
            syn_x, syn_y = torch.as_tensor(syn[0]), torch.as_tensor(syn[1], dtype=torch.long)
        real_w = _class_balanced(real_y) if balanced else None
        syn_w = _class_balanced(syn_y) if balanced and n_syn else None

        def batches(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
            """``batch_size - n_syn`` real and ``n_syn`` synthetic images, drawn with replacement."""
            pick = _draw(len(real_x), r.batch_size - n_syn, real_w, g)
            bx, by = real_x[pick], real_y[pick]
            if n_syn:
                spick = _draw(len(syn_x), n_syn, syn_w, g)
                bx, by = torch.cat([bx, syn_x[spick]]), torch.cat([by, syn_y[spick]])
            return to_model(bx), by

        def classic(bx: torch.Tensor, by: torch.Tensor | None, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
            assert by is not None, "the downstream CNN's batches carry labels"
            return classic_augment(bx, g, flips=flips), by

        self.net = train_classifier(
            lambda: SmallCNN(self.channels, self.num_classes, r.width),
            batches,
            steps=r.steps,
            lr=r.lr,
            seed=self.seed,
            weight_decay=r.weight_decay,
            augment=classic if augment else None,
            autocast=_autocast_dtype(),
        )
        return self

    def predict_proba(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """Class probabilities (N, num_classes) for uint8 images ``x`` (N, C, H, W)."""
        assert self.net is not None, "fit first"
        self.net.eval()
        out = []
        dtype = _autocast_dtype()
        with torch.no_grad(), torch.autocast("cpu", dtype or torch.float32, enabled=dtype is not None):
            for start in range(0, len(x), batch_size):
                batch = to_model(x[start : start + batch_size]).contiguous(memory_format=torch.channels_last)
                out.append(F.softmax(self.net(batch).float(), 1))
        return torch.cat(out).numpy()


def _class_balanced(y: torch.Tensor) -> torch.Tensor:
    """Drawing weights (N,) for labels ``y`` (N,) under which every present class is
    equally likely: 1 / (its count)."""
    return 1.0 / torch.bincount(y)[y].double()


def _draw(n: int, size: int, weights: torch.Tensor | None, g: torch.Generator) -> torch.Tensor:
    """``size`` positions in [0, n) drawn with replacement: uniformly, or by ``weights`` (n,)."""
    if weights is None:
        return torch.randint(n, (size,), generator=g)
    return torch.multinomial(weights, size, replacement=True, generator=g)


def _autocast_dtype() -> torch.dtype | None:
    """bf16 where the CPU computes bf16 natively, else None (as the trainer's ``auto``)."""
    from scigan.core.device import autocast_dtype

    return autocast_dtype("auto", torch.device("cpu"))
