"""Architecture names and the spec every architecture is built from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import nn

from scigan.core.phases import StepHook
from scigan.errors import ScienceError


@dataclass(frozen=True)
class NetSpec:
    """What an image architecture needs to know.

    Attributes:
        size: image height = width in pixels.
        channels: image channels (1 grayscale, 3 RGB, or any count).
        num_classes: label values for a conditional model; 0 for unconditional.
        z_dim: length of the latent vector.
        width: base channel count (MLP: base hidden units); compute grows ~ width².
        spectral_norm: spectral normalisation on every discriminator layer.
        attention: dcgan and resnet: feature-map resolution of a self-attention block in
            G and D (SAGAN); 0 for none.
        grow_images: progressive: images shown per fade-in and per stable stage.
    """

    size: int
    channels: int
    num_classes: int = 0
    z_dim: int = 128
    width: int = 64
    spectral_norm: bool = True
    attention: int = 0
    grow_images: int = 32_000


def upsampling_plan(size: int, model: str) -> tuple[int, int]:
    """Start resolution and number of ×2 stages that reach ``size`` (e.g. 28 -> (7, 2)).

    Convolutional models start at 4×4 or 7×7 and double, so ``size`` must be 4·2^k or
    7·2^k with 8 ≤ size ≤ 64 (8, 14, 16, 28, 32, 56, 64).
    """
    for start in (4, 7):
        stages, s = 0, size
        while s > start and s % 2 == 0:
            s //= 2
            stages += 1
        if s == start and stages >= 1 and 8 <= size <= 64:
            return start, stages
    raise ScienceError(
        f"--model {model} cannot make {size}×{size} images: it needs a size of the form "
        "4·2^k or 7·2^k between 8 and 64 (8, 14, 16, 28, 32, 56, 64); pass one with --size"
    )


def _builders() -> dict[str, Callable[[NetSpec], tuple[nn.Module, nn.Module]]]:
    from scigan.nets import dcgan, lapgan, mlp, progressive, resnet, stylegan

    return {"mlp": mlp.build, "dcgan": dcgan.build, "resnet": resnet.build,
            "progressive": progressive.build, "stylegan": stylegan.build, "lapgan": lapgan.build}


ARCHITECTURES = ("mlp", "dcgan", "resnet", "progressive", "stylegan", "lapgan")
WITH_ATTENTION = ("dcgan", "resnet")


def build(model: str, spec: NetSpec) -> tuple[nn.Module, nn.Module]:
    """The (generator, discriminator) pair of architecture ``model`` for ``spec``.

    The generator maps (z: (N, z_dim), y: (N,) or None) to images (N, C, H, W) in
    [-1, 1]; the discriminator maps (x, y) to logits (N,).
    """
    builders = _builders()
    if model not in builders:
        raise ScienceError(f"unknown model {model!r}; choose one of: {', '.join(ARCHITECTURES)}")
    if spec.attention and model not in WITH_ATTENTION:
        raise ScienceError(f"--attention is an option of {' and '.join(WITH_ATTENTION)}, not of --model {model}; "
                           "drop it or pick one of those")
    return builders[model](spec)


class ProgressHook(StepHook):
    """A trainer step hook for networks whose behaviour depends on how far training is:
    before every step it calls ``set_progress(images_seen)`` on each sub-module that has
    one and logs the values they report (e.g. ProGAN's resolution level). Stateless: the
    networks' progress is a pure function of images seen, so resume stays exact."""

    name = "progress"

    def __init__(self, users: list[nn.Module]):
        self.users, self._values = users, {}

    def before_step(self, images: int) -> None:
        """Tell every growing module the images seen so far."""
        self._values = {}
        for m in self.users:
            self._values.update(m.set_progress(images))

    def values(self) -> dict[str, float]:
        """What the modules reported at the last step."""
        return dict(self._values)


def progress_hooks(*modules: nn.Module) -> list[StepHook]:
    """A :class:`ProgressHook` for the sub-modules of ``modules`` that have
    ``set_progress``; an empty list when none needs one."""
    users = [m for module in modules for m in module.modules() if hasattr(m, "set_progress")]
    return [ProgressHook(users)] if users else []
