"""``scigan evaluate``: the full metric set of a run against its held-out real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from scigan.errors import ScienceError
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.workflows.run import generate, load_generator, open_run


def evaluate(run_path: str | Path, *, n: int = 10_000, checkpoint: str = "auto", seed: int = 0,
             device: str = "cpu", umap: bool = False, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fidelity, diversity and coverage of a run's generator on ``n`` samples (images:
    capped at the holdout's size), beside the real-vs-real floor and an untrained
    generator's FD; tables and expression add detection, utility, privacy and per-group
    scores (see the modality's scorer).

    The result is also written to ``RUN/evaluation.json``, and a PCA picture of real
    against synthetic samples to ``RUN/report/embedding.png`` (a UMAP beside it with ``umap``).
    """
    import torch

    if n < 10:
        raise ScienceError(f"--n must be at least 10, got {n}")
    run = open_run(run_path)
    cfg = run.config
    if cfg.task != "generate":  # PSNR and SSIM beside the baseline's
        from scigan.workflows.enhance import evaluate_enhancer

        return evaluate_enhancer(run_path, checkpoint=checkpoint, device=device, log=log)
    modality = get_modality(run.data["modality"])
    data = modality.read(cfg)
    train, holdout = split_holdout(data, cfg.holdout, cfg.seed)
    if len(train) != run.data["n_train"] or len(holdout) != run.data["n_holdout"]:
        raise ScienceError(
            f"the data at {cfg.data} changed since {run.path} was trained "
            f"({len(train)}+{len(holdout)} samples, was {run.data['n_train']}+{run.data['n_holdout']})"
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
    scores = scorer.full(samples(G), labels, seed=seed, untrained_x=samples(untrained.to(device)),
                         picture=run.path / "report" / "embedding.png", umap=umap)
    scores.update({"step": state["step"], "checkpoint": checkpoint, "run": str(run.path)})
    (run.path / "evaluation.json").write_text(json.dumps(scores, indent=1))
    return scores
