"""Zhang et al. (2018)'s networks: an LSTM generator that reads the past window and
forecasts the target, and an MLP discriminator (three hidden layers) that judges a window
of target values followed by its next value, true or forecast."""

from __future__ import annotations

import torch
from torch import nn


class Forecaster(nn.Module):
    """Windows (N, W, C) -> the scaled target ``horizon`` steps after the last day (N,)."""

    def __init__(self, channels: int, hidden: int):
        super().__init__()
        self.lstm = nn.LSTM(channels, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(x)
        return self.head(h[:, -1])[:, 0]


class SequenceJudge(nn.Module):
    """The target's past window (N, W) and a next value (N,) -> a logit (N,): real when the
    value is the true one. Hidden layers of 72, 100 and 10 units (the paper's)."""

    def __init__(self, window: int):
        super().__init__()
        layers: list[nn.Module] = []
        width = window + 1
        for units in (72, 100, 10):
            layers += [nn.Linear(width, units), nn.LeakyReLU(0.2)]
            width = units
        self.body = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, past: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
        return self.body(torch.cat([past, value[:, None]], dim=1))[:, 0]
