"""``scigan train``: from a data source and a config to a run folder.

:func:`train` hands the config to its task's trainer (:mod:`scigan.tasks`);
:func:`train_generator` is the ``generate`` task's: read the data with its kind, split it
three ways, resolve the automatic options, build the networks and run the
:class:`~scigan.core.trainer.Trainer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from scigan.config import TrainConfig, save_toml
from scigan.core import distributed
from scigan.core.device import resolve_device
from scigan.core.diffaugment import parse_policy
from scigan.core.feedback import Feedback, FeedbackPlan
from scigan.core.objectives import make_objective
from scigan.core.recipe import build_phases, with_terms
from scigan.core.selection import check_choice
from scigan.core.trainer import Trainer, TrainResult
from scigan.errors import ScienceError
from scigan.metrics.declared import scores_for
from scigan.metrics.registry import label
from scigan.modalities import get_kind, modality_for
from scigan.modalities.base import Codec, Dataset, Modality, Splits, split_run
from scigan.nets.progress import progress_hooks
from scigan.runs import RunInfo, open_run, prepare_run_folder, provenance
from scigan.tasks import get_task
from scigan.workflows.generator import balanced_labels, generate
from scigan.workflows.privacy import make_plan, private_codec, private_defaults, refuse_own_training


def train(
    config: TrainConfig,
    out: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
    **inputs: Any,
) -> tuple[RunInfo, TrainResult]:
    """Train what ``config.task`` says (a generator of new samples, or an enhancement
    network) and write the run folder ``out``; returns the run and how far training got.

    ``inputs`` go to the task's trainer (``generate``: ``table`` or ``dataset``, see
    :func:`train_generator`). Raises ScienceError on bad input before anything is written.
    """
    task = get_task(config.task)
    if config.dp_epsilon > 0 and config.task != "generate":
        raise ScienceError(f"--dp-epsilon trains a private generator; the {config.task} task has none: drop it")
    world = distributed.from_environment()
    if world.size > 1 and config.task != "generate":
        raise ScienceError(f"the {config.task} task trains in one process; run it without torchrun or --nproc")
    distributed.start(world, resolve_device(config.device))
    try:
        return task.function("train")(config, Path(out), resume=resume, overwrite=overwrite, log=log, **inputs)
    finally:
        distributed.stop()


def resolve(config: TrainConfig, train: Dataset, modality: Modality, log: Callable[[str], None] = print) -> TrainConfig:
    """Fill the config's automatic values from the training split ``train`` and check
    every choice early (the declared constraints were checked before the data was read);
    ``log`` hears what a kind's default switched on."""
    config = modality.resolve(config, train, log=log)
    make_objective(config.loss)
    parse_policy(config.diffaugment)
    resolve_device(config.device)
    if config.conditional == "yes" and train.y is None:
        raise ScienceError(f"--conditional needs labels, but {train.source} has none; drop --conditional")
    conditional = config.conditional
    if conditional == "auto":
        conditional = "yes" if train.y is not None else "no"
    if config.steps <= 0 and config.minutes <= 0:
        raise ScienceError("give a positive --steps or --minutes")
    return replace(config, conditional=conditional, modality=train.modality)


def describe(data: Dataset, splits: Splits, modality: Modality, codec: Codec) -> dict[str, Any]:
    """The [data] table of config.toml: what later commands need to know of the data,
    with the sizes of its three splits."""
    return {
        "modality": data.modality,
        "source": data.source,
        **modality.describe(data, codec),
        "num_classes": data.num_classes,
        "class_names": list(data.class_names),
        **splits.sizes(),
    }


def _read(config: TrainConfig, out: Path, table: Any, dataset: Dataset | None) -> tuple[TrainConfig, Dataset]:
    """The config pointed at the run's copy of in-memory data (if any, without the
    kind's ``copy_applied`` options, which the copy already reflects), and the data."""
    if table is not None or dataset is not None:
        name = dataset.modality if dataset is not None else config.modality
        if name == "auto":
            raise ScienceError("an in-memory table needs its data kind: set modality= in the config")
        kind = get_kind(name)
        config = replace(config.for_kind(kind.name), data=str(out / kind.data_copy))
        data = dataset if dataset is not None else kind.create().read(config, source=table)
        defaults = {f.name: f.default for f in fields(kind.options) if f.name in kind.copy_applied}
        return replace(config, data_options=replace(config.data_options, **defaults)), data
    modality = get_kind(modality_for(config.data, config.modality)).create()
    return config, modality.read(config)


def add_feedback(
    trainer: Trainer, plan: FeedbackPlan, codec: Codec, train: Dataset, config: TrainConfig, log: Callable[[str], None]
) -> None:
    """Give ``trainer`` FBGAN's feedback hook (:mod:`scigan.core.feedback`): its samples
    come from the trainer's sampling generator, with labels drawn from the training split's."""

    def draw(n: int, seed: int) -> tuple[Any, Any]:
        labels = None
        if trainer.labels is not None and train.y is not None:
            labels = np.random.default_rng(seed).choice(train.y, n)
        z = generate(trainer.sampling_generator, n, z_dim=config.z_dim, labels=labels, seed=seed)
        return codec.decode(z, labels), labels

    hook = Feedback(plan, draw, config.seed)
    hook.bind(trainer.data, trainer.labels)
    trainer.hooks.append(hook)
    log(
        f"feedback: every {plan.every} steps, {plan.samples} generated samples scored by {plan.source}; "
        f"those above {plan.threshold:g} replace the oldest training rows (the holdout stays real)"
    )


def _saved_codec(out: Path, modality: Modality) -> Codec | None:
    """The codec a run being resumed saved when it started (a trained codec such as
    LatentGAN's autoencoder is not trained again), or None when the run has none yet."""
    if not (out / "config.toml").is_file():
        return None
    try:
        return modality.load_codec(out, open_run(out).data)
    except ScienceError:  # stopped before its codec was written: fit it again
        return None


def _phases(modality: Modality, config: TrainConfig, d_terms: list[Any], g_terms: list[Any]) -> Any:
    """The function that builds the run's phases from the placed (G, D): the kind's own
    (TimeGAN's), else the core's D and G phases with the kind's extra terms, else None
    (the trainer's default)."""
    own = modality.phases(config) if hasattr(modality, "phases") else None
    if own is not None:
        return own
    if not (d_terms or g_terms):
        return None
    return lambda G_, D_: with_terms(build_phases(config, G_, D_), generator=g_terms, discriminator=d_terms)


def group_weighted_rows(modality: Modality, train: Dataset, config: TrainConfig, sampled: bool) -> np.ndarray:
    """Row indices (N,) of ``train`` drawn with replacement (seeded by ``config.seed``) so
    that each group gets the share ``--group-weights`` asks: the modality's
    ``group_values`` where it has them, else the classes. ScienceError for a private run
    (Poisson sampling sees each row once), a condition sampler that draws rows itself
    (``sampled``), or data without groups."""
    from scigan.metrics.groups import group_row_weights

    if config.dp_epsilon > 0:
        raise ScienceError("--group-weights with --dp-epsilon: DP-SGD samples every row alike; drop one of them")
    if sampled:
        raise ScienceError(
            "--group-weights: CTGAN's sampler draws the rows by category itself; "
            "pass --condition-columns label to reweight the groups"
        )
    found = modality.group_values(train) if hasattr(modality, "group_values") else None
    if found is None and train.y is not None and train.class_names:
        found = (train.y, list(train.class_names))
    if found is None:
        raise ScienceError("--group-weights needs groups: the data has no labels (tables: no --group-column)")
    weights = group_row_weights(found[0], config.group_weights, found[1])
    return np.random.default_rng(config.seed).choice(len(train), size=len(train), p=weights)


def selection_score(config: TrainConfig, kind_selects: str, conditional: bool) -> str:
    """The key of the quick score that picks the best checkpoint: ``--select`` or the
    data kind's ``kind_selects``. ScienceError (one line) for a key no scorer declares,
    for ``--select`` without quick evaluations and for ``label_accuracy`` unconditionally."""
    key = config.select or kind_selects
    if not config.select:
        return key
    check_choice(key, "--select", config.eval_every, "--eval-every")
    if key == "label_accuracy" and not conditional:
        raise ScienceError("--select label_accuracy needs a conditional run: labelled data and --conditional")
    return key


def _silent(line: str) -> None:
    """The log of ranks other than 0: nothing."""


def train_generator(
    config: TrainConfig,
    out: Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
    table: Any = None,
    dataset: Dataset | None = None,
) -> tuple[RunInfo, TrainResult]:
    """Train a GAN as ``config`` says and write the run folder ``out``.

    ``table``, an in-memory table (a pandas DataFrame) of the kind ``config.modality``
    names, is trained on instead of ``config.data`` (with the kind's options, e.g. its
    label column); ``dataset``, an already loaded Dataset (e.g. a subset), likewise.
    The run keeps a copy as ``RUN/<the kind's data_copy>``, which later commands read;
    without a ``test_mask`` the holdout is drawn from its own rows. The data is split
    three ways (:func:`~scigan.modalities.base.split_run`): training rows, a validation
    split whose quick scores pick the best checkpoint and drive early stopping, and the
    holdout that only ``evaluate`` reads.

    In a multi-process run (torchrun) every rank reads the data and builds the same
    networks; rank 0 alone writes the run folder, logs and evaluates.
    """
    import torch

    world = distributed.from_environment()
    if not world.main:
        log = _silent
    config.check()  # every section's declared constraints, before any data is read
    config, data = _read(config, out, table, dataset)
    kind = get_kind(data.modality)
    modality = kind.create()
    notes: list[str] = []  # what the kind's defaults switched on, said once the run starts
    private = config.dp_epsilon > 0
    if private:
        config = private_defaults(config, kind.validation, notes.append)
    if config.validation < 0:  # the kind's default share
        config = replace(config, validation=kind.validation)
    splits = split_run(data, config.holdout, config.validation, config.seed)
    train_split = splits.train
    if splits.holdout_from == "test split" and config.holdout != TrainConfig.holdout:
        notes.append(
            f"--holdout {config.holdout:g} is not used: {data.source} has its own test split, "
            "which is the holdout; drop --holdout"
        )
    config = resolve(config, train_split, modality, log=notes.append)
    if len(train_split) < config.batch_size:
        raise ScienceError(
            f"{data.source}: the training split has {len(train_split)} rows, fewer than --batch-size "
            f"{config.batch_size}; pass a smaller --batch-size"
        )
    codec_epsilon = 0.0
    if private:  # made again on resume: its noise is seeded, so it is the same codec
        codec, codec_epsilon = private_codec(modality, train_split, config)
    else:
        codec = (_saved_codec(out, modality) if resume else None) or modality.fit_codec(train_split, config)
    info = describe(data, splits, modality, codec)
    run = RunInfo(out, config, info)
    selects = selection_score(config, kind.selects, bool(run.num_classes))
    torch.manual_seed(config.seed)
    G, D = modality.networks(config, info, run.num_classes)
    device = str(resolve_device(config.device))
    # at least 8 per class and 64 in all (a preview of table rows needs a few dozen)
    per_class = max(8, -(-64 // run.num_classes)) if run.num_classes else 0
    preview_labels = balanced_labels(per_class * run.num_classes or 64, run.num_classes)

    def preview(G_eval: torch.nn.Module, step: int) -> None:
        n = len(preview_labels) if preview_labels is not None else 64
        x = codec.decode(
            generate(G_eval, n, z_dim=config.z_dim, labels=preview_labels, seed=config.seed), preview_labels
        )
        samples = Dataset(x=x, y=preview_labels, class_names=run.class_names, source=str(out), modality=modality.name)
        modality.preview(samples, out / "samples" / f"{step:08d}.png", provenance(run, step), reference=train_split)

    # a data kind's own condition sampler (tables: CTGAN's conditional vector) draws every
    # batch's rows and conditions as a step hook and adds its terms to the generator phase
    conditions = modality.conditions(train_split, codec, config)
    # a data kind's own loss terms for the discriminator and generator phases (MolGAN's reward)
    extra = modality.objectives(train_split, codec, config) if hasattr(modality, "objectives") else None
    d_terms, g_terms = extra if extra is not None else ([], [])
    if conditions is not None:
        g_terms = [*g_terms, *conditions.terms()]
    plan = modality.feedback(codec, config) if hasattr(modality, "feedback") else None
    privacy = None
    if private:  # each training row once: Poisson sampling bounds every row's share of a step
        refuse_own_training(
            modality, config, [*d_terms, *([] if conditions is None else [conditions])], plan is not None
        )
        rows = np.arange(len(train_split))
        privacy = make_plan(config, len(rows), run.num_classes, codec_epsilon)
    else:
        rows = modality.training_rows(train_split, bool(run.num_classes) and conditions is None)
    if config.group_weights:
        rows = group_weighted_rows(modality, train_split, config, conditions is not None)
    trainer = Trainer(  # checks the config against the data before anything is written
        config,
        G,
        D,
        torch.from_numpy(codec.stored(train_split)[rows]),
        torch.from_numpy(train_split.y[rows])
        if train_split.y is not None and run.num_classes and conditions is None
        else None,
        codec.encode,
        config.z_dim,
        out,
        preview=preview,
        log=log,
        phases=_phases(modality, config, d_terms, g_terms),
        hooks=[*progress_hooks(G, D), *([] if conditions is None else [conditions])],
        selects=selects,
        privacy=privacy,
        world=world,
    )
    if plan is not None:
        add_feedback(trainer, plan, codec, train_split, config, log)
    if world.main:
        prepare_run_folder(out, resume=resume, overwrite=overwrite)
    distributed.barrier()
    if resume and not trainer.resume():  # before anything is written: it may refuse
        log(f"{out} has no checkpoint yet; starting from step 0")
    done = trainer.finished()
    if done:
        log(done)
        return run, trainer.result()
    facts: dict[str, Any] = {"data": info, **({"distributed": {"world_size": world.size}} if world.size > 1 else {})}
    if privacy is not None:
        facts["privacy"] = privacy.record(trainer.d_steps)
        notes.append(
            f"DP-SGD: ε {privacy.epsilon:g}, δ {privacy.delta:.2g}, noise multiplier {privacy.noise_multiplier:.3f}, "
            f"sampling rate {privacy.sample_rate:.4f}, {privacy.steps} discriminator steps, clipping norm "
            f"{privacy.max_grad_norm:g}"
        )
    if world.main:
        if table is not None or dataset is not None:
            modality.save(data, Path(config.data), overwrite=True)
        save_toml(config, out / "config.toml", facts)
        codec.save(out)
        (out / "samples").mkdir(exist_ok=True)
    for note in notes:
        log(note)
    log(
        f"training {config.model} ({config.loss}, {'conditional' if run.num_classes else 'unconditional'}) "
        f"on {len(train_split)} samples of {data.source}; run folder {out}"
    )

    if config.eval_every and world.main:  # checkpoint choice sees the validation split, never the holdout
        # A private run's scorer is fitted on the validation split alone: its feature map (a CNN, a
        # PCA, a table's feature space) and the rows a kind scores against would read the training rows.
        fitted_on = splits.validation if private else train_split
        scorer = modality.scorer(fitted_on, splits.validation, codec, device=device, log=log)
        labels = scorer.fake_labels(config.eval_n, config.seed) if run.num_classes else None

        def evaluate(G_eval: torch.nn.Module) -> dict[str, float]:
            z = generate(G_eval, config.eval_n, z_dim=config.z_dim, labels=labels, seed=config.seed)
            fake = codec.decode(z, labels)  # an unconditional kind's quick may take the samples alone
            return scorer.quick(fake) if labels is None else scorer.quick(fake, labels)

        trainer.evaluate = evaluate
    result = trainer.train()
    if result.privacy is not None and world.main:  # what the accountant says was spent, beside the plan
        save_toml(config, out / "config.toml", {**facts, "privacy": result.privacy})
    best = ""
    if result.best_score is not None:
        name = label(result.selects, scores_for(data.modality))
        best = f"; best quick score ({name}, validation) {result.best_score:.2f} at step {result.best_step}"
    spent = (
        ""
        if result.privacy is None
        else f"; privacy spent ε {result.privacy['epsilon_spent']:.3g} at δ {result.privacy['delta']:.2g}"
    )
    log(f"trained {result.step} steps ({result.images} real samples) in {result.seconds:.0f} s{best}{spent}")
    return run, result
