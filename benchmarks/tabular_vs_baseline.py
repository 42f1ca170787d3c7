"""Tables: scigan's CTGAN-style GAN beside a Gaussian-copula baseline and CTGAN itself
(the ``ctgan`` package SDV uses, when it happens to be installed; it is never a
dependency), on breast-cancer and
gbsg2, fitted on the same training split in the same run and scored by the same code
against the same held-out rows: fidelity (SDMetrics-style quality), detection AUC
(0.5 is ideal), utility (TSTR / TRTR), privacy (DCR share, membership AUC), fit time.

    python benchmarks/tabular_vs_baseline.py [--quick] [--json bench-results/tabular.json]

CTGAN runs with the defaults SDV's CTGANSynthesizer gives it (300 epochs, batch 500,
pac 10, log-frequency conditional vector), the discrete columns declared, and SDV's
post-processing: values clipped to the training range and rounded to the training
data's precision, in the training dtypes.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, quiet, table, write_json
from copula import GaussianCopula
from scigan.config import TrainConfig
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.workflows.generator import generate, load_generator
from scigan.workflows.train import train

DATASETS = ("breast-cancer", "gbsg2")
#: Generator steps and seeds: full run, then --quick.
STEPS, SEEDS = 6000, (0, 1, 2)
QUICK_STEPS, QUICK_SEEDS = 3000, (0,)
#: CTGAN epochs (full: SDV's default; quick), when the ctgan package is installed.
CTGAN_EPOCHS = (300, 50)
SCORES = ("fidelity", "detection_auc", "utility_ratio", "dcr_closer_to_train_share", "mia_auc")
#: Per discrete column besides the label: 1 - TV of its categories, and the synthetic share
#: of its rarest training category over that category's training share (1 is right).
DISCRETE_SCORES = ("discrete_shape", "rare_category_ratio")


#: Each model's name in the summary keys.
SLUGS = {
    "scigan": "scigan",
    "scigan, label-only conditions": "scigan_label_only",
    "ctgan": "ctgan",
    "scigan, 1/3 of ctgan's time": "scigan_third_of_ctgan_time",
    "gaussian copula": "copula",
    "real (train rows)": "real",
}


#: Seconds of the last scigan fit per data set spent outside the training loop (reading,
#: codec, networks, final preview): the time budget of the 1/3-of-CTGAN run leaves them out.
SET_UP: dict[str, float] = {}


def fit_scigan(name: str, seed: int, folder: Path, device: str, **options: Any) -> tuple[Any, float]:
    """Train scigan on ``name`` with config ``options`` (steps or minutes, ...); the
    synthetic training-sized table and the fit seconds (reading and codec included)."""
    config = TrainConfig.from_flat(
        data=name, seed=seed, eval_every=0, sample_every=0, progress=False, device=device
    ).with_overrides(**options)
    start = time.perf_counter()
    run, result = train(config, folder / f"{name}-{seed}-{len(list(folder.iterdir()))}", log=quiet)
    seconds = time.perf_counter() - start
    SET_UP[name] = seconds - result.seconds
    modality = get_modality("tabular")
    data = modality.read(run.config)
    train_split, _ = split_holdout(data, run.config.holdout, run.config.seed)
    codec = modality.load_codec(run.path, run.data)
    G, _ = load_generator(run, "latest", device)
    labels = np.random.default_rng(seed).permutation(train_split.y)  # the training class shares
    z = generate(G, len(labels), z_dim=run.config.z_dim, labels=labels, seed=seed)
    return codec.decode(z, labels), seconds


def fit_copula(train_split: Any, seed: int) -> tuple[Any, float]:
    """Fit the Gaussian copula; its synthetic training-sized table and the fit seconds."""
    start = time.perf_counter()
    model = GaussianCopula(seed).fit(train_split.x, train_split.info["schema"])
    seconds = time.perf_counter() - start
    return model.sample(len(train_split)), seconds


def fit_ctgan(train_split: Any, epochs: int, seed: int) -> tuple[Any, float]:
    """CTGAN (the ``ctgan`` package, SDV's defaults) on the same rows, discrete columns
    declared; its synthetic training-sized table, post-processed as SDV does (clipped to
    the training range, rounded to the training precision, training dtypes), and the fit
    seconds (post-processing excluded)."""
    import torch
    from ctgan import CTGAN

    frame, schema = train_split.x, train_split.info["schema"]
    discrete = [c for c, kind in schema.items() if kind in ("categorical", "boolean")]
    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002 -- CTGAN draws its conditions and real rows with numpy's global state
    start = time.perf_counter()
    model = CTGAN(epochs=epochs, enable_gpu=False)
    model.fit(frame, discrete_columns=discrete)
    seconds = time.perf_counter() - start
    fake = model.sample(len(frame))
    for column in frame.columns:
        if column in discrete:
            fake[column] = fake[column].astype(frame[column].dtype)
            continue
        present = frame[column].dropna()
        decimals = next((d for d in range(11) if np.array_equal(np.round(present, d), present)), 10)
        fake[column] = fake[column].clip(present.min(), present.max()).round(decimals).astype(frame[column].dtype)
    return fake, seconds


def discrete_scores(train_split: Any, fake: Any) -> dict[str, float | None]:
    """:data:`DISCRETE_SCORES` of ``fake`` against the training rows (None without a
    discrete column besides the label)."""
    schema, label = train_split.info["schema"], train_split.info["label_column"]
    shapes, ratios = [], []
    for column, kind in schema.items():
        if kind not in ("categorical", "boolean") or column == label:
            continue
        real = train_split.x[column].astype(str).value_counts(normalize=True)
        mine = fake[column].astype(str).value_counts(normalize=True).reindex(real.index, fill_value=0.0)
        shapes.append(1.0 - 0.5 * float((real - mine).abs().sum() + (1.0 - mine.sum())))
        ratios.append(float(mine[real.idxmin()] / real.min()))
    if not shapes:
        return {key: None for key in DISCRETE_SCORES}
    return {"discrete_shape": statistics.mean(shapes), "rare_category_ratio": statistics.mean(ratios)}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = parse(p)
    steps, seeds = (QUICK_STEPS, QUICK_SEEDS) if args.quick else (STEPS, SEEDS)
    has_ctgan = importlib.util.find_spec("ctgan") is not None
    print(
        f"scigan {steps} steps, seeds {list(seeds)}; "
        + (
            f"CTGAN {CTGAN_EPOCHS[args.quick]} epochs included"
            if has_ctgan
            else "the ctgan package is not installed: CTGAN is not compared"
        )
    )
    modality = get_modality("tabular")
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in DATASETS:
            results[name] = {}
            for seed in seeds:
                data = modality.load(name)
                train_split, holdout = split_holdout(data, 0.1, seed)
                codec = modality.fit_codec(train_split, TrainConfig.from_flat(conditional="yes", seed=seed))
                scorer = modality.scorer(train_split, holdout, codec, device="cpu", log=quiet)
                fakes = {"scigan": fit_scigan(name, seed, Path(tmp), args.device, steps=steps)}
                if codec.condition_codes(train_split.x.iloc[:0])[1]:  # discrete columns besides the label
                    fakes["scigan, label-only conditions"] = fit_scigan(
                        name, seed, Path(tmp), args.device, steps=steps, condition_columns="label"
                    )
                if has_ctgan:
                    fakes["ctgan"] = fit_ctgan(train_split, CTGAN_EPOCHS[args.quick], seed)
                    # the goal's budget: a third of CTGAN's fit time, less scigan's set-up time
                    budget = max(fakes["ctgan"][1] / 3 - SET_UP[name], 1.0)
                    fakes["scigan, 1/3 of ctgan's time"] = fit_scigan(
                        name, seed, Path(tmp), args.device, steps=0, minutes=budget / 60
                    )
                fakes["gaussian copula"] = fit_copula(train_split, seed)
                for model, (fake, seconds) in fakes.items():
                    scores = scorer.full(fake, None, seed=seed)
                    results[name].setdefault(model, []).append(
                        {"fit_seconds": seconds, **{k: scores[k] for k in SCORES}, **discrete_scores(train_split, fake)}
                    )
                results[name].setdefault("real (train rows)", []).append(
                    {
                        "fit_seconds": 0.0,
                        "fidelity": scores["fidelity_real_floor"],
                        "detection_auc": scores["detection_auc_real"],
                        "utility_ratio": 1.0,
                        "dcr_closer_to_train_share": None,
                        "mia_auc": None,
                        **{k: None for k in DISCRETE_SCORES},
                    }
                )
                print(
                    f"{name} seed {seed}: "
                    + ", ".join(
                        f"{m} fidelity {r[-1]['fidelity']:.3f} AUC {r[-1]['detection_auc']:.3f} "
                        f"fit {r[-1]['fit_seconds']:.0f} s"
                        for m, r in results[name].items()
                    ),
                    flush=True,
                )

    rows, summary = [], {}
    for name, models in results.items():
        for model, runs in models.items():
            row = {"data": name, "model": model}
            for key in ("fit_seconds", *SCORES, *DISCRETE_SCORES):
                values = [r[key] for r in runs if r[key] is not None]
                row[key] = statistics.mean(values) if values else "—"
                if len(values) > 1:
                    row[key + "_sd"] = statistics.stdev(values)
            rows.append(row)
            slug = SLUGS[model]
            for key in ("fidelity", "detection_auc", "utility_ratio", "fit_seconds", *DISCRETE_SCORES):
                if row[key] != "—" and not (slug == "real" and key in ("fit_seconds", "utility_ratio")):
                    summary[f"{name}_{slug}_{key}"] = row[key]
        for mine in ("scigan", "scigan_third_of_ctgan_time"):
            for other in ("copula", "ctgan"):
                if f"{name}_{mine}_fidelity" in summary and f"{name}_{other}_fidelity" in summary:
                    summary[f"{name}_{mine}_beats_{other}_fidelity"] = (
                        summary[f"{name}_{mine}_fidelity"] > summary[f"{name}_{other}_fidelity"]
                    )
                    summary[f"{name}_{mine}_beats_{other}_detection"] = (
                        summary[f"{name}_{mine}_detection_auc"] < summary[f"{name}_{other}_detection_auc"]
                    )
            if has_ctgan:  # the goal: at most a third of CTGAN's fit time
                summary[f"{name}_{mine}_over_ctgan_fit_time"] = (
                    summary[f"{name}_{mine}_fit_seconds"] / summary[f"{name}_ctgan_fit_seconds"]
                )
    print()
    print(table(rows, ["data", "model", "fit_seconds", *SCORES, *DISCRETE_SCORES]))
    print(
        "\nfidelity: 1 is identical to the held-out rows; detection AUC: 0.5 is indistinguishable; "
        "utility ratio: TSTR / TRTR balanced accuracy; DCR share and membership AUC: 0.5 is ideal. "
        "'real (train rows)' is the same score for real training rows: the floor. "
        "discrete_shape: 1 - TV of the discrete columns besides the label against the training rows; "
        "rare_category_ratio: synthetic over training share of each such column's rarest category."
    )
    write_json(
        args.json,
        summary,
        config={"steps": steps, "seeds": list(seeds), "ctgan_epochs": CTGAN_EPOCHS[args.quick] if has_ctgan else None},
        rows=rows,
    )


if __name__ == "__main__":
    main()
