"""The step hook of networks that change as training goes on (ProGAN's growing)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import nn

from scigan.core.phases import StepHook


@runtime_checkable
class Progressing(Protocol):
    """A module whose behaviour depends on the images seen so far."""

    def set_progress(self, images: int) -> dict[str, float]:
        """Adapt to ``images`` images seen; returns values for the log."""
        ...


class ProgressHook(StepHook):
    """A trainer step hook for networks whose behaviour depends on how far training is:
    before every step it calls ``set_progress(images_seen)`` on each sub-module that has
    one and logs the values they report (e.g. ProGAN's resolution level). Stateless: the
    networks' progress is a pure function of images seen, so resume stays exact."""

    name = "progress"

    def __init__(self, users: list[Progressing]):
        self.users = users
        self._values: dict[str, float] = {}

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
    users: list[Progressing] = [m for module in modules for m in module.modules() if isinstance(m, Progressing)]
    return [ProgressHook(users)] if users else []
