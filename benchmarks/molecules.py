"""Molecules: MolGAN on qm9 and LatentGAN on a moses subset beside a character n-gram
model on SMILES (the MOSES "NGram" baseline), fitted on the same training split in the
same run and scored by the same code against the same holdout with the MOSES metrics
(validity, unique@10k, novelty, IntDiv, FCD, SNN, Frag, Scaf, filters, property
Wasserstein distances), each beside its real-vs-real floor. Then MolGAN with
``--reward qed`` against the same run without it: does mean QED rise, and uniqueness hold?

    python benchmarks/molecules.py [--quick] [--threads 1] [--json bench-results/molecules.json]
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
from scigan.config import TrainConfig
from scigan.modalities import get_modality
from scigan.modalities.base import split_run
from scigan.modalities.molecules.codec import GraphCodec
from scigan.modalities.molecules.ngram import SmilesNGram
from scigan.modalities.molecules.properties import molecular_properties
from scigan.workflows.generator import generate, load_generator
from scigan.workflows.train import train

#: Per data set: its model, CPU minutes of GAN training (the target's budget is 30 in
#: all), the autoencoder's minutes (latentgan) and the samples scored; then --quick.
PLAN: dict[str, dict[str, Any]] = {
    "qm9": {"model": "molgan", "minutes": 10.0, "ae_minutes": 0.0, "n": 10_000},
    "moses": {"model": "latentgan", "minutes": 8.0, "ae_minutes": 20.0, "n": 10_000},
}
QUICK: dict[str, dict[str, Any]] = {
    "qm9": {"model": "molgan", "minutes": 0.5, "ae_minutes": 0.0, "n": 1000},
    "moses": {"model": "latentgan", "minutes": 0.3, "ae_minutes": 0.5, "n": 1000},
}
#: Minutes of the two MolGAN runs that compare --reward qed with no reward.
REWARD_MINUTES, QUICK_REWARD_MINUTES = 6.0, 0.3
SCORES = (
    "validity",
    "uniqueness",
    "novelty",
    "int_div",
    "fcd",
    "snn",
    "frag",
    "scaf",
    "filters",
    "qed_w",
    "sa_w",
    "logp_w",
    "mw_w",
)
FLOORS = {k: f"{k}_floor" for k in ("int_div", "snn", "frag", "scaf", "filters", "qed_w", "sa_w", "logp_w", "mw_w")}
FLOORS["fcd"] = "fcd_real_floor"
#: Scores where higher is better (the rest: lower), for "beats the n-gram".
HIGHER = {"validity", "uniqueness", "novelty", "int_div", "snn", "frag", "scaf", "filters"}


def trained(
    name: str, plan: dict[str, Any], device: str, folder: Path, seed: int, **extra: Any
) -> tuple[Any, Any, float]:
    """Train ``plan['model']`` on built-in ``name`` for ``plan['minutes']`` into ``folder``; (run, result, seconds)."""
    config = TrainConfig.from_flat(
        data=name,
        model=plan["model"],
        steps=0,
        minutes=plan["minutes"],
        seed=seed,
        progress=False,
        device=device,
        ae_minutes=plan["ae_minutes"],
        ae_steps=0,
        **extra,
    )
    start = time.perf_counter()
    run, result = train(config, folder, log=quiet)
    return run, result, time.perf_counter() - start


def sampled(run: Any, codec: Any, n: int, device: str, seed: int) -> tuple[np.ndarray, Any, Any]:
    """``n`` molecules of the run's chosen checkpoint, the latents they came from and the checkpoint's state."""
    G, state = load_generator(run, "auto", device)
    z = generate(G, n, z_dim=run.config.z_dim, labels=None, seed=seed)
    return codec.decode(z), z, state


def one_set(name: str, plan: dict[str, Any], device: str, work: Path, seed: int = 0) -> tuple[list[dict], dict]:
    """Train scigan's model on ``name``, fit the n-gram on the same training split, score
    both against the holdout; returns the table rows and a summary."""
    modality = get_modality("molecules")
    run, result, gan_seconds = trained(name, plan, device, work / name, seed)
    cfg = run.config
    splits = split_run(modality.read(cfg), cfg.holdout, cfg.validation, cfg.seed)
    codec = modality.load_codec(run.path, run.data)
    scorer = modality.scorer(splits.train, splits.holdout, codec, device="cpu", log=quiet)
    n = plan["n"]
    fake, z, state = sampled(run, codec, n, device, seed)
    fakes = {f"scigan {plan['model']}": fake}
    extra: dict[str, Any] = {}
    if isinstance(codec, GraphCodec) and codec.correct:  # the graphs as generated, before repair
        raw = GraphCodec(codec.types, codec.max_atoms, correct=False).decode(z)
        extra["validity_raw"] = float(np.mean([bool(s) for s in raw]))
    start = time.perf_counter()
    ngram = SmilesNGram().fit(list(splits.train.x))
    fakes["ngram"] = np.array(ngram.sample(n, seed=seed), dtype=object)
    ngram_seconds = time.perf_counter() - start
    rows, summary = [], {}
    scores: dict[str, Any] = {}
    for model, x in fakes.items():
        scores = scorer.full(x, None, seed=seed)
        seconds = gan_seconds if model.startswith("scigan") else ngram_seconds
        rows.append({"data": name, "model": model, "fit_seconds": seconds, **{k: scores.get(k) for k in SCORES}})
        key = "scigan" if model.startswith("scigan") else "ngram"
        for k in (*SCORES, "fit_seconds"):
            summary[f"{name}_{key}_{k}"] = rows[-1][k]
    rows.append(
        {"data": name, "model": "real (train)", "fit_seconds": 0.0, **{k: scores.get(v) for k, v in FLOORS.items()}}
    )
    summary.update({f"{name}_floor_{k}": scores.get(v) for k, v in FLOORS.items()})
    summary.update({f"{name}_scigan_{k}": v for k, v in extra.items()})
    summary[f"{name}_scigan_steps"] = result.step
    summary[f"{name}_scigan_sampled_step"] = int(state["step"])
    summary[f"{name}_n"] = n
    for k in ("reconstruction", "steps", "seconds"):
        if k in run.data:
            summary[f"{name}_autoencoder_{k}"] = run.data[k]
    beats = [
        k
        for k in SCORES
        if k != "novelty"
        and summary[f"{name}_scigan_{k}"] is not None
        and summary[f"{name}_ngram_{k}"] is not None
        and (
            summary[f"{name}_scigan_{k}"] > summary[f"{name}_ngram_{k}"]
            if k in HIGHER
            else summary[f"{name}_scigan_{k}"] < summary[f"{name}_ngram_{k}"]
        )
    ]
    summary[f"{name}_scigan_beats_ngram_on"] = beats
    print(
        f"{name}: {len(splits.train)} training, {len(splits.validation)} validation and {len(splits.holdout)} "
        f"held-out molecules; {plan['model']} trained {plan['minutes']:g} min ({result.step} steps"
        + (f", autoencoder {plan['ae_minutes']:g} min" if plan["ae_minutes"] else "")
        + f"), sampled from step {state['step']} (best quick FCD on the validation split); n = {n}"
        + (f"; validity before valence repair {extra['validity_raw']:.3f}" if extra else "")
    )
    return rows, summary


def reward(minutes: float, device: str, work: Path, n: int, seed: int = 0) -> tuple[list[dict], dict]:
    """MolGAN on qm9 with and without ``--reward qed`` for the same minutes: mean QED and
    uniqueness of ``n`` samples each."""
    modality = get_modality("molecules")
    plan = {"model": "molgan", "minutes": minutes, "ae_minutes": 0.0}
    rows = []
    for name in ("", "qed"):
        run, result, _ = trained("qm9", plan, device, work / f"reward-{name or 'none'}", seed, reward=name)
        codec = modality.load_codec(run.path, run.data)
        fake, _, state = sampled(run, codec, n, device, seed)
        valid = [s for s in fake if s]
        qed = molecular_properties(valid)["qed"]
        rows.append(
            {
                "reward": name or "none",
                "steps": result.step,
                "sampled_step": int(state["step"]),
                "validity": len(valid) / n,
                "uniqueness": len(set(valid)) / max(len(valid), 1),
                "mean_qed": float(qed.mean()) if len(qed) else float("nan"),
            }
        )
    print(f"\nMolGAN on qm9, {minutes:g} min each, --reward qed against none (n = {n}):")
    print(table(rows, list(rows[0])))
    gain = rows[1]["mean_qed"] - rows[0]["mean_qed"]
    summary = {
        "reward_qed_gain": gain,
        "reward_qed_uniqueness": rows[1]["uniqueness"],
        "target_reward_qed_gain_0.05": gain >= 0.05,
        "target_reward_uniqueness_0.8": rows[1]["uniqueness"] >= 0.8,
    }
    return rows, summary


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--parts", default="qm9,moses,reward", help="which parts to run (comma-separated)")
    args = parse(p)
    parts = args.parts.split(",")
    plans = {k: v for k, v in (QUICK if args.quick else PLAN).items() if k in parts}
    rows: list[dict] = []
    reward_rows: list[dict] = []
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, plan in plans.items():
            r, s = one_set(name, plan, args.device, Path(tmp))
            rows += r
            summary.update(s)
            print(table(r, ["data", "model", "fit_seconds", *SCORES]))
        if "reward" in parts:
            minutes = QUICK_REWARD_MINUTES if args.quick else REWARD_MINUTES
            reward_rows, s = reward(minutes, args.device, Path(tmp), 1000 if args.quick else 5000)
            summary.update(s)
    if rows:
        print(table(rows, ["data", "model", "fit_seconds", *SCORES]))
    if "qm9" in plans:
        summary["target_qm9_validity_0.95"] = summary["qm9_scigan_validity"] >= 0.95
        summary["target_qm9_uniqueness_0.9"] = summary["qm9_scigan_uniqueness"] >= 0.9
        summary["target_qm9_novelty_0.9"] = summary["qm9_scigan_novelty"] >= 0.9
    if "moses" in plans:
        summary["target_moses_fcd_2"] = summary["moses_scigan_fcd"] <= 2.0
    write_json(args.json, summary, config={"plan": plans, "parts": parts}, rows=rows, reward=reward_rows)


if __name__ == "__main__":
    main()
