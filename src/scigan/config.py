"""Typed training configuration in sections: the core options, the data kind's, the task's.

:class:`TrainConfig` holds the options every run has (loss, steps, batch, EMA, optimiser,
DiffAugment, device, precision, …) and two sections: ``data_options``, the options of
the run's data kind (its dataclass is declared by the kind, e.g. image size), and
``task_options``, those of its task (e.g. the enhancement tasks' scale and noise).
:meth:`TrainConfig.from_flat` routes flat ``name=value`` options (the command line's,
an old flat config file's) to their sections and refuses another kind's options in one
place. A resolved config (no "auto" left) is written to ``RUN/config.toml`` as a
``[train]`` table, a table named after the kind and one named after the task's section.
Importing this module costs the standard library.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from scigan import options as opt
from scigan.errors import ScienceError
from scigan.options import Interval, NoOptions, OneOf, option

_AUTO_YES_NO = OneOf(("auto", "yes", "no"))

#: The values options added since had in runs written before them (so their splits and
#: checkpoints are reproduced): read into old configs and assumed by ``--resume``.
LEGACY_VALUES: dict[str, Any] = {"validation": 0.0}

#: Tables of a run's config.toml that record facts (the data, the privacy spent), not options.
FACT_TABLES = ("data", "privacy")


@dataclass(frozen=True)
class TrainConfig:
    """How to train a GAN. "auto" values are resolved from the data by the task's train."""

    data: str = option("", "Built-in data set name or path to the user's data.")
    modality: str = option(
        "auto",
        "The data kind (see `scigan datasets`). auto takes a built-in's own, else "
        "judges by the path's suffix (.h5ad: expression; .csv, .tsv, .parquet: "
        "tabular; pass expression for a cells × genes CSV/TSV, timeseries for series "
        "with a time column or .npz windows); folders and .npz are images.",
    )
    task: str = option(
        "generate",
        "generate (a GAN that samples new data of the kind), or, for pictures: "
        "superres (SRGAN super-resolution), denoise, translate (pix2pix, paired), "
        "cyclegan (unpaired translation between A/ and B/ folders).",
    )
    model: str = option(
        "auto",
        "Architecture. Images: mlp, dcgan, resnet, progressive, stylegan or lapgan; "
        "tables: ctgan; expression: scgan; sequences: resnet1d; molecules: molgan (graphs, QM9-sized) or latentgan "
        "(SMILES autoencoder + latent GAN); time series: timegan or rcgan (recurrent conditional GAN). "
        "auto is the data kind's default.",
    )
    loss: str = option(
        "auto",
        "Adversarial objective: ns (non-saturating), hinge, wgan (with gradient penalty), "
        "lsgan; auto is the kind's default (hinge for images, wgan for tables and "
        "expression).",
        OneOf(("auto", "ns", "hinge", "wgan", "lsgan")),
    )
    conditional: str = option(
        "auto",
        "auto (conditional when the data has labels), yes or no.",
        _AUTO_YES_NO,
        flags={"--conditional": "yes", "--unconditional": "no"},
    )
    z_dim: int = option(128, "Latent vector length.", Interval(1))
    width: int = option(
        32,
        "Base channel count of both networks; compute grows with its square (dcgan at "
        "28×28: width 32 ≈ 0.1 GFLOP per generated image).",
        Interval(1),
    )
    spectral_norm: bool = option(
        True,
        "Spectral normalisation on every discriminator layer (tables and "
        "expression: only with losses other than wgan, whose gradient penalty "
        "constrains the critic).",
    )
    batch_size: int = option(64, "Real samples per discriminator step (and fakes per generator step).", Interval(1))
    steps: int = option(
        3000, "Generator steps to train for; 0 means no step limit (use --minutes).", Interval(0), resumable=True
    )
    minutes: float = option(0.0, "Wall-clock budget in minutes; 0 means no time limit.", Interval(0), resumable=True)
    g_lr: float = option(
        2e-4,
        "Generator learning rate (Adam). Super-resolution and denoising runs left at "
        "2e-4 with beta1 0 use 1e-3 and beta1 0.9.",
        Interval(0, low_open=True),
    )
    d_lr: float = option(
        2e-4, "Discriminator learning rate (Adam); differing from g_lr is TTUR.", Interval(0, low_open=True)
    )
    beta1: float = option(0.0, "Adam β1 for both networks.", Interval(0, 1, high_open=True))
    beta2: float = option(0.99, "Adam β2 for both networks.", Interval(0, 1, high_open=True))
    n_critic: int = option(0, "Discriminator steps per generator step; 0 = auto (5 for wgan, else 1).", Interval(0))
    gp_weight: float = option(-1.0, "Gradient-penalty weight; -1 = auto (10 for wgan, else off).", Interval(-1))
    r1_gamma: float = option(0.0, "R1 penalty strength γ on real samples; 0 turns it off.", Interval(0))
    r1_interval: int = option(4, "Apply R1 every this many discriminator steps (lazy regularisation).", Interval(1))
    ema_half_life: float = option(
        10_000.0, "Half-life of the generator's weight average, in samples; 0 turns EMA off.", Interval(0)
    )
    diffaugment: str = option("", "DiffAugment policy, e.g. color,translation,cutout; empty turns it off.")
    ada_target: float = option(
        0.0,
        "Adaptive augmentation (ADA): the target of E[sign D(real)]; the "
        "probability of applying the DiffAugment policy rises while it is exceeded "
        "(logged as ada/p). 0 turns ADA off; 0.6 is the paper's value. Without "
        "--diffaugment, ADA uses color,translation,cutout.",
        Interval(0, 1),
    )
    ada_speed: float = option(
        50_000.0, "ADA: real samples over which p may move from 0 to 1.", Interval(0, low_open=True)
    )
    dp_epsilon: float = option(
        0.0,
        "Train the discriminator with DP-SGD to this privacy budget ε (the generator is private by "
        "post-processing); 0 turns DP off. Needs --steps (not --minutes) and the privacy extra.",
        Interval(0),
    )
    dp_delta: float = option(
        0.0, "DP δ; 0 = auto: min(1e-5, 1 / (10 × training rows)).", Interval(0, 1, high_open=True)
    )
    dp_max_grad_norm: float = option(
        1.0, "DP-SGD clipping norm C of each real sample's discriminator gradient.", Interval(0, low_open=True)
    )
    group_weights: str = option(
        "",
        "Groups seen in chosen proportions during training: equal, or name=share,... for every "
        "group (the classes; tables: the --group-column's values); empty keeps the data's own.",
    )
    dp_accountant: str = option("rdp", "Privacy accountant of Opacus: rdp or prv.", OneOf(("rdp", "prv")))
    holdout: float = option(
        0.1,
        "Share of the data held out for `scigan evaluate` when the source has no test split; training never sees it.",
        Interval(0, 1, low_open=True, high_open=True),
    )
    validation: float = option(
        -1.0,
        "Share of the data (outside the holdout) whose quick scores pick the best "
        "checkpoint and drive --patience; 0 scores them on the training rows; -1 = "
        "the data kind's default (images 0.1; tables and expression 0: their quick "
        "scores compare with the training rows, as a validation split of a small "
        "table gives no stable FD).",
        Interval(-1, 1, high_open=True),
    )
    seed: int = option(0, "Seed of every random draw: data order, latents, augmentation, initial weights.")
    device: str = option("auto", "auto (CUDA when available), cpu or cuda.", resumable=True)
    precision: str = option(
        "auto",
        "Arithmetic of the forward passes: fp32, bf16 (autocast; weights and "
        "optimizer stay fp32), or auto (bf16 where the processor computes it "
        "natively, else fp32).",
        OneOf(("auto", "fp32", "bf16")),
    )
    channels_last: bool = option(True, "Lay out image tensors channels-last (NHWC), which convolutions prefer.")
    reuse_fake: bool = option(
        True,
        "With one D step per G step, train G on the fake batch the D step "
        "generated instead of generating a second one.",
    )
    log_every: int = option(50, "Steps between entries in metrics.jsonl.", Interval(1), resumable=True)
    sample_every: int = option(500, "Steps between previews in samples/; 0 = none.", Interval(0), resumable=True)
    eval_every: int = option(
        500,
        "Steps between quick evaluations on the validation split that pick the best checkpoint; 0 = off.",
        Interval(0),
        resumable=True,
    )
    eval_n: int = option(2000, "Samples per quick evaluation.", Interval(1), resumable=True)
    select: str = option(
        "",
        "The quick score that picks the best checkpoint and drives --patience; empty = "
        "the data kind's own (images, sequences: fd). label_accuracy (conditional images "
        "and sequences): the share of samples the validation extractor gives the label "
        "they were generated for.",
        resumable=True,
    )
    patience: int = option(
        0,
        "Stop after this many quick evaluations without improvement; 0 = never stop early.",
        Interval(0),
        resumable=True,
    )
    checkpoint_every: int = option(500, "Steps between checkpoints.", Interval(1), resumable=True)
    keep_checkpoints: int = option(
        2, "Step checkpoints kept on disk (the best one is kept besides).", Interval(1), resumable=True
    )
    progress: bool = option(True, "Show a progress bar (--quiet turns it and the log lines off).", resumable=True)
    data_options: Any = field(default_factory=NoOptions, metadata={"section": "kind"})
    """The data kind's options (the dataclass its :class:`~scigan.modalities.DataKind` declares)."""
    task_options: Any = field(default_factory=NoOptions, metadata={"section": "task"})
    """The task's options (the dataclass its :class:`~scigan.tasks.Task` declares)."""

    @classmethod
    def from_flat(cls, *, legacy: bool = False, **flat: Any) -> TrainConfig:
        """A config from flat ``name=value`` options, each routed to its section.

        The task's section comes from ``task``, the data kind's from ``modality`` (or,
        when "auto", from ``data``: a built-in's kind, else the path's suffix). An option
        of another kind or task is refused with one message that names its owner;
        ``legacy`` (a run folder written before sections) drops them instead.
        """
        core_names = opt.names(cls) - {"data_options", "task_options"}
        core = {k: v for k, v in flat.items() if k in core_names}
        rest = {k: v for k, v in flat.items() if k not in core_names}
        config = cls(**{k: opt.coerce(cls, k, v) for k, v in core.items()})
        return config._with_sections(rest, legacy=legacy)

    def _with_sections(self, values: dict[str, Any], *, legacy: bool = False) -> TrainConfig:
        """A copy whose sections are this config's kind's and task's, updated by ``values``."""
        from scigan.tasks import get_task

        task = get_task(self.task)
        kind_type, kind_name = self._kind_section(task, values)
        sections = {"data_options": kind_type, "task_options": task.options}
        current = {"data_options": self.data_options, "task_options": self.task_options}
        routed: dict[str, dict[str, Any]] = {"data_options": {}, "task_options": {}}
        for key, value in values.items():
            home = next((s for s, t in sections.items() if key in opt.names(t)), None)
            if home is None:
                if legacy:
                    continue
                raise ScienceError(_not_an_option_of(key, kind_name, task.name, self.data))
            routed[home][key] = value
        built = {}
        for name, section_type in sections.items():
            base = current[name] if type(current[name]) is section_type else section_type()
            built[name] = opt.update(base, routed[name])
        return replace(self, **built)

    def _kind_section(self, task: Any, values: dict[str, Any]) -> tuple[type, str]:
        """The options dataclass and name of the kind this config's data is of."""
        from scigan.modalities import get_kind, modality_for, option_owner

        if not task.uses_kind:
            return NoOptions, ""
        if self.modality == "auto" and not self.data:
            if values:  # nothing else names the kind: an option only one kind has does
                key = next(iter(values))
                owners = option_owner(key)
                if len(owners) == 1:
                    return get_kind(owners[0]).options, owners[0]
                raise ScienceError(
                    f"{opt.flag_name(key)} is an option of a data kind; name the kind with "
                    f"modality= (one of {', '.join(owners) or 'none'})"
                )
            return type(self.data_options), ""
        name = modality_for(self.data, self.modality)
        return get_kind(name).options, name

    def with_overrides(self, **changes: Any) -> TrainConfig:
        """A copy with flat ``changes`` applied, each checked against its field's type
        and routed to its section (the sections follow a changed ``data``, ``modality``
        or ``task``)."""
        core_names = opt.names(TrainConfig) - {"data_options", "task_options"}
        core = {k: v for k, v in changes.items() if k in core_names}
        rest = {k: v for k, v in changes.items() if k not in core_names}
        config = opt.update(self, core)
        moved = any(k in core for k in ("data", "modality", "task"))
        if moved:  # keep what the old sections held that the new ones know
            kept = {**asdict(self.data_options), **asdict(self.task_options)}
            config = replace(config, data_options=NoOptions(), task_options=NoOptions())
            probe = config._with_sections({})
            known = opt.names(type(probe.data_options)) | opt.names(type(probe.task_options))
            rest = {**{k: v for k, v in kept.items() if k in known}, **rest}
        return config._with_sections(rest)

    def for_kind(self, name: str) -> TrainConfig:
        """A copy for data of kind ``name`` (data handed over as an object, not a path)."""
        return replace(self, modality=name)._with_sections(
            {} if type(self.data_options) is NoOptions else asdict(self.data_options)
        )

    def hyperparameters(self) -> dict[str, Any]:
        """The options of every section that must stay fixed when a run is resumed."""
        core = {k: v for k, v in opt.fixed(self).items() if k not in ("data_options", "task_options")}
        return {**core, **opt.fixed(self.data_options), **opt.fixed(self.task_options)}

    def check(self) -> None:
        """Validate every section against its declared constraints (ScienceError, one line)."""
        problems = []
        for section in (self, self.data_options, self.task_options):
            try:
                opt.validate(section)
            except ScienceError as err:
                problems.append(str(err))
        if problems:
            raise ScienceError("; ".join(problems))


def _not_an_option_of(key: str, kind: str, task: str, data: str = "") -> str:
    """The one message that refuses an option the run's kind and task do not have (for a
    file, ``data``, that another kind could read, it says how to name that kind)."""
    from scigan.modalities import find_builtin, option_owner
    from scigan.tasks import TASKS

    owners = option_owner(key)
    tasks = [t.name for t in TASKS if key in opt.names(t.options)]
    flag = opt.flag_name(key)
    if owners:
        here = f"{kind} data" if kind else f"the {task} task"
        kinds = " and ".join([", ".join(owners[:-1]), owners[-1]] if len(owners) > 2 else owners)
        by_path = bool(data) and find_builtin(data) is None
        also = f", or pass --modality {owners[0]}" if len(owners) == 1 and kind and by_path else ""
        return f"{flag} is an option of {kinds} data, not of {here}; drop it{also}"
    if tasks:
        return f"{flag} is an option of the {', '.join(tasks)} tasks, not of {task}; drop it"
    return f"unknown config option {key!r}; see `scigan train --help`"


def section_tables(config: TrainConfig) -> dict[str, dict[str, Any]]:
    """The config.toml tables of ``config``: ``train`` and one per non-empty section."""
    from scigan.tasks import get_task

    core = {f.name: getattr(config, f.name) for f in fields(config) if "section" not in f.metadata}
    tables: dict[str, dict[str, Any]] = {"train": core}
    if fields(config.data_options):
        from scigan.modalities import modality_for

        tables[modality_for(config.data, config.modality)] = asdict(config.data_options)
    if fields(config.task_options):
        tables[get_task(config.task).section] = asdict(config.task_options)
    return tables


def from_tables(doc: dict[str, Any]) -> TrainConfig:
    """The config a config.toml holds: sectioned tables, or one flat ``[train]`` table
    (run folders written before sections, whose other kinds' options are dropped).
    ScienceError (one line) when a table is not a table or a value is not of its option."""
    train = _table(doc, "train")
    core_names = opt.names(TrainConfig)
    if any(k not in core_names for k in train):
        return TrainConfig.from_flat(legacy=True, **{**LEGACY_VALUES, **train})
    config = TrainConfig.from_flat(**train)
    from scigan.tasks import get_task

    section = get_task(config.task).section
    values = {**_table(doc, config.modality), **(_table(doc, section) if section else {})}
    return config._with_sections(values)


def _table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """The table ``name`` of a TOML document (empty when absent); ScienceError when it is
    something else."""
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise ScienceError(f"[{name}] must be a table of options, got {type(value).__name__} {value!r:.40}")
    return dict(value)


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file into flat options (the tables' entries, or a flat file);
    ScienceError (one line, naming the file) when it is missing, a folder, unreadable or
    not TOML."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ScienceError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise ScienceError(f"config file {path} is a folder; pass a TOML file (e.g. a run's config.toml)") from None
    except OSError as err:
        raise ScienceError(f"config file {path} cannot be read: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ScienceError(f"config file {path} is not valid TOML: {' '.join(str(err).split())}") from None
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict) and key not in FACT_TABLES:
            flat.update(value)
        elif not isinstance(value, dict):
            flat[key] = value
    return flat


def save_toml(config: TrainConfig, path: Path, extra: dict[str, Any] | None = None) -> None:
    """Write the resolved ``config`` (every option, one table per section) and ``extra``."""
    import tomli_w

    doc: dict[str, Any] = section_tables(config)
    doc.update(extra or {})
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomli_w.dumps(doc))
    tmp.replace(path)
