"""The enhancement tasks' automatic options, filled in and checked before anything is read.

:func:`resolve_enhancement` turns a config of ``--task superres|denoise|translate|cyclegan``
into the resolved one a run folder records: the scale, noise, networks, warm-up and term
weights of its ``task_options`` (:class:`~scigan.enhance.options.EnhanceOptions`), the
optimiser defaults of paired training, and the image kind as its data kind.
"""

from __future__ import annotations

from dataclasses import replace

from scigan.config import TrainConfig
from scigan.enhance.degrade import Degradation
from scigan.enhance.options import EnhanceOptions
from scigan.errors import ScienceError
from scigan.modalities.images import KIND
from scigan.tasks import TASKS, get_task

#: Tasks that translate between image domains (``scigan translate``), paired or not.
TRANSLATIONS = ("translate", "cyclegan")
#: The generator of each task (the discriminator is a PatchGAN).
MODELS = {"superres": "srresnet", "denoise": "srresnet", "translate": "unet", "cyclegan": "unet"}
#: U-Net resolution halvings (inputs to a translation network are padded to multiples of 2**depth).
UNET_DEPTH = 4
#: Super-resolution factors a run may train.
SCALES = (2, 4, 8)
#: Automatic adversarial weights per task (SRGAN's 1e-3 otherwise).
ADV_WEIGHTS = {"translate": 0.01, "cyclegan": 1.0}


def enhancement_tasks() -> tuple[str, ...]:
    """The names of the tasks whose options are :class:`EnhanceOptions`."""
    return tuple(t.name for t in TASKS if t.options is EnhanceOptions)


def resolve_enhancement(config: TrainConfig) -> TrainConfig:
    """Check an enhancement/translation ``config`` and fill in its "auto" values (see
    the module docstring); ScienceError (one line naming the flag) on a bad choice."""
    task = config.task
    if get_task(task).options is not EnhanceOptions:
        raise ScienceError(f"{task} is not an enhancement task; choose one of {', '.join(enhancement_tasks())}")
    if type(config.task_options) is not EnhanceOptions:  # built without its section: the defaults
        config = config.with_overrides()
    options: EnhanceOptions = config.task_options
    scale = options.scale if task == "superres" else 1
    if task == "superres" and scale not in SCALES:
        raise ScienceError(f"--scale must be {', '.join(map(str, SCALES[:-1]))} or {SCALES[-1]}, got {scale}")
    translate = task in TRANSLATIONS
    multiple = 2**UNET_DEPTH if translate else scale
    if not 16 <= options.patch <= 64 or options.patch % multiple:
        raise ScienceError(f"--patch must be 16 to 64 pixels and a multiple of {multiple}, got {options.patch}")
    replace(config, task_options=replace(options, scale=scale)).check()
    noise = options.noise if options.noise != "auto" else ("gaussian" if task == "denoise" else "none")
    if translate and noise != "none":
        raise ScienceError("--noise is for superres and denoise; drop it for translate")
    if task == "denoise" and noise == "none":
        raise ScienceError("--task denoise needs a noise: --noise gaussian or poisson")
    model = MODELS[task] if config.model == "auto" else config.model
    if model != MODELS[task]:
        raise ScienceError(f"--task {task} trains the {MODELS[task]} generator; drop --model {model}")
    if not translate and config.beta1 == 0.0 and config.g_lr == 2e-4:  # the GAN defaults
        config = replace(config, beta1=0.9, g_lr=1e-3)
    options = replace(
        options,
        scale=scale,
        noise=noise,
        warmup=options.warmup if options.warmup >= 0 else (0 if translate else 1000),
        adv_weight=options.adv_weight if options.adv_weight >= 0 else ADV_WEIGHTS.get(task, 1e-3),
        feature_weight=options.feature_weight if options.feature_weight >= 0 else (0.0 if translate else 1.0),
    )
    config = replace(
        config,
        model=model,
        modality=KIND.name,
        conditional="no",
        eval_every=0,
        loss="ns" if config.loss == "auto" else config.loss,
        task_options=options,
    )
    degradation(config)  # checks sigma, peak and blur
    return config


def degradation(config: TrainConfig) -> Degradation:
    """The run's :class:`~scigan.enhance.degrade.Degradation`: clean -> input (scale 1 and
    no blur for denoise and translate)."""
    o: EnhanceOptions = config.task_options
    return Degradation(
        scale=o.scale, blur=o.blur if config.task == "superres" else 0.0, noise=o.noise, sigma=o.sigma, peak=o.peak
    )
