"""Every image architecture on Fashion-MNIST at the same wall-clock budget: dcgan (the
baseline column), dcgan with self-attention at 7×7 and at 14×14, resnet, progressive growing, the
style-based generator and LAPGAN. Each trains scigan's default recipe (conditional,
hinge loss, EMA) for the same minutes in one process, one after the other, and is
scored with the same feature extractor: FD beside the real-vs-real floor, KID, class
coverage, and training images/s.

The progressive model's schedule is set from the budget: ``grow_images`` is 1/8 of the
images dcgan trained on in the same budget, so it reaches 28×28 at about half of it.

    python benchmarks/architectures.py [--minutes 2] [--quick] [--threads 1] [--json out.json]

The full run (2 minutes each, 5000 samples scored) takes about 22 minutes on 2 cores.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, table, write_json
from quality_at_budget import score
from scigan.config import TrainConfig
from scigan.metrics.scorer import Scorer
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.runs import open_run
from scigan.workflows.generator import load_generator
from scigan.workflows.train import train

#: (row name, train options); the first row is the baseline the others are compared with.
CONTENDERS = [
    ("dcgan", {"model": "dcgan"}),
    ("dcgan+attention7", {"model": "dcgan", "attention": 7}),
    ("dcgan+attention14", {"model": "dcgan", "attention": 14}),
    ("resnet", {"model": "resnet"}),
    ("progressive", {"model": "progressive"}),
    ("stylegan", {"model": "stylegan"}),
    ("lapgan", {"model": "lapgan"}),
]


def run(out: Path, minutes: float, device: str, **options) -> tuple[torch.nn.Module, dict]:
    """Train for ``minutes`` with ``options``; the sampling G and its training facts."""
    config = TrainConfig.from_flat(
        data="fashion-mnist",
        steps=0,
        minutes=minutes,
        eval_every=0,
        sample_every=0,
        checkpoint_every=100_000,
        device=device,
        progress=False,
    ).with_overrides(**options)
    _, result = train(config, out, overwrite=True, log=lambda s: None)
    G, _ = load_generator(open_run(out), "latest", device)
    return G, {
        "steps": result.step,
        "images": result.images,
        "seconds": result.seconds,
        "images_per_s": result.images / result.seconds,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=2.0, help="training budget per architecture (default 2)")
    args = parse(p)
    minutes = 0.1 if args.quick else args.minutes
    n = 1000 if args.quick else 5000
    device = "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    modality = get_modality("images")
    train_split, holdout = split_holdout(modality.load("fashion-mnist"), 0.1, 0)
    scorer = Scorer(modality, train_split, holdout, device=device, log=print)
    z_dim = TrainConfig().z_dim

    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as work:  # the runs (about 130 MB) are removed at the end
        for name, options in CONTENDERS:
            if options["model"] == "progressive":
                options = {**options, "grow_images": max(rows[0]["images"] // 8, 64)}
            G, facts = run(Path(work) / name, minutes, device, **options)
            scores = score(scorer, modality, G, n, z_dim)
            row = {"model": name, "minutes": minutes, **facts, **scores}
            base = rows[0] if rows else row
            row["fd_vs_dcgan"] = row["fd"] / base["fd"]
            row["speed_vs_dcgan"] = row["images_per_s"] / base["images_per_s"]
            rows.append(row)
            print(
                f"{name}: FD {row['fd']:.2f} (floor {row['fd_real_floor']:.2f}), {row['images_per_s']:.0f} images/s",
                flush=True,
            )
    columns = [
        "model",
        "steps",
        "images_per_s",
        "speed_vs_dcgan",
        "fd",
        "fd_vs_dcgan",
        "fd_real_floor",
        "kid",
        "precision",
        "recall",
        "class_coverage",
    ]
    print(table(rows, columns))
    best = min(rows, key=lambda r: r["fd"])
    summary = {
        "minutes": minutes,
        "n": n,
        "fd_real_floor": rows[0]["fd_real_floor"],
        "best_model": best["model"],
        **{f"fd_{r['model']}": r["fd"] for r in rows},
        **{f"images_per_s_{r['model']}": r["images_per_s"] for r in rows},
    }
    write_json(args.json, summary, rows=rows)


if __name__ == "__main__":
    main()
