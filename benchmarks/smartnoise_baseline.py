"""SmartNoise's DP-CTGAN or AIM on one table, for benchmarks/privacy.py's baseline rows.

Runs in its own environment (``smartnoise-synth`` pins opacus < 0.15, which cannot sit
beside scigan's opacus 1.6), so it imports neither scigan nor anything of this folder:

    python -m venv .venv-smartnoise
    .venv-smartnoise/bin/pip install torch==2.13.0 smartnoise-synth scikit-learn packaging
    .venv-smartnoise/bin/python benchmarks/smartnoise_baseline.py --synth dpctgan \
        --epsilon 3 --delta 1e-5 --bounds bounds.json --label target train.csv out.csv

The bounds file is the one scigan's private codec reads (``--dp-bounds``: column ->
[low, high], or the label's categories); every numeric column is given its public
bounds, so SmartNoise spends no ε on preprocessing and the whole budget on training,
as scigan does. DP-CTGAN takes SmartNoise's defaults except the batch (at most half the
rows: Poisson sampling at rate 1 would spend the budget in a few steps); AIM bins every
numeric column into ``--bins`` equal-width bins between its bounds and samples bin
midpoints. Writes ``--rows`` synthetic rows (default: as many as the input) as CSV.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def constraints(bounds: dict, frame: pd.DataFrame, label: str, synth: str, bins: int) -> dict:
    """SmartNoise transformers for every numeric column from its public [low, high]."""
    from snsynth.transform import BinTransformer, MinMaxTransformer

    out = {}
    for column in frame.columns:
        if column == label:
            continue
        low, high = (float(v) for v in bounds[column])
        if synth == "aim":
            out[column] = BinTransformer(bins=bins, lower=low, upper=high)
        else:
            out[column] = MinMaxTransformer(lower=low, upper=high, negative=True)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("train", help="CSV of the training rows")
    p.add_argument("out", help="CSV to write the synthetic rows to")
    p.add_argument("--synth", choices=("dpctgan", "aim"), required=True)
    p.add_argument("--epsilon", type=float, required=True)
    p.add_argument("--delta", type=float, required=True)
    p.add_argument("--bounds", required=True, help="JSON: column -> [low, high] (numbers) or categories (label)")
    p.add_argument("--label", required=True, help="the label column (categorical)")
    p.add_argument("--rows", type=int, default=0, help="rows to write (default: as many as the input)")
    p.add_argument("--bins", type=int, default=10, help="AIM: bins per numeric column")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    import torch
    from snsynth import Synthesizer

    np.random.seed(args.seed)  # noqa: NPY002 (SmartNoise draws from numpy's global generator)
    torch.manual_seed(args.seed)
    frame = pd.read_csv(args.train)
    bounds = json.loads(Path(args.bounds).read_text())
    numeric = [c for c in frame.columns if c != args.label]
    for column in numeric:  # SmartNoise's transformers fail on values outside the bounds
        frame[column] = frame[column].clip(*bounds[column])
    if args.synth == "dpctgan":
        batch = 2 * max(1, min(250, len(frame) // 4))
        synth = Synthesizer.create("dpctgan", epsilon=args.epsilon, delta=args.delta, batch_size=batch, verbose=False)
    else:
        synth = Synthesizer.create("aim", epsilon=args.epsilon, delta=args.delta, verbose=False)
    start = time.perf_counter()
    synth.fit(
        frame,
        transformer=constraints(bounds, frame, args.label, args.synth, args.bins),
        categorical_columns=[args.label],
        continuous_columns=numeric if args.synth == "dpctgan" else [],
        ordinal_columns=[] if args.synth == "dpctgan" else numeric,
        preprocessor_eps=0.0,
    )
    fake = pd.DataFrame(synth.sample(args.rows or len(frame)), columns=frame.columns)
    fake.to_csv(args.out, index=False)
    # DP-CTGAN checks its accountant before each epoch and stops once it is over ε, so
    # its last value (what the released model spent) can exceed the target; AIM spends ε.
    spent = synth.epsilon_list[-1] if args.synth == "dpctgan" else args.epsilon
    print(json.dumps({"seconds": time.perf_counter() - start, "epsilon": float(spent), "rows": len(fake)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
