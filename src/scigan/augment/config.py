"""The augmentation experiment's options, their ``config.toml`` and the output folder."""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scigan.errors import ScienceError


@dataclass(frozen=True)
class AugmentConfig:
    """The augmentation experiment. Every option has its default here; "auto" and 0
    values are the data kind's defaults (its :class:`~scigan.augment.protocol.Augmenter`)."""

    data: str = ""
    """Built-in name or path of labelled data (images, a table, an expression matrix)."""
    per_class: int = 0
    """K: labelled training examples drawn per class and seed; 0 keeps every class whole."""
    imbalance: str = ""
    """"CLASS=FRACTION": keep only that share (in (0, 1)) of one class's training examples."""
    repeats: int = 5
    """Seeds (subsets, GANs, classifiers) per condition; at least 2 for an interval."""
    seed: int = 0
    """First seed; the repeats use seed, seed + 1, ...; also draws the test split."""
    test_fraction: float = 0.25
    """Share of the data set aside for testing when the source has no test split."""
    synthetic_per_class: int = 0
    """GAN samples drawn per class; 0 = auto: images as many as the largest class of the
    subset (so at K per class half the training set is synthetic: with 10 × K, 91 %
    synthetic, a weak GAN's samples swamped the real ones), tables and expression enough
    to bring every class to twice the largest."""
    mix: float = 0.0
    """Share of synthetic samples in each CNN batch (tables: in the total sample weight);
    0 treats synthetic samples like real ones."""
    filter: float = 0.0
    """Keep only synthetic samples that the classifier trained on the real subset assigns
    to their label with at least this probability; 0 keeps all."""
    gan_steps: int = 0
    """GAN training steps per seed; 0 = auto: 600 for images, 3000 for images of 16 px or
    less (at 600 steps a conditional digits GAN on 10 per class was at chance, 11 % of its
    samples judged their class, at 3000 steps 98 %; about a minute at 8×8), 2000 for
    tables/expression."""
    gan_eval_every: int = -1
    """Quick evaluations on a validation split of the subset that pick the GAN's best
    checkpoint; -1 = auto: off for images (their feature extractor costs a minute per
    seed), every 500 steps otherwise."""
    classifier: str = "auto"
    """Downstream model: cnn (images), logreg or gboost (tables, expression); auto is the
    kind's first (cnn for images, logreg otherwise)."""
    classic: str = "auto"
    """Classic augmentation: images "affine" (crops and a small affine); tables and
    expression "smote" or "reweight" (balanced class weights). auto: affine / smote."""
    flips: bool = False
    """Images: horizontal flips in the classic augmentation (off: digits and clothing
    change meaning or never appear mirrored)."""
    cnn_steps: int = 400
    """Optimizer steps of the downstream CNN (the same for every condition)."""
    label_column: str = ""
    """Tables and expression: the label column ("" takes the built-in's own)."""
    size: int = 0
    """Images: resize to this many pixels; 0 keeps the data's own size."""
    device: str = "cpu"
    """Where the GANs train: cpu, cuda or auto."""


def validate(cfg: AugmentConfig) -> None:
    """Check the options that depend neither on the data nor on its kind (ScienceError)."""
    if cfg.repeats < 2:
        raise ScienceError(f"--repeats must be at least 2 for a confidence interval, got {cfg.repeats}")
    if not 0.0 < cfg.test_fraction < 1.0:
        raise ScienceError(f"--test-fraction must be in (0, 1), got {cfg.test_fraction}")
    if not 0.0 <= cfg.mix < 1.0:
        raise ScienceError(f"--mix must be in [0, 1), got {cfg.mix}")
    if not 0.0 <= cfg.filter < 1.0:
        raise ScienceError(f"--filter must be in [0, 1) (0: keep every synthetic sample), got {cfg.filter}")
    for name in ("synthetic_per_class", "gan_steps"):
        if getattr(cfg, name) < 0:
            raise ScienceError(f"--{name.replace('_', '-')} must be 0 (auto) or more, got {getattr(cfg, name)}")
    if cfg.cnn_steps < 1:
        raise ScienceError(f"--cnn-steps must be at least 1, got {cfg.cnn_steps}")


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
    """Create ``out``; an existing non-empty folder only with ``overwrite``, and only when
    it is an augment output folder (never delete what the user owns)."""
    if out.exists() and not out.is_dir():
        raise ScienceError(f"--out {out} is a file; choose a folder path")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ScienceError(f"{out} already exists; pass --overwrite to replace it or choose another --out")
        if "augment" not in _read_toml(out / "config.toml"):
            raise ScienceError(
                f"--overwrite: {out} is not an augment output folder, so it is not deleted; choose another --out"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def _read_toml(path: Path) -> dict[str, Any]:
    """The tables of the TOML file ``path``; empty when it is missing or not TOML."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
