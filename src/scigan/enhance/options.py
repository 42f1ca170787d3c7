"""The enhancement tasks' options: the ``[enhance]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class EnhanceOptions:
    """How super-resolution, denoising and translation runs make and weigh their pairs."""

    scale: int = option(
        4,
        "superres: the upscaling factor, 2, 4 or 8; the input is the clean image blurred by "
        "--blur, downsampled bicubically (antialiased) and noised by --noise.",
        OneOf((1, 2, 4, 8)),
    )
    patch: int = option(
        64,
        "Side in pixels (of the output) of the square training patches, 16 to 64, a multiple "
        "of the scale (translate: of 16).",
        Interval(16, 64),
    )
    noise: str = option(
        "auto",
        "The degradation's noise: gaussian (σ = --sigma/255), poisson (shot noise with "
        "--peak photons at full intensity) or none; auto: gaussian for denoise, none for "
        "superres.",
        OneOf(("auto", "gaussian", "poisson", "none")),
    )
    sigma: float = option(
        25.0, "Gaussian noise standard deviation, in units of 1/255 of the intensity range.", Interval(0)
    )
    peak: float = option(
        30.0, "Poisson noise: expected photon count at intensity 1 (lower is noisier).", Interval(0, low_open=True)
    )
    blur: float = option(0.0, "superres: Gaussian blur σ, in high-resolution pixels, before downsampling.", Interval(0))
    warmup: int = option(
        -1,
        "Steps trained on the pixel (L1) loss alone before the adversarial and feature "
        "terms start; -1 = auto (1000, translate 0).",
        Interval(-1),
    )
    adv_weight: float = option(
        -1.0,
        "Weight of the adversarial term against the L1 pixel loss (weight 1); -1 = "
        "auto (1e-3 as SRGAN for superres and denoise, 0.01 for translate as "
        "pix2pix's λ = 100, 1 for cyclegan against its cycle losses of weight 10).",
        Interval(-1),
    )
    feature_weight: float = option(
        -1.0,
        "Weight of the feature (perceptual) loss: squared distance of feature "
        "maps of a CNN trained on the training patches (no pretrained VGG is "
        "downloaded); -1 = auto (1 for superres and denoise, 0 for translate).",
        Interval(-1),
    )
