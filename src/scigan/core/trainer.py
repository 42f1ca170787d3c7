"""The training loop: phases of D and G steps, EMA, logging, quick evaluation,
checkpoints and resume. It knows no modality: data arrive as a tensor in stored form
plus an ``encode`` function to model space.

Every random draw of step ``s`` comes from a generator seeded by (seed, s), and the data
order of epoch ``e`` from one seeded by (seed, e); a resumed run therefore continues
exactly where the checkpoint left off and reproduces an uninterrupted run bit for bit
on the CPU.

With several processes (:mod:`scigan.core.distributed`) every rank runs this loop on its
shard of each batch: the real rows, latents and fake labels of step ``s`` are the same
draws a single process with the global batch (``--batch-size`` × world size) makes, and
the gradients are averaged before each optimizer step. Rank 0 alone logs, evaluates,
previews and writes checkpoints; the others wait for it at a barrier.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from scigan.config import LEGACY_VALUES, TrainConfig
from scigan.core import checkpoint as ckpt
from scigan.core import distributed, divergence, metrics_log
from scigan.core.batches import GlobalBatch
from scigan.core.device import autocast_dtype, resolve_device, seeded_generator
from scigan.core.diffaugment import diff_augment, parse_policy
from scigan.core.distributed import SINGLE, World
from scigan.core.ema import EMA
from scigan.core.interrupt import Interrupted, StopRequests
from scigan.core.phases import Phase, StepContext, StepHook
from scigan.core.private import PrivacyPlan, poisson_rows, refuse_batch_mixing
from scigan.core.progress import Progress
from scigan.core.recipe import build_hooks, build_phases
from scigan.core.schedule import Schedule
from scigan.core.selection import Selection
from scigan.errors import ScienceError

Evaluator = Callable[[nn.Module], dict[str, float]]
"""Scores a generator (in eval mode); must return at least the trainer's ``selects`` key."""
Previewer = Callable[[nn.Module, int], None]
"""Writes a preview of a generator's samples at a step."""


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
    privacy: dict[str, Any] | None = None  # DP runs: the plan and ε spent (PrivacyPlan.record)


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
        privacy: a DP-SGD plan (:mod:`scigan.core.private`): the discriminator's real
            batches are Poisson samples, its gradients clipped and noised, fake labels
            drawn uniformly over the plan's classes, and ε is logged as ``dp/epsilon``.
        world: this process's rank among the run's processes (one process by default).
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
        privacy: PrivacyPlan | None = None,
        world: World = SINGLE,
    ):
        self.selection = Selection(selects)
        self.config = config
        self.privacy = privacy
        self.world = world
        if privacy is not None:
            refuse_batch_mixing(D)
            if world.size > 1:
                raise ScienceError(
                    "--dp-epsilon runs in one process: its accountant counts one Poisson sample per step"
                )
        self.device = distributed.rank_device(world, resolve_device(config.device))
        G, D = distributed.sync_batch_norm(G, self.device), distributed.sync_batch_norm(D, self.device)
        images = config.channels_last and data.dim() == 4
        self.memory_format = torch.channels_last if images else torch.contiguous_format
        self.G = G.to(self.device, memory_format=self.memory_format)  # type: ignore[call-overload]
        self.D = D.to(self.device, memory_format=self.memory_format)  # type: ignore[call-overload]
        self.autocast = autocast_dtype(config.precision, self.device)
        distributed.broadcast_state([self.G, self.D])  # every rank starts from rank 0's weights
        self.data = data.to(self.device)
        self.labels = None if labels is None else labels.to(self.device)
        self.encode, self.z_dim, self.run = encode, z_dim, run
        self.evaluate, self.preview, self.log = evaluate, preview, log
        self.batches = GlobalBatch(len(self.data), config.batch_size, world, config.seed, self.device)
        self.phases = (phases or (lambda G, D: build_phases(config, G, D, privacy)))(self.G, self.D)
        # the generator phase can train on the discriminator phase's fake batch
        self.reuse_fake = config.reuse_fake and self.phases[0].repeats == 1
        self.ema = EMA(self.G, config.ema_half_life) if config.ema_half_life > 0 else None
        self.policy = parse_policy(config.diffaugment)
        self.hooks = [*build_hooks(config, self.policy), *hooks]
        self.step, self.images, self.seconds = 0, 0, 0.0
        self.d_steps = 0  # discriminator steps taken (what the privacy accountant counts)
        self.recovery = divergence.Recovery(run, private=privacy is not None)
        self.schedule = Schedule(config)
        self._last_batch: tuple[torch.Tensor, torch.Tensor] | None = None  # (real, fake) of the last step

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
        return dict(step=self.step, images=self.images, seconds=self.seconds, d_steps=self.d_steps)

    def _state(self) -> dict[str, Any]:
        return {
            **self._counters(),
            **self.selection.state(),
            "hyperparameters": self.config.hyperparameters(),
            "hooks": {h.name: h.state_dict() for h in self.hooks},
            "divergence": self.recovery.guard.state_dict(),
        }

    def save(self, name: str) -> Path:
        """Write a checkpoint named ``name`` (a step or ``best``) into the run."""
        return ckpt.save_checkpoint(self.run / "checkpoints" / name, self._modules(), self._optimizers(), self._state())

    def resume(self) -> bool:
        """Continue from the newest step checkpoint; False when there is none.

        Refuses (ScienceError) when the run was made with other hyper-parameters.
        """
        newest = ckpt.resume_point(self.run)  # damaged newer checkpoints are set aside, with a warning
        if newest is None:
            if self.world.main:
                metrics_log.truncate(self.run / "metrics.jsonl", self.step)
            return False
        state = ckpt.read_state(newest)
        ckpt.refuse_changed_options(
            self.run, {**LEGACY_VALUES, **state["hyperparameters"]}, self.config.hyperparameters()
        )
        ckpt.load_checkpoint(newest, self._modules(), self._optimizers())
        for key in self._counters():
            setattr(self, key, state.get(key, 0))  # d_steps: runs written before it counted none
        self.selection.restore(state, self.log)
        for hook in self.hooks:
            hook.load_state_dict(state["hooks"][hook.name])
        self.recovery.guard.load_state_dict(state.get("divergence", {}))
        if self.world.main:
            metrics_log.truncate(self.run / "metrics.jsonl", self.step)
        self.log(f"resumed {self.run} at step {self.step}")
        return True

    # ---- one step ----------------------------------------------------------------------
    def _context(self, phase: Phase, rng: torch.Generator, local: torch.Generator, draw: int) -> StepContext:
        """The step context of one phase: real rows, labels, latents and fake labels are
        drawn from ``rng`` (the same on every rank, for the global batch, of which this
        rank takes its shard); per-sample draws inside the terms and hooks (augmentation,
        penalty interpolation) come from ``local``, this rank's own generator."""
        b = self.config.batch_size
        plan = self.privacy
        if plan is not None and not phase.trains_generator:
            index = poisson_rows(len(self.data), plan.sample_rate, rng, self.device)
        else:
            index = self.batches.rows(draw)
        real = self.encode(self.data[index]).contiguous(memory_format=self.memory_format)
        labels = None if self.labels is None else self.labels[index]
        fake_labels = labels
        if plan is not None and self.labels is not None:  # the training labels' frequencies stay private
            fake_labels = torch.randint(plan.num_classes, (b,), generator=rng, device=self.device)
        elif phase.trains_generator and self.labels is not None:
            fake_labels = self.labels[self.batches.picks(len(self.labels), rng)]
        z = self.batches.latents(self.z_dim, rng)
        augment = (lambda x: diff_augment(x, self.policy, local)) if self.policy else (lambda x: x)
        grad = phase.trains_generator or self.reuse_fake
        ctx = StepContext(self.G, self.D, real, labels, z, fake_labels, local, augment, grad_to_generator=grad)
        for hook in self.hooks:
            hook.prepare(phase, ctx)
        return ctx

    def train_step(self, losses: dict[str, torch.Tensor]) -> None:
        """One generator step and the discriminator steps before it; adds the (detached)
        loss terms into ``losses``."""
        rng = seeded_generator(self.device, self.config.seed, 2, self.step)
        local = (
            rng
            if self.world.size == 1
            else seeded_generator(self.device, self.config.seed, 3, self.step, self.world.rank)
        )
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
                    ctx = self._context(phase, rng, local, self.step * self.phases[0].repeats + repeat)
                total = phase.loss(ctx, self.step, repeat, self.autocast, losses)
                if total is None:
                    continue  # none of the phase's terms has started yet
                phase.optimizer.zero_grad(set_to_none=True)
                total.backward()
                distributed.average_gradients(p for group in phase.optimizer.param_groups for p in group["params"])
                phase.optimizer.step()
                self.d_steps += not phase.trains_generator
                for hook in self.hooks:
                    hook.after_phase(phase, ctx)
        if ctx is not None and ctx._fake is not None:
            self._last_batch = (ctx.real, ctx._fake.detach())
        if self.world.size > 1:  # batch-norm running statistics: rank 0's, as DDP does
            distributed.broadcast_state([self.G, self.D], buffers_only=True)
        self.images += self.batches.size * self.phases[0].repeats
        if self.ema is not None:
            self.ema.update(self.G, self.batches.size, self.images)
        for hook in self.hooks:
            hook.after_step()

    # ---- the loop ----------------------------------------------------------------------
    def _write_metrics(self, record: dict[str, Any]) -> None:
        """Append one line to metrics.jsonl (rank 0): the step, samples seen, seconds and ``record``."""
        if not self.world.main:
            return
        line = {**dict(step=self.step, images=self.images, seconds=round(self.seconds, 2)), **record}
        metrics_log.append(self.run / "metrics.jsonl", line)

    def _run_eval(self) -> dict[str, float]:
        """A quick evaluation, logged; saves ``best`` when the selection score improved
        (rank 0; the other ranks return no scores)."""
        if not self.world.main or self.evaluate is None:
            return {}
        model = self.sampling_generator
        model.eval()
        scores = self.evaluate(model)
        self._write_metrics({"eval": scores})
        if self.selection.offer(scores, self.step):
            self.save("best")
        return scores

    def _save_step(self) -> Path:
        """Write the checkpoint of the current step (once; rank 0, the others wait for
        it) and prune the older ones."""
        path = self.run / "checkpoints" / f"{self.step:08d}"
        if self.world.main:
            newest = ckpt.step_checkpoints(self.run)
            if not newest or int(newest[-1].name) != self.step:
                path = self.save(path.name)
                ckpt.prune(self.run, self.config.keep_checkpoints)
        distributed.barrier()
        return path

    def _diverged(self, means: dict[str, float]) -> bool:
        """Whether training diverged (``means``: each loss term since the last line); if
        so, roll back to the last good checkpoint with lower learning rates (once: the
        second time raises ScienceError)."""
        found = self.recovery.guard.watch(means, self._last_batch)
        if found is None:
            return False
        at = self.step
        if self.privacy is not None:
            raise self.privacy.divergence_error(at, found.record())
        state, changed = self.recovery.roll_back(found, at, self._modules(), self._optimizers())
        for key in self._counters().keys() - {"seconds"}:  # the clock keeps running
            setattr(self, key, state[key])
        for hook in self.hooks:
            hook.load_state_dict(state["hooks"][hook.name])
        if self.world.main:
            metrics_log.truncate(self.run / "metrics.jsonl", self.step)
        lowered = {name: new for name, (_, new) in changed.items()}
        self._write_metrics({"divergence": {**found.record(), "at_step": at, "lr": lowered}})
        self.log(divergence.rolled_back(found, at, self.step, changed))
        return True

    def finished(self) -> str | None:
        """Why there is nothing left to train (the step or time limit already reached), else None."""
        return self.schedule.finished(self.run, self.step, self.seconds)

    def result(self, stopped_early: bool = False) -> TrainResult:
        """How far training got."""
        chosen = self.selection
        privacy = None if self.privacy is None else self.privacy.record(self.d_steps)
        best = (chosen.best_step, chosen.best_score)
        return TrainResult(self.step, self.images, self.seconds, *best, stopped_early, chosen.score.key, privacy)

    def train(self) -> TrainResult:
        """Run until ``steps`` or ``minutes`` is reached (or early stopping), then save.

        A diverging run is rolled back once with lower learning rates (see
        :mod:`scigan.core.divergence`); SIGINT or SIGTERM write a checkpoint at the step
        reached and raise :class:`~scigan.core.interrupt.Interrupted`.
        """
        cfg = self.config
        why = self.finished()
        if why:
            self.log(why)
            return self.result()
        self.recovery.begin(self.step, self._modules(), self._optimizers(), self._state())
        progress = Progress(cfg.steps or None, self.step, enabled=cfg.progress and self.world.main, log=self.log)
        evaluates = distributed.any_rank(self.evaluate is not None, self.device)  # rank 0 holds the scorer
        previews = self.preview is not None and self.world.main
        losses: dict[str, torch.Tensor] = {}
        since_log, stopped_early = 0, False
        last_eval: dict[str, float] = {}
        started = time.perf_counter() - self.seconds
        with StopRequests() as stop:
            try:
                while self.schedule.running(self.step, self.seconds):
                    self.train_step(losses)
                    self.step += 1
                    since_log += 1
                    self.seconds = time.perf_counter() - started
                    progress.update(self.step)
                    stopping = distributed.any_rank(stop.requested is not None, self.device)
                    due = self.schedule.due(self.step, self.seconds, stopping, previews, evaluates)
                    if due.anything:
                        means = distributed.mean_per_step(losses, since_log, self.device)
                        if self._diverged(means):
                            losses, since_log = {}, 0
                            progress.reset(self.step)
                            continue
                    if due.log:
                        record = {k: round(v, 5) for k, v in means.items()}
                        self.recovery.guard.remember(means)
                        record.update({f"{h.name}/{k}": v for h in self.hooks for k, v in h.values().items()})
                        if self.privacy is not None:
                            record["dp/epsilon"] = round(self.privacy.spent(self.d_steps), 5)
                        self._write_metrics(record)
                        progress.show({**record, **self.selection.shown(last_eval)})
                        losses, since_log = {}, 0
                    if due.preview:
                        assert self.preview is not None
                        self.preview(self.sampling_generator.eval(), self.step)
                    if due.eval:
                        last_eval = self._run_eval()
                        waited = self.selection.waited(cfg.patience)
                        stopped_early = bool(distributed.from_main(float(waited), self.device))
                    if due.save or stopped_early:
                        self._save_step()
                        self.recovery.saved()
                    if stopping:
                        raise Interrupted(stop.requested or signal.SIGTERM, self.step, self._save_step())
                    if stopped_early:
                        self.log(self.selection.stop_message(cfg.patience))
                        break
            finally:
                progress.close()
        if self.preview is not None and previews:
            self.preview(self.sampling_generator.eval(), self.step)
        return self.result(stopped_early)
