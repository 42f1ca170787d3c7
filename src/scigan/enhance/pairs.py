"""Training pairs for enhancement and translation, from whole pictures.

Where the pairs come from (``task``: superres, denoise or translate):

* A source with paired sub-folders: ``lr/`` and ``hr/`` (superres), ``noisy/`` and
  ``clean/`` (denoise), ``A/`` and ``B/`` (translate, A -> B). Files pair up by their
  path relative to the sub-folder, without the suffix; a target must be ``scale`` times
  its input's size (superres) or the same size.
* Any other source (a built-in picture, an image file or a folder) gives the targets;
  the inputs are made on the fly: by the :class:`~scigan.enhance.degrade.Degradation`
  (superres, denoise), or as the grayscale (ITU-R 601 luma) of colour targets (translate:
  grayscale -> colour).

Held out for evaluation, never trained on: with 4 or more pictures, a seeded
``holdout`` share of whole pictures (at least one); with fewer, the bottom rows of each
picture (``holdout`` of its height, at least two patches' worth, at most half).

Training draws a pool of random patches once (seeded): 16 patches per patch-area of
training image, at most 20,000. Each step picks a batch from the pool and applies one
of the 8 flips/rotations (the same to input and target) and, for made pairs, a fresh
degradation, all from the step's seeded generator (see :class:`PairHook`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from scigan.config import TrainConfig
from scigan.core.phases import StepHook
from scigan.enhance.degrade import Degradation
from scigan.errors import ScienceError
from scigan.modalities.images.pictures import Picture, as_channels, read_pictures

#: Sub-folder names (input, target) of paired data, per task.
PAIR_FOLDERS = {"superres": ("lr", "hr"), "denoise": ("noisy", "clean"), "translate": ("A", "B")}
#: Patches drawn per patch-area of training image, and the most drawn.
PATCHES_PER_AREA = 16
MAX_PATCHES = 20_000


@dataclass
class Pair:
    """A target picture (float H×W×C in [0, 1]) and its input: a real one (h×w×c, with
    H = h·scale), or None when the input is made from the target."""

    name: str
    target: np.ndarray
    input: np.ndarray | None


def _find(folder: Path, name: str) -> Path | None:
    matches = [p for p in folder.iterdir() if p.is_dir() and p.name.lower() == name.lower()]
    return matches[0] if matches else None


def read_pairs(source: str, task: str, scale: int) -> tuple[list[Pair], bool, list[Picture]]:
    """The pairs of ``source`` for ``task``; returns (pairs, whether the inputs are real,
    the target pictures as read)."""
    path = Path(source).expanduser()
    names = PAIR_FOLDERS[task]
    inputs, targets = (_find(path, n) for n in names) if path.is_dir() else (None, None)
    if inputs is not None and targets is not None:
        return _read_paired_folders(inputs, targets, task, scale)
    have = inputs or targets
    if have is not None:
        raise ScienceError(
            f"{path} has {have.name}/ but not its partner; paired data needs both "
            f"{names[0]}/ and {names[1]}/ sub-folders"
        )
    pictures = read_pictures(source)
    if task == "translate" and not any(p.channels == 3 for p in pictures):
        raise ScienceError(
            f"{source}: translate needs A/ and B/ sub-folders of paired images, or colour "
            "pictures (it then learns grayscale -> colour); these are grayscale"
        )
    channels = max(p.channels for p in pictures)
    return [Pair(p.name, as_channels(p, channels), None) for p in pictures], False, pictures


def _read_paired_folders(inputs: Path, targets: Path, task: str, scale: int) -> tuple[list[Pair], bool, list[Picture]]:
    def index(folder: Path) -> dict[str, Picture]:
        return {str(Path(p.name).with_suffix("")): p for p in read_pictures(folder)}

    a, b = index(inputs), index(targets)
    lonely = sorted(set(a) ^ set(b))
    if lonely:
        where = inputs.name if lonely[0] in a else targets.name
        raise ScienceError(
            f"{len(lonely)} file(s) do not pair up between {inputs.name}/ and {targets.name}/ "
            f"(e.g. {where}/{lonely[0]} has no partner); files pair by name without the suffix"
        )
    factor = scale if task == "superres" else 1
    pairs = []
    for key in sorted(b):
        x, y = a[key], b[key]
        want = (x.pixels.shape[0] * factor, x.pixels.shape[1] * factor)
        if y.pixels.shape[:2] != want:
            raise ScienceError(
                f"{targets.name}/{y.name} is {y.pixels.shape[0]}x{y.pixels.shape[1]} but its input "
                f"{inputs.name}/{x.name} is {x.pixels.shape[0]}x{x.pixels.shape[1]}; the target must be "
                f"exactly {factor}x the input's size" + (" (check --scale)" if factor > 1 else "")
            )
        pairs.append(Pair(key, y.pixels, x.pixels))
    for side, pics in ((0, a), (1, b)):
        counts = {p.channels for p in pics.values()}
        if len(counts) > 1:
            raise ScienceError(
                f"{(inputs, targets)[side].name}/ mixes grayscale and colour images; convert them to one kind"
            )
    return pairs, True, list(b.values())


def read_unpaired(source: str) -> tuple[list[Pair], list[Pair]]:
    """Domain A and domain B pictures of unpaired translation (``--task cyclegan``): the
    ``A/`` and ``B/`` sub-folders of ``source``, any number and sizes of files, unpaired;
    each returned as Pairs whose target is the picture (no input)."""
    path = Path(source).expanduser()
    a, b = (_find(path, n) for n in ("A", "B")) if path.is_dir() else (None, None)
    if a is None or b is None:
        raise ScienceError(
            f"{source}: unpaired translation (--task cyclegan) needs a folder with A/ and B/ "
            "sub-folders of images (they need not pair up)"
        )
    domains = []
    for folder in (a, b):
        pictures = read_pictures(folder)
        channels = max(p.channels for p in pictures)
        domains.append([Pair(p.name, as_channels(p, channels), None) for p in pictures])
    return domains[0], domains[1]


def split_pairs(
    pairs: list[Pair], holdout: float, seed: int, patch: int, scale: int
) -> tuple[list[Pair], list[Pair], str]:
    """(train, held out, a description of the split); see the module docstring."""
    if not 0.0 < holdout < 1.0:
        raise ScienceError(f"holdout fraction must be in (0, 1), got {holdout}")
    for p in pairs:
        h, w = p.target.shape[:2]
        if min(h, w) < patch:
            raise ScienceError(
                f"{p.name} is {h}x{w} pixels, smaller than the {patch}-px training patch; "
                "pass a smaller --patch or use larger images"
            )
    if len(pairs) >= 4:
        rng = np.random.default_rng(seed)
        k = max(1, round(holdout * len(pairs)))
        held = set(rng.permutation(len(pairs))[:k].tolist())
        test = [p for i, p in enumerate(pairs) if i in held]
        return (
            [p for i, p in enumerate(pairs) if i not in held],
            test,
            f"{k} whole picture(s): {', '.join(p.name for p in test)}",
        )
    train, test = [], []
    for p in pairs:
        h = p.target.shape[0]
        rows = min(max(math.ceil(holdout * h), 2 * patch), h // 2)
        cut = (h - rows) // scale * scale
        if cut < patch or h - cut < patch:
            raise ScienceError(
                f"{p.name} is {h} pixels high: too small to hold out rows for evaluation "
                f"and keep {patch}-px patches to train on; pass a smaller --patch"
            )
        train.append(_rows(p, 0, cut, scale))
        test.append(_rows(p, cut, h, scale))
    return train, test, f"the bottom rows of each picture: {h - cut} of {h} in the last"


def _rows(p: Pair, start: int, stop: int, scale: int) -> Pair:
    inp = None if p.input is None else p.input[start // scale : stop // scale]
    return Pair(p.name, p.target[start:stop], inp)


@dataclass(frozen=True)
class PictureSplit:
    """A run's pictures split for training and for ``evaluate`` (see the module docstring).

    Attributes:
        train: the training pairs (cyclegan: domain B's pictures).
        test: the held-out pairs (cyclegan: domain A's pictures, each its own input).
        description: how the holdout was chosen (recorded as ``holdout_from``).
        real_inputs: whether the inputs are read (paired folders) rather than made.
        pictures: the target pictures as read (cyclegan: none).
        domain_a: cyclegan: domain A's training pictures; otherwise empty.
    """

    train: list[Pair]
    test: list[Pair]
    description: str
    real_inputs: bool
    pictures: list[Picture]
    domain_a: list[Pair] = field(default_factory=list)


def split_pictures(config: TrainConfig) -> PictureSplit:
    """The pictures of an enhancement ``config`` (its data, task, holdout, seed and the
    ``task_options`` scale and patch), split into training and held-out pairs."""
    patch, scale = config.task_options.patch, config.task_options.scale
    if config.task == "cyclegan":
        (a_train, a_test, a_split), (b_train, _, b_split) = (
            split_pairs(domain, config.holdout, config.seed, patch, 1) for domain in read_unpaired(config.data)
        )
        return PictureSplit(
            b_train,
            [Pair(p.name, p.target, p.target) for p in a_test],
            f"A: {a_split}; B: {b_split}",
            True,
            [],
            a_train,
        )
    pairs, real_inputs, pictures = read_pairs(config.data, config.task, scale)
    train, test, split = split_pairs(pairs, config.holdout, config.seed, patch, scale)
    return PictureSplit(train, test, split, real_inputs, pictures)


def patch_pool(
    pairs: list[Pair], patch: int, scale: int, seed: int, minimum: int, count: int = 0, stream: int = 5
) -> np.ndarray:
    """Random patches of the training pairs, uint8 N×C×P×P: the target's channels, then
    (real pairs) the input's, upsampled by repeating pixels to P×P. Corners lie on
    multiples of ``scale`` so input and target patches align. ``count`` > 0 fixes N;
    ``stream`` picks the seeded random stream."""
    area = sum(p.target.shape[0] * p.target.shape[1] for p in pairs)
    n = count or int(min(max(math.ceil(PATCHES_PER_AREA * area / patch**2), minimum), MAX_PATCHES))
    rng = np.random.default_rng([seed, stream])
    weights = np.array([p.target.shape[0] * p.target.shape[1] for p in pairs], dtype=float)
    which = rng.choice(len(pairs), size=n, p=weights / weights.sum())
    out = []
    for i in which:
        p = pairs[i]
        h, w = p.target.shape[:2]
        top = int(rng.integers(0, (h - patch) // scale + 1)) * scale
        left = int(rng.integers(0, (w - patch) // scale + 1)) * scale
        parts = [p.target[top : top + patch, left : left + patch]]
        if p.input is not None:
            small = p.input[top // scale : (top + patch) // scale, left // scale : (left + patch) // scale]
            parts.append(small.repeat(scale, axis=0).repeat(scale, axis=1))
        out.append(np.concatenate(parts, axis=2))
    return np.rint(np.stack(out) * 255).astype(np.uint8).transpose(0, 3, 1, 2).copy()


def luma(x: torch.Tensor) -> torch.Tensor:
    """ITU-R 601 luma of RGB (N, 3, H, W) -> (N, 1, H, W)."""
    w = torch.tensor([0.299, 0.587, 0.114], dtype=x.dtype, device=x.device)
    return (x * w.view(1, 3, 1, 1)).sum(dim=1, keepdim=True)


@dataclass
class InputMaker:
    """How a target batch becomes an input batch when the pairs are made, not read:
    the degradation (superres, denoise) or luma (translate). Tensors in [0, 1]."""

    task: str
    degradation: Degradation

    def __call__(self, target: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        if self.task == "translate":
            return luma(target)
        return self.degradation(target, rng)


class PairHook(StepHook):
    """A trainer step hook that turns each real batch of the patch pool into an
    (input, target) pair: ``ctx.real`` becomes the target and ``ctx.z`` (what G is fed)
    the input, both in [-1, 1]; with ``conditional`` the discriminator sees the input as
    its condition (``ctx.labels``). Flips/rotations and degradations use ``ctx.rng``."""

    name = "pairs"

    def __init__(self, target_channels: int, scale: int, make_input: InputMaker | None, conditional: bool):
        self.target_channels, self.scale = target_channels, scale
        self.make_input, self.conditional = make_input, conditional

    def prepare(self, phase, ctx) -> None:
        """Make the step's (input, target) pair from its real patches."""
        k = int(torch.randint(8, (1,), generator=ctx.rng, device=ctx.rng.device))
        x = torch.rot90(ctx.real, k % 4, dims=(2, 3))
        x = x.flip(3) if k >= 4 else x
        target = x[:, : self.target_channels]
        if self.make_input is None:
            inp = x[:, self.target_channels :, :: self.scale, :: self.scale]
        else:
            inp = self.make_input((target + 1) / 2, ctx.rng) * 2 - 1
        ctx.real, ctx.z = target.contiguous(), inp.contiguous()
        if self.conditional:
            ctx.labels = ctx.fake_labels = ctx.z


__all__ = [
    "InputMaker",
    "Pair",
    "PairHook",
    "PictureSplit",
    "luma",
    "patch_pool",
    "read_pairs",
    "read_unpaired",
    "split_pairs",
    "split_pictures",
]
