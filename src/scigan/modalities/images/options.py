"""The image kind's options: the ``[images]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class ImageOptions:
    """How images are read and which image-only parts of the recipe are on."""

    size: int = option(
        0, "Image size in pixels: images are resized to size × size; 0 keeps the data's own size.", Interval(0, 1024)
    )
    attention: int = option(
        0,
        "dcgan and resnet: a self-attention block (SAGAN) in G and D at the stage whose "
        "feature map is this many pixels wide (e.g. 14 for 28×28 images); 0 = none.",
        Interval(0),
    )
    grow_images: int = option(
        32_000,
        "progressive: images shown in each stable stage and each fade-in of the "
        "next ×2 resolution (28×28 starts at 7×7 and reaches full size after "
        "4 × this).",
        Interval(1),
    )
    limited_data: str = option(
        "auto",
        "Limited-data defaults: yes switches on DiffAugment (color,translation,"
        "cutout unless a policy is given) with ADA (target 0.6 unless --ada-target "
        "is given); auto does so below --limited-data-threshold training images "
        "(and says so); no leaves both as given.",
        OneOf(("auto", "yes", "no")),
    )
    limited_data_threshold: int = option(
        10_000, "Training images below which --limited-data auto switches the limited-data defaults on.", Interval(1)
    )
    class_consistency: float = option(
        0.0,
        "Conditional runs: weight of a class-consistency term in the generator's loss, the "
        "cross-entropy that a CNN classifier trained on the training images alone gives "
        "each generated image for its own label (AC-GAN's auxiliary loss, classifier "
        "frozen); 0 = off. Try 0.1 to 1.",
        Interval(0),
    )
