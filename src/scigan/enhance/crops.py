"""Held-out inputs and side-by-side crops of an enhancement run.

The held-out pictures' inputs (real ones, or made with a fixed seed), the baseline each
task is measured against (bicubic upsampling, the noisy input, the grayscale input), and
the PNG of crops (baseline | network | target) that training previews and ``evaluate``
write.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from scigan.config import TrainConfig
from scigan.enhance.apply import apply
from scigan.enhance.pairs import InputMaker, Pair
from scigan.enhance.resolve import degradation

#: A held-out picture: (name, input h×w×c, target H×W×C), floats in [0, 1].
Example = tuple[str, np.ndarray, np.ndarray]


def eval_inputs(config: TrainConfig, test: Sequence[Pair], real_inputs: bool) -> list[Example]:
    """(name, input, target) of every held-out picture: the real input, or one made with
    a fixed seed; targets cropped to multiples of the scale."""
    from scigan.core.device import seeded_generator

    maker = InputMaker(config.task, degradation(config))
    s = config.task_options.scale
    out = []
    for i, p in enumerate(test):
        h, w = p.target.shape[0] // s * s, p.target.shape[1] // s * s
        target = p.target[:h, :w]
        if real_inputs:
            assert p.input is not None
            inp = p.input[: h // s, : w // s]
        else:
            t = torch.from_numpy(np.ascontiguousarray(target.transpose(2, 0, 1)))[None]
            rng = seeded_generator(torch.device("cpu"), config.seed, 4, i)
            inp = maker(t, rng)[0].permute(1, 2, 0).numpy()
        out.append((p.name, inp, target))
    return out


def baseline(config: TrainConfig, inp: np.ndarray, channels_out: int) -> np.ndarray:
    """What the network is measured against: the input, H×W×C in [0, 1], upsampled
    bicubically to the target's size (superres) and replicated to ``channels_out``."""
    t = torch.from_numpy(np.ascontiguousarray(inp.transpose(2, 0, 1)))[None]
    y = degradation(config).baseline(t)[0].permute(1, 2, 0).numpy()
    return np.repeat(y, channels_out, axis=2) if y.shape[2] != channels_out else y


def preview_pairs(
    config: TrainConfig, test: Sequence[Pair], real_inputs: bool, side: int = 96
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(input, target) crops, at most ``side`` target pixels square, of up to 4 held-out
    pictures for previews."""
    crops = []
    s = config.task_options.scale
    for _, inp, target in eval_inputs(config, test[:4], real_inputs):
        k = min(side, target.shape[0], target.shape[1]) // s * s
        crops.append((inp[: k // s, : k // s], target[:k, :k]))
    return crops


def _columns(G: torch.nn.Module, config: TrainConfig, inp: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, ...]:
    """Side-by-side columns: (baseline, output, target); unpaired translation: (input A,
    A -> B, and back B -> A)."""
    y = apply(G, config, inp)
    if config.task == "cyclegan":
        return inp, y, apply(G, config, y, reverse=True)
    return baseline(config, inp, target.shape[2]), y, target


def write_crops(
    G: torch.nn.Module,
    config: TrainConfig,
    crops: list[tuple[np.ndarray, np.ndarray]],
    path: Path,
    text: dict[str, str],
) -> None:
    """A PNG at ``path`` with one row per (input, target) crop: baseline | network |
    target side by side, with ``text`` as its provenance chunks."""
    from scigan.modalities.images.writers import write_png

    rows = []
    for inp, target in crops:
        columns = _columns(G, config, inp, target)
        c = max(col.shape[2] for col in columns)
        columns = tuple(np.repeat(col, c // col.shape[2], axis=2) for col in columns)
        gap = np.ones((target.shape[0], 2, c))
        rows.append(np.concatenate([columns[0], gap, columns[1], gap, columns[2]], axis=1))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 2), (0, width - r.shape[1]), (0, 0)), constant_values=1) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_png(np.rint(np.concatenate(rows) * 255).astype(np.uint8), path, text)
