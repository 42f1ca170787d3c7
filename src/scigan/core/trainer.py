"""The training loop: phases of D and G steps, EMA, logging, quick evaluation,
checkpoints and resume. It knows no modality: data arrive as a tensor in stored form
plus an ``encode`` function to model space.

Every random draw of step ``s`` comes from a generator seeded by (seed, s), and the data
order of epoch ``e`` from one seeded by (seed, e); a resumed run therefore continues
exactly where the checkpoint left off and reproduces an uninterrupted run bit for bit
on the CPU.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from scigan.config import LEGACY_VALUES, TrainConfig
from scigan.core import checkpoint as ckpt
from scigan.core.ada import AdaptiveAugment
from scigan.core.device import autocast_dtype, resolve_device, seeded_generator
from scigan.core.diffaugment import DEFAULT_POLICY, diff_augment, parse_policy
from scigan.core.ema import EMA
from scigan.core.objectives import make_objective
from scigan.core.phases import DiscriminatorLoss, GeneratorLoss, Phase, StepContext, StepHook, Term
from scigan.core.regularizers import GradientPenalty, R1Penalty
from scigan.core.selection import Selection
from scigan.errors import ScienceError

Evaluator = Callable[[nn.Module], dict[str, float]]
"""Scores a generator (in eval mode); must return at least the trainer's ``selects`` key."""
Previewer = Callable[[nn.Module, int], None]
"""Writes a preview of a generator's samples at a step."""


def _adam(module: nn.Module, lr: float, betas: tuple[float, float], device: torch.device) -> torch.optim.Optimizer:
    """Adam with the fused kernel on CPU and CUDA (one kernel for all parameters)."""
    fused = device.type in ("cpu", "cuda")
    return torch.optim.Adam(module.parameters(), lr=lr, betas=betas, fused=fused)


def build_phases(config: TrainConfig, G: nn.Module, D: nn.Module) -> list[Phase]:
    """The D and G phases for ``config``: the objective plus the regularizers it asks for."""
    objective = make_objective(config.loss)
    betas = (config.beta1, config.beta2)
    d_terms: list[Term] = [DiscriminatorLoss(objective)]
    gp = config.gp_weight if config.gp_weight >= 0 else (10.0 if config.loss == "wgan" else 0.0)
    if gp > 0:
        d_terms.append(GradientPenalty(gp))
    if config.r1_gamma > 0:
        d_terms.append(R1Penalty(config.r1_gamma, config.r1_interval))
    n_critic = config.n_critic or (5 if config.loss == "wgan" else 1)
    device = next(G.parameters()).device
    return [
        Phase("D", D, _adam(D, config.d_lr, betas, device), d_terms, n_critic),
        Phase("G", G, _adam(G, config.g_lr, betas, device), [GeneratorLoss(objective)], 1, trains_generator=True),
    ]


def with_generator_terms(phases: list[Phase], terms: Sequence[Term]) -> list[Phase]:
    """``phases`` with ``terms`` added to the generator phase (e.g. a conditional-vector
    loss a data kind asks for); returns the same list."""
    for phase in phases:
        if phase.trains_generator:
            phase.terms.extend(terms)
    return phases


def build_hooks(config: TrainConfig, policy: tuple[str, ...]) -> list[StepHook]:
    """The step hooks ``config`` asks for: the ADA controller when ``ada_target`` > 0
    (on ``policy``, or the default DiffAugment policy when it is empty)."""
    hooks: list[StepHook] = []
    if config.ada_target > 0:
        hooks.append(AdaptiveAugment(policy or DEFAULT_POLICY, config.ada_target, config.ada_speed, config.batch_size))
    return hooks


@dataclass
class TrainResult:
    """What a finished (or stopped) training run reached."""

    step: int
    images: int
    seconds: float
    best_step: int | None
    best_score: float | None
    stopped_early: bool
    selects: str = "fd"  # the key of the quick score that best_score is a value of


class Trainer:
    """Trains ``G`` against ``D`` on ``data`` and writes everything into ``run``.

    Args:
        config: the resolved training config.
        G, D: generator (z, y) -> sample and discriminator (x, y) -> logits (N,).
        data: all training samples in stored form (e.g. uint8 N×C×H×W), on any device.
        labels: (N,) int64 labels for a conditional model, else None.
        encode: stored form -> model space, applied per batch.
        z_dim: latent length.
        run: the run folder (checkpoints/, metrics.jsonl).
        evaluate: optional quick evaluator, called every ``eval_every`` steps.
        preview: optional writer of preview samples, every ``sample_every`` steps.
        log: where human-readable progress lines go.
        phases: builds the phases from the (placed) G and D instead of
            :func:`build_phases` (e.g. a pixel-loss warm-up before the adversarial terms).
        hooks: step hooks besides those the config asks for (e.g. one that turns each
            real batch into an (input, target) pair for enhancement).
        selects: the key of the quick score that picks the ``best`` checkpoint and drives
            early stopping (the data kind's ``selects``); declared in
            :mod:`scigan.metrics.registry`, which says which way is better.
    """

    def __init__(
        self,
        config: TrainConfig,
        G: nn.Module,
        D: nn.Module,
        data: torch.Tensor,
        labels: torch.Tensor | None,
        encode: Callable[[torch.Tensor], torch.Tensor],
        z_dim: int,
        run: Path,
        evaluate: Evaluator | None = None,
        preview: Previewer | None = None,
        log: Callable[[str], None] = print,
        phases: Callable[[nn.Module, nn.Module], list[Phase]] | None = None,
        hooks: Sequence[StepHook] = (),
        selects: str = "fd",
    ):
        self.selection = Selection(selects)
        self.config = config
        self.device = resolve_device(config.device)
        self.memory_format = torch.channels_last if config.channels_last and data.dim() == 4 else torch.preserve_format
        self.G = G.to(self.device, memory_format=self.memory_format)  # type: ignore[call-overload]
        self.D = D.to(self.device, memory_format=self.memory_format)  # type: ignore[call-overload]
        self.autocast = autocast_dtype(config.precision, self.device)
        self.data = data.to(self.device)
        self.labels = None if labels is None else labels.to(self.device)
        self.encode, self.z_dim, self.run = encode, z_dim, run
        self.evaluate, self.preview, self.log = evaluate, preview, log
        if len(self.data) < config.batch_size:
            raise ScienceError(
                f"the training data has {len(self.data)} samples, fewer than --batch-size "
                f"{config.batch_size}; pass a smaller --batch-size"
            )
        self.phases = (phases or (lambda G, D: build_phases(config, G, D)))(self.G, self.D)
        # the generator phase can train on the discriminator phase's fake batch
        self.reuse_fake = config.reuse_fake and self.phases[0].repeats == 1
        self.ema = EMA(self.G, config.ema_half_life) if config.ema_half_life > 0 else None
        self.policy = parse_policy(config.diffaugment)
        self.hooks = [*build_hooks(config, self.policy), *hooks]
        self.step, self.images, self.seconds = 0, 0, 0.0
        self._epoch, self._perm = -1, torch.empty(0)

    # ---- what is saved --------------------------------------------------------------
    @property
    def sampling_generator(self) -> nn.Module:
        """The generator used for samples: the EMA copy when EMA is on."""
        return self.ema.model if self.ema is not None else self.G

    def _modules(self) -> dict[str, nn.Module]:
        return {"G": self.G, "D": self.D, "G_ema": self.sampling_generator}

    def _optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {p.name: p.optimizer for p in self.phases}

    def _counters(self) -> dict[str, Any]:
        """How far training got (steps, samples seen, seconds): restored on resume."""
        return dict(step=self.step, images=self.images, seconds=self.seconds)

    def _state(self) -> dict[str, Any]:
        return {
            **self._counters(),
            **self.selection.state(),
            "hyperparameters": self.config.hyperparameters(),
            "hooks": {h.name: h.state_dict() for h in self.hooks},
        }

    def save(self, name: str) -> Path:
        """Write a checkpoint named ``name`` (a step or ``best``) into the run."""
        return ckpt.save_checkpoint(self.run / "checkpoints" / name, self._modules(), self._optimizers(), self._state())

    def resume(self) -> bool:
        """Continue from the newest step checkpoint; False when there is none.

        Refuses (ScienceError) when the run was made with other hyper-parameters.
        """
        found = ckpt.step_checkpoints(self.run)
        if not found:
            self._truncate_log()
            return False
        state = ckpt.read_state(found[-1])
        now = self.config.hyperparameters()
        # a run written before an option existed had its legacy value; options of other
        # kinds that flat configs once stored are not this run's
        before = {**LEGACY_VALUES, **state["hyperparameters"]}
        changed = {k: (before[k], now[k]) for k in now if k in before and before[k] != now[k]}
        if changed:
            key, (old, new) = next(iter(changed.items()))
            raise ScienceError(
                f"cannot resume {self.run}: {key} was {old!r} and is now {new!r} "
                f"({len(changed)} option(s) changed); resume with the run's config or start a new --out"
            )
        ckpt.load_checkpoint(found[-1], self._modules(), self._optimizers())
        for key in self._counters():
            setattr(self, key, state[key])
        self.selection.restore(state, self.log)
        for hook in self.hooks:
            hook.load_state_dict(state["hooks"][hook.name])
        self._truncate_log()
        self.log(f"resumed {self.run} at step {self.step}")
        return True

    def _truncate_log(self) -> None:
        """Drop metrics.jsonl entries written after the checkpoint we resume from."""
        path = self.run / "metrics.jsonl"
        if path.exists():
            kept = [ln for ln in path.read_text().splitlines() if ln and json.loads(ln)["step"] <= self.step]
            path.write_text("".join(ln + "\n" for ln in kept))

    # ---- one step ----------------------------------------------------------------------
    def _batch_indices(self, draw: int) -> torch.Tensor:
        """Indices of the ``draw``-th real batch: epoch-wise permutations, last partial
        batch dropped."""
        n, b = len(self.data), self.config.batch_size
        per_epoch = n // b
        epoch, i = divmod(draw, per_epoch)
        if epoch != self._epoch:
            g = seeded_generator(torch.device("cpu"), self.config.seed, 1, epoch)
            self._perm = torch.randperm(n, generator=g).to(self.device)
            self._epoch = epoch
        return self._perm[i * b : (i + 1) * b]

    def _context(self, phase: Phase, rng: torch.Generator, draw: int) -> StepContext:
        b = self.config.batch_size
        index = self._batch_indices(draw)
        real = self.encode(self.data[index]).contiguous(memory_format=self.memory_format)
        labels = None if self.labels is None else self.labels[index]
        fake_labels = labels
        if phase.trains_generator and self.labels is not None:
            pick = torch.randint(len(self.labels), (b,), generator=rng, device=self.device)
            fake_labels = self.labels[pick]
        z = torch.randn(b, self.z_dim, generator=rng, device=self.device)
        augment = (lambda x: diff_augment(x, self.policy, rng)) if self.policy else (lambda x: x)
        ctx = StepContext(
            self.G,
            self.D,
            real,
            labels,
            z,
            fake_labels,
            rng,
            augment,
            grad_to_generator=phase.trains_generator or self.reuse_fake,
        )
        for hook in self.hooks:
            hook.prepare(phase, ctx)
        return ctx

    def train_step(self, losses: dict[str, torch.Tensor]) -> None:
        """One generator step and the discriminator steps before it; adds the (detached)
        loss terms into ``losses``."""
        rng = seeded_generator(self.device, self.config.seed, 2, self.step)
        for hook in self.hooks:
            hook.before_step(self.images)
        self.G.train()
        self.D.train()
        ctx = None
        for phase in self.phases:
            # the generator keeps requires_grad so a reused fake batch carries its graph
            self.D.requires_grad_(not phase.trains_generator)
            for repeat in range(phase.repeats):
                if ctx is None or not (self.reuse_fake and phase.trains_generator):
                    ctx = self._context(phase, rng, self.step * self.phases[0].repeats + repeat)
                total: float | torch.Tensor = 0.0
                for term in phase.terms:
                    if self.step < term.start or (self.step * phase.repeats + repeat) % term.interval:
                        continue
                    with torch.autocast(
                        self.device.type, self.autocast or torch.float32, enabled=self.autocast is not None
                    ):
                        value = term(ctx)
                    total = total + value.float()
                    key = f"{phase.name}/{term.name}"
                    losses[key] = losses.get(key, 0.0) + value.detach() / phase.repeats
                if not isinstance(total, torch.Tensor):
                    continue  # none of the phase's terms has started yet
                phase.optimizer.zero_grad(set_to_none=True)
                total.backward()
                phase.optimizer.step()
                for hook in self.hooks:
                    hook.after_phase(phase, ctx)
        self.images += self.config.batch_size * self.phases[0].repeats
        if self.ema is not None:
            self.ema.update(self.G, self.config.batch_size, self.images)
        for hook in self.hooks:
            hook.after_step()

    # ---- the loop ----------------------------------------------------------------------
    def _write_metrics(self, record: dict[str, Any]) -> None:
        """Append one line to metrics.jsonl: the step, samples seen, seconds and ``record``."""
        line = {**dict(step=self.step, images=self.images, seconds=round(self.seconds, 2)), **record}
        with open(self.run / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps(line) + "\n")

    def _run_eval(self) -> dict[str, float]:
        """A quick evaluation, logged; saves ``best`` when the selection score improved."""
        model = self.sampling_generator
        model.eval()
        assert self.evaluate is not None
        scores = self.evaluate(model)
        self._write_metrics({"eval": scores})
        if self.selection.offer(scores, self.step):
            self.save("best")
        return scores

    def train(self) -> TrainResult:
        """Run until ``steps`` or ``minutes`` is reached (or early stopping), then save."""
        from tqdm.auto import tqdm

        cfg = self.config
        limit_steps = cfg.steps or math.inf
        limit_seconds = cfg.minutes * 60 if cfg.minutes > 0 else math.inf
        bar = tqdm(
            total=cfg.steps or None, initial=self.step, disable=not cfg.progress, unit="step", dynamic_ncols=True
        )
        losses: dict[str, torch.Tensor] = {}
        since_log, stopped_early = 0, False
        last_eval: dict[str, float] = {}
        started = time.perf_counter() - self.seconds
        while self.step < limit_steps and self.seconds < limit_seconds:
            self.train_step(losses)
            self.step += 1
            since_log += 1
            self.seconds = time.perf_counter() - started
            bar.update(1)
            if self.step % cfg.log_every == 0:
                record = {k: round(float(v) / since_log, 5) for k, v in losses.items()}
                record.update({f"{h.name}/{k}": v for h in self.hooks for k, v in h.values().items()})
                self._write_metrics(record)
                bar.set_postfix({**record, **self.selection.shown(last_eval)})
                losses, since_log = {}, 0
            if self.preview is not None and cfg.sample_every and self.step % cfg.sample_every == 0:
                self.preview(self.sampling_generator.eval(), self.step)
            if self.evaluate is not None and cfg.eval_every and self.step % cfg.eval_every == 0:
                last_eval = self._run_eval()
                if cfg.patience and self.selection.evals_since_best >= cfg.patience:
                    stopped_early = True
            if cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0:
                self.save(f"{self.step:08d}")
                ckpt.prune(self.run, cfg.keep_checkpoints)
            if stopped_early:
                score = self.selection.score
                self.log(
                    f"stopping early: the quick score ({score.label}, {score.hint}) "
                    f"did not improve in {cfg.patience} evaluations"
                )
                break
        bar.close()
        if not ckpt.step_checkpoints(self.run) or int(ckpt.step_checkpoints(self.run)[-1].name) != self.step:
            self.save(f"{self.step:08d}")
            ckpt.prune(self.run, cfg.keep_checkpoints)
        if self.preview is not None:
            self.preview(self.sampling_generator.eval(), self.step)
        chosen = self.selection
        return TrainResult(
            self.step, self.images, self.seconds, chosen.best_step, chosen.best_score, stopped_early, chosen.score.key
        )
