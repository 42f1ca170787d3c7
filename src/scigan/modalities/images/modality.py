"""The image modality: grayscale or colour images, stored as uint8 N×C×H×W.

Model space is float in [-1, 1] (:class:`ImageCodec`). Reading lives in :mod:`.read`
(with :mod:`.files`, :mod:`.npz`, :mod:`.builtins`, :mod:`.pixels`), writing in :mod:`.writers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset
from scigan.modalities.images.read import load_images
from scigan.modalities.images.writers import make_grid, save_images

if TYPE_CHECKING:
    import torch
    from torch import nn

    from scigan.core.phases import Term

__all__ = ["ImageModality", "load_images", "make_grid", "save_images"]


class ImageModality:
    """Images: readers, writers, codec and networks for the core."""

    name = "images"

    def load(self, source: str | Path, *, size: int | None = None, **options: Any) -> Dataset:
        """A built-in name or a folder / ``.npz`` of the user's images, resized to ``size``."""
        return load_images(source, size=size, **options)

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write ``samples`` as a PNG grid, an ``.npz`` or a folder of PNGs (by ``path``)."""
        save_images(samples.x, path, labels=samples.y, class_names=samples.class_names or None, **options)

    def read(self, config: Any, source: Any = None) -> Dataset:
        """The images ``config.data`` names (or ``source``, an N×C×H×W uint8 array),
        resized to ``config.data_options.size`` (0: own size). A size the model cannot
        make, or networks too large for it (:func:`check_networks`), is refused first."""
        size = config.data_options.size
        if size:
            check_networks(config, size, channels=1)
        return self.load(config.data if source is None else source, size=size or None)

    def resolve(self, config: Any, data: Dataset, log: Any = print) -> Any:
        """Image defaults for the training split ``data``: dcgan with the hinge loss; the
        size is the data's own; below ``limited_data_threshold`` training images (``limited_data`` "auto") or with
        ``limited_data`` "yes", DiffAugment with the ADA controller."""
        from dataclasses import replace

        from scigan.core.diffaugment import DEFAULT_POLICY
        from scigan.nets.registry import ARCHITECTURES

        model = "dcgan" if config.model == "auto" else config.model
        if model not in ARCHITECTURES:
            raise ScienceError(f"unknown model {model!r} for images; choose one of: {', '.join(ARCHITECTURES)}")
        images = config.data_options
        limited, n_train = images.limited_data, len(data)
        if limited == "auto":
            limited = "yes" if n_train < images.limited_data_threshold else "no"
            if limited == "yes":
                # ADA follows the discriminator's outputs on real images: not under DP
                what = "DiffAugment" + ("" if config.dp_epsilon else " with adaptive augmentation")
                log(
                    f"limited data ({n_train} training samples, fewer than {images.limited_data_threshold}): "
                    f"{what} switched on; --limited-data no turns this off"
                )
        if limited == "yes":
            config = replace(
                config,
                diffaugment=config.diffaugment or ",".join(DEFAULT_POLICY),
                ada_target=config.ada_target or (0.0 if config.dp_epsilon else ADA_TARGET),
            )
        images = replace(images, size=int(data.x.shape[-1]), limited_data=limited)
        config = replace(
            config, model=model, loss="hinge" if config.loss == "auto" else config.loss, data_options=images
        )
        check_networks(config, images.size, channels=int(data.x.shape[1]))
        return config

    def fit_codec(self, train: Dataset, config: Any) -> ImageCodec:
        """The fixed pixel codec (nothing is learned from the data)."""
        return ImageCodec()

    def private_codec(self, train: Dataset, config: Any) -> tuple[ImageCodec, float]:
        """The pixel codec reads nothing of the data: private as it is (ε 0)."""
        return ImageCodec(), 0.0

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> ImageCodec:
        """The fixed pixel codec (a run stores none)."""
        return ImageCodec()

    def describe(self, data: Dataset, codec: ImageCodec) -> dict[str, Any]:
        """Channels and size of the images."""
        return {"channels": int(data.x.shape[1]), "size": int(data.x.shape[-1])}

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """Generator and discriminator of ``config.model`` for the run's images."""
        from scigan.nets import NetSpec, build

        spec = NetSpec(
            size=int(data["size"]),
            channels=int(data["channels"]),
            num_classes=num_classes,
            z_dim=config.z_dim,
            width=config.width,
            spectral_norm=config.spectral_norm,
            attention=config.data_options.attention,
            grow_images=config.data_options.grow_images,
        )
        return build(config.model, spec)

    def conditions(self, train: Dataset, codec: Any, config: Any) -> None:
        """No condition sampler: conditional runs condition on the label alone."""
        return None

    def objectives(self, train: Dataset, codec: Any, config: Any) -> tuple[list[Term], list[Term]] | None:
        """The class-consistency term under ``--class-consistency W`` (generator phase;
        the classifier is a CNN trained on ``train`` alone, seed 1, so not the quick
        scores' extractor); None without. ScienceError for unlabelled, unconditional or
        private runs."""
        weight = config.data_options.class_consistency
        if not weight:
            return None
        if train.y is None or train.num_classes < 2 or config.conditional == "no":
            raise ScienceError(
                "--class-consistency needs a conditional run on labelled images (two classes or more); "
                "drop it or give labelled data"
            )
        if config.dp_epsilon:
            raise ScienceError(
                "--class-consistency trains a classifier on the private images outside the DP budget; "
                "drop it or --dp-epsilon"
            )
        from scigan.core.consistency import ClassConsistency
        from scigan.metrics.features import cache_dir, get_extractor

        classifier = get_extractor(
            train.x,
            train.y,
            None,
            None,
            num_classes=train.num_classes,
            cache_dir=cache_dir(),
            seed=1,
            log=lambda s: None,
        )
        return [], [ClassConsistency(classifier.network, weight)]

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Every training image once (the trainer shuffles them each epoch)."""
        return np.arange(len(train))

    def scorer(self, train: Dataset, holdout: Dataset, codec: ImageCodec, *, device: str, log: Any = print):
        """FD, KID, PRDC and per-class scores in a CNN feature space learned from ``train``."""
        from scigan.metrics.scorer import Scorer

        return Scorer(self, train, holdout, device=device, log=log)

    def features(self, train: Dataset, test: Dataset | None, *, cache_dir: Path, device: str, log: Any = print):
        """The feature extractor for this data: a small CNN classifier trained on the real
        training images (the rotation task when unlabelled), cached under ``cache_dir``;
        its accuracy is measured on ``test`` (None: not measured)."""
        from scigan.metrics.features import get_extractor

        return get_extractor(
            train.x,
            train.y,
            None if test is None else test.x,
            None if test is None else test.y,
            num_classes=max(train.num_classes, 1),
            cache_dir=cache_dir,
            device=device,
            log=log,
        )

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        """A grid of samples (one row per class when labelled) written to ``path``; the
        ``reference`` is not drawn."""
        save_images(
            samples.x,
            path,
            labels=samples.y,
            class_names=samples.class_names or None,
            provenance=provenance,
            overwrite=True,
        )
        return True


#: The ADA target the limited-data defaults use (Karras et al., 2020).
ADA_TARGET = 0.6
#: The most the two networks' weights may take (parameters × 4 bytes, float32).
MAX_WEIGHT_BYTES = 4 * 2**30


def check_networks(config: Any, size: int, channels: int) -> None:
    """Refuse, before memory is spent on data or weights, an image ``size`` that
    ``config.model`` ("auto": dcgan) cannot make, and G and D whose weights for
    ``size``×``size``×``channels`` images would exceed :data:`MAX_WEIGHT_BYTES`. The
    networks are built on torch's meta device (shapes only: no memory, a fraction of a
    second); an unknown model is left to :meth:`ImageModality.resolve` to name."""
    from dataclasses import replace

    import torch

    from scigan.nets.registry import ARCHITECTURES

    model = "dcgan" if config.model == "auto" else config.model
    if model not in ARCHITECTURES:
        return
    try:
        with torch.device("meta"):
            nets = ImageModality().networks(replace(config, model=model), {"size": size, "channels": channels}, 0)
    except ScienceError:
        raise
    except Exception:  # an architecture that needs real memory to be built is checked when it is
        return
    count = sum(p.numel() for net in nets for p in net.parameters())
    if count * 4 > MAX_WEIGHT_BYTES:
        other = ", or a convolutional --model (dcgan)" if model == "mlp" else ""
        raise ScienceError(
            f"--model {model} for {size}×{size} images would have {count / 1e9:.1f} billion parameters "
            f"({count * 4 / 2**30:.1f} GiB of weights, more with gradients; at most "
            f"{MAX_WEIGHT_BYTES / 2**30:.0f} GiB): pass a smaller --size or --width{other}"
        )


class ImageCodec:
    """uint8 pixels <-> float in [-1, 1]; fixed, so a run stores nothing for it."""

    def stored(self, data: Dataset) -> np.ndarray:
        """The uint8 images (N, C, H, W) as they are: the trainer encodes per batch."""
        return data.x

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 pixels (N, C, H, W) -> float in [-1, 1]."""
        return x.float().mul_(1 / 127.5).sub_(1.0)

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        """Float in [-1, 1] (N, C, H, W) -> uint8 pixels (numpy), rounded and clipped."""
        import torch

        return ((z.float() + 1.0) * 127.5).round_().clamp_(0, 255).to(torch.uint8).numpy()

    def save(self, folder: Path) -> None:
        """Nothing to save: the pixel codec is fixed."""
