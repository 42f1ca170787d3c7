"""Adversarial objectives as small objects: each maps discriminator logits to losses.

Logits are (N,) tensors; losses are scalars (means over the batch).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F

from scigan.errors import ScienceError


class Objective(ABC):
    """An adversarial loss: ``d_loss`` for the discriminator, ``g_loss`` for the generator.

    The discriminator loss is a mean over real samples plus a mean over fake ones, each
    sample contributing its own term (:meth:`d_real`, :meth:`d_fake`): differentially
    private training clips the real samples' terms one by one.
    """

    name = ""

    @abstractmethod
    def d_real(self, real: torch.Tensor) -> torch.Tensor:
        """Per-sample discriminator loss (N,) on the logits of real samples (N,)."""

    @abstractmethod
    def d_fake(self, fake: torch.Tensor) -> torch.Tensor:
        """Per-sample discriminator loss (M,) on the logits of fake samples (M,)."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """Discriminator loss from logits on real (N,) and fake (M,) samples."""
        return self.d_real(real).mean() + self.d_fake(fake).mean()

    @abstractmethod
    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """Generator loss from the discriminator's logits on fake samples (M,)."""


class NonSaturating(Objective):
    """The original GAN loss with the non-saturating generator term (Goodfellow 2014)."""

    name = "ns"

    def d_real(self, real: torch.Tensor) -> torch.Tensor:
        return F.softplus(-real)

    def d_fake(self, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(fake)

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(-fake).mean()


class Hinge(Objective):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018)."""

    name = "hinge"

    def d_real(self, real: torch.Tensor) -> torch.Tensor:
        return F.relu(1 - real)

    def d_fake(self, fake: torch.Tensor) -> torch.Tensor:
        return F.relu(1 + fake)

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


class Wasserstein(Objective):
    """Wasserstein critic loss (Arjovsky 2017); pair it with a gradient penalty."""

    name = "wgan"

    def d_real(self, real: torch.Tensor) -> torch.Tensor:
        return -real

    def d_fake(self, fake: torch.Tensor) -> torch.Tensor:
        return fake

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


class LeastSquares(Objective):
    """Least-squares GAN loss (Mao et al. 2017) with targets 1 (real) and 0 (fake)."""

    name = "lsgan"

    def d_real(self, real: torch.Tensor) -> torch.Tensor:
        return 0.5 * (real - 1) ** 2

    def d_fake(self, fake: torch.Tensor) -> torch.Tensor:
        return 0.5 * fake**2

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((fake - 1) ** 2).mean()


OBJECTIVES: dict[str, type[Objective]] = {cls.name: cls for cls in (NonSaturating, Hinge, Wasserstein, LeastSquares)}


#: What ``loss = "auto"`` means when a config reaches the core unresolved (the workflows
#: resolve it per data kind first: hinge for images, wgan for tables and expression).
AUTO = "hinge"


def make_objective(name: str) -> Objective:
    """The objective called ``name`` (one of ``OBJECTIVES``, or "auto": :data:`AUTO`)."""
    name = AUTO if name == "auto" else name
    if name not in OBJECTIVES:
        raise ScienceError(f"unknown loss {name!r}; choose one of: {', '.join(OBJECTIVES)}")
    return OBJECTIVES[name]()
