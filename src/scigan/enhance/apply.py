"""``scigan enhance`` and ``scigan translate``: apply a trained run to images of any size.

The network runs in overlapping tiles (:func:`scigan.enhance.tiling.tiled_apply`), so
memory stays bounded and no seam shows; every image written carries provenance marking
it as processed by the run. A translation run (``--task translate``: pix2pix, a U-Net fed
the input image; ``--task cyclegan``: unpaired A -> B) is applied with ``translate``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from scigan.config import TrainConfig
from scigan.enhance.networks import load_enhancer
from scigan.enhance.resolve import TRANSLATIONS, UNET_DEPTH
from scigan.errors import ScienceError
from scigan.runs import RunInfo, open_run, provenance
from scigan.tasks import get_task

#: Tiled inference: window side, discarded context margin and blend band, in input pixels.
TILE, MARGIN, BLEND = 128, 16, 8
#: What each task's outputs are marked as (the ``scigan:processed`` provenance entry).
PROCESSED = {
    "superres": "super-resolution x{scale}",
    "denoise": "denoising",
    "translate": "image translation",
    "cyclegan": "image translation (CycleGAN)",
}


def apply(G: torch.nn.Module, config: TrainConfig, x: np.ndarray, reverse: bool = False) -> np.ndarray:
    """The network applied to one picture, float H×W×C in [0, 1] -> (H·scale)×(W·scale)×C'
    in [0, 1], in overlapping tiles; ``reverse``: a CycleGAN's B -> A generator."""
    from scigan.enhance.tiling import pad_to_multiple, tiled_apply

    scale = config.task_options.scale
    device = next(G.parameters()).device
    t = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None].to(device) * 2 - 1
    align = 2**UNET_DEPTH if config.task in TRANSLATIONS else 1
    t, h, w = pad_to_multiple(t, align)
    net = G.reverse if reverse else G
    y = tiled_apply(net, t, scale=scale, tile=TILE, margin=MARGIN, blend=BLEND, align=align)  # type: ignore[arg-type]
    y = y[..., : h * scale, : w * scale]
    return ((y[0].clamp(-1, 1) + 1) / 2).permute(1, 2, 0).cpu().numpy()


def processed_text(run: RunInfo, step: int) -> dict[str, str]:
    """The provenance entries of a file the run processed at checkpoint ``step``."""
    what = PROCESSED[run.config.task].format(scale=run.config.task_options.scale)
    return provenance(run, step, processed=what)


def _check_channels(run: RunInfo, name: str, channels: int) -> None:
    want = int(run.data["channels_in"])
    if channels != want:
        kinds = {1: "grayscale", 3: "colour"}
        raise ScienceError(
            f"{name} is {kinds[channels]} ({channels} channel{'s' * (channels > 1)}) but {run.path} was trained "
            f"on {kinds[want]} inputs ({want}); convert the image or use a run trained on {kinds[channels]} images"
        )


def _output_path(src: str, out: Path, single: bool) -> Path:
    if single:
        return out
    rel = Path(src)
    return out / (rel if rel.suffix.lower() in (".png", ".tif", ".tiff") else rel.with_suffix(".png"))


def write_picture(y: np.ndarray, path: Path, unit: float, dtype: str, text: dict[str, str]) -> None:
    """Write float H×W×C in [0, 1] as PNG (8-bit; 16-bit for grayscale 16-bit sources) or
    TIFF (the source's integer type, or float32), with ``text`` as PNG text chunks or the
    TIFF's ImageDescription (JSON); ``unit`` is the source's full-scale value."""
    from scigan.modalities.images.writers import atomic_write, write_png

    suffix = path.suffix.lower()
    kind = np.dtype(dtype)
    if suffix == ".png":
        wide = kind == np.uint16 and y.shape[2] == 1
        array = np.rint(y * (unit if wide else 255)).astype(np.uint16 if wide else np.uint8)
        write_png(array, path, text)
    elif suffix in (".tif", ".tiff"):
        import tifffile

        if np.issubdtype(kind, np.integer):
            array = np.rint(y * unit).clip(0, np.iinfo(kind).max).astype(kind)
        else:
            array = (y * unit).astype(np.float32)
        array = array[..., 0] if array.shape[2] == 1 else array
        atomic_write(path, lambda f: tifffile.imwrite(f, array, description=json.dumps(text)))
    else:
        raise ScienceError(f"cannot write '{path.suffix}' images; give a .png or .tif(f) path, or a folder")


def enhance(
    run_path: str | Path,
    source: str | Path,
    out: str | Path,
    *,
    checkpoint: str = "auto",
    device: str = "cpu",
    overwrite: bool = False,
    task: str | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Apply an enhancement run (or, with ``task="translate"``, a translation run) to an
    image file or a folder of images, of any size, writing ``out`` (an image path, or a
    folder mirroring the input folder). A run that another command uses, or inputs with
    another channel count than the run was trained on, are refused (ScienceError).
    Returns the paths written."""
    from scigan.modalities.images.pictures import read_pictures

    run = open_run(run_path)
    command = get_task(run.config.task).command
    if command != (task or "enhance"):
        raise ScienceError(f"{run.path} is a {run.config.task} run; use `scigan {command}` with it")
    source, out = Path(source), Path(out)
    if not source.exists():
        raise ScienceError(f"{source}: no such file or folder; check the path")
    single = source.is_file()
    pictures = read_pictures(source)
    for p in pictures:
        _check_channels(run, p.name, p.channels)
    targets = [_output_path(p.name, out, single) for p in pictures]
    if single and out.suffix == "":
        raise ScienceError(f"--out {out}: give an image path (.png, .tif) for one input image")
    if not single and out.suffix:
        raise ScienceError(f"--out {out}: give a folder for a folder of inputs")
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise ScienceError(f"{existing[0]} already exists; pass --overwrite to replace it")
    G, state = load_enhancer(run, checkpoint, device)
    text = processed_text(run, state["step"])
    for p, target in zip(pictures, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        y = apply(G, run.config, p.pixels)
        write_picture(y, target, p.unit, p.dtype, {**text, "scigan:input": p.name})
        log(f"{p.name} {p.pixels.shape[0]}x{p.pixels.shape[1]} -> {target} {y.shape[0]}x{y.shape[1]}")
    return targets


def translate(run_path: str | Path, source: str | Path, out: str | Path, **options: Any) -> list[Path]:
    """Translate an image file or a folder of images with a translation run (pix2pix or
    CycleGAN, A -> B), writing ``out`` as :func:`enhance` does (options: checkpoint,
    device, overwrite, log)."""
    return enhance(run_path, source, out, task="translate", **options)
