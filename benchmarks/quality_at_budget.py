"""Quality at a fixed wall-clock budget on Fashion-MNIST: the plain PyTorch loop
(baseline.py) and scigan's default recipe each train for the same minutes, then both are
scored with the same feature extractor: FD beside the real-vs-real floor, KID, class
coverage. With --precision-check it also trains scigan for a fixed number of steps in
fp32 and in bf16 (two seeds each) to show bf16 leaves FD at equal steps unchanged.

    python benchmarks/quality_at_budget.py [--minutes 10] [--quick] [--json out.json]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from baseline import BaselineLoop
from common import parse, parser, table, write_json
from scigan.config import TrainConfig
from scigan.metrics.scorer import Scorer
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.modalities.images.modality import ImageCodec
from scigan.nets import NetSpec, build
from scigan.runs import open_run
from scigan.workflows.generator import generate, load_generator
from scigan.workflows.train import train


def score(scorer: Scorer, modality, G: torch.nn.Module, n: int, z_dim: int) -> dict:
    """The full metric set of generator ``G`` on ``n`` samples, conditional on the
    holdout's label proportions."""
    labels = scorer.fake_labels(n, seed=0)
    x = ImageCodec().decode(generate(G, n, z_dim=z_dim, labels=labels, seed=0))
    return scorer.full(x, labels, seed=0)


def run_baseline(train_split, minutes: float, device: str) -> tuple[torch.nn.Module, int]:
    """Train the plain loop for ``minutes`` on the same conditional DCGAN; returns G, steps."""
    torch.manual_seed(0)
    config = TrainConfig()
    G, D = build("dcgan", NetSpec(size=28, channels=1, num_classes=10, z_dim=config.z_dim, width=config.width))
    loop = BaselineLoop(
        G,
        D,
        torch.from_numpy(train_split.x),
        torch.from_numpy(train_split.y),
        config.batch_size,
        config.z_dim,
        device=device,
    )
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < minutes * 60:
        loop.step()
        steps += 1
    return G, steps


def run_scigan(out: Path, **options) -> tuple[torch.nn.Module, int]:
    """Train scigan's default recipe with ``options``; returns its sampling G and steps."""
    config = TrainConfig.from_flat(data="fashion-mnist", progress=False).with_overrides(**options)
    _, result = train(config, out, overwrite=True, log=lambda s: None)
    G, _ = load_generator(open_run(out), "latest")
    return G, result.step


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0, help="budget per contender (default 10)")
    p.add_argument("--precision-check", action="store_true", help="also compare fp32 and bf16 at equal steps")
    p.add_argument("--steps", type=int, default=1500, help="steps per run of the precision check")
    p.add_argument("--skip-budget", action="store_true", help="run only the precision check (implies it)")
    args = parse(p)
    minutes = 1.0 if args.quick else args.minutes
    n = 2000 if args.quick else 10_000
    device = "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    modality = get_modality("images")
    data = modality.load("fashion-mnist")
    train_split, holdout = split_holdout(data, 0.1, 0)
    scorer = Scorer(modality, train_split, holdout, device=device, log=print)
    work = Path(tempfile.mkdtemp())
    z_dim = TrainConfig().z_dim

    rows, summary = [], {"minutes": minutes, "n": n}
    if not args.skip_budget:
        G, steps = run_baseline(train_split, minutes, device)
        rows.append(
            {"contender": "baseline", "minutes": minutes, "steps": steps, **score(scorer, modality, G, n, z_dim)}
        )
        G, steps = run_scigan(work / "scigan", steps=0, minutes=minutes, device=device, eval_every=0)
        rows.append({"contender": "scigan", "minutes": minutes, "steps": steps, **score(scorer, modality, G, n, z_dim)})
        columns = [
            "contender",
            "minutes",
            "steps",
            "fd",
            "fd_real_floor",
            "kid",
            "precision",
            "recall",
            "coverage",
            "class_coverage",
            "label_accuracy",
        ]
        print(table(rows, columns))
        summary.update(
            {
                "fd_ratio_at_budget": rows[1]["fd"] / rows[0]["fd"],
                "fd_baseline": rows[0]["fd"],
                "fd_scigan": rows[1]["fd"],
                "fd_real_floor": rows[0]["fd_real_floor"],
                "class_coverage_baseline": rows[0]["class_coverage"],
                "class_coverage_scigan": rows[1]["class_coverage"],
            }
        )
        print(
            f"FD at {minutes:g} min: scigan {summary['fd_scigan']:.2f}, baseline {summary['fd_baseline']:.2f} "
            f"(ratio {summary['fd_ratio_at_budget']:.2f}; floor {summary['fd_real_floor']:.2f})"
        )
    checks = []
    if args.precision_check or args.skip_budget:
        steps = 200 if args.quick else args.steps
        for precision in ("fp32", "bf16"):
            for seed in (0, 1):
                started = time.perf_counter()
                G, _ = run_scigan(
                    work / f"{precision}-{seed}",
                    steps=steps,
                    precision=precision,
                    seed=seed,
                    eval_every=0,
                    device=device,
                )
                seconds = time.perf_counter() - started
                checks.append(
                    {
                        **score(scorer, modality, G, n, z_dim),
                        "arithmetic": precision,
                        "seed": seed,
                        "steps": steps,
                        "seconds": seconds,
                    }
                )
        print(table(checks, ["arithmetic", "seed", "steps", "seconds", "fd", "kid", "class_coverage"]))
        for precision in ("fp32", "bf16"):
            fds = [c["fd"] for c in checks if c["arithmetic"] == precision]
            summary[f"fd_equal_steps_{precision}"] = float(np.mean(fds))
            summary[f"fd_equal_steps_{precision}_spread"] = float(np.ptp(fds))
    write_json(args.json, summary, rows=rows, precision_check=checks)


if __name__ == "__main__":
    main()
