"""Each seed's GAN as the experiment's conditions use it: trained (or copied from an
earlier output), its samples drawn (``--overdraw`` times the counts) and passed through
DRS, and with ``--class-consistency-choices`` one GAN per weight, the one kept chosen on
the GAN's holdout (never the test split)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from scigan.augment.config import AugmentConfig, parse_shares, parse_weights
from scigan.augment.gans import GAN_HOLDOUT, draw_synthetic, synthetic_counts, train_gan
from scigan.augment.protocol import Augmenter
from scigan.augment.selection import drs_keep
from scigan.augment.shares import HoldoutChoice, gan_holdout
from scigan.augment.subsets import labels
from scigan.modalities.base import Dataset


@dataclass(frozen=True)
class SeedGAN:
    """One seed's GAN as the conditions use it."""

    run: Path
    """Its run folder."""
    result: Any
    """How far it trained (``step``, ``best_step``)."""
    earlier: Path | None
    """The earlier output's run it was copied from (``--reuse-gans``); None when trained here."""
    synthetic: Dataset
    """Its samples for the experiment (after DRS)."""
    drawn: int
    """How many samples were drawn before DRS."""
    caps: np.ndarray
    """The most samples (C,) of each class the conditions keep (the count drawn
    ``--overdraw`` times)."""
    weight_choice: dict[str, Any] | None = None
    """With ``--class-consistency-choices``: {"weights", "validation_macro_f1" (one
    per weight), "weight"}."""


def train_seed_gan(
    cfg: AugmentConfig,
    task: Augmenter,
    real: Dataset,
    gan_data: Dataset,
    seed: int,
    out: Path,
    reuse_gans: Path | None,
    mixed: tuple[str, ...],
    holdout: HoldoutChoice | None,
) -> SeedGAN:
    """The seed's GAN, trained on ``gan_data`` (the subset ``real`` and any pseudo-
    labelled rows) into ``out/gan/seed-<seed>``; with ``--class-consistency-choices``
    one GAN per weight in ``weight-<w>`` under it, and the one whose samples score the
    best mean macro-F1 of the ``mixed`` conditions (real and synthetic samples) on the
    real rows of the GAN's holdout (``holdout``, see :func:`seed_holdout`;
    :meth:`~scigan.augment.shares.HoldoutChoice.choose_shares` with every sample; the
    least weight of those tied)."""
    folder = out / "gan" / f"seed-{seed}"
    weights = parse_weights(cfg.class_consistency_choices)
    if weights is None:
        return _one_gan(cfg, task, real, gan_data, seed, folder, out, reuse_gans)
    single = replace(cfg, class_consistency_choices="")
    candidates = [
        _one_gan(
            replace(single, class_consistency=w), task, real, gan_data, seed, folder / f"weight-{w:g}", out, reuse_gans
        )
        for w in weights
    ]
    assert holdout is not None, "--class-consistency-choices chooses on the seed's holdout"
    f1 = []
    for candidate in candidates:
        scored = holdout.choose_shares(candidate.synthetic, mixed, (1.0,), candidate.caps)
        f1.append(float(np.mean([c["validation_macro_f1"][0] for c in scored.values()])))
    best = int(np.argmax(f1))  # the first of equals: the least weight
    choice = {"weights": list(weights), "validation_macro_f1": [round(v, 4) for v in f1], "weight": weights[best]}
    return replace(candidates[best], weight_choice=choice)


def _one_gan(
    cfg: AugmentConfig,
    task: Augmenter,
    real: Dataset,
    gan_data: Dataset,
    seed: int,
    run: Path,
    out: Path,
    reuse_gans: Path | None,
) -> SeedGAN:
    """The GAN of ``cfg`` trained on ``gan_data`` into ``run`` (or copied from the same
    place under ``reuse_gans`` when that holds the same GAN), its samples drawn for the
    subset ``real`` (``--overdraw`` times the counts) and passed through DRS under ``--drs``."""
    earlier = None if reuse_gans is None else reuse_gans / run.relative_to(out)
    result, copied = train_gan(cfg, task, gan_data, seed, run, earlier)
    caps = synthetic_counts(cfg, task, labels(real))
    draws = np.ceil(caps * cfg.overdraw).astype(int)
    synthetic = draw_synthetic(run, draws, list(real.class_names), seed)
    drawn = len(synthetic)
    if cfg.drs:
        synthetic = synthetic.subset(drs_keep(run, synthetic, gan_data, cfg.drs, seed))
    return SeedGAN(run, result, copied, synthetic, drawn, caps)


def seed_holdout(
    cfg: AugmentConfig, task: Augmenter, real: Dataset, gan_data: Dataset, seed: int
) -> HoldoutChoice | None:
    """The choices on the real rows of ``real`` that the seed's GAN run holds out (the
    pseudo-labelled rows of ``gan_data`` follow the real ones and are left out), shared
    by ``--class-consistency-choices`` and ``--synthetic-shares``; None with neither."""
    if parse_weights(cfg.class_consistency_choices) is None and parse_shares(cfg.synthetic_shares) is None:
        return None
    held = gan_holdout(gan_data, GAN_HOLDOUT, seed)
    return HoldoutChoice(task, real, held[held < len(real)], cfg.filter, seed)
