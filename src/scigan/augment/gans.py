"""The seed's conditional GAN: its training config, its reuse from an earlier
experiment's output, and the synthetic samples drawn from it per class."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from scigan.augment.config import AugmentConfig, data_options
from scigan.augment.protocol import Augmenter
from scigan.augment.subsets import labels
from scigan.augment.unlabeled import concat
from scigan.config import TrainConfig
from scigan.modalities import get_kind
from scigan.modalities.base import Dataset

#: Share of a seed's subset each GAN run holds out (its own, never used by the experiment).
GAN_HOLDOUT = 0.1
#: Steps between a GAN's quick evaluations when --gan-select turns them on.
SELECTED_EVAL_EVERY = 500


def gan_config(cfg: AugmentConfig, augmenter: Augmenter, subset: Dataset, seed: int) -> TrainConfig:
    """The conditional GAN's training config for one seed's ``subset``: the kind's
    defaults unless ``cfg`` sets them; the kind's validation share only when quick
    evaluations pick the checkpoint (else every row outside the GAN's holdout trains it).
    ``--gan-select`` turns the evaluations on (every 500 steps) where the kind's default
    has them off."""
    defaults = augmenter.gan_defaults(subset)
    steps = cfg.gan_steps or defaults.steps
    eval_every = cfg.gan_eval_every if cfg.gan_eval_every >= 0 else defaults.eval_every
    if cfg.gan_select and not eval_every:  # validate() refused an explicit --gan-eval-every 0
        eval_every = SELECTED_EVAL_EVERY
    validation = get_kind(subset.modality).validation if eval_every else 0.0
    n_train = int(len(subset) * (1 - GAN_HOLDOUT) * (1 - validation)) - subset.num_classes
    m = defaults.batch_multiple
    batch = max(2, min(64, n_train // m * m))
    return TrainConfig.from_flat(
        data=cfg.data,
        **data_options(cfg),
        conditional="yes",
        steps=steps,
        seed=seed,
        batch_size=batch,
        holdout=GAN_HOLDOUT,
        validation=validation,
        eval_every=eval_every,
        eval_n=min(2000, len(subset)),
        select=cfg.gan_select,
        sample_every=steps,
        checkpoint_every=steps,
        keep_checkpoints=1,
        device=cfg.device,
        progress=False,
    )


def synthetic_counts(cfg: AugmentConfig, augmenter: Augmenter, y: np.ndarray) -> np.ndarray:
    """GAN samples to draw per class (C,) for a subset with labels ``y`` (N,):
    ``synthetic_per_class`` each when set; with ``rebalance`` the gap of each class to
    the largest (the largest gets none); else the kind's default."""
    if cfg.synthetic_per_class:
        return np.full(augmenter.num_classes, cfg.synthetic_per_class)
    if cfg.rebalance:
        counts = np.bincount(y, minlength=augmenter.num_classes)
        return counts.max() - counts
    return augmenter.synthetic_counts(y)


def draw_synthetic(run: Path, counts: np.ndarray, class_names: list[str], seed: int) -> Dataset:
    """``counts[c]`` samples of every class c from the GAN run folder ``run``."""
    from scigan.workflows.sample import sample

    return concat(
        [sample(run, int(n), label=class_names[c], seed=seed * 1000 + c) for c, n in enumerate(counts) if n > 0]
    )


def reusable_gan(run: Path, config: TrainConfig, subset: Dataset, kind_options: frozenset[str] = frozenset()) -> bool:
    """Whether the finished GAN run folder ``run`` was trained with ``config`` (its
    ``kind_options`` of the kind's section included) on exactly ``subset`` (so its
    samples can be reused for other downstream options)."""
    from scigan.runs import open_run

    kind = get_kind(subset.modality)
    if not (run / kind.data_copy).is_file() or not (run / "checkpoints").is_dir():
        return False
    trained = open_run(run).config
    keys = ("steps", "seed", "batch_size", "holdout", "validation", "select")
    if any(getattr(trained, k) != getattr(config, k) for k in keys):
        return False
    if any(getattr(trained.data_options, k) != getattr(config.data_options, k) for k in kind_options):
        return False
    old = kind.create().read(trained)
    same_x = old.x.equals(subset.x) if hasattr(old.x, "equals") else np.array_equal(old.x, subset.x)
    return bool(same_x and old.y is not None and np.array_equal(old.y, labels(subset)))


def train_gan(
    cfg: AugmentConfig, task: Augmenter, real: Dataset, seed: int, gan_run: Path, earlier: Path | None
) -> tuple[Any, Path | None]:
    """Train the seed's GAN on ``real`` into ``gan_run``, or copy the ``earlier`` run
    folder (an earlier output's) when it holds the same GAN; returns how far it trained
    (``step``, ``best_step``) and where it was copied from (None when trained here)."""
    from scigan.workflows.train import train

    gan_cfg = gan_config(cfg, task, real, seed)
    if earlier is not None and reusable_gan(earlier, gan_cfg, real, task.gan_options):
        shutil.copytree(earlier, gan_run)
        return SimpleNamespace(step=gan_cfg.steps, best_step=None), earlier
    _, result = train(gan_cfg, gan_run, dataset=real, log=lambda s: None)
    return result, None
