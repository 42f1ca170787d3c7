"""``scigan evaluate`` of an enhancement run: PSNR and SSIM on the held-out pictures
beside the task's baseline (CycleGAN: of the A -> B -> A round trip against A)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scigan.enhance.apply import apply, processed_text
from scigan.enhance.crops import baseline, eval_inputs, preview_pairs, write_crops
from scigan.enhance.networks import load_enhancer
from scigan.enhance.pairs import split_pictures
from scigan.errors import ScienceError
from scigan.runs import open_run

#: Where evaluation puts its side-by-side crops, inside the run folder.
CROPS = "report/enhance.png"
#: What each task's outputs are measured against.
BASELINES = {
    "superres": "bicubic x{scale}",
    "denoise": "the noisy input",
    "translate": "the grayscale input",
    "cyclegan": "none (unpaired: A -> B -> A against A)",
}


def evaluate_enhancer(
    run_path: str | Path, *, checkpoint: str = "auto", device: str = "cpu", log: Callable[[str], None] = print
) -> dict[str, Any]:
    """PSNR (dB) and SSIM of the run's outputs on the held-out pictures, beside the
    baseline (bicubic for superres, the noisy input for denoise, the grayscale input
    replicated to colour for translate), each the mean over pictures, with the per-picture
    rows; CycleGAN runs score ``cycle_psnr`` and ``cycle_ssim``. Also writes
    ``RUN/evaluation.json`` and side-by-side crops (baseline | model | target) to
    ``RUN/report/enhance.png``."""
    from scigan.enhance.quality import psnr, ssim

    run = open_run(run_path)
    config = run.config
    split = split_pictures(config)
    test, real_inputs = split.test, split.real_inputs
    if split.description != run.data["holdout_from"]:
        raise ScienceError(
            f"the data at {config.data} changed since {run.path} was trained "
            f"(held out now: {split.description}; then: {run.data['holdout_from']})"
        )
    G, state = load_enhancer(run, checkpoint, device)
    log(f"scoring {run.path} (step {state['step']}) on {len(test)} held-out picture(s): {split.description}")
    rows: list[dict[str, Any]] = []
    for name, inp, target in eval_inputs(config, test, real_inputs):
        if config.task == "cyclegan":
            back = apply(G, config, apply(G, config, inp), reverse=True).transpose(2, 0, 1)
            ref = inp.transpose(2, 0, 1)
            rows.append({"name": name, "cycle_psnr": psnr(back, ref), "cycle_ssim": ssim(back, ref)})
            continue
        y = apply(G, config, inp).transpose(2, 0, 1)
        base = baseline(config, inp, target.shape[2]).transpose(2, 0, 1)
        ref = target.transpose(2, 0, 1)
        rows.append(
            {
                "name": name,
                "psnr": psnr(y, ref),
                "ssim": ssim(y, ref),
                "psnr_baseline": psnr(base, ref),
                "ssim_baseline": ssim(base, ref),
            }
        )
    scores: dict[str, Any] = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "name"}
    scores.update(
        {
            "task": config.task,
            "baseline": BASELINES[config.task].format(scale=config.task_options.scale),
            "n_pictures": len(rows),
            "held_out": split.description,
            "per_picture": rows,
            "step": state["step"],
            "checkpoint": checkpoint,
            "run": str(run.path),
        }
    )
    write_crops(
        G, config, preview_pairs(config, test, real_inputs), run.path / CROPS, processed_text(run, state["step"])
    )
    (run.path / "evaluation.json").write_text(json.dumps(scores, indent=1))
    return scores
