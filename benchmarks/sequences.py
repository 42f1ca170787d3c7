"""Sequences: scigan's sequence GAN on splice (DNA) and amp (peptides) beside a per-class
k-th order Markov chain (k picked on held-out likelihood, the classic baseline a
sequence GAN must beat), fitted on the same training split in the same run and scored
by the same code against the same holdout: k-mer JS, FD on the in-domain CNN's features,
detection AUC on k-mer counts, exact copies and class coverage, each with its
real-vs-real floor. Then ``scigan augment splice --per-class 20`` (5 seeds): does GAN
data help a classifier of splice junctions with 20 labelled sequences per class?

    python benchmarks/sequences.py [--quick] [--json bench-results/sequences.json]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, quiet, table, write_json
from scigan.augment.config import AugmentConfig
from scigan.augment.experiment import augment
from scigan.config import TrainConfig
from scigan.modalities import get_modality
from scigan.modalities.base import split_run
from scigan.modalities.sequences.markov import fit_markov
from scigan.workflows.generator import generate, load_generator
from scigan.workflows.train import train

#: CPU minutes of GAN training per data set (the target's budget is 10), then --quick.
MINUTES, QUICK_MINUTES = {"splice": 8.0, "amp": 8.0}, {"splice": 0.5, "amp": 0.5}
#: Extra training options per data set (amp: variable lengths up to 174 residues).
OPTIONS: dict[str, dict[str, Any]] = {"splice": {}, "amp": {}}
SCORES = ("kmer_js", "fd", "detection_auc", "exact_copy_share", "uniqueness", "class_coverage", "label_accuracy")
FLOORS = {
    "kmer_js": "kmer_js_floor",
    "fd": "fd_real_floor",
    "detection_auc": "detection_auc_real",
    "exact_copy_share": "exact_copy_share_holdout",
    "uniqueness": "uniqueness_real",
}


def markov_samples(codec: Any, train_split: Any, labels: np.ndarray, seed: int) -> np.ndarray:
    """Token arrays (len(labels), L) drawn from one Markov chain per class, each fitted
    on that class's training sequences (order chosen on held-out likelihood)."""
    from scigan.modalities.sequences.alphabet import encode_tokens

    seqs = codec.strings(train_split.x)
    out: list[str] = [""] * len(labels)
    orders = {}
    for c in np.unique(labels):
        mine = [s for s, y in zip(seqs, train_split.y) if y == c]
        chain = fit_markov(mine, codec.letters, seed=seed)
        orders[int(c)] = chain.order
        rows = np.flatnonzero(labels == c)
        drawn = chain.sample(len(rows), seed=seed + int(c), max_length=0 if codec.fixed_length else codec.length)
        for i, s in zip(rows, drawn):
            out[i] = s
    print(f"  markov orders per class: {orders}")
    return encode_tokens(out, codec.letters, codec.length, end=not codec.fixed_length)


def one_set(name: str, minutes: float, device: str, work: Path, seed: int = 0) -> tuple[list[dict], dict]:
    """Train scigan for ``minutes`` on built-in ``name``, fit the Markov baseline, and
    score both against the holdout; returns the table rows and a summary."""
    modality = get_modality("sequences")
    config = TrainConfig.from_flat(
        data=name, steps=0, minutes=minutes, seed=seed, progress=False, device=device, **OPTIONS[name]
    )
    start = time.perf_counter()
    run, result = train(config, work / name, log=quiet)
    gan_seconds = time.perf_counter() - start
    cfg = run.config
    splits = split_run(modality.read(cfg), cfg.holdout, cfg.validation, cfg.seed)
    codec = modality.load_codec(run.path, run.data)
    scorer = modality.scorer(splits.train, splits.holdout, codec, device="cpu", log=quiet)
    n = scorer.sizes(2000)
    labels = scorer.fake_labels(n, seed)
    assert labels is not None
    G, state = load_generator(run, "auto", device)
    fakes = {"scigan": codec.decode(generate(G, n, z_dim=cfg.z_dim, labels=labels, seed=seed), labels)}
    start = time.perf_counter()
    fakes["markov"] = markov_samples(codec, splits.train, labels, seed)
    markov_seconds = time.perf_counter() - start
    rows, summary = [], {}
    scores: dict[str, Any] = {}
    for model, fake in fakes.items():
        scores = scorer.full(fake, labels, seed=seed)
        seconds = gan_seconds if model == "scigan" else markov_seconds
        rows.append({"data": name, "model": model, "fit_seconds": seconds, **{k: scores.get(k) for k in SCORES}})
        for key in (*SCORES, "fit_seconds"):
            summary[f"{name}_{model}_{key}"] = rows[-1][key]
    rows.append(
        {"data": name, "model": "real (train)", "fit_seconds": 0.0, **{k: scores.get(v) for k, v in FLOORS.items()}}
    )
    summary.update({f"{name}_floor_{k}": scores.get(v) for k, v in FLOORS.items()})
    summary[f"{name}_scigan_steps"] = result.step
    summary[f"{name}_scigan_sampled_step"] = int(state["step"])
    summary[f"{name}_n"] = n
    summary[f"{name}_scigan_beats_markov_fd"] = summary[f"{name}_scigan_fd"] < summary[f"{name}_markov_fd"]
    summary[f"{name}_scigan_beats_markov_detection"] = abs(summary[f"{name}_scigan_detection_auc"] - 0.5) < abs(
        summary[f"{name}_markov_detection_auc"] - 0.5
    )
    print(
        f"{name}: {len(splits.train)} training, {len(splits.validation)} validation and {len(splits.holdout)} "
        f"held-out sequences; scigan trained {minutes:g} min ({result.step} steps), sampled from step "
        f"{state['step']} (best quick FD on the validation split); n = {n}"
    )
    return rows, summary


def augmentation(args: Any, work: Path) -> dict[str, Any]:
    """``scigan augment splice --per-class 20``: real, real+classic (SMOTE on k-mer rows),
    real+GAN, real+classic+GAN; paired accuracy gains with 95 % intervals."""
    cfg = AugmentConfig(data="splice", per_class=20, repeats=2 if args.quick else 5, device=args.device)
    if args.quick:
        from dataclasses import replace

        cfg = replace(cfg, gan_steps=300)
    results = augment(cfg, work / "augment", overwrite=True, log=quiet)
    c = results["conditions"]
    rows = []
    for condition, v in c.items():
        gain = v.get("vs_real", {}).get("accuracy", {})
        rows.append(
            {
                "condition": condition,
                "accuracy": v["accuracy_mean"],
                **{f"gain_{q}": gain.get(q) for q in ("mean", "low", "high")},
            }
        )
    print(f"\nscigan augment splice --per-class 20, {cfg.repeats} seeds:")
    print(table(rows, list(rows[0])))
    return {"rows": rows, "results": results}


def main() -> None:
    args = parse(parser(__doc__.splitlines()[0]))
    budget = QUICK_MINUTES if args.quick else MINUTES
    rows: list[dict] = []
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("splice", "amp"):
            r, s = one_set(name, budget[name], args.device, Path(tmp))
            rows += r
            summary.update(s)
        print(table(rows, ["data", "model", "fit_seconds", *SCORES]))
        aug = augmentation(args, Path(tmp))
    summary["splice_target_detection_auc_0.65"] = summary["splice_scigan_detection_auc"] <= 0.65
    summary["splice_target_copies_1pc"] = summary["splice_scigan_exact_copy_share"] <= 0.01
    summary["amp_target_copies_1pc"] = summary["amp_scigan_exact_copy_share"] <= 0.01
    write_json(args.json, summary, config={"minutes": budget}, rows=rows, augment=aug["rows"])


if __name__ == "__main__":
    main()
