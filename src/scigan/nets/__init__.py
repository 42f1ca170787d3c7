"""Network architectures, selected by name through :func:`scigan.nets.build`."""

from scigan.nets.registry import ARCHITECTURES, NetSpec, build

__all__ = ["ARCHITECTURES", "NetSpec", "build"]
