"""Speed and memory of the full evaluation (FD, KID, PRDC, class coverage, per-class FD)
on 10k generated vs 10k real Fashion-MNIST images, beside a textbook implementation of
the same metrics (scipy.linalg.sqrtm for FD, full pairwise-distance matrices for PRDC as
the reference `prdc` package computes them). Without --quick it also times scigan's PRDC
on 50k × 50k features, where full matrices would need ~30 GB.

    python benchmarks/evaluate_speed.py [--quick] [--json out.json]
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, table, write_json
from scigan.metrics import fidelity
from scigan.metrics.scorer import Scorer
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.modalities.images.modality import ImageCodec
from scigan.nets import NetSpec, build
from scigan.workflows.generator import generate


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def textbook_metrics(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    """FD with scipy's sqrtm, and PRDC from full distance matrices (the reference way)."""
    from scipy import linalg
    from sklearn.metrics import pairwise_distances

    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2).real
    fd = float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))
    rr = pairwise_distances(real, real)
    ff = pairwise_distances(fake, fake)
    rf = pairwise_distances(real, fake)
    r_radii = np.partition(rr, k, axis=1)[:, k]
    f_radii = np.partition(ff, k, axis=1)[:, k]
    inside = rf < r_radii[:, None]
    return {
        "fd": fd,
        "precision": float(inside.any(axis=0).mean()),
        "recall": float((rf < f_radii[None, :]).any(axis=1).mean()),
        "density": float(inside.sum(axis=0).mean() / k),
        "coverage": float((rf.min(axis=1) < r_radii).mean()),
    }


def main() -> None:
    args = parse(parser(__doc__.splitlines()[0]))
    n = 2000 if args.quick else 10_000
    device = "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    modality = get_modality("images")
    train_split, holdout = split_holdout(modality.load("fashion-mnist"), 0.1, 0)
    rows = []

    start = time.perf_counter()
    scorer = Scorer(modality, train_split, holdout, device=device, log=print)
    torch.manual_seed(0)
    G, _ = build("dcgan", NetSpec(size=28, channels=1, num_classes=10, width=32))
    labels = scorer.fake_labels(n, seed=0)
    fake_x = ImageCodec().decode(generate(G.to(device), n, z_dim=128, labels=labels, seed=0))
    prepared = time.perf_counter() - start
    start = time.perf_counter()
    scores = scorer.full(fake_x, labels, seed=0)
    ours = time.perf_counter() - start
    rows.append(
        {
            "implementation": "scigan",
            "n": n,
            "seconds": ours,
            "peak_rss_mb": peak_rss_mb(),
            "fd": scores["fd"],
            "precision": scores["precision"],
            "coverage": scores["coverage"],
        }
    )

    real = scorer.extractor.features(holdout.x[:n])
    fake = scorer.extractor.features(fake_x)
    start = time.perf_counter()
    ref = textbook_metrics(real, fake)
    rows.append(
        {
            "implementation": "textbook",
            "n": n,
            "seconds": time.perf_counter() - start,
            "peak_rss_mb": peak_rss_mb(),
            **{k: ref[k] for k in ("fd", "precision", "coverage")},
        }
    )
    print(f"(extractor, generator and {n} samples prepared in {prepared:.1f} s, not counted)")
    print(table(rows, ["implementation", "n", "seconds", "peak_rss_mb", "fd", "precision", "coverage"]))
    summary = {
        f"evaluate_seconds_{n // 1000}k": round(ours, 2),
        f"textbook_seconds_{n // 1000}k": round(rows[1]["seconds"], 2),
        "peak_rss_mb": round(rows[0]["peak_rss_mb"], 1),
    }
    if not args.quick:
        big = np.random.default_rng(0).standard_normal((50_000, 128)).astype(np.float32)
        start = time.perf_counter()
        fidelity.prdc(big, big + 0.1)
        summary["prdc_seconds_50k"] = round(time.perf_counter() - start, 1)
        summary["peak_rss_mb_after_50k"] = round(peak_rss_mb(), 1)
        print(f"PRDC at 50k × 50k: {summary['prdc_seconds_50k']} s, peak RSS {summary['peak_rss_mb_after_50k']} MB")
    write_json(args.json, summary, rows=rows)


if __name__ == "__main__":
    main()
