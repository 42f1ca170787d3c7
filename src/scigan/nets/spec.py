"""What an image architecture is built from (:class:`NetSpec`) and how it plans its
resolutions (:func:`upsampling_plan`). Every architecture module imports this; this
module imports none of them."""

from __future__ import annotations

from dataclasses import dataclass

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
