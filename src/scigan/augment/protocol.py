"""What a data kind implements to take part in ``scigan augment``.

A kind declares its :class:`Augmenter` as ``DataKind.augmenter = "package.module:Class"``
(by convention ``modalities/<kind>/augment.py``). The experiment asks it for the
downstream model's features, the classic augmentation, the classifier and the kind's
defaults (GAN steps, synthetic counts); it never looks at the kind's name. A kind without
an augmenter is refused with one message.

To add one: subclass :class:`BaseAugmenter` (it checks ``--classifier`` and ``--classic``
against the class's own choices), or :class:`scigan.downstream.rows.RowAugmenter` when the
samples become float feature rows (then only ``row_map`` is left to write), and name the
class in the kind's ``KIND``. Importing this module costs numpy.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from scigan.errors import ScienceError

if TYPE_CHECKING:
    from scigan.augment.config import AugmentConfig
    from scigan.modalities import DataKind
    from scigan.modalities.base import Dataset


@dataclass(frozen=True)
class GanDefaults:
    """A kind's defaults for the conditional GAN each seed trains on its subset."""

    steps: int
    """Generator steps when ``--gan-steps`` is 0 (auto)."""
    eval_every: int
    """Steps between quick evaluations (on a validation split of the subset) when
    ``--gan-eval-every`` is -1 (auto); 0 = none."""
    batch_multiple: int = 1
    """The GAN's batch size is rounded down to a multiple of this (e.g. a PacGAN pack)."""


class Augmenter(Protocol):
    """One data kind's part of the experiment, built as ``Class(cfg, data)`` from the
    options and the whole labelled data set; it refuses choices the kind has not.

    The downstream model sees :meth:`features` of the data (a fixed-length array per
    sample), fitted by :meth:`fit_features` on each seed's real subset only.
    """

    classifiers: ClassVar[tuple[str, ...]]
    """The downstream models ``--classifier`` may name for this kind; the first is auto's."""
    classics: ClassVar[tuple[str, ...]]
    """The classic augmentations ``--classic`` may name; the first is auto's."""
    options: ClassVar[frozenset[str]]
    """The :class:`~scigan.augment.config.AugmentConfig` fields only some kinds read
    (e.g. ``flips``); another kind refuses them when they are not at their default."""
    gan_options: ClassVar[frozenset[str]]
    """The fields of the kind's training section that change how its GAN trains (e.g.
    ``class_consistency``): a GAN of an earlier output is reused only where they match."""
    labels_hint: ClassVar[str]
    """How to give such data class labels, for the "has no class labels" message."""
    classifier: str
    """The resolved downstream model (one of :attr:`classifiers`)."""
    classic: str
    """The resolved classic augmentation (one of :attr:`classics`)."""
    num_classes: int
    """Label values of the data (C)."""

    def __init__(self, cfg: AugmentConfig, data: Dataset) -> None: ...

    def gan_defaults(self, subset: Dataset) -> GanDefaults:
        """The GAN's defaults for a training ``subset``."""
        ...

    def synthetic_counts(self, y: np.ndarray) -> np.ndarray:
        """GAN samples to draw per class (C,) by default, for a subset with labels ``y`` (N,)."""
        ...

    def fit_features(self, real: Dataset) -> None:
        """Fit the feature map on one seed's real training subset."""
        ...

    def features(self, data: Dataset) -> np.ndarray:
        """The downstream model's input for ``data``: an array of len(data) samples."""
        ...

    def fit(
        self, x: np.ndarray, y: np.ndarray, synthetic: tuple[np.ndarray, np.ndarray] | None, classic: bool, seed: int
    ) -> Any:
        """A fitted model for one condition: features ``x`` with labels ``y`` (N,), plus
        ``synthetic`` (features, labels) when given; ``classic`` applies :attr:`classic`."""
        ...

    def proba(self, model: Any, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, C) of a model :meth:`fit` returned, for features ``x``."""
        ...

    def corruptions(self, x: np.ndarray, seed: int) -> dict[str, np.ndarray]:
        """Corrupted copies of the test features ``x`` by name, for ``--corruptions``
        (a kind that lists it in :attr:`options`)."""
        ...


class BaseAugmenter:
    """What every kind's augmenter shares: the options, the class count and the checked
    choice of classifier and classic augmentation. Subclasses set the class attributes
    of :class:`Augmenter` and its methods."""

    classifiers: ClassVar[tuple[str, ...]] = ()
    classics: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[frozenset[str]] = frozenset()
    gan_options: ClassVar[frozenset[str]] = frozenset()
    labels_hint: ClassVar[str] = "give each sample a class label"

    def __init__(self, cfg: AugmentConfig, data: Dataset) -> None:
        self.cfg = cfg
        self.num_classes = data.num_classes
        self.classifier = _choose(cfg.classifier, self.classifiers, "--classifier", data.modality)
        self.classic = _choose(cfg.classic, self.classics, "--classic", data.modality)


def _choose(value: str, choices: tuple[str, ...], flag: str, kind: str) -> str:
    """``value`` checked against a kind's ``choices``; "auto" is the first."""
    if value == "auto":
        return choices[0]
    if value in choices:
        return value
    if len(choices) == 1:
        raise ScienceError(f"{kind} data use {flag} {choices[0]}; drop {flag} {value}")
    raise ScienceError(f"{flag} {value} is not for {kind} data; choose {' or '.join(choices)}")


def augmenter_class(kind: DataKind) -> type[Augmenter]:
    """The :class:`Augmenter` class ``kind.augmenter`` names (imported on first use);
    ScienceError when the kind declares none."""
    if not kind.augmenter:
        raise ScienceError(f"scigan augment does not support {kind.name} data")
    module, _, attr = kind.augmenter.partition(":")
    try:
        cls: type[Augmenter] = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as err:
        raise ScienceError(f"{kind.name} data: its augmenter {kind.augmenter!r} does not load ({err})") from None
    return cls


def refuse_other_kinds_options(cfg: AugmentConfig, kind: DataKind) -> None:
    """ScienceError when ``cfg`` sets (away from its default) an option that other kinds'
    augmenters read but ``kind``'s does not, naming the kinds that have it."""
    from scigan.modalities import kinds

    mine = augmenter_class(kind).options
    defaults = {f.name: f.default for f in fields(cfg)}
    declared = {kind.name: mine}
    for other in kinds():
        if other.augmenter and other.name != kind.name:
            try:
                declared[other.name] = augmenter_class(other).options
            except ScienceError:  # a kind whose augmenter does not load has no say here
                continue
    for name in sorted(set().union(*declared.values()) - mine):
        if getattr(cfg, name) != defaults[name]:
            owners = [k for k, names in declared.items() if name in names]
            raise ScienceError(
                f"--{name.replace('_', '-')} is for {' and '.join(owners)} data, not {kind.name}; drop it"
            )
