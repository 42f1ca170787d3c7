"""Which rows, latents and fake-label picks each training step draws, and this rank's
part of them.

The global batch is ``batch_size`` × world size. Real rows come from epoch-wise
permutations seeded by (seed, epoch), cut into global batches (the last partial one
dropped); latents and label picks from the step's generator, which every rank seeds
alike. Each rank takes the same slice of every draw, so N processes see together the
rows, latents and labels one process with the global batch sees.
"""

from __future__ import annotations

import torch

from scigan.core.device import seeded_generator
from scigan.core.distributed import World
from scigan.errors import ScienceError


class GlobalBatch:
    """The batches of a run over ``n`` training samples on ``device``, for the rank
    ``world`` names (ScienceError when ``n`` is below the global batch)."""

    def __init__(self, n: int, batch_size: int, world: World, seed: int, device: torch.device) -> None:
        self.n, self.batch_size, self.world, self.seed, self.device = n, batch_size, world, seed, device
        self.size = batch_size * world.size
        if n < self.size:
            across = f" × {world.size} processes" if world.size > 1 else ""
            raise ScienceError(
                f"the training data has {n} samples, fewer than --batch-size "
                f"{batch_size}{across}; pass a smaller --batch-size"
            )
        self._epoch, self._perm = -1, torch.empty(0)

    @property
    def shard(self) -> slice:
        """This rank's part of a global batch."""
        b = self.batch_size
        return slice(self.world.rank * b, (self.world.rank + 1) * b)

    def rows(self, draw: int) -> torch.Tensor:
        """Indices (batch_size,) of this rank's shard of the ``draw``-th real batch."""
        per_epoch = self.n // self.size
        epoch, i = divmod(draw, per_epoch)
        if epoch != self._epoch:
            g = seeded_generator(torch.device("cpu"), self.seed, 1, epoch)
            self._perm = torch.randperm(self.n, generator=g).to(self.device)
            self._epoch = epoch
        return self._perm[i * self.size : (i + 1) * self.size][self.shard]

    def picks(self, high: int, rng: torch.Generator) -> torch.Tensor:
        """This rank's shard (batch_size,) of a global batch of integers in [0, ``high``)
        drawn from ``rng`` (e.g. rows whose labels the fakes take)."""
        return torch.randint(high, (self.size,), generator=rng, device=self.device)[self.shard]

    def latents(self, z_dim: int, rng: torch.Generator) -> torch.Tensor:
        """This rank's shard (batch_size, z_dim) of a global batch of standard normal latents."""
        return torch.randn(self.size, z_dim, generator=rng, device=self.device)[self.shard]
