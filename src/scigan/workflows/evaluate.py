"""``scigan evaluate``: the full metric set of a run against its held-out real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from scigan.errors import ScienceError
from scigan.modalities import get_modality
from scigan.modalities.base import split_holdout
from scigan.workflows.run import generate, load_generator, net_spec, open_run
from scigan.workflows.scoring import Scorer


def evaluate(run_path: str | Path, *, n: int = 10_000, checkpoint: str = "auto", seed: int = 0,
             device: str = "cpu", log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fidelity, diversity and coverage of a run's generator on ``n`` samples (capped at
    the holdout's size), beside the real-vs-real floor and an untrained generator's FD.

    The result is also written to ``RUN/evaluation.json``.
    """
    import torch

    if n < 10:
        raise ScienceError(f"--n must be at least 10, got {n}")
    run = open_run(run_path)
    cfg = run.config
    modality = get_modality(run.data["modality"])
    data = modality.load(cfg.data, size=cfg.size)
    train, holdout = split_holdout(data, cfg.holdout, cfg.seed)
    if len(train) != run.data["n_train"] or len(holdout) != run.data["n_holdout"]:
        raise ScienceError(
            f"the data at {cfg.data} changed since {run.path} was trained "
            f"({len(train)}+{len(holdout)} samples, was {run.data['n_train']}+{run.data['n_holdout']})"
        )
    scorer = Scorer(modality, train, holdout, device=device, log=log)
    n = min(n, len(holdout))
    labels = scorer.fake_labels(n, seed) if run.num_classes else None
    G, state = load_generator(run, checkpoint, device)

    def samples(G_: torch.nn.Module):
        return modality.decode(generate(G_, n, z_dim=cfg.z_dim, labels=labels, seed=seed)).numpy()

    torch.manual_seed(cfg.seed)
    untrained, _ = modality.networks(cfg.model, net_spec(cfg, run.data, run.num_classes))
    scores = scorer.full(samples(G), labels, seed=seed, untrained_x=samples(untrained.to(device)))
    scores.update({"step": state["step"], "checkpoint": checkpoint, "run": str(run.path)})
    (run.path / "evaluation.json").write_text(json.dumps(scores, indent=1))
    return scores
