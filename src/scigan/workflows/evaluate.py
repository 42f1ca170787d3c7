"""``scigan evaluate``: the full metric set of a run against its held-out real data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scigan.errors import ScienceError
from scigan.modalities import get_modality
from scigan.modalities.base import split_run
from scigan.runs import RunInfo, open_run
from scigan.tasks import get_task
from scigan.workflows.generator import generate, load_generator


def evaluate(
    run_path: str | Path,
    *,
    n: int = 10_000,
    checkpoint: str = "auto",
    seed: int = 0,
    device: str = "cpu",
    umap: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fidelity, diversity and coverage of a run's generator on ``n`` samples (images:
    capped at the holdout's size), beside the real-vs-real floor and an untrained
    generator's FD; tables and expression add detection, utility, privacy and per-group
    scores (see the modality's scorer).

    The result is also written to ``RUN/evaluation.json``, and a PCA picture of real
    against synthetic samples to ``RUN/report/embedding.png`` (a UMAP beside it with ``umap``).
    Runs of another task are scored by that task's evaluator (enhancement: PSNR, SSIM).
    The device is checked first (``cuda`` without a GPU: ScienceError).
    """
    from scigan.core.device import resolve_device

    resolve_device(device)
    if n < 10:
        raise ScienceError(f"--n must be at least 10, got {n}")
    run = open_run(run_path)
    if run.config.task != "generate":
        return get_task(run.config.task).function("evaluate")(run_path, checkpoint=checkpoint, device=device, log=log)
    return evaluate_generator(run, n=n, checkpoint=checkpoint, seed=seed, device=device, umap=umap, log=log)


def evaluate_generator(
    run: RunInfo, *, n: int, checkpoint: str, seed: int, device: str, umap: bool, log: Callable[[str], None]
) -> dict[str, Any]:
    """:func:`evaluate` for a generate run: its generator against the run's holdout only
    (the validation split that picked the checkpoint is not scored)."""
    import torch

    cfg = run.config
    modality = get_modality(run.data["modality"])
    data = modality.read(cfg)
    splits = split_run(data, cfg.holdout, cfg.validation, cfg.seed)
    train, holdout = splits.train, splits.holdout
    was = [run.data["n_train"], run.data.get("n_validation", 0), run.data["n_holdout"]]
    now = [splits.sizes()[k] for k in ("n_train", "n_validation", "n_holdout")]
    if now != was:
        raise ScienceError(
            f"the data at {cfg.data} changed since {run.path} was trained "
            f"({'+'.join(map(str, now))} samples, was {'+'.join(map(str, was))}); train a new run on it"
        )
    codec = modality.load_codec(run.path, run.data)
    scorer = modality.scorer(train, holdout, codec, device=device, log=log)
    n = scorer.sizes(n)
    labels = scorer.fake_labels(n, seed) if run.num_classes else None
    G, state = load_generator(run, checkpoint, device)

    def samples(G_: torch.nn.Module):
        return codec.decode(generate(G_, n, z_dim=cfg.z_dim, labels=labels, seed=seed), labels)

    torch.manual_seed(cfg.seed)
    untrained, _ = modality.networks(cfg, run.data, run.num_classes)
    (run.path / "report").mkdir(exist_ok=True)
    scores = scorer.full(
        samples(G),
        labels,
        seed=seed,
        untrained_x=samples(untrained.to(device)),
        picture=run.path / "report" / "embedding.png",
        umap=umap,
    )
    scores.update({"step": state["step"], "checkpoint": checkpoint, "run": str(run.path)})
    (run.path / "evaluation.json").write_text(json.dumps(scores, indent=1))
    return scores
