"""``scigan augment``: does synthetic data make a downstream classifier better?

One reproducible experiment. A fixed test split (the source's own, else a stratified
``test_fraction`` drawn with ``seed``) is set aside and never seen by the GAN, by the
classifiers' training or by any choice the experiment makes. For each of ``repeats``
seeds, a training subset is drawn from the rest (K per class, and/or one class made
rare); a conditional GAN is trained on that subset alone (its own holdout, used for
checkpoint selection, comes from the subset); and a downstream classifier with a fixed
recipe is trained under five conditions on the same subset:

``real``             the subset
``real+classic``     the subset with classic augmentation (images: crops, flips where
                     valid, small affine; tables/expression: SMOTE or class re-weighting)
``real+gan``         the subset plus GAN samples
``real+classic+gan`` both
``gan``              GAN samples only (train on synthetic, test on real)

Scores on the test split (accuracy, macro-F1, recall per class) are reported per seed,
as mean ± std, and as paired differences to ``real`` and ``real+classic`` with a 95 %
t-interval over the seeds.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

from scigan.config import TrainConfig
from scigan.errors import ScienceError
from scigan.modalities import get_modality, modality_for
from scigan.modalities.base import Dataset, split_holdout

CONDITIONS = ("real", "real+classic", "real+gan", "real+classic+gan", "gan")


@dataclass(frozen=True)
class AugmentConfig:
    """The augmentation experiment. Every option has its default here."""

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
    """Quick evaluations on the GAN's own holdout (from the subset) that pick its best
    checkpoint; -1 = auto: off for images (their feature extractor costs a minute per
    seed), every 500 steps otherwise."""
    classifier: str = "auto"
    """Downstream model: cnn (images), logreg or gboost (tables, expression); auto picks
    cnn for images and logreg otherwise."""
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


# ------------------------------------------------------------------------------ splits
def test_split(data: Dataset, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(pool, test) row indices of ``data``: the source's test split when it has one, else
    a stratified random ``fraction`` drawn with ``seed``. Disjoint, sorted."""
    rows = Dataset(x=np.arange(len(data)), y=data.y, class_names=data.class_names, source=data.source,
                   modality=data.modality, test_mask=data.test_mask)
    pool, test = split_holdout(rows, fraction, seed)
    return np.sort(pool.x), np.sort(test.x)


def parse_imbalance(text: str, class_names: list[str]) -> tuple[int, float] | None:
    """"CLASS=FRACTION" -> (class index, fraction); CLASS is a name or an index."""
    if not text:
        return None
    name, sep, value = text.partition("=")
    if not sep:
        raise ScienceError(f"--imbalance {text!r}: write CLASS=FRACTION, e.g. --imbalance {class_names[0]}=0.1")
    name = name.strip()
    if name in class_names:
        index = class_names.index(name)
    elif name.isdigit() and int(name) < len(class_names):
        index = int(name)
    else:
        raise ScienceError(f"--imbalance: no class {name!r}; classes: {', '.join(class_names)}")
    try:
        fraction = float(value)
    except ValueError:
        raise ScienceError(f"--imbalance: {value!r} is not a number; give a fraction in (0, 1)") from None
    if not 0.0 < fraction < 1.0:
        raise ScienceError(f"--imbalance fraction must be in (0, 1), got {fraction}")
    return index, fraction


def draw_subset(y: np.ndarray, num_classes: int, per_class: int, imbalance: tuple[int, float] | None,
                seed: int) -> np.ndarray:
    """Positions into ``y`` (the pool's labels, (N,)) of one seed's training subset:
    ``per_class`` examples of every class (all when 0), then only ``fraction`` of the
    rare class (at least 2). Sorted int64."""
    rng = np.random.default_rng([seed, 5])
    chosen = []
    for c in range(num_classes):
        rows = rng.permutation(np.flatnonzero(y == c))
        if per_class:
            rows = rows[:per_class]
        if imbalance is not None and imbalance[0] == c:
            rows = rows[:max(2, int(round(imbalance[1] * len(rows))))]
        chosen.append(rows)
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def check_counts(pool_y: np.ndarray, names: list[str], per_class: int) -> None:
    """Refuse a K larger than the smallest class of the training pool, or below 2."""
    if per_class < 0 or per_class == 1:
        raise ScienceError(f"--per-class must be at least 2 (or 0 for every example), got {per_class}")
    counts = np.bincount(pool_y, minlength=len(names))
    smallest = int(counts.argmin())
    if counts[smallest] < max(per_class, 2):
        raise ScienceError(
            f"--per-class {per_class}: class {names[smallest]!r} has only {counts[smallest]} training "
            f"examples; choose --per-class {counts[smallest]} or less")


# ------------------------------------------------------------------------- statistics
def scores(y_true: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """Accuracy, macro-F1 and recall per class of predictions ``proba`` (N, C)."""
    from sklearn.metrics import f1_score, recall_score

    pred = proba.argmax(1)
    labels = np.arange(proba.shape[1])
    return {"accuracy": float((pred == y_true).mean()),
            "macro_f1": float(f1_score(y_true, pred, labels=labels, average="macro", zero_division=0)),
            "recall": [float(r) for r in recall_score(y_true, pred, labels=labels, average=None, zero_division=0)]}


def paired_interval(a: list[float], b: list[float], level: float = 0.95) -> dict[str, float]:
    """Mean of the paired differences a − b over seeds and its two-sided t-interval."""
    from scipy import stats

    d = np.asarray(a) - np.asarray(b)
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return {"mean": float(d.mean()), "low": float(d.mean() - half), "high": float(d.mean() + half)}


def summarise(per_seed: dict[str, list[dict[str, Any]]], class_names: list[str]) -> dict[str, Any]:
    """The ``conditions`` object of results.json from each condition's per-seed scores."""
    out: dict[str, Any] = {}
    for name, rows in per_seed.items():
        acc = [r["accuracy"] for r in rows]
        f1 = [r["macro_f1"] for r in rows]
        recall = np.array([r["recall"] for r in rows])
        entry = {
            "per_seed": rows,
            "accuracy_mean": float(np.mean(acc)), "accuracy_std": float(np.std(acc, ddof=1)),
            "macro_f1_mean": float(np.mean(f1)), "macro_f1_std": float(np.std(f1, ddof=1)),
            "recall_mean": dict(zip(class_names, recall.mean(0).tolist())),
            "recall_std": dict(zip(class_names, recall.std(0, ddof=1).tolist())),
        }
        for ref, key in (("real", "vs_real"), ("real+classic", "vs_classic")):
            if name != ref and ref in per_seed:
                other = per_seed[ref]
                entry[key] = {
                    "accuracy": paired_interval(acc, [r["accuracy"] for r in other]),
                    "macro_f1": paired_interval(f1, [r["macro_f1"] for r in other]),
                    "recall": {c: paired_interval(recall[:, i], [r["recall"][i] for r in other])
                               for i, c in enumerate(class_names)},
                }
        out[name] = entry
    return out


def format_table(conditions: dict[str, Any], class_names: list[str]) -> str:
    """A Markdown table: mean ± std of accuracy, macro-F1 and recall per class, and the
    paired accuracy difference to real-only and to classic with its 95 % interval."""
    def pm(mean: float, std: float) -> str:
        return f"{100 * mean:.1f} ± {100 * std:.1f}"

    def diff(entry: dict[str, Any], key: str) -> str:
        if key not in entry:
            return ""
        d = entry[key]["accuracy"]
        return f"{100 * d['mean']:+.1f} [{100 * d['low']:+.1f}, {100 * d['high']:+.1f}]"

    head = ["condition", "accuracy %", "macro-F1 %", *[f"recall {c} %" for c in class_names],
            "Δ acc vs real (95 % CI)", "Δ acc vs classic (95 % CI)"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, e in conditions.items():
        cells = [name, pm(e["accuracy_mean"], e["accuracy_std"]), pm(e["macro_f1_mean"], e["macro_f1_std"]),
                 *[pm(e["recall_mean"][c], e["recall_std"][c]) for c in class_names],
                 diff(e, "vs_real"), diff(e, "vs_classic")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(conditions: dict[str, Any], path: Path, title: str) -> None:
    """Accuracy per condition: mean ± std as bars, each seed as a dot; written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(conditions)
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    means = [100 * conditions[n]["accuracy_mean"] for n in names]
    stds = [100 * conditions[n]["accuracy_std"] for n in names]
    ax.bar(range(len(names)), means, yerr=stds, capsize=4, color="#9ecae1", edgecolor="#3182bd")
    for i, n in enumerate(names):
        seeds = [100 * r["accuracy"] for r in conditions[n]["per_seed"]]
        ax.plot([i] * len(seeds), seeds, "o", color="#08519c", ms=3)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set_ylabel("test accuracy %")
    low = min(min(100 * r["accuracy"] for r in conditions[n]["per_seed"]) for n in names)
    ax.set_ylim(max(0, low - 5), min(100, max(m + s for m, s in zip(means, stds)) + 3))
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --------------------------------------------------------------------- the experiment
class _Task:
    """The downstream side of one data kind: features and the classifier."""

    def __init__(self, cfg: AugmentConfig, data: Dataset):
        self.cfg, self.images = cfg, data.modality == "images"
        self.num_classes = data.num_classes
        classifier = cfg.classifier if cfg.classifier != "auto" else ("cnn" if self.images else "logreg")
        classic = cfg.classic if cfg.classic != "auto" else ("affine" if self.images else "smote")
        if self.images and (classifier != "cnn" or classic != "affine"):
            raise ScienceError("images use --classifier cnn and --classic affine; drop those options")
        if not self.images and classifier == "cnn":
            raise ScienceError("--classifier cnn is for images; tables and expression use logreg or gboost")
        if not self.images and cfg.flips:
            raise ScienceError("--flips is for images; drop it")
        self.classifier, self.classic = classifier, classic
        self.channels = int(data.x.shape[1]) if self.images else 0
        self._features: Callable[[Dataset], np.ndarray] | None = None

    def fit_features(self, real: Dataset) -> None:
        """Fit the feature map on the real training subset (tables: standardisation)."""
        if self.images:
            self._features = lambda d: d.x
        elif real.modality == "tabular":
            from scigan.modalities.tabular.metrics import TableFeatures

            feats = TableFeatures(real.x, real.info["schema"], exclude=(real.info["label_column"],))
            self._features = lambda d: feats(d.x)
        else:
            counts = real.info.get("values") == "counts"
            self._features = lambda d: np.log1p(np.asarray(d.x, float)) if counts else np.asarray(d.x, float)

    def features(self, d: Dataset) -> np.ndarray:
        """The classifier's input for ``d``."""
        return self._features(d)

    def fit(self, x: np.ndarray, y: np.ndarray, synthetic: tuple[np.ndarray, np.ndarray] | None,
            classic: bool, seed: int) -> Any:
        """A fitted classifier for one condition."""
        if self.images:
            from scigan.downstream.images import CNNRecipe, ImageClassifier

            model = ImageClassifier(self.channels, self.num_classes, CNNRecipe(steps=self.cfg.cnn_steps), seed)
            return model.fit(x, y, synthetic=synthetic, mix=self.cfg.mix, augment=classic, flips=self.cfg.flips)
        from scigan.downstream.tables import TableClassifier

        return TableClassifier(self.classifier, self.classic, seed).fit(
            x, y, synthetic=synthetic, mix=self.cfg.mix, augment=classic)

    def proba(self, model: Any, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, C)."""
        return model.predict_proba(x) if self.images else model.predict_proba(x, self.num_classes)


def validate(cfg: AugmentConfig) -> None:
    """Check the options that do not depend on the data."""
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


def load(cfg: AugmentConfig) -> Dataset:
    """The labelled data ``cfg.data`` names."""
    modality = get_modality(modality_for(cfg.data))
    data = modality.read(TrainConfig(data=cfg.data, label_column=cfg.label_column, size=cfg.size))
    if data.y is None or data.num_classes < 2:
        hint = ("images: sub-folders per class or an .npz with y" if data.modality == "images"
                else "name it with --label-column")
        raise ScienceError(f"{data.source} has no class labels, which augment needs ({hint})")
    return data


def gan_config(cfg: AugmentConfig, data: Dataset, subset: Dataset, seed: int) -> TrainConfig:
    """The conditional GAN's training config for one seed's subset."""
    images = data.modality == "images"
    steps = cfg.gan_steps or ((3000 if data.x.shape[-1] <= 16 else 600) if images else 2000)
    eval_every = cfg.gan_eval_every if cfg.gan_eval_every >= 0 else (0 if images else 500)
    n_train = int(len(subset) * 0.9) - data.num_classes
    batch = max(2, min(64, n_train // 2 * 2 if images else n_train // 4 * 4))
    return TrainConfig(data=cfg.data, label_column=cfg.label_column, size=cfg.size, conditional="yes",
                       steps=steps, seed=seed, batch_size=batch, eval_every=eval_every,
                       eval_n=min(2000, len(subset)), sample_every=steps, checkpoint_every=steps,
                       keep_checkpoints=1, device=cfg.device, progress=False)


def synthetic_counts(cfg: AugmentConfig, y: np.ndarray, num_classes: int, images: bool) -> np.ndarray:
    """GAN samples to draw per class (C,) for a subset with labels ``y``."""
    counts = np.bincount(y, minlength=num_classes)
    if cfg.synthetic_per_class:
        return np.full(num_classes, cfg.synthetic_per_class)
    if images:
        return np.full(num_classes, counts.max())
    return 2 * counts.max() - counts


def draw_synthetic(run: Path, counts: np.ndarray, class_names: list[str], seed: int) -> Dataset:
    """``counts[c]`` samples of every class c from the GAN run folder ``run``."""
    from scigan.workflows.sample import sample

    parts = [sample(run, int(n), label=class_names[c], seed=seed * 1000 + c)
             for c, n in enumerate(counts) if n > 0]
    if isinstance(parts[0].x, np.ndarray):
        x = np.concatenate([p.x for p in parts])
    else:
        import pandas as pd

        x = pd.concat([p.x for p in parts], ignore_index=True)
    return replace(parts[0], x=x, y=np.concatenate([p.y for p in parts]).astype(np.int64))


def reusable_gan(run: Path, config: TrainConfig, subset: Dataset) -> bool:
    """Whether the finished GAN run folder ``run`` was trained with ``config`` on exactly
    ``subset`` (so its samples can be reused for other downstream options)."""
    from scigan.runs import open_run
    from scigan.workflows.train import DATA_COPY

    copy = run / DATA_COPY[subset.modality]
    if not copy.is_file() or not (run / "checkpoints").is_dir():
        return False
    trained = open_run(run).config
    if (trained.steps, trained.seed, trained.batch_size) != (config.steps, config.seed, config.batch_size):
        return False
    old = get_modality(subset.modality).read(trained)
    same_x = old.x.equals(subset.x) if hasattr(old.x, "equals") else np.array_equal(old.x, subset.x)
    return bool(same_x and np.array_equal(old.y, subset.y))


def augment(cfg: AugmentConfig, out: str | Path, *, overwrite: bool = False,
            log: Callable[[str], None] = print, reuse_gans: str | Path | None = None) -> dict[str, Any]:
    """Run the experiment and write ``out``: results.json, table.md, accuracy.png,
    config.toml, splits.npz (the test rows and each seed's training rows, as indices
    into the data set) and gan/seed-<s>/ (each seed's GAN run). Returns results.json's
    content. Raises ScienceError on bad input before anything is written.

    ``reuse_gans``, an earlier output folder, lends its GAN runs to the seeds whose GAN
    config and training subset are the same (to try other filters, ratios or classifiers
    without training the GANs again); the others are trained.
    """
    import time

    from scigan.workflows.train import train

    validate(cfg)
    data = load(cfg)
    task = _Task(cfg, data)
    names = list(data.class_names)
    rare = parse_imbalance(cfg.imbalance, names)
    pool_rows, test_rows = test_split(data, cfg.test_fraction, cfg.seed)
    check_counts(data.y[pool_rows], names, cfg.per_class)
    test = data.subset(test_rows)
    out = Path(out)
    prepare_output(out, overwrite)
    seeds = [cfg.seed + i for i in range(cfg.repeats)]
    _write_config(cfg, out)
    log(f"augment: {data.source}, {len(pool_rows)} training and {len(test_rows)} test examples, "
        f"{len(names)} classes; {cfg.repeats} seeds; classifier {task.classifier}, classic {task.classic}")

    per_seed: dict[str, list[dict[str, Any]]] = {c: [] for c in CONDITIONS}
    gans, splits = [], {"test_rows": test_rows}
    for seed in seeds:
        train_rows = pool_rows[draw_subset(data.y[pool_rows], len(names), cfg.per_class, rare, seed)]
        splits[f"train_rows_seed{seed}"] = train_rows
        real = replace(data.subset(train_rows), test_mask=None)
        started = time.perf_counter()
        gan_run = out / "gan" / f"seed-{seed}"
        gan_cfg = gan_config(cfg, data, real, seed)
        earlier = None if reuse_gans is None else Path(reuse_gans) / "gan" / f"seed-{seed}"
        reused = earlier is not None and reusable_gan(earlier, gan_cfg, real)
        if reused:
            shutil.copytree(earlier, gan_run)
            result = SimpleNamespace(step=gan_cfg.steps, best_step=None)
        else:
            _, result = train(gan_cfg, gan_run, dataset=real, log=lambda s: None)
        gan_seconds = time.perf_counter() - started
        synthetic = draw_synthetic(gan_run, synthetic_counts(cfg, real.y, len(names), task.images), names, seed)

        task.fit_features(real)
        rx, tx, sx = task.features(real), task.features(test), task.features(synthetic)
        sy = synthetic.y
        models: dict[str, Any] = {}
        for name in CONDITIONS:
            if name == "gan":
                models[name] = task.fit(sx, sy, None, False, seed)
            else:
                syn = (sx, sy) if "gan" in name else None
                models[name] = task.fit(rx, real.y, syn, "classic" in name, seed)
            if name == "real" and cfg.filter > 0:  # the real-only model judges the synthetic samples
                keep = task.proba(models["real"], sx)[np.arange(len(sy)), sy] >= cfg.filter
                sx, sy = sx[keep], sy[keep]
                if not len(sy):
                    raise ScienceError(f"--filter {cfg.filter} kept no synthetic sample (seed {seed}); lower it")
            per_seed[name].append({"seed": seed, **scores(test.y, task.proba(models[name], tx))})
        gans.append({"seed": seed, "run": str(gan_run.relative_to(out)), "steps": result.step,
                     "reused_from": str(earlier) if reused else None,
                     "seconds": round(gan_seconds, 1), "best_step": result.best_step,
                     "n_train": len(real), "train_per_class": np.bincount(real.y, minlength=len(names)).tolist(),
                     "synthetic_drawn": len(synthetic), "synthetic_kept": int(len(sy)),
                     "synthetic_kept_per_class": np.bincount(sy, minlength=len(names)).tolist()})
        log(f"seed {seed}: GAN {result.step} steps in {gan_seconds:.0f} s; kept {len(sy)}/{len(synthetic)} "
            "synthetic; accuracy " + ", ".join(f"{c} {per_seed[c][-1]['accuracy']:.3f}" for c in CONDITIONS))

    np.savez_compressed(out / "splits.npz", **splits)
    conditions = summarise(per_seed, names)
    results = {
        "data": {"source": data.source, "modality": data.modality, "class_names": names,
                 "n_pool": len(pool_rows), "n_test": len(test_rows),
                 "test_split": "source's test split" if data.test_mask is not None else
                               f"stratified {cfg.test_fraction:.0%} drawn with seed {cfg.seed}"},
        "config": asdict(cfg), "classifier": task.classifier, "classic": task.classic,
        "seeds": seeds, "gans": gans, "conditions": conditions,
    }
    (out / "results.json").write_text(json.dumps(results, indent=1))
    table = format_table(conditions, names)
    (out / "table.md").write_text(table + "\n")
    plot(conditions, out / "accuracy.png", f"{data.source}: {task.classifier}, {cfg.repeats} seeds")
    log(f"wrote {out}/results.json, table.md, accuracy.png")
    return results


def prepare_output(out: Path, overwrite: bool) -> None:
    """Create ``out``; an existing non-empty folder only with ``overwrite``, and only when
    it is an augment output folder (never delete what the user owns)."""
    if out.exists() and not out.is_dir():
        raise ScienceError(f"--out {out} is a file; choose a folder path")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ScienceError(f"{out} already exists; pass --overwrite to replace it or choose another --out")
        if "augment" not in _read_toml(out / "config.toml"):
            raise ScienceError(f"--overwrite: {out} is not an augment output folder, so it is not deleted; "
                               "choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _write_config(cfg: AugmentConfig, out: Path) -> None:
    """config.toml: every option under [augment], so the experiment can be repeated."""
    import tomli_w

    (out / "config.toml").write_text(tomli_w.dumps({"augment": asdict(cfg)}))


def read_config(path: Path) -> dict[str, Any]:
    """The [augment] table of a config.toml written by :func:`augment`."""
    table = _read_toml(path).get("augment")
    if not isinstance(table, dict):
        raise ScienceError(f"{path} is not an augment config; pass the config.toml of an augment output folder")
    return dict(table)

