"""What a differentially private run (``--dp-epsilon``) needs before it trains: the
refusals of everything that would touch the training rows outside the budget, the
kind's private codec, and the DP-SGD plan (:mod:`scigan.core.private`).

Outside the budget would be: a codec fitted on the training rows (a kind without a
private codec is refused), quick scores on the training rows choosing checkpoints
(``--validation 0``), ADA (its strength follows the discriminator's outputs on real
images), FBGAN's feedback (it replaces training rows), a kind's own phases or loss
terms, rows resampled by label frequency, a wall-clock budget (the step count must be
known to calibrate the noise) and a roll-back after divergence (the trainer refuses it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from scigan.config import TrainConfig
from scigan.core.private import PrivacyPlan, plan_privacy
from scigan.core.recipe import critic_steps
from scigan.errors import ScienceError
from scigan.modalities.base import Codec, Dataset, Modality

#: The validation share a DP run takes when the kind's default scores on the training rows.
DP_VALIDATION = 0.1


def private_defaults(config: TrainConfig, kind_validation: float, log: Callable[[str], None]) -> TrainConfig:
    """``config`` with a validation split when the kind's default would score checkpoints
    on the training rows; refuses the options DP cannot keep private."""
    if config.minutes > 0:
        raise ScienceError(
            "--minutes cannot be used with --dp-epsilon: the noise is calibrated to a known number of "
            "steps; give --steps"
        )
    if config.steps <= 0:
        raise ScienceError("--dp-epsilon needs --steps: the noise is calibrated to a known number of steps")
    if config.ada_target > 0:
        raise ScienceError(
            "--ada-target cannot be used with --dp-epsilon: ADA tunes augmentation on the discriminator's "
            "outputs for real samples; use --diffaugment instead"
        )
    validation = config.validation if config.validation >= 0 else kind_validation
    if validation == 0 and config.eval_every:
        if config.validation == 0:
            raise ScienceError(
                "--validation 0 scores checkpoints on the training rows, outside the privacy budget; "
                f"give --validation {DP_VALIDATION} or --eval-every 0"
            )
        log(f"DP: the quick scores use a validation split of {DP_VALIDATION:g} (the training rows stay private)")
        validation = DP_VALIDATION
    return replace(config, validation=validation)


def refuse_own_training(modality: Modality, config: TrainConfig, d_terms: list[Any], has_feedback: bool) -> None:
    """ScienceError when the kind trains with its own phases or discriminator terms, or
    with feedback: the core's DP step cannot bound what those see of the real rows."""
    own = modality.phases(config) if hasattr(modality, "phases") else None
    if own is not None or d_terms or has_feedback:
        what = "its own training phases" if own is not None else "feedback" if has_feedback else "its own loss terms"
        raise ScienceError(
            f"--dp-epsilon: {config.model} on {modality.name} data trains with {what}, which DP-SGD on the "
            "core's discriminator step cannot keep private; drop --dp-epsilon or choose another --model"
        )


def private_codec(modality: Modality, train: Dataset, config: TrainConfig) -> tuple[Codec, float]:
    """The kind's codec made without reading the training rows outside the budget, and the
    ε it spent (``modality.private_codec``); a kind without one is refused."""
    make = getattr(modality, "private_codec", None)
    if make is None:
        raise ScienceError(
            f"--dp-epsilon is not available for {modality.name} data: its codec is fitted on the training "
            "rows and has no private fit yet; drop --dp-epsilon"
        )
    codec, spent = make(train, config)
    return codec, float(spent)


def make_plan(config: TrainConfig, rows: int, num_classes: int, codec_epsilon: float) -> PrivacyPlan:
    """The DP-SGD plan of ``config`` for ``rows`` training rows (δ auto: min(1e-5, 1/(10 rows)))."""
    delta = config.dp_delta or min(1e-5, 1 / (10 * rows))
    if delta >= 1 / rows:
        raise ScienceError(
            f"--dp-delta {delta:g} is not below 1 / {rows} training rows: it would allow releasing a row; "
            "give a smaller --dp-delta"
        )
    return plan_privacy(
        epsilon=config.dp_epsilon,
        delta=delta,
        max_grad_norm=config.dp_max_grad_norm,
        rows=rows,
        batch_size=config.batch_size,
        d_steps=config.steps * critic_steps(config),
        accountant=config.dp_accountant,
        codec_epsilon=codec_epsilon,
        num_classes=num_classes,
    )
