"""Typed training configuration: every option with its documented default, in one place.

A resolved config (no "auto" left) is written to ``RUN/config.toml``; a config file
given with ``--config`` holds only the options it changes.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from scigan.errors import ScienceError

#: Options that may differ when a run is resumed: they do not change the weights' path.
RESUMABLE = frozenset(
    {"steps", "minutes", "device", "log_every", "sample_every", "eval_every",
     "checkpoint_every", "patience", "eval_n", "keep_checkpoints", "progress"}
)


@dataclass(frozen=True)
class TrainConfig:
    """How to train a GAN. "auto" values are resolved from the data by :func:`resolve`."""

    data: str = ""
    """Built-in data set name or path to the user's data."""
    model: str = "auto"
    """Architecture. Images: mlp, dcgan, resnet, progressive (ProGAN), stylegan (a small
    style-based generator) or lapgan (a Laplacian pyramid); tables: ctgan; expression:
    scgan. "auto" is the data kind's default (dcgan, ctgan, scgan)."""
    loss: str = "auto"
    """Adversarial objective: ns (non-saturating), hinge, wgan (with gradient penalty), lsgan.
    "auto" is the data kind's default: hinge for images, wgan for tables and expression."""
    conditional: str = "auto"
    """"auto" (conditional when the data has labels), "yes" or "no"."""
    size: int = 0
    """Image size in pixels; 0 keeps the data's own size."""
    modality: str = "auto"
    """The data kind: images, tabular or expression. "auto" takes a built-in's own, else
    judges by the path: .h5ad is expression; .csv, .tsv and .parquet are tabular (pass
    "expression" for a cells × genes CSV/TSV); folders and .npz are images."""
    label_column: str = ""
    """Tables and expression: the column (expression: the ``obs`` key) holding the label
    to condition on; "" takes the built-in's own label, or none for the user's files."""
    column_types: str = ""
    """Tables: type overrides as "name=type,...", each type one of numeric, integer,
    categorical, boolean, datetime; other columns are inferred."""
    values: str = "auto"
    """Expression: counts (raw counts), log (log-normalised), or auto (detected)."""
    pac: int = 0
    """Tables: PacGAN pack size, rows the critic judges together; 0 = auto (4 when it
    divides the batch size, else 1)."""
    condition_columns: str = "all"
    """Tables: the columns of CTGAN's conditional vector with training-by-sampling: "all"
    (every discrete column, and the label) or "label" (the label only, rows resampled
    by the log of its class frequencies)."""
    z_dim: int = 128
    """Latent vector length."""
    width: int = 32
    """Base channel count of both networks; compute grows with its square (dcgan at
    28×28: width 32 ≈ 0.1 GFLOP per generated image)."""
    spectral_norm: bool = True
    """Spectral normalisation on every discriminator layer. Tables and expression use it
    only with losses other than wgan: there the gradient penalty constrains the critic
    (with both, breast-cancer's detection AUC was 0.87 against 0.66 without)."""
    attention: int = 0
    """dcgan and resnet: add a self-attention block (SAGAN) to G and D at the stage whose
    feature map is this many pixels wide (e.g. 14 for 28×28 images); 0 = none."""
    grow_images: int = 32_000
    """progressive: images shown in each stable stage and each fade-in of the next ×2
    resolution (28×28 starts at 7×7 and reaches full size after 4 × this: 2000 steps
    of 64)."""
    batch_size: int = 64
    """Real images per discriminator step (and fakes per generator step)."""
    steps: int = 3000
    """Generator steps to train for; 0 means no step limit (use --minutes)."""
    minutes: float = 0.0
    """Wall-clock budget in minutes; 0 means no time limit."""
    g_lr: float = 2e-4
    """Generator learning rate (Adam). Super-resolution and denoising runs left at 2e-4
    with beta1 0 use 1e-3 and beta1 0.9 (their pixel-loss warm-up is a regression; on
    nuclei ×4, 600 steps gained 0.36 dB over bicubic so, against 0.19 dB at 2e-4)."""
    d_lr: float = 2e-4
    """Discriminator learning rate (Adam); differing from g_lr is TTUR."""
    beta1: float = 0.0
    """Adam β1 for both networks."""
    beta2: float = 0.99
    """Adam β2 for both networks."""
    n_critic: int = 0
    """Discriminator steps per generator step; 0 = auto (5 for wgan, else 1)."""
    gp_weight: float = -1.0
    """Gradient-penalty weight; -1 = auto (10 for wgan, else off)."""
    r1_gamma: float = 0.0
    """R1 penalty strength γ on real images; 0 turns it off."""
    r1_interval: int = 4
    """Apply R1 every this many discriminator steps (lazy regularisation)."""
    ema_half_life: float = 10_000.0
    """Half-life of the generator's weight average, in images; 0 turns EMA off."""
    diffaugment: str = ""
    """DiffAugment policy, e.g. "color,translation,cutout"; empty turns it off."""
    ada_target: float = 0.0
    """Adaptive augmentation (ADA): the target of E[sign D(real)], the discriminator's
    overfitting heuristic; the probability p of applying the DiffAugment policy rises
    while it is exceeded and falls otherwise (logged as ada/p). 0 turns ADA off; 0.6 is
    the paper's value. Without a --diffaugment policy, ADA uses color,translation,cutout."""
    ada_speed: float = 50_000.0
    """ADA: real images over which p may move from 0 to 1."""
    limited_data: str = "auto"
    """Limited-data defaults: "yes" switches on DiffAugment (color,translation,cutout
    unless a policy is given) with ADA (target 0.6 unless --ada-target is given); "auto"
    does so when the training split has fewer images than limited_data_threshold (and
    says so); "no" leaves both as given. Images only."""
    limited_data_threshold: int = 10_000
    """Training images below which limited_data "auto" switches the defaults on."""
    task: str = "generate"
    """generate (a GAN that samples new images, tables or cells), or, for images:
    superres (SRGAN super-resolution), denoise, translate (pix2pix, paired), cyclegan
    (unpaired translation between A/ and B/ folders: cycle and identity losses, λ = 10).
    These train on random patches of whole pictures; see scigan.enhance."""
    scale: int = 4
    """superres: the upscaling factor, 2, 4 or 8; the input is the clean image blurred
    by ``blur``, downsampled bicubically (antialiased) and noised by ``noise``."""
    patch: int = 64
    """superres, denoise, translate: side in pixels (of the output) of the square
    training patches, 16 to 64, a multiple of the scale (translate: of 16)."""
    noise: str = "auto"
    """The noise of the degradation: gaussian (σ = ``sigma``/255), poisson (shot noise
    with ``peak`` photons at full intensity) or none; auto: gaussian for denoise, none
    for superres."""
    sigma: float = 25.0
    """Gaussian noise standard deviation, in units of 1/255 of the intensity range."""
    peak: float = 30.0
    """Poisson noise: expected photon count at intensity 1 (lower is noisier)."""
    blur: float = 0.0
    """superres: Gaussian blur σ, in high-resolution pixels, before downsampling."""
    warmup: int = -1
    """superres, denoise, translate: steps trained on the pixel (L1) loss alone before
    the adversarial and feature terms start; -1 = auto (1000, translate 0)."""
    adv_weight: float = -1.0
    """Weight of the adversarial term against the L1 pixel loss (weight 1); -1 = auto
    (1e-3 as SRGAN for superres and denoise, 0.01 for translate as pix2pix's λ = 100,
    1 for cyclegan against its cycle losses of weight 10)."""
    feature_weight: float = -1.0
    """Weight of the feature (perceptual) loss: squared distance of feature maps of a CNN
    trained on the training patches (no pretrained VGG is downloaded); -1 = auto
    (1 for superres and denoise, 0 for translate)."""
    holdout: float = 0.1
    """Share of the data held out for evaluation when the source has no test split."""
    seed: int = 0
    """Seed of every random draw: data order, latents, augmentation, initial weights."""
    device: str = "auto"
    """auto (CUDA when available), cpu or cuda."""
    precision: str = "auto"
    """Arithmetic of the forward passes: fp32, bf16 (autocast; weights and optimizer stay
    fp32), or auto (bf16 where the processor computes it natively, else fp32)."""
    channels_last: bool = True
    """Lay out image tensors channels-last (NHWC), which CPU and GPU convolutions prefer."""
    reuse_fake: bool = True
    """With one D step per G step, train G on the fake batch the D step generated instead
    of generating a second one (one generator forward per step instead of two)."""
    log_every: int = 50
    """Steps between entries in metrics.jsonl."""
    sample_every: int = 500
    """Steps between preview grids in samples/."""
    eval_every: int = 500
    """Steps between quick evaluations (FD, KID) that pick the best checkpoint; 0 = off."""
    eval_n: int = 2000
    """Samples per quick evaluation."""
    patience: int = 0
    """Stop after this many quick evaluations without improvement; 0 = never stop early."""
    checkpoint_every: int = 500
    """Steps between checkpoints."""
    keep_checkpoints: int = 2
    """Step checkpoints kept on disk (the best one is kept besides)."""
    progress: bool = True
    """Show a progress bar."""

    def with_overrides(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes`` applied, each checked against the field's type."""
        known = {f.name: f for f in fields(self)}
        for key, value in changes.items():
            if key not in known:
                raise ScienceError(f"unknown config option {key!r}; known: {', '.join(known)}")
            expected = type(known[key].default)
            numeric = expected is float and isinstance(value, int)
            if isinstance(value, bool) != (expected is bool) or not (
                isinstance(value, expected) or numeric
            ):
                raise ScienceError(
                    f"config option {key} must be a {expected.__name__}, got {value!r}"
                )
            changes[key] = expected(value)
        return replace(self, **changes)

    def hyperparameters(self) -> dict[str, Any]:
        """The options that must stay fixed when a run is resumed."""
        return {k: v for k, v in asdict(self).items() if k not in RESUMABLE}


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML config file into a flat dict (a [train] table is accepted too)."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ScienceError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ScienceError(f"config file {path} is not valid TOML: {err}") from None
    return dict(raw.get("train", raw))


def save_toml(config: TrainConfig, path: Path, extra: dict[str, Any] | None = None) -> None:
    """Write the resolved ``config`` (every option) under [train], plus ``extra`` tables."""
    import tomli_w

    doc: dict[str, Any] = {"train": asdict(config)}
    doc.update(extra or {})
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomli_w.dumps(doc))
    tmp.replace(path)
