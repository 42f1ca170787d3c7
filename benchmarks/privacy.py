"""What differential privacy costs: scigan's default model on breast-cancer (tables) and
digits (8×8 images) trained for the same number of steps at ε ∈ {1, 3, 10} and without DP
(ε = ∞, the baseline row), one after the other in one process, each scored by
``scigan evaluate``'s own code against the same held-out rows: quality (the table's utility
ratio TSTR / TRTR and detection AUC; the images' FD and label accuracy, the share of
conditional samples the in-domain classifier gives their class), the membership
attacks (LOGAN with the run's discriminator, DOMIAS; 0.5 is ideal), the exact-copy
share, the ε actually spent and the training seconds (time ratio to ε = ∞).

    python benchmarks/privacy.py [--quick] [--json bench-results/privacy.json]

The full run takes about 12 minutes on 2 cores; --quick trains a tenth of the steps.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from common import parse, parser, quiet, table, write_json
from scigan.config import TrainConfig
from scigan.workflows.evaluate import evaluate
from scigan.workflows.train import train

#: ε of each row; ∞ is the non-private baseline.
EPSILONS = (math.inf, 10.0, 3.0, 1.0)
#: Generator steps per data set: full run, then --quick.
STEPS = {"breast-cancer": (1500, 150), "digits": (1000, 100)}
#: Quality scores reported per data set, beside the privacy ones.
QUALITY = {"breast-cancer": ("utility_ratio", "detection_auc"), "digits": ("fd", "label_accuracy")}
PRIVACY = ("mia_auc_logan", "mia_auc_domias", "exact_copy_share", "dp_epsilon", "dp_delta")


def eps_name(epsilon: float) -> str:
    """ "inf" for ∞, else ε as written."""
    return "inf" if math.isinf(epsilon) else f"{epsilon:g}"


def one_run(data: str, epsilon: float, steps: int, out: Path, device: str) -> dict[str, Any]:
    """Train ``data`` for ``steps`` at ``epsilon`` (∞: no DP) and return its scores and seconds."""
    config = TrainConfig.from_flat(
        data=data,
        steps=steps,
        eval_every=0,
        sample_every=0,
        checkpoint_every=100_000,
        device=device,
        progress=False,
        dp_epsilon=0.0 if math.isinf(epsilon) else epsilon,
    )
    start = time.perf_counter()
    train(config, str(out), overwrite=True, log=quiet)
    seconds = time.perf_counter() - start
    scores = evaluate(str(out), log=quiet)
    keys = QUALITY[data] + PRIVACY
    return {"data": data, "epsilon": epsilon, "steps": steps, "seconds": seconds, **{k: scores.get(k) for k in keys}}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = parse(p)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for data, (full, quick) in STEPS.items():
            for epsilon in EPSILONS:
                name = eps_name(epsilon)
                row = one_run(data, epsilon, quick if args.quick else full, Path(tmp) / f"{data}-{name}", args.device)
                rows.append(row)
                print(f"{data} ε={name}: {row['seconds']:.0f} s", flush=True)
    for row in rows:
        base = next(r for r in rows if r["data"] == row["data"] and math.isinf(r["epsilon"]))
        row["time_ratio"] = row["seconds"] / base["seconds"]
    columns = ["data", "epsilon", "dp_epsilon", *sorted({k for q in QUALITY.values() for k in q})]
    columns += ["mia_auc_logan", "mia_auc_domias", "exact_copy_share", "seconds", "time_ratio"]
    print(table([{k: ("∞" if k == "epsilon" and math.isinf(v) else v) for k, v in r.items()} for r in rows], columns))
    summary = {
        f"{r['data'].replace('-', '_')}_eps_{eps_name(r['epsilon'])}_{key}": r[key]
        for r in rows
        for key in (*QUALITY[r["data"]], "mia_auc_logan", "mia_auc_domias", "dp_epsilon", "time_ratio")
    }
    write_json(
        args.json, summary, runs=[{**r, "epsilon": None if math.isinf(r["epsilon"]) else r["epsilon"]} for r in rows]
    )


if __name__ == "__main__":
    main()
