"""``scigan train``: from a data source and a config to a run folder."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from scigan.config import TrainConfig, save_toml
from scigan.core.diffaugment import parse_policy
from scigan.core.objectives import make_objective
from scigan.core.trainer import Trainer, TrainResult, build_phases, resolve_device, with_generator_terms
from scigan.errors import ScienceError
from scigan.modalities import get_modality, modality_for
from scigan.modalities.base import Codec, Dataset, Modality, split_holdout
from scigan.nets.registry import progress_hooks
from scigan.workflows.run import RunInfo, balanced_labels, generate, provenance


def prepare_run_folder(out: Path, *, resume: bool, overwrite: bool) -> None:
    """Create ``out``, or check that it may be used: never delete what the user owns."""
    if not out.exists():
        if resume:
            raise ScienceError(f"--resume: run folder {out} does not exist; drop --resume to start it")
        out.mkdir(parents=True)
        return
    if not out.is_dir():
        raise ScienceError(f"--out {out} is a file; choose a folder path")
    is_run = (out / "config.toml").is_file()
    if resume:
        if not is_run:
            raise ScienceError(f"--resume: {out} is not a scigan run folder (no config.toml)")
        return
    if not any(out.iterdir()):
        return
    if not overwrite:
        raise ScienceError(f"run folder {out} already exists; pass --overwrite to replace it or --resume to continue it")
    if not is_run:
        raise ScienceError(f"--overwrite: {out} is not a scigan run folder, so it is not deleted; choose another --out")
    shutil.rmtree(out)
    out.mkdir(parents=True)


def resolve(config: TrainConfig, data: Dataset, modality: Modality) -> TrainConfig:
    """Fill the config's automatic values from the data and check every choice early."""
    config = modality.resolve(config, data)
    if config.limited_data == "auto":  # a data kind without limited-data defaults
        config = replace(config, limited_data="no")
    make_objective(config.loss)
    parse_policy(config.diffaugment)
    resolve_device(config.device)
    if config.conditional not in ("auto", "yes", "no"):
        raise ScienceError(f"conditional must be auto, yes or no, got {config.conditional!r}")
    if config.conditional == "yes" and data.y is None:
        raise ScienceError(f"--conditional needs labels, but {data.source} has none; drop --conditional")
    conditional = config.conditional
    if conditional == "auto":
        conditional = "yes" if data.y is not None else "no"
    if config.attention and data.modality != "images":
        raise ScienceError(f"--attention is an option of the image models dcgan and resnet, not of "
                           f"{data.modality} data; drop it")
    for name in ("batch_size", "z_dim", "width", "grow_images"):
        if getattr(config, name) < 1:
            raise ScienceError(f"--{name.replace('_', '-')} must be at least 1")
    if config.steps <= 0 and config.minutes <= 0:
        raise ScienceError("give a positive --steps or --minutes")
    return replace(config, conditional=conditional, modality=data.modality)


def describe(data: Dataset, train: Dataset, holdout: Dataset, modality: Modality, codec: Codec) -> dict:
    """The [data] table of config.toml: what later commands need to know of the data."""
    return {
        "modality": data.modality, "source": data.source,
        **modality.describe(data, codec),
        "num_classes": data.num_classes, "class_names": list(data.class_names),
        "n_train": len(train), "n_holdout": len(holdout),
        "holdout_from": "test split" if data.test_mask is not None else "random split",
    }


#: The file a run keeps its copy of a Dataset handed to :func:`train` in, by modality.
DATA_COPY = {"images": "data.npz", "tabular": "data.parquet", "expression": "data.h5ad"}


def train(config: TrainConfig, out: str | Path, *, resume: bool = False, overwrite: bool = False,
          log: Callable[[str], None] = print, table: Any = None,
          dataset: Dataset | None = None) -> tuple[RunInfo, TrainResult]:
    """Train a GAN as ``config`` says and write the run folder ``out``.

    ``table``, a pandas DataFrame, is trained on instead of ``config.data`` (with
    ``config.label_column`` and ``config.column_types``); the run keeps a copy as
    ``RUN/data.parquet``, which later commands read. ``dataset``, an already loaded
    Dataset (e.g. a subset), is trained on likewise and kept as ``RUN/data.<ext>``
    (:data:`DATA_COPY`); without a ``test_mask`` its holdout is drawn from its own rows.
    Returns the run's description and how far training got. Raises ScienceError on bad
    input before anything is written. ``config.task`` superres, denoise or translate
    trains an enhancement run instead (:func:`scigan.workflows.enhance.train_enhancer`).
    """
    import torch

    out = Path(out)
    if config.task != "generate":  # super-resolution, denoising, translation: paired patches
        from scigan.workflows.enhance import train_enhancer

        return train_enhancer(config, out, resume=resume, overwrite=overwrite, log=log)
    if table is not None:
        config = replace(config, data=str(out / "data.parquet"), modality="tabular")
    elif dataset is not None:
        config = replace(config, data=str(out / DATA_COPY[dataset.modality]), modality=dataset.modality)
    modality = get_modality(modality_for(config.data, config.modality))
    if dataset is not None:
        data = dataset
    elif table is not None:
        data = modality.load(table, label_column=config.label_column, column_types=config.column_types)
    else:
        data = modality.read(config)
    requested = config.limited_data
    config = resolve(config, data, modality)
    train_split, holdout = split_holdout(data, config.holdout, config.seed)
    if len(train_split) < config.batch_size:
        raise ScienceError(
            f"{data.source}: the training split has {len(train_split)} rows, fewer than --batch-size "
            f"{config.batch_size}; pass a smaller --batch-size"
        )
    codec = modality.fit_codec(train_split, config)
    info = describe(data, train_split, holdout, modality, codec)
    run = RunInfo(out, config, info)
    torch.manual_seed(config.seed)
    G, D = modality.networks(config, info, run.num_classes)
    device = str(resolve_device(config.device))
    # at least 8 per class and 64 in all (a preview of table rows needs a few dozen)
    per_class = max(8, -(-64 // run.num_classes)) if run.num_classes else 0
    preview_labels = balanced_labels(per_class * run.num_classes or 64, run.num_classes)

    def preview(G_eval: torch.nn.Module, step: int) -> None:
        n = len(preview_labels) if preview_labels is not None else 64
        x = codec.decode(generate(G_eval, n, z_dim=config.z_dim, labels=preview_labels, seed=config.seed),
                         preview_labels)
        samples = Dataset(x=x, y=preview_labels, class_names=run.class_names, source=str(out),
                          modality=modality.name)
        modality.preview(samples, out / "samples" / f"{step:08d}.png", provenance(run, step),
                         reference=train_split)

    # a data kind's own condition sampler (tables: CTGAN's conditional vector) draws every
    # batch's rows and conditions as a step hook and adds its terms to the generator phase
    conditions = modality.conditions(train_split, codec, config)
    rows = modality.training_rows(train_split, bool(run.num_classes) and conditions is None)
    trainer = Trainer(  # checks the config against the data before anything is written
        config, G, D, torch.from_numpy(codec.stored(train_split)[rows]),
        torch.from_numpy(train_split.y[rows]) if run.num_classes and conditions is None else None,
        codec.encode, config.z_dim, out, preview=preview, log=log,
        phases=None if conditions is None else lambda G_, D_: with_generator_terms(
            build_phases(config, G_, D_), conditions.terms()),
        hooks=[*progress_hooks(G, D), *([] if conditions is None else [conditions])],
    )
    prepare_run_folder(out, resume=resume, overwrite=overwrite)
    if table is not None or dataset is not None:
        modality.save(data, Path(config.data), overwrite=True)
    save_toml(config, out / "config.toml", {"data": info})
    codec.save(out)
    (out / "samples").mkdir(exist_ok=True)
    if requested == "auto" and config.limited_data == "yes":
        log(f"limited data ({len(train_split)} training samples, fewer than {config.limited_data_threshold}): "
            f"DiffAugment {config.diffaugment} with adaptive augmentation (ADA target {config.ada_target}) "
            "switched on; --limited-data no turns this off")
    log(f"training {config.model} ({config.loss}, {'conditional' if run.num_classes else 'unconditional'}) "
        f"on {len(train_split)} samples of {data.source}; run folder {out}")

    if config.eval_every:
        scorer = modality.scorer(train_split, holdout, codec, device=device, log=log)
        labels = scorer.fake_labels(config.eval_n, config.seed) if run.num_classes else None

        def evaluate(G_eval: torch.nn.Module) -> dict[str, float]:
            z = generate(G_eval, config.eval_n, z_dim=config.z_dim, labels=labels, seed=config.seed)
            return scorer.quick(codec.decode(z, labels))

        trainer.evaluate = evaluate
    if resume and not trainer.resume():
        log(f"{out} has no checkpoint yet; starting from step 0")
    result = trainer.train()
    best = f"; best quick score (eval fd) {result.best_score:.2f} at step {result.best_step}" if result.best_score is not None else ""
    log(f"trained {result.step} steps ({result.images} real images) in {result.seconds:.0f} s{best}")
    return run, result
