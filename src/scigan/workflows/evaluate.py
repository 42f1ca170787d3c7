"""``scigan evaluate``: the full metric set of a run against its held-out real data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scigan.errors import ScienceError
from scigan.metrics import fairness
from scigan.modalities import get_modality
from scigan.modalities.base import Codec, Scorer, Splits, split_run
from scigan.runs import RunInfo, open_run
from scigan.tasks import get_task
from scigan.workflows.attacks import attack_scores
from scigan.workflows.generator import generate, load_discriminator, load_generator


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
    splits, codec, scorer = run_scorer(run, device=device, log=log)
    train, holdout = splits.train, splits.holdout
    n = scorer.sizes(n)
    labels = scorer.fake_labels(n, seed) if run.num_classes else None
    G, state = load_generator(run, checkpoint, device)

    def samples(G_: torch.nn.Module):
        return codec.decode(generate(G_, n, z_dim=cfg.z_dim, labels=labels, seed=seed), labels)

    torch.manual_seed(cfg.seed)
    untrained, _ = modality.networks(cfg, run.data, run.num_classes)
    (run.path / "report").mkdir(exist_ok=True)
    fake_model = generate(G, n, z_dim=cfg.z_dim, labels=labels, seed=seed)
    fake = codec.decode(fake_model, labels)
    scores = scorer.full(
        fake,
        labels,
        seed=seed,
        untrained_x=samples(untrained.to(device)),
        picture=run.path / "report" / "embedding.png",
        umap=umap,
    )
    scores = fairness.with_fairness_keys(scores)
    try:
        D, _ = load_discriminator(run, checkpoint, "cpu")
    except ScienceError as err:  # a run folder trimmed to its generator: LOGAN has no critic to ask
        log(f"no LOGAN attack: {err}")
        D = None
    attacks = attack_scores(
        modality, codec, G.cpu(), D, train, holdout, fake_model, fake, conditional=bool(run.num_classes), seed=seed
    )
    scores.update({k: v for k, v in attacks.items() if k not in scores})  # a kind's own value stands
    scores.update(privacy_spent(run.path))
    scores.update({"step": state["step"], "checkpoint": checkpoint, "run": str(run.path)})
    (run.path / "evaluation.json").write_text(json.dumps(scores, indent=1))
    return scores


def run_scorer(run: RunInfo, *, device: str, log: Callable[[str], None]) -> tuple[Splits, Codec, Scorer]:
    """A generate run's data read again and split as its training split it, its codec,
    and its kind's scorer against the run's holdout. ScienceError when the data at the
    run's source changed since (other split sizes)."""
    cfg = run.config
    modality = get_modality(run.data["modality"])
    splits = split_run(modality.read(cfg), cfg.holdout, cfg.validation, cfg.seed)
    was = [run.data["n_train"], run.data.get("n_validation", 0), run.data["n_holdout"]]
    now = [splits.sizes()[k] for k in ("n_train", "n_validation", "n_holdout")]
    if now != was:
        raise ScienceError(
            f"the data at {cfg.data} changed since {run.path} was trained "
            f"({'+'.join(map(str, now))} samples, was {'+'.join(map(str, was))}); train a new run on it"
        )
    codec = modality.load_codec(run.path, run.data)
    return splits, codec, modality.scorer(splits.train, splits.holdout, codec, device=device, log=log)


def privacy_spent(run_path: Path) -> dict[str, float | None]:
    """``dp_epsilon`` and ``dp_delta`` a run spent (its config.toml's ``[privacy]`` table,
    written by a ``--dp-epsilon`` run); None for both when the run was not private."""
    import tomllib

    table = tomllib.loads((run_path / "config.toml").read_text()).get("privacy") or {}
    spent = table.get("epsilon_spent")
    return {"dp_epsilon": spent, "dp_delta": table.get("delta") if spent is not None else None}
