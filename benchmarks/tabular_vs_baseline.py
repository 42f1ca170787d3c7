"""Tables: scigan's CTGAN-style GAN beside a Gaussian-copula baseline (and SDV's CTGAN
when SDV happens to be installed; it is never a dependency), on breast-cancer and
gbsg2, fitted on the same training split in the same run and scored by the same code
against the same held-out rows: fidelity (SDMetrics-style quality), detection AUC
(0.5 is ideal), utility (TSTR / TRTR), privacy (DCR share, membership AUC), fit time.

    python benchmarks/tabular_vs_baseline.py [--quick] [--json bench-results/tabular.json]
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
from common import parser, table, write_json  # noqa: E402
from copula import GaussianCopula  # noqa: E402

from scigan.config import TrainConfig  # noqa: E402
from scigan.modalities import get_modality  # noqa: E402
from scigan.modalities.base import split_holdout  # noqa: E402
from scigan.workflows.run import generate, load_generator  # noqa: E402
from scigan.workflows.train import train  # noqa: E402

DATASETS = ("breast-cancer", "gbsg2")
#: Generator steps and seeds: full run, then --quick.
STEPS, SEEDS = 6000, (0, 1, 2)
QUICK_STEPS, QUICK_SEEDS = 3000, (0,)
#: SDV CTGAN epochs (full, quick), when SDV is installed.
CTGAN_EPOCHS = (300, 50)
SCORES = ("fidelity", "detection_auc", "utility_ratio", "dcr_closer_to_train_share", "mia_auc")


def _quiet(_: str) -> None:
    return None


def fit_scigan(name: str, seed: int, steps: int, folder: Path, device: str) -> tuple[Any, float]:
    """Train scigan on ``name``; the synthetic training-sized table and the fit seconds."""
    config = TrainConfig(data=name, steps=steps, seed=seed, eval_every=0, sample_every=0, progress=False,
                         device=device)
    start = time.perf_counter()
    run, _ = train(config, folder / f"{name}-{seed}", log=_quiet)
    seconds = time.perf_counter() - start
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


def fit_ctgan(train_split: Any, epochs: int) -> tuple[Any, float]:
    """SDV's CTGAN on the same rows; its synthetic table and the fit seconds."""
    from sdv.metadata import SingleTableMetadata
    from sdv.single_table import CTGANSynthesizer

    metadata = SingleTableMetadata()
    metadata.detect_from_dataframe(train_split.x)
    start = time.perf_counter()
    model = CTGANSynthesizer(metadata, epochs=epochs)
    model.fit(train_split.x)
    seconds = time.perf_counter() - start
    return model.sample(len(train_split)), seconds


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args()
    steps, seeds = (QUICK_STEPS, QUICK_SEEDS) if args.quick else (STEPS, SEEDS)
    has_sdv = importlib.util.find_spec("sdv") is not None
    print(f"scigan {steps} steps, seeds {list(seeds)}; "
          + ("SDV CTGAN included" if has_sdv else "SDV is not installed: CTGAN is not compared"))
    modality = get_modality("tabular")
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in DATASETS:
            results[name] = {"scigan": [], "gaussian copula": [], "real (train rows)": []}
            if has_sdv:
                results[name]["sdv ctgan"] = []
            for seed in seeds:
                data = modality.load(name)
                train_split, holdout = split_holdout(data, 0.1, seed)
                codec = modality.fit_codec(train_split, TrainConfig(conditional="yes", seed=seed))
                scorer = modality.scorer(train_split, holdout, codec, device="cpu", log=_quiet)
                fakes = {"scigan": fit_scigan(name, seed, steps, Path(tmp), args.device),
                         "gaussian copula": fit_copula(train_split, seed)}
                if has_sdv:
                    fakes["sdv ctgan"] = fit_ctgan(train_split, CTGAN_EPOCHS[args.quick])
                for model, (fake, seconds) in fakes.items():
                    scores = scorer.full(fake, None, seed=seed)
                    results[name][model].append({"fit_seconds": seconds, **{k: scores[k] for k in SCORES}})
                results[name]["real (train rows)"].append({
                    "fit_seconds": 0.0, "fidelity": scores["fidelity_real_floor"],
                    "detection_auc": scores["detection_auc_real"], "utility_ratio": 1.0,
                    "dcr_closer_to_train_share": None, "mia_auc": None})
                print(f"{name} seed {seed}: " + ", ".join(
                    f"{m} fidelity {r[-1]['fidelity']:.3f} AUC {r[-1]['detection_auc']:.3f}" for m, r in results[name].items()))

    rows, summary = [], {}
    for name, models in results.items():
        for model, runs in models.items():
            row = {"data": name, "model": model}
            for key in ("fit_seconds", *SCORES):
                values = [r[key] for r in runs if r[key] is not None]
                row[key] = statistics.mean(values) if values else "—"
                if len(values) > 1:
                    row[key + "_sd"] = statistics.stdev(values)
            rows.append(row)
            slug = model.split(" ")[-1] if model != "real (train rows)" else "real"
            for key in ("fidelity", "detection_auc", "utility_ratio", "fit_seconds"):
                if row[key] != "—" and not (slug == "real" and key in ("fit_seconds", "utility_ratio")):
                    summary[f"{name}_{slug}_{key}"] = row[key]
        summary[f"{name}_scigan_beats_copula_fidelity"] = (
            summary[f"{name}_scigan_fidelity"] > summary[f"{name}_copula_fidelity"])
        summary[f"{name}_scigan_beats_copula_detection"] = (
            summary[f"{name}_scigan_detection_auc"] < summary[f"{name}_copula_detection_auc"])
    print()
    print(table(rows, ["data", "model", "fit_seconds", *SCORES]))
    print("\nfidelity: 1 is identical to the held-out rows; detection AUC: 0.5 is indistinguishable; "
          "utility ratio: TSTR / TRTR balanced accuracy; DCR share and membership AUC: 0.5 is ideal. "
          "'real (train rows)' is the same score for real training rows: the floor.")
    write_json(args.json, summary, config={"steps": steps, "seeds": list(seeds), "sdv": has_sdv}, rows=rows)


if __name__ == "__main__":
    main()
