"""The experiment: for each seed a subset, a conditional GAN on it, and the downstream
model under every condition, scored on the fixed test split (see :mod:`scigan.augment`).

Everything that depends on the data kind is asked of the kind's
:class:`~scigan.augment.protocol.Augmenter`.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from scigan.augment.config import (
    AugmentConfig,
    data_options,
    parse_shares,
    prepare_output,
    validate,
    write_config,
)
from scigan.augment.gans import synthetic_counts
from scigan.augment.protocol import Augmenter, augmenter_class, refuse_other_kinds_options
from scigan.augment.seed_gan import SeedGAN, seed_holdout, train_seed_gan
from scigan.augment.selection import kept
from scigan.augment.shares import HoldoutChoice, take_share
from scigan.augment.stats import scores, summarise
from scigan.augment.subsets import check_counts, draw_subset, labels, parse_imbalance, test_split
from scigan.augment.table import format_table, plot
from scigan.augment.unlabeled import PseudoLabels, check_pool, concat, draw_pool, parse_unlabeled, pseudo_label
from scigan.config import TrainConfig
from scigan.errors import ScienceError
from scigan.modalities import get_kind, modality_for
from scigan.modalities.base import Dataset

#: The conditions every seed's downstream model is trained under, in the tables' order.
CONDITIONS = ("real", "real+classic", "real+gan", "real+classic+gan", "gan")
#: The conditions of an experiment with an unlabeled pool (``--unlabeled``): the
#: self-training baselines (the subset and the pool's pseudo-labelled examples, without and
#: with classic augmentation) and the same with the GAN's samples on top.
PSEUDO_CONDITIONS = ("real+pseudo", "real+classic+pseudo", "real+classic+pseudo+gan")


def load(cfg: AugmentConfig) -> tuple[Dataset, Augmenter]:
    """The labelled data ``cfg.data`` names and its kind's augmenter; ScienceError for a
    kind that does not take part, for another kind's options and for data without labels."""
    kind = get_kind(modality_for(cfg.data))
    cls = augmenter_class(kind)
    refuse_other_kinds_options(cfg, kind)
    data = kind.create().read(TrainConfig.from_flat(data=cfg.data, **data_options(cfg)))
    if data.y is None or data.num_classes < 2:
        raise ScienceError(f"{data.source} has no class labels, which augment needs ({cls.labels_hint})")
    return data, cls(cfg, data)


def augment(
    cfg: AugmentConfig,
    out: str | Path,
    *,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
    reuse_gans: str | Path | None = None,
    workers: int = 1,
    ray: str = "",
) -> dict[str, Any]:
    """Run the experiment and write ``out``: results.json, table.md, accuracy.png,
    config.toml, splits.npz (the test rows and each seed's training rows, as indices
    into the data set) and gan/seed-<s>/ (each seed's GAN run). Returns results.json's
    content. Raises ScienceError on bad input before anything is written.

    ``reuse_gans``, an earlier output folder, lends its GAN runs to the seeds whose GAN
    config and training subset are the same (to try other filters, ratios or classifiers
    without training the GANs again); the others are trained. The seeds run one after
    the other, in a pool of ``workers`` processes or as Ray tasks at ``ray``
    (:func:`scigan.augment.executors.run_each`), with the same results.
    """
    from scigan.augment.executors import run_each, workers_for

    validate(cfg)
    workers_for(workers, cfg.repeats)  # a bad count is refused before anything is written
    data, task = _loaded(cfg)
    names = list(data.class_names)
    rare = parse_imbalance(cfg.imbalance, names)
    pool_rows, test_rows = test_split(data, cfg.test_fraction, cfg.seed)
    check_counts(labels(data)[pool_rows], names, cfg.per_class)
    # every seed's subset has the same size per class: the first one's tells
    first = pool_rows[draw_subset(labels(data)[pool_rows], len(names), cfg.per_class, rare, cfg.seed)]
    if cfg.rebalance and not synthetic_counts(cfg, task, labels(data)[first]).any():
        raise ScienceError(
            "--rebalance: every class of the training subset is as large as the largest, so no GAN "
            "sample would be drawn; use it with --imbalance or imbalanced data"
        )
    unlabeled = parse_unlabeled(cfg.unlabeled)
    if isinstance(unlabeled, Path):
        check_pool(_read_pool(cfg, unlabeled), data, data.subset(test_rows))
    elif unlabeled is not None:
        draw_pool(np.setdiff1d(pool_rows, first), unlabeled, cfg.seed)
    out = Path(out)
    prepare_output(out, overwrite)
    seeds = [cfg.seed + i for i in range(cfg.repeats)]
    write_config(cfg, out)
    where = f"Ray at {ray}" if ray else f"{workers_for(workers, len(seeds))} process(es)"
    log(
        f"augment: {data.source}, {len(pool_rows)} training and {len(test_rows)} test examples, "
        f"{len(names)} classes; {cfg.repeats} seeds on {where}; classifier {task.classifier}, classic {task.classic}"
    )

    conditions = conditions_for(cfg)
    per_seed: dict[str, list[dict[str, Any]]] = {c: [] for c in conditions}
    gans: list[dict[str, Any]] = []
    splits: dict[str, Any] = {"test_rows": test_rows}
    calls = [(cfg, out, seed, None if reuse_gans is None else Path(reuse_gans)) for seed in seeds]
    for seed, done in zip(seeds, run_each(run_seed, calls, workers=workers, ray=ray), strict=True):
        splits[f"train_rows_seed{seed}"] = done["train_rows"]
        if done["unlabeled_rows"] is not None:
            splits[f"unlabeled_rows_seed{seed}"] = done["unlabeled_rows"]
        for name in conditions:
            per_seed[name].append(done["scores"][name])
        gan = done["gan"]
        gans.append(gan)
        weight = f" (class-consistency {gan['class_consistency']['weight']:g})" if "class_consistency" in gan else ""
        log(
            f"seed {seed}: GAN{weight} {gan['steps']} steps in {gan['seconds']:.0f} s; kept "
            f"{gan['synthetic_kept']}/{gan['synthetic_drawn']} synthetic; accuracy "
            + ", ".join(f"{c} {per_seed[c][-1]['accuracy']:.3f}" for c in conditions)
        )

    np.savez_compressed(out / "splits.npz", **splits)
    summary = summarise(per_seed, names)
    results = {
        "data": {
            "source": data.source,
            "modality": data.modality,
            "class_names": names,
            "n_pool": len(pool_rows),
            "n_test": len(test_rows),
            "rare_class": None if rare is None else names[rare[0]],
            "test_split": "source's test split"
            if data.test_mask is not None
            else f"stratified {cfg.test_fraction:.0%} drawn with seed {cfg.seed}",
        },
        "config": asdict(cfg),
        "classifier": task.classifier,
        "classic": task.classic,
        "seeds": seeds,
        "gans": gans,
        "conditions": summary,
    }
    (out / "results.json").write_text(json.dumps(results, indent=1))
    table = format_table(summary, names, None if rare is None else names[rare[0]])
    (out / "table.md").write_text(table + "\n")
    plot(summary, out / "accuracy.png", f"{data.source}: {task.classifier}, {cfg.repeats} seeds")
    log(f"wrote {out}/results.json, table.md, accuracy.png")
    return results


@functools.lru_cache(maxsize=1)
def _loaded(cfg: AugmentConfig) -> tuple[Dataset, Augmenter]:
    """:func:`load`, once per config in each process (the serial run's seeds share it)."""
    return load(cfg)


def run_seed(cfg: AugmentConfig, out: Path, seed: int, reuse_gans: Path | None) -> dict[str, Any]:
    """One seed of the experiment, from the config alone (in this process or a worker):
    its training subset (``train_rows``, indices into the data set) and unlabeled pool
    (``unlabeled_rows``, when drawn from the data set, else None), its GAN trained into
    ``out/gan/seed-<seed>`` (or copied from ``reuse_gans``; one per weight below it
    with ``--class-consistency-choices``) on the subset and the pool's pseudo-labelled
    examples, the downstream model's test ``scores`` under every condition, and the
    ``gan`` record of results.json."""
    data, task = _loaded(cfg)
    names = list(data.class_names)
    rare = parse_imbalance(cfg.imbalance, names)
    pool_rows, test_rows = test_split(data, cfg.test_fraction, cfg.seed)
    test = data.subset(test_rows)
    train_rows = pool_rows[draw_subset(labels(data)[pool_rows], len(names), cfg.per_class, rare, seed)]
    real = replace(data.subset(train_rows), test_mask=None)
    unlabeled_rows, pseudo = _pseudo_labelled(cfg, task, data, real, np.setdiff1d(pool_rows, train_rows), seed)
    started = time.perf_counter()
    gan_data = real if pseudo is None else concat([real, pseudo.data])
    holdout = seed_holdout(cfg, task, real, gan_data, seed)
    conditions = conditions_for(cfg)
    seed_gan = train_seed_gan(cfg, task, real, gan_data, seed, out, reuse_gans, _mixed(conditions), holdout)
    gan_seconds = time.perf_counter() - started
    synthetic = seed_gan.synthetic
    chosen = _chosen_shares(cfg, holdout, seed_gan, conditions)
    per_seed: dict[str, list[dict[str, Any]]] = {c: [] for c in conditions}
    kept_labels, agreement = _conditions(
        cfg,
        task,
        real,
        test,
        synthetic,
        seed_gan.caps,
        None if pseudo is None else pseudo.data,
        {name: c["share"] for name, c in chosen.items()},
        seed,
        per_seed,
    )
    gan = {
        "seed": seed,
        "run": str(seed_gan.run.relative_to(out)),
        "steps": seed_gan.result.step,
        "reused_from": str(seed_gan.earlier) if seed_gan.earlier is not None else None,
        "seconds": round(gan_seconds, 1),
        "best_step": seed_gan.result.best_step,
        "n_train": len(real),
        "train_per_class": np.bincount(labels(real), minlength=len(names)).tolist(),
        "synthetic_drawn": seed_gan.drawn,
        "synthetic_after_drs": len(synthetic),
        "synthetic_kept": len(kept_labels),
        "synthetic_kept_per_class": np.bincount(kept_labels, minlength=len(names)).tolist(),
        "label_agreement_real_only": agreement,
    }
    if seed_gan.weight_choice:
        gan["class_consistency"] = seed_gan.weight_choice
    if chosen:
        gan["synthetic_shares"] = chosen
    if pseudo is not None:
        gan["unlabeled"] = {
            "pool": pseudo.pool,
            "pseudo_labelled": len(pseudo.data),
            "pseudo_per_class": np.bincount(labels(pseudo.data), minlength=len(names)).tolist(),
            "pseudo_accuracy": pseudo.accuracy,
        }
    scores_ = {c: per_seed[c][0] for c in conditions}
    return {"train_rows": train_rows, "unlabeled_rows": unlabeled_rows, "scores": scores_, "gan": gan}


def conditions_for(cfg: AugmentConfig) -> tuple[str, ...]:
    """The conditions of an experiment: :data:`CONDITIONS` (without gan-only under
    ``--rebalance``, whose synthetic set lacks the largest class), and with an unlabeled
    pool :data:`PSEUDO_CONDITIONS` (the real subset plus the pool's pseudo-labelled
    examples, without and with classic augmentation, and with the GAN's samples too)."""
    base = tuple(c for c in CONDITIONS if c != "gan") if cfg.rebalance else CONDITIONS
    return base + (PSEUDO_CONDITIONS if cfg.unlabeled else ())


def _pseudo_labelled(
    cfg: AugmentConfig, task: Augmenter, data: Dataset, real: Dataset, outside: np.ndarray, seed: int
) -> tuple[np.ndarray | None, PseudoLabels | None]:
    """The seed's unlabeled pool (its rows in ``data`` when drawn from the training rows
    ``outside`` the labelled subset, else None) and its pseudo-labels; (None, None)
    without ``--unlabeled``."""
    unlabeled = parse_unlabeled(cfg.unlabeled)
    if unlabeled is None:
        return None, None
    if isinstance(unlabeled, Path):
        rows, pool = None, _read_pool(cfg, unlabeled)
    else:
        rows = draw_pool(outside, unlabeled, seed)
        pool = data.subset(rows)
    pseudo = pseudo_label(task, real, pool, cfg.pseudo_confidence, seed)
    if not len(pseudo.data):
        raise ScienceError(
            f"--pseudo-confidence {cfg.pseudo_confidence}: no unlabeled example reached it (seed {seed}); lower it"
        )
    return rows, pseudo


def _mixed(conditions: tuple[str, ...]) -> tuple[str, ...]:
    """The conditions of ``conditions`` that mix the real subset and synthetic samples
    (those the holdout scores to choose a class-consistency weight or a synthetic share;
    not the one with pseudo-labels, which takes every kept sample)."""
    return tuple(c for c in conditions if "gan" in c and c != "gan" and c not in PSEUDO_CONDITIONS)


def _chosen_shares(
    cfg: AugmentConfig, holdout: HoldoutChoice | None, gan: SeedGAN, conditions: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """The share of ``gan``'s samples each GAN condition of ``conditions`` takes, chosen
    on the real rows of the seed's GAN holdout
    (:meth:`scigan.augment.shares.HoldoutChoice.choose_shares`); empty without
    ``--synthetic-shares``."""
    shares = parse_shares(cfg.synthetic_shares)
    if shares is None:
        return {}
    assert holdout is not None, "--synthetic-shares chooses on the seed's holdout"
    return holdout.choose_shares(gan.synthetic, _mixed(conditions), shares, gan.caps)


def _read_pool(cfg: AugmentConfig, path: Path) -> Dataset:
    """The unlabeled examples at ``path``, read by the labelled data's kind with the
    same data options; any labels it has are dropped."""
    kind = get_kind(modality_for(cfg.data))
    options = {k: v for k, v in data_options(cfg).items() if k != "label_column"}
    pool = kind.create().read(TrainConfig.from_flat(data=str(path), **options))
    return replace(pool, y=None, class_names=[], test_mask=None)


def _conditions(
    cfg: AugmentConfig,
    task: Augmenter,
    real: Dataset,
    test: Dataset,
    synthetic: Dataset,
    caps: np.ndarray,
    pseudo: Dataset | None,
    shares: dict[str, float],
    seed: int,
    per_seed: dict[str, list[dict[str, Any]]],
) -> tuple[np.ndarray, float]:
    """Train the downstream model under every condition on one seed's ``real`` subset,
    ``synthetic`` samples (those :func:`scigan.augment.selection.kept` keeps with
    ``--filter`` by the real-only model and at most ``caps`` (C,) per class; the share
    ``shares`` names, where it names the condition) and ``pseudo``-labelled examples,
    append each one's test scores to ``per_seed``, and return the labels (M,) of the
    synthetic samples kept and the share of all synthetic samples whose label the
    real-only model predicts."""
    task.fit_features(real)
    rx, tx, sx = task.features(real), task.features(test), task.features(synthetic)
    corrupted = task.corruptions(tx, cfg.seed) if cfg.corruptions else {}
    ry, sy = labels(real), labels(synthetic)
    models: dict[str, Any] = {}
    agreement = float("nan")
    for name in per_seed:
        if name == "gan":
            models[name] = task.fit(sx, sy, None, False, seed)
        elif name in PSEUDO_CONDITIONS:
            assert pseudo is not None
            x, y = np.concatenate([rx, task.features(pseudo)]), np.concatenate([ry, labels(pseudo)])
            models[name] = task.fit(x, y, (sx, sy) if "gan" in name else None, "classic" in name, seed)
        else:
            syn = (sx, sy) if "gan" in name else None
            if syn is not None and name in shares:
                take = take_share(sy, shares[name])
                syn = (sx[take], sy[take]) if len(take) else None
            models[name] = task.fit(rx, ry, syn, "classic" in name, seed)
        if name == "real":  # the real-only model judges the synthetic samples
            proba = task.proba(models["real"], sx)
            agreement = float((proba.argmax(1) == sy).mean())
            keep = kept(sy, caps, proba, cfg.filter)
            if not len(keep):
                raise ScienceError(f"--filter {cfg.filter} kept no synthetic sample (seed {seed}); lower it")
            sx, sy = sx[keep], sy[keep]
        entry = {"seed": seed, **scores(labels(test), task.proba(models[name], tx))}
        if corrupted:
            entry["corrupted"] = {
                k: float((task.proba(models[name], v).argmax(1) == labels(test)).mean()) for k, v in corrupted.items()
            }
        per_seed[name].append(entry)
    return sy, agreement
