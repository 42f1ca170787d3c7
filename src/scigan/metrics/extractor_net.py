"""The feature extractor's network and how it is trained: a small CNN (32-64-128 conv
blocks, a 128-d feature layer) fitted on the real training images' labels or, when
unlabelled, on predicting a rotation. :mod:`scigan.metrics.features` caches and serves it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

#: Length of the feature vector (the penultimate layer).
FEATURE_DIM = 128
#: The training recipe (part of the extractor's hash).
RECIPE: dict[str, Any] = {
    "optimizer": "adam",
    "lr": 2e-3,
    "schedule": "cosine",
    "batch": 128,
    "epochs": 2,
    "min_steps": 300,
    "max_steps": 1500,
}


class ExtractorNet(nn.Module):
    """Three conv blocks (32-64-128), global average pool, a 128-d feature layer and a
    linear head. Inputs larger than 32 pixels get a stride-2 first convolution."""

    def __init__(self, channels: int, size: int, num_outputs: int) -> None:
        super().__init__()
        stride = 2 if size > 32 else 1
        layers: list[nn.Module] = []
        c_in = channels
        for i, c_out in enumerate((32, 64, 128)):
            layers += [
                nn.Conv2d(c_in, c_out, 3, stride=stride if i == 0 else 1, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            c_in = c_out
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.body = nn.Sequential(*layers)
        self.embed = nn.Sequential(
            nn.Linear(128, FEATURE_DIM, bias=False),
            nn.BatchNorm1d(FEATURE_DIM),
            nn.ReLU(inplace=True),
        )
        self.head = nn.Linear(FEATURE_DIM, num_outputs)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) floats in [-1, 1] -> (B, FEATURE_DIM) features."""
        return self.embed(self.body(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) floats in [-1, 1] -> (B, num_outputs) logits."""
        return self.head(self.features(x))


def to_model(x: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint8 (B, C, H, W) numpy -> float tensor in [-1, 1] on ``device``, channels-last."""
    t = torch.from_numpy(np.array(x, dtype=np.uint8, copy=True)).to(device)
    return (t.float() / 127.5 - 1.0).contiguous(memory_format=torch.channels_last)


def rotate(x: torch.Tensor, quarter_turns: torch.Tensor) -> torch.Tensor:
    """Rotate each image (B, C, H, W) by its own number (B,) of 90° turns."""
    out = x.clone()
    for q in (1, 2, 3):
        sel = quarter_turns == q
        if sel.any():
            out[sel] = torch.rot90(x[sel], q, dims=(2, 3))
    return out


def num_steps(n_train: int) -> int:
    """Optimizer steps of the recipe for ``n_train`` images: its epochs, within its bounds."""
    r = RECIPE
    epochs_steps = r["epochs"] * math.ceil(n_train / r["batch"])
    return int(min(max(epochs_steps, r["min_steps"]), r["max_steps"]))


def train_net(
    train_x: np.ndarray,
    train_y: np.ndarray | None,
    num_outputs: int,
    seed: int,
    device: torch.device,
) -> ExtractorNet:
    """Train a fresh network on uint8 images (N, C, H, W) and labels (N,); with ``train_y``
    None, on the rotation task. Batches go through the images in a fresh random order
    each epoch."""
    from scigan.nets.classifier import train_classifier

    n, c, h, _ = train_x.shape
    batch = min(RECIPE["batch"], n)
    order, pos = np.arange(0), n

    def batches(gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        nonlocal order, pos
        if pos + batch > n:
            order, pos = torch.randperm(n, generator=gen).numpy(), 0
        idx = np.sort(order[pos : pos + batch])
        pos += batch
        return to_model(train_x[idx], device), None if train_y is None else torch.from_numpy(train_y[idx])

    def rotation(x: torch.Tensor, _: torch.Tensor | None, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        target = torch.randint(0, 4, (len(x),), generator=gen)
        return rotate(x, target.to(x.device)), target

    model = train_classifier(
        lambda: ExtractorNet(c, h, num_outputs),
        batches,
        steps=num_steps(n),
        lr=RECIPE["lr"],
        seed=seed,
        device=device,
        augment=rotation if train_y is None else None,
    )
    assert isinstance(model, ExtractorNet)
    return model


@torch.no_grad()
def accuracy(model: ExtractorNet, x: np.ndarray, y: np.ndarray | None, device: torch.device, batch: int = 512) -> float:
    """Accuracy on (x, y); with y None, on all four rotations of every image in x."""
    correct = total = 0
    for i in range(0, len(x), batch):
        xb = to_model(x[i : i + batch], device)
        if y is None:
            for q in range(4):
                pred = model(torch.rot90(xb, q, dims=(2, 3))).argmax(dim=1)
                correct += int((pred == q).sum())
                total += len(xb)
        else:
            pred = model(xb).argmax(dim=1).cpu()
            correct += int((pred == torch.from_numpy(y[i : i + batch])).sum())
            total += len(xb)
    return correct / total
