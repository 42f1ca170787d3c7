"""``scigan train --task superres|denoise|translate|cyclegan``: an enhancement run.

Training uses the core Trainer: a pool of random patches of the training pictures as its
data, a :class:`~scigan.enhance.pairs.PairHook` that turns each batch into (input,
target), and phases of an L1 pixel loss, a feature loss and the adversarial terms (see
:func:`scigan.enhance.terms.paired_phases`; CycleGAN: :func:`~scigan.enhance.terms.cycle_phases`).
The pictures held out for ``evaluate`` are never trained on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from scigan.config import TrainConfig, save_toml
from scigan.core.trainer import Trainer, TrainResult
from scigan.enhance.apply import processed_text
from scigan.enhance.crops import preview_pairs, write_crops
from scigan.enhance.networks import networks
from scigan.enhance.pairs import InputMaker, PairHook, patch_pool, split_pictures
from scigan.enhance.resolve import degradation, resolve_enhancement
from scigan.modalities.images import KIND
from scigan.runs import RunInfo, prepare_run_folder


def _pairs_text(config: TrainConfig, real_inputs: bool) -> str:
    """How the run's (input, target) pairs are made, for the [data] table."""
    if config.task == "cyclegan":
        return "unpaired A/ and B/ folders"
    if real_inputs:
        return "read from paired folders"
    if config.task == "translate":
        return "grayscale (luma) -> colour"
    return f"made by: {degradation(config).describe()}"


def train_enhancer(
    config: TrainConfig,
    out: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
) -> tuple[RunInfo, TrainResult]:
    """Train a super-resolution, denoising or translation run as ``config`` says into the
    run folder ``out`` (see the module docstring); returns the run and how far training
    got. ScienceError on bad input before anything is written."""
    from scigan.core.device import resolve_device
    from scigan.enhance.terms import cycle_phases, paired_phases
    from scigan.metrics.features import cache_dir, get_extractor
    from scigan.modalities.images.modality import ImageCodec

    out = Path(out)
    config = resolve_enhancement(config)
    options = config.task_options
    device = resolve_device(config.device)
    split = split_pictures(config)
    train = split.train
    if config.task == "cyclegan":  # unpaired: a domain-B patch beside a random domain-A patch
        pool = patch_pool(train, options.patch, 1, config.seed, config.batch_size)
        a_pool = patch_pool(split.domain_a, options.patch, 1, config.seed, 0, count=len(pool), stream=6)
        pool = np.concatenate([pool, a_pool], 1)
        channels_out, channels_in = int(train[0].target.shape[2]), int(split.domain_a[0].target.shape[2])
    else:
        pool = patch_pool(train, options.patch, options.scale, config.seed, config.batch_size)
        channels_out = int(train[0].target.shape[2])
        made = 1 if config.task == "translate" else channels_out  # luma, or the degraded target
        channels_in = int(train[0].input.shape[2]) if train[0].input is not None else made
    info: dict[str, Any] = {
        "modality": KIND.name,
        "source": config.data,
        "task": config.task,
        "channels_in": channels_in,
        "channels_out": channels_out,
        "pairs": _pairs_text(config, split.real_inputs),
        "pictures": [
            f"{p.name} {p.pixels.shape[0]}x{p.pixels.shape[1]}x{p.channels} {p.dtype}" for p in split.pictures
        ],
        "holdout_from": split.description,
        "n_holdout": len(split.test),
        "n_patches": len(pool),
        "n_train": len(train) + len(split.domain_a),
        "num_classes": 0,
        "class_names": [],
    }
    features = None
    if options.feature_weight > 0 and (options.warmup < config.steps or not config.steps):  # the term will start
        extractor = get_extractor(
            pool[:, :channels_out],
            None,
            None,
            None,
            num_classes=1,
            cache_dir=cache_dir(),
            device=device,
            seed=config.seed,
            log=log,
        )
        info["feature_extractor"] = extractor.hash
        features = extractor.feature_maps
    run = RunInfo(out, config, info)
    torch.manual_seed(config.seed)
    G, D = networks(config, info)
    make_input = None if split.real_inputs else InputMaker(config.task, degradation(config))
    hook = PairHook(channels_out, options.scale, make_input, conditional=config.task == "translate")
    crops = preview_pairs(config, split.test, split.real_inputs)

    def preview(G_eval: torch.nn.Module, step: int) -> None:
        write_crops(G_eval, config, crops, out / "samples" / f"{step:08d}.png", processed_text(run, step))

    trainer = Trainer(
        config,
        G,
        D,
        torch.from_numpy(pool),
        None,
        ImageCodec().encode,
        1,
        out,
        preview=preview,
        log=log,
        hooks=[hook],
        phases=cycle_phases(config, channels_in == channels_out)
        if config.task == "cyclegan"
        else paired_phases(config, features),
    )
    prepare_run_folder(out, resume=resume, overwrite=overwrite)
    if resume and not trainer.resume():  # before anything is written: it may refuse
        log(f"{out} has no checkpoint yet; starting from step 0")
    done = trainer.finished()
    if done:
        log(done)
        return run, trainer.result()
    save_toml(config, out / "config.toml", {"data": info})
    (out / "samples").mkdir(exist_ok=True)
    log(
        f"training {config.task} ({config.model}, {len(pool)} patches of {options.patch} px from "
        f"{info['n_train']} picture(s) of {config.data}; pairs {info['pairs']}); run folder {out}"
    )
    result = trainer.train()
    log(f"trained {result.step} steps ({result.images} patches) in {result.seconds:.0f} s")
    return run, result
