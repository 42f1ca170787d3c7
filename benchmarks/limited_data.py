"""GANs on little data: Fashion-MNIST with 1 %, 10 % and 100 % of its training set,
each trained with and without the limited-data options (DiffAugment with the ADA
controller) for the same number of steps, all scored with one feature extractor
(trained on the full training set) against the test split: FD beside the real-vs-real
floor at the same n, KID, class coverage, and the ADA probability p reached.

    python benchmarks/limited_data.py [--quick] [--steps 1500] [--json out.json]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, table, write_json
from scigan.config import TrainConfig
from scigan.metrics.scorer import Scorer
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.workflows.sample import sample
from scigan.workflows.train import train

FRACTIONS = (0.01, 0.1, 1.0)


def subset_rows(y: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    """A stratified ``fraction`` of the rows of labels ``y`` (N,), drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    rows = [rng.permutation(np.flatnonzero(y == c))[: round(fraction * (y == c).sum())] for c in np.unique(y)]
    return np.sort(np.concatenate(rows))


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1500, help="GAN steps per setting (default 1500)")
    p.add_argument("--n", type=int, default=5000, help="samples scored per setting (default 5000)")
    args = parse(p)
    steps, n = (60, 1000) if args.quick else (args.steps, args.n)
    device = "cpu" if args.device == "auto" else args.device
    modality = get_modality("images")
    data = modality.load("fashion-mnist")
    train_split, test = split_holdout(data, 0.1, 0)  # the test split: never trained on
    scorer = Scorer(modality, train_split, test, device=device, log=print)
    work = Path(tempfile.mkdtemp())
    train_rows = np.flatnonzero(~data.test_mask)
    rows = []
    for fraction in FRACTIONS:
        keep = train_rows[subset_rows(data.y[train_rows], fraction)]
        subset = data.subset(np.sort(np.concatenate([keep, np.flatnonzero(data.test_mask)])))
        for limited in ("no", "yes"):
            out = work / f"{fraction}-{limited}"
            config = TrainConfig.from_flat(
                data="fashion-mnist",
                steps=steps,
                limited_data=limited,
                eval_every=0,
                sample_every=steps,
                checkpoint_every=steps,
                device=device,
                progress=False,
            )
            started = time.perf_counter()
            train(config, out, dataset=subset if fraction < 1 else None, log=lambda s: None)
            seconds = time.perf_counter() - started
            fake = sample(out, n, seed=1)
            scores = scorer.full(fake.x, fake.y, seed=0)
            last = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])
            rows.append(
                {
                    "train images": len(keep),
                    "limited-data": limited,
                    "steps": steps,
                    "seconds": seconds,
                    "fd": scores["fd"],
                    "fd_real_floor": scores["fd_real_floor"],
                    "kid": scores["kid"],
                    "class_coverage": scores["class_coverage"],
                    "label_accuracy": scores["label_accuracy"],
                    "ada_p": last.get("ada/p", 0.0),
                }
            )
            print(table(rows[-1:], list(rows[-1])))
    print(table(rows, list(rows[0])))
    summary = {"steps": steps, "n": n}
    for fraction, i in zip(FRACTIONS, range(0, len(rows), 2)):
        tag = f"{fraction * 100:g}pct"
        off, on = rows[i], rows[i + 1]
        summary.update(
            {
                f"fd_{tag}_without": off["fd"],
                f"fd_{tag}_with": on["fd"],
                f"fd_{tag}_ratio": on["fd"] / off["fd"],
                f"fd_floor_{tag}": off["fd_real_floor"],
                f"ada_p_{tag}": on["ada_p"],
            }
        )
    write_json(args.json, summary, rows=rows)


if __name__ == "__main__":
    main()
