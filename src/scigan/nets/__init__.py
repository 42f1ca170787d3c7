"""Network architectures, selected by name through :func:`scigan.nets.build`."""

from scigan.nets.registry import ARCHITECTURES, build
from scigan.nets.spec import NetSpec

__all__ = ["ARCHITECTURES", "NetSpec", "build"]
