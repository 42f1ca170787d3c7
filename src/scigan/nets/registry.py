"""Architecture names: which module builds each image architecture."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from scigan.errors import ScienceError
from scigan.nets.spec import NetSpec


def _builders() -> dict[str, Callable[[NetSpec], tuple[nn.Module, nn.Module]]]:
    from scigan.nets import dcgan, lapgan, mlp, progressive, resnet, stylegan

    return {
        "mlp": mlp.build,
        "dcgan": dcgan.build,
        "resnet": resnet.build,
        "progressive": progressive.build,
        "stylegan": stylegan.build,
        "lapgan": lapgan.build,
    }


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
        raise ScienceError(
            f"--attention is an option of {' and '.join(WITH_ATTENTION)}, not of --model {model}; "
            "drop it or pick one of those"
        )
    return builders[model](spec)
