"""The baseline every benchmark compares with: a plain PyTorch training loop written the
way the PyTorch DCGAN example writes it (eager fp32, NCHW, a DataLoader of float
tensors, BCE loss, Adam, D on real then on fake, G on the same fake, a loss ``.item()``
every step), on the same networks scigan trains.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class BaselineLoop:
    """Trains (G, D) on uint8 images ``data`` (N, C, H, W) with labels ``labels`` or None."""

    def __init__(
        self,
        G: nn.Module,
        D: nn.Module,
        data: torch.Tensor,
        labels: torch.Tensor | None,
        batch_size: int,
        z_dim: int,
        lr: float = 2e-4,
        seed: int = 0,
        device: str = "cpu",
    ):
        self.G, self.D, self.z_dim, self.device = G.to(device), D.to(device), z_dim, device
        images = data.float() / 127.5 - 1
        targets = labels if labels is not None else torch.zeros(len(data), dtype=torch.long)
        self.conditional = labels is not None
        g = torch.Generator().manual_seed(seed)
        self.loader = DataLoader(
            TensorDataset(images, targets), batch_size=batch_size, shuffle=True, drop_last=True, generator=g
        )
        self.batches = iter(self.loader)
        self.opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
        self.criterion = nn.BCEWithLogitsLoss()
        self.losses: list[float] = []

    def _next(self) -> tuple[torch.Tensor, torch.Tensor]:
        try:
            return next(self.batches)
        except StopIteration:
            self.batches = iter(self.loader)
            return next(self.batches)

    def step(self) -> None:
        """One D step (real, then fake) and one G step on the same fake batch."""
        real, y = (t.to(self.device) for t in self._next())
        y = y if self.conditional else None
        n = real.shape[0]
        ones = torch.ones(n, device=self.device)
        zeros = torch.zeros(n, device=self.device)
        self.D.zero_grad()
        err_real = self.criterion(self.D(real, y), ones)
        err_real.backward()
        noise = torch.randn(n, self.z_dim, device=self.device)
        fake = self.G(noise, y)
        err_fake = self.criterion(self.D(fake.detach(), y), zeros)
        err_fake.backward()
        self.opt_d.step()
        self.G.zero_grad()
        err_g = self.criterion(self.D(fake, y), ones)
        err_g.backward()
        self.opt_g.step()
        self.losses.append((err_real + err_fake).item() + err_g.item())
