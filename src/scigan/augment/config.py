"""The augmentation experiment's options, their ``config.toml`` and the output folder."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from scigan import options as opt
from scigan.errors import ScienceError
from scigan.modalities import option_owner
from scigan.options import Interval, option
from scigan.runs import FolderKind, claim_folder


@dataclass(frozen=True)
class AugmentConfig:
    """The augmentation experiment. Every option has its default and constraint here;
    "auto" and 0 values are the data kind's defaults (its
    :class:`~scigan.augment.protocol.Augmenter`). ``scigan augment``'s flags are built
    from these declarations."""

    data: str = option("", "Built-in name or path of labelled data (images, a table, an expression matrix).")
    per_class: int = option(
        0, "K: labelled training examples drawn per class and seed; 0 keeps every class whole.", Interval(0)
    )
    imbalance: str = option(
        "", "CLASS=FRACTION: keep only that share (in (0, 1)) of one class's training examples, e.g. malignant=0.1."
    )
    unlabeled: str = option(
        "",
        "N or PATH: an unlabeled pool for the GAN (semi-supervised): N draws N training "
        "examples outside each seed's labelled subset and hides their labels; PATH reads "
        "unlabeled data of the same kind (never the test data). The classifier trained on "
        "the subset alone pseudo-labels the pool; the examples at --pseudo-confidence or "
        "above train the GAN beside the subset, and the self-training baselines "
        "real+pseudo and real+classic+pseudo; real+classic+pseudo+gan adds the GAN's samples to the latter.",
    )
    pseudo_confidence: float = option(
        0.9,
        "With --unlabeled: the least class probability a pool example needs to be pseudo-labelled.",
        Interval(0, 1, low_open=True),
    )
    repeats: int = option(
        5, "Seeds (subsets, GANs, classifiers) per condition; at least 2 for a confidence interval.", Interval(2)
    )
    seed: int = option(0, "First seed; the repeats use seed, seed + 1, ...; also draws the test split.")
    test_fraction: float = option(
        0.25,
        "Share of the data set aside for testing when the source has no test split.",
        Interval(0, 1, low_open=True, high_open=True),
    )
    synthetic_per_class: int = option(
        0,
        "GAN samples drawn per class; 0 = auto: images as many as the largest "
        "class of the subset (half the training set synthetic at K per class), "
        "tables and expression enough to bring every class to twice the "
        "largest.",
        Interval(0),
    )
    rebalance: bool = option(
        False,
        "Draw GAN samples only for the classes below the largest, as many as bring each "
        "to the largest class's count (BAGAN's rebalancing: only the minority is "
        "augmented); the gan-only condition is left out (its set lacks the largest class).",
        flags={"--rebalance": True},
    )
    synthetic_shares: str = option(
        "",
        "Comma-separated shares of the kept synthetic samples, e.g. 0,0.25,0.5,1: each "
        "seed's real+gan and real+classic+gan take the share whose model scores the best "
        "macro-F1 on the GAN's holdout (10 % of the subset, never the test split), trained "
        "on the rest of the subset; ties go to the least share; empty uses them all.",
    )
    mix: float = option(
        0.0,
        "Share of synthetic samples in each CNN batch (tables: in the total sample weight); "
        "0 treats synthetic samples like real ones.",
        Interval(0, 1, high_open=True),
    )
    filter: float = option(
        0.0,
        "Keep only synthetic samples that the classifier trained on the real subset "
        "assigns to their label with at least this probability; 0 keeps all.",
        Interval(0, 1, high_open=True),
    )
    overdraw: float = option(
        1.0,
        "Draw this many times each class's synthetic count and keep at most the count per "
        "class after --drs and --filter, the first in drawing order: a per-class cap that "
        "refills what the selection drops; 1 draws the count.",
        Interval(1, 100),
    )
    drs: float = option(
        0.0,
        "Discriminator rejection sampling (Azadi et al. 2019): keep each synthetic sample "
        "with DRS's acceptance probability, γ at this percentile of its score over the "
        "drawn samples (higher keeps fewer, e.g. 80); before --filter; 0 = off.",
        Interval(0, 100, high_open=True),
    )
    gan_steps: int = option(
        0,
        "GAN training steps per seed; 0 = auto: 600 for images, 3000 for images of 16 px "
        "or less (at 600 a conditional digits GAN on 10 per class was at chance), 2000 "
        "for tables and expression.",
        Interval(0),
    )
    gan_eval_every: int = option(
        -1,
        "Quick evaluations on a validation split of the subset that pick the GAN's "
        "best checkpoint; -1 = auto: off for images (their feature extractor costs "
        "a minute per seed) unless --gan-select is given, every 500 steps otherwise.",
        Interval(-1),
    )
    gan_select: str = option(
        "",
        "The quick score that picks each GAN's checkpoint (train's --select): empty = "
        "the kind's own; label_accuracy keeps the checkpoint whose samples best carry "
        "their class (images, sequences).",
    )
    classifier: str = option(
        "auto", "Downstream model: cnn (images), logreg or gboost (tables, expression); auto is the kind's first."
    )
    classic: str = option(
        "auto",
        "Classic augmentation: images affine (crops and a small affine) or oversample "
        "(the same with batches that draw every class equally often); tables and "
        "expression smote or reweight (balanced class weights); auto is the kind's "
        "first.",
    )
    flips: bool = option(
        False,
        "Images: horizontal flips in the classic augmentation (off: digits and clothing "
        "change meaning or never appear mirrored).",
        flags={"--flips": True},
    )
    corruptions: bool = option(
        False,
        "Images: also score every condition on corrupted copies of the test images "
        "(Gaussian noise, blur, lower contrast), one accuracy per corruption.",
        flags={"--corruptions": True},
    )
    cnn_steps: int = option(400, "Optimizer steps of the downstream CNN (the same for every condition).", Interval(1))
    label_column: str = option("", "Tables and expression: the label column (empty takes the built-in's own).")
    drop_columns: str = option(
        "", "Tables: comma-separated columns to leave out, e.g. a follow-up time that gives the label away."
    )
    size: int = option(0, "Images: resize to this many pixels; 0 keeps the data's own size.", Interval(0))
    class_consistency: float = option(
        0.0,
        "Images: weight of each GAN's class-consistency term (train's --class-consistency: "
        "a classifier trained on the GAN's own training images alone); 0 = off.",
        Interval(0),
    )
    class_consistency_choices: str = option(
        "",
        "Images: comma-separated class-consistency weights, e.g. 0,0.5,1: each seed trains "
        "one GAN per weight and keeps the one whose samples give the best mean macro-F1 "
        "of real+gan and real+classic+gan on the GAN's holdout (10 % of the subset, never "
        "the test split), the models trained on the rest of the subset; ties go to the "
        "least weight; instead of --class-consistency.",
    )
    device: str = option("cpu", "Where the GANs train: cpu, cuda or auto.")


def data_options(cfg: AugmentConfig) -> dict[str, Any]:
    """The options of ``cfg`` that belong to a data kind's section (e.g. a label column,
    an image size), those set away from their default: the kind's own reader takes
    them, and :meth:`TrainConfig.from_flat` refuses those the kind has not."""
    defaults = {f.name: f.default for f in fields(cfg)}
    return {k: v for k, v in asdict(cfg).items() if v != defaults[k] and option_owner(k)}


def validate(cfg: AugmentConfig) -> None:
    """Check the options that depend neither on the data nor on its kind, against their
    declared constraints (ScienceError naming every bad value), and that ``--gan-select``
    names a declared score and has quick evaluations to pick from, and that
    ``--rebalance`` is not combined with ``--synthetic-per-class``, nor
    ``--class-consistency-choices`` with ``--class-consistency``; the lists of
    ``--synthetic-shares`` and ``--class-consistency-choices`` are parsed."""
    from scigan.core.selection import check_choice

    opt.validate(cfg)
    if cfg.rebalance and cfg.synthetic_per_class:
        raise ScienceError(
            "--rebalance sets each class's GAN samples itself; drop --synthetic-per-class or --rebalance"
        )
    if cfg.class_consistency and cfg.class_consistency_choices:
        raise ScienceError(
            "--class-consistency-choices picks each seed's weight itself; drop --class-consistency or the choices"
        )
    parse_shares(cfg.synthetic_shares)
    parse_weights(cfg.class_consistency_choices)
    if cfg.gan_select:
        check_choice(cfg.gan_select, "--gan-select", cfg.gan_eval_every, "--gan-eval-every")


def parse_shares(text: str) -> tuple[float, ...] | None:
    """``--synthetic-shares``: "0,0.5,1" -> (0.0, 0.5, 1.0); None for "" (see :func:`parse_grid`)."""
    return parse_grid(text, "--synthetic-shares", "shares in [0, 1]", 1.0, "0,0.25,0.5,1")


def parse_weights(text: str) -> tuple[float, ...] | None:
    """``--class-consistency-choices``: "1,0" -> (0.0, 1.0); None for "" (see :func:`parse_grid`)."""
    return parse_grid(text, "--class-consistency-choices", "weights of 0 or more", math.inf, "0,0.5,1")


def parse_grid(text: str, flag: str, what: str, upper: float, example: str) -> tuple[float, ...] | None:
    """The distinct numbers of the comma-separated ``text``, sorted; None for "".
    ScienceError (naming ``flag``, ``what`` the values are and an ``example``) unless
    there are at least two, each finite and in [0, ``upper``]."""
    if not text.strip():
        return None
    try:
        values = sorted({float(part) for part in text.split(",")})
    except ValueError:
        raise ScienceError(f"{flag} {text!r}: give comma-separated numbers, e.g. {example}") from None
    if len(values) < 2 or not all(math.isfinite(v) and 0.0 <= v <= upper for v in values):
        raise ScienceError(f"{flag} {text!r}: give at least two distinct {what}, e.g. {example}")
    return tuple(values)


def write_config(cfg: AugmentConfig, out: Path) -> None:
    """``out/config.toml``: every option under [augment], so the experiment can be repeated."""
    import tomli_w

    (out / "config.toml").write_text(tomli_w.dumps({"augment": asdict(cfg)}))


def read_config(path: Path) -> dict[str, Any]:
    """The [augment] table (option name -> value) of a config.toml written by
    :func:`write_config`; ScienceError when ``path`` holds none."""
    table = _read_toml(path).get("augment")
    if not isinstance(table, dict):
        raise ScienceError(f"{path} is not an augment config; pass the config.toml of an augment output folder")
    return dict(table)


def prepare_output(out: Path, overwrite: bool) -> None:
    """Create ``out`` (marked as an augment output folder); an existing non-empty folder
    only with ``overwrite`` and only when it is one, and then only the names the
    experiment writes are deleted (never what the user owns): see
    :func:`scigan.runs.claim_folder`."""
    claim_folder(out, AUGMENT_FOLDER, overwrite=overwrite)


def _legacy_output(folder: Path) -> bool:
    """An augment output folder written before the marker: a config.toml with an
    [augment] table, and the experiment's results.json or gan/ folder."""
    written = (folder / "results.json").is_file() or (folder / "gan").is_dir()
    return written and "augment" in _read_toml(folder / "config.toml")


def _augment_products() -> frozenset[str]:
    """The names the experiment writes at its output folder's top level."""
    return frozenset({"config.toml", "results.json", "table.md", "accuracy.png", "splits.npz", "gan"})


AUGMENT_FOLDER = FolderKind("augment", "an augment output folder", _augment_products, _legacy_output)


def _read_toml(path: Path) -> dict[str, Any]:
    """The tables of the TOML file ``path``; empty when it is missing or not TOML."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
