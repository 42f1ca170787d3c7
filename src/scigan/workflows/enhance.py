"""Enhancement and translation runs: ``scigan train --task superres|denoise|translate``,
``scigan enhance`` / ``scigan translate`` (apply a run to images of any size) and their
``evaluate`` (PSNR and SSIM on held-out pictures beside the baseline's).

Training uses the core Trainer: a patch pool as its data, a :class:`PairHook` that
turns each batch into (input, target), and phases of an L1 pixel loss, a feature loss
and the adversarial terms (see :func:`scigan.enhance.terms.paired_phases`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from scigan.config import TrainConfig, save_toml
from scigan.errors import ScienceError
from scigan.runs import RunInfo, checkpoint_dir, open_run, provenance

TASKS = ("superres", "denoise", "translate", "cyclegan")
#: Tasks that translate between image domains (``scigan translate``), paired or not.
TRANSLATIONS = ("translate", "cyclegan")
#: The networks of each task (generator, discriminator).
MODELS = {"superres": "srresnet", "denoise": "srresnet", "translate": "unet", "cyclegan": "unet"}
#: U-Net resolution halvings (inputs to a translation network are padded to multiples of 2**depth).
UNET_DEPTH = 4
#: Tiled inference: window side, discarded context margin and blend band, in input pixels.
TILE, MARGIN, BLEND = 128, 16, 8
#: Where evaluation puts its side-by-side crops.
CROPS = "report/enhance.png"


def resolve_enhancement(config: TrainConfig) -> TrainConfig:
    """Check an enhancement/translation config and fill in its "auto" values."""
    task = config.task
    if task not in TASKS:
        raise ScienceError(f"unknown task {task!r}; choose generate, {', '.join(TASKS)}")
    if config.size:
        raise ScienceError("--size is for --task generate; enhancement trains on patches of the "
                           "pictures at their own size (--patch)")
    if config.label_column or config.column_types:
        raise ScienceError("--label-column and --column-types are for tables; drop them")
    scale = config.scale if task == "superres" else 1
    if task == "superres" and scale not in (2, 4, 8):
        raise ScienceError(f"--scale must be 2, 4 or 8, got {scale}")
    translate = task in TRANSLATIONS
    multiple = 2**UNET_DEPTH if translate else scale
    if not 16 <= config.patch <= 64 or config.patch % multiple:
        raise ScienceError(f"--patch must be 16 to 64 pixels and a multiple of {multiple}, got {config.patch}")
    noise = config.noise if config.noise != "auto" else ("gaussian" if task == "denoise" else "none")
    if translate and noise != "none":
        raise ScienceError("--noise is for superres and denoise; drop it for translate")
    if task == "denoise" and noise == "none":
        raise ScienceError("--task denoise needs a noise: --noise gaussian or poisson")
    model = MODELS[task] if config.model == "auto" else config.model
    if model != MODELS[task]:
        raise ScienceError(f"--task {task} trains the {MODELS[task]} generator; drop --model {model}")
    if not translate and config.beta1 == 0.0 and config.g_lr == 2e-4:  # the GAN defaults
        config = replace(config, beta1=0.9, g_lr=1e-3)
    config = replace(
        config, scale=scale, noise=noise, model=model, modality="images", conditional="no",
        loss="ns" if config.loss == "auto" else config.loss, eval_every=0,
        warmup=config.warmup if config.warmup >= 0 else (0 if translate else 1000),
        adv_weight=config.adv_weight if config.adv_weight >= 0 else {"translate": 0.01, "cyclegan": 1.0}.get(task, 1e-3),
        feature_weight=config.feature_weight if config.feature_weight >= 0 else (0.0 if translate else 1.0),
    )
    degradation(config)  # checks sigma, peak and blur
    return config


def degradation(config: TrainConfig):
    """The run's :class:`~scigan.enhance.degrade.Degradation` (scale 1 for denoise/translate)."""
    from scigan.enhance.degrade import Degradation

    return Degradation(scale=config.scale, blur=config.blur if config.task == "superres" else 0.0,
                       noise=config.noise, sigma=config.sigma, peak=config.peak)


def networks(config: TrainConfig, data: dict[str, Any]):
    """The generator and discriminator of an enhancement/translation run."""
    from scigan.nets.patchgan import PatchDiscriminator
    from scigan.nets.srresnet import SRResNet
    from scigan.nets.unet import UNet

    from scigan.nets.cycle import CycleDiscriminators, CycleGenerators

    cin, cout = int(data["channels_in"]), int(data["channels_out"])
    if config.task == "cyclegan":
        G = CycleGenerators(cin, cout, width=config.width, depth=UNET_DEPTH)
        D = CycleDiscriminators(cin, cout, width=config.width, sn=config.spectral_norm)
    elif config.task == "translate":
        G = UNet(cin, cout, width=config.width, depth=UNET_DEPTH)
        D = PatchDiscriminator(cout, cin, width=config.width, sn=config.spectral_norm)
    else:
        G = SRResNet(cin, cout, config.scale, width=config.width)
        D = PatchDiscriminator(cout, 0, width=config.width, sn=config.spectral_norm)
    return G, D


def _held_out(config: TrainConfig):
    """(train pairs, held-out pairs, split description, whether inputs are real, pictures).
    Unpaired translation: the train pairs are (domain A, domain B) lists and the held-out
    pairs domain A's pictures as their own inputs."""
    from scigan.enhance.pairs import Pair, read_pairs, read_unpaired, split_pairs

    if config.task == "cyclegan":
        (a_train, a_test, a_split), (b_train, _, b_split) = (
            split_pairs(domain, config.holdout, config.seed, config.patch, 1) for domain in read_unpaired(config.data))
        return ((a_train, b_train), [Pair(p.name, p.target, p.target) for p in a_test],
                f"A: {a_split}; B: {b_split}", True, [])

    pairs, real_inputs, pictures = read_pairs(config.data, config.task, config.scale)
    train, test, split = split_pairs(pairs, config.holdout, config.seed, config.patch, config.scale)
    return train, test, split, real_inputs, pictures


def train_enhancer(config: TrainConfig, out: str | Path, *, resume: bool = False, overwrite: bool = False,
                   log: Callable[[str], None] = print):
    """Train a super-resolution, denoising or translation run into ``out`` (see the
    module docstring); returns (RunInfo, TrainResult) like :func:`scigan.workflows.train.train`."""
    import torch

    from scigan.core.trainer import Trainer, resolve_device
    from scigan.enhance.pairs import InputMaker, PairHook, patch_pool
    from scigan.enhance.terms import cycle_phases, paired_phases
    from scigan.metrics.features import get_extractor
    from scigan.modalities.images import ImageCodec
    from scigan.workflows.scoring import cache_dir
    from scigan.workflows.train import prepare_run_folder

    out = Path(out)
    config = resolve_enhancement(config)
    device = resolve_device(config.device)
    train, test, split, real_inputs, pictures = _held_out(config)
    if config.task == "cyclegan":  # unpaired: a domain-B patch beside a random domain-A patch
        pool = patch_pool(train[1], config.patch, 1, config.seed, config.batch_size)
        pool = np.concatenate([pool, patch_pool(train[0], config.patch, 1, config.seed, 0, count=len(pool), stream=6)], 1)
        channels_out, channels_in = int(train[1][0].target.shape[2]), int(train[0][0].target.shape[2])
    else:
        pool = patch_pool(train, config.patch, config.scale, config.seed, config.batch_size)
        channels_out = int(train[0].target.shape[2])
        channels_in = int(train[0].input.shape[2]) if real_inputs else (1 if config.task == "translate" else channels_out)
    features = None
    info: dict[str, Any] = {
        "modality": "images", "source": config.data, "task": config.task,
        "channels_in": channels_in, "channels_out": channels_out,
        "pairs": "unpaired A/ and B/ folders" if config.task == "cyclegan" else
        "read from paired folders" if real_inputs else (
            "grayscale (luma) -> colour" if config.task == "translate" else f"made by: {degradation(config).describe()}"),
        "pictures": [f"{p.name} {p.pixels.shape[0]}x{p.pixels.shape[1]}x{p.channels} {p.dtype}" for p in pictures],
        "holdout_from": split, "n_holdout": len(test), "n_patches": len(pool),
        "n_train": sum(map(len, train)) if config.task == "cyclegan" else len(train),
        "num_classes": 0, "class_names": [],
    }
    if config.feature_weight > 0 and (config.warmup < config.steps or not config.steps):  # the term will start
        extractor = get_extractor(pool[:, :channels_out], None, None, None, num_classes=1,
                                  cache_dir=cache_dir(), device=device, seed=config.seed, log=log)
        info["feature_extractor"] = extractor.hash
        features = extractor.feature_maps
    run = RunInfo(out, config, info)
    torch.manual_seed(config.seed)
    G, D = networks(config, info)
    hook = PairHook(channels_out, config.scale, None if real_inputs else InputMaker(config.task, degradation(config)),
                    conditional=config.task == "translate")
    crops = _preview_pairs(config, test, real_inputs)

    def preview(G_eval: torch.nn.Module, step: int) -> None:
        _write_crops(G_eval, config, crops, out / "samples" / f"{step:08d}.png", _provenance(run, step))

    trainer = Trainer(config, G, D, torch.from_numpy(pool), None, ImageCodec().encode, 1, out,
                      preview=preview, log=log, hooks=[hook],
                      phases=cycle_phases(config, channels_in == channels_out) if config.task == "cyclegan"
                      else paired_phases(config, features))
    prepare_run_folder(out, resume=resume, overwrite=overwrite)
    save_toml(config, out / "config.toml", {"data": info})
    (out / "samples").mkdir(exist_ok=True)
    log(f"training {config.task} ({config.model}, {len(pool)} patches of {config.patch} px from "
        f"{len(train)} picture(s) of {config.data}; pairs {info['pairs']}); run folder {out}")
    if resume and not trainer.resume():
        log(f"{out} has no checkpoint yet; starting from step 0")
    result = trainer.train()
    log(f"trained {result.step} steps ({result.images} patches) in {result.seconds:.0f} s")
    return run, result


# ------------------------------------------------------------------- applying a run


def load_enhancer(run: RunInfo, which: str = "auto", device: str = "cpu"):
    """The run's generator (the EMA weights) in eval mode, and its checkpoint's state."""
    from scigan.core.checkpoint import load_module, read_state
    from scigan.core.trainer import resolve_device

    directory = checkpoint_dir(run, which)
    G, _ = networks(run.config, run.data)
    load_module(G, directory / "G_ema.safetensors")
    return G.to(resolve_device(device)).eval(), read_state(directory)


def apply(G, config: TrainConfig, x: np.ndarray, reverse: bool = False) -> np.ndarray:
    """The network applied to one picture, float H×W×C in [0, 1] -> (H·scale)×(W·scale)×C'
    in [0, 1], in overlapping tiles (:func:`scigan.enhance.tiling.tiled_apply`);
    ``reverse``: a CycleGAN's B -> A generator."""
    import torch

    from scigan.enhance.tiling import pad_to_multiple, tiled_apply

    device = next(G.parameters()).device
    t = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None].to(device) * 2 - 1
    align = 2**UNET_DEPTH if config.task in TRANSLATIONS else 1
    t, h, w = pad_to_multiple(t, align)
    y = tiled_apply(G.reverse if reverse else G, t, scale=config.scale, tile=TILE, margin=MARGIN, blend=BLEND, align=align)
    y = y[..., : h * config.scale, : w * config.scale]
    return ((y[0].clamp(-1, 1) + 1) / 2).permute(1, 2, 0).cpu().numpy()


def _provenance(run: RunInfo, step: int) -> dict[str, str]:
    what = {"superres": f"super-resolution x{run.config.scale}", "denoise": "denoising",
            "translate": "image translation", "cyclegan": "image translation (CycleGAN)"}[run.config.task]
    return provenance(run, step, processed=what)


def _check_channels(run: RunInfo, name: str, channels: int) -> None:
    want = int(run.data["channels_in"])
    if channels != want:
        kinds = {1: "grayscale", 3: "colour"}
        raise ScienceError(
            f"{name} is {kinds[channels]} ({channels} channel{'s' * (channels > 1)}) but {run.path} was trained "
            f"on {kinds[want]} inputs ({want}); convert the image or use a run trained on {kinds[channels]} images")


def _output_path(src: str, out: Path, single: bool) -> Path:
    if single:
        return out
    rel = Path(src)
    return out / (rel if rel.suffix.lower() in (".png", ".tif", ".tiff") else rel.with_suffix(".png"))


def write_picture(y: np.ndarray, path: Path, unit: float, dtype: str, text: dict[str, str]) -> None:
    """Write float H×W×C in [0, 1] as PNG (8-bit; 16-bit for grayscale 16-bit sources) or
    TIFF (the source's integer type, or float32), with ``text`` as PNG text chunks or the
    TIFF's ImageDescription (JSON)."""
    from scigan.modalities.images.writers import atomic_write, write_png

    suffix = path.suffix.lower()
    kind = np.dtype(dtype)
    if suffix == ".png":
        wide = kind == np.uint16 and y.shape[2] == 1
        array = np.rint(y * (unit if wide else 255)).astype(np.uint16 if wide else np.uint8)
        write_png(array, path, text)
    elif suffix in (".tif", ".tiff"):
        import tifffile

        if np.issubdtype(kind, np.integer):
            array = np.rint(y * unit).clip(0, np.iinfo(kind).max).astype(kind)
        else:
            array = (y * unit).astype(np.float32)
        array = array[..., 0] if array.shape[2] == 1 else array
        atomic_write(path, lambda f: tifffile.imwrite(f, array, description=json.dumps(text)))
    else:
        raise ScienceError(f"cannot write '{path.suffix}' images; give a .png or .tif(f) path, or a folder")


def enhance(run_path: str | Path, source: str | Path, out: str | Path, *, checkpoint: str = "auto",
            device: str = "cpu", overwrite: bool = False, task: str | None = None,
            log: Callable[[str], None] = print) -> list[Path]:
    """Apply an enhancement (or, with ``task="translate"``, a translation) run to an
    image file or a folder of images, of any size, writing ``out`` (an image path, or a
    folder mirroring the input folder). Every image written carries provenance marking
    it as processed by the run. Returns the paths written."""
    from scigan.modalities.images.pictures import read_pictures

    run = open_run(run_path)
    wanted = TRANSLATIONS if task == "translate" else ("superres", "denoise")
    if run.config.task not in wanted:
        command = "translate" if run.config.task in TRANSLATIONS else "enhance" if run.config.task in TASKS else "sample"
        raise ScienceError(f"{run.path} is a {run.config.task} run; use `scigan {command}` with it")
    source, out = Path(source), Path(out)
    if not source.exists():
        raise ScienceError(f"{source}: no such file or folder; check the path")
    single = source.is_file()
    pictures = read_pictures(source)
    for p in pictures:
        _check_channels(run, p.name, p.channels)
    targets = [_output_path(p.name, out, single) for p in pictures]
    if single and out.suffix == "":
        raise ScienceError(f"--out {out}: give an image path (.png, .tif) for one input image")
    if not single and out.suffix:
        raise ScienceError(f"--out {out}: give a folder for a folder of inputs")
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise ScienceError(f"{existing[0]} already exists; pass --overwrite to replace it")
    G, state = load_enhancer(run, checkpoint, device)
    text = _provenance(run, state["step"])
    for p, target in zip(pictures, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        y = apply(G, run.config, p.pixels)
        write_picture(y, target, p.unit, p.dtype, {**text, "scigan:input": p.name})
        log(f"{p.name} {p.pixels.shape[0]}x{p.pixels.shape[1]} -> {target} {y.shape[0]}x{y.shape[1]}")
    return targets


# ---------------------------------------------------------------------- evaluation


def _eval_inputs(config: TrainConfig, test, real_inputs: bool) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, input, target) of every held-out picture: the real input, or one made with
    a fixed seed; targets cropped to multiples of the scale."""
    import torch

    from scigan.core.trainer import seeded_generator
    from scigan.enhance.pairs import InputMaker

    maker = InputMaker(config.task, degradation(config))
    out = []
    for i, p in enumerate(test):
        s = config.scale
        h, w = p.target.shape[0] // s * s, p.target.shape[1] // s * s
        target = p.target[:h, :w]
        if real_inputs:
            inp = p.input[: h // s, : w // s]
        else:
            t = torch.from_numpy(np.ascontiguousarray(target.transpose(2, 0, 1)))[None]
            rng = seeded_generator(torch.device("cpu"), config.seed, 4, i)
            inp = maker(t, rng)[0].permute(1, 2, 0).numpy()
        out.append((p.name, inp, target))
    return out


def _baseline(config: TrainConfig, inp: np.ndarray, channels_out: int) -> np.ndarray:
    import torch

    t = torch.from_numpy(np.ascontiguousarray(inp.transpose(2, 0, 1)))[None]
    y = degradation(config).baseline(t)[0].permute(1, 2, 0).numpy()
    return np.repeat(y, channels_out, axis=2) if y.shape[2] != channels_out else y


def _preview_pairs(config: TrainConfig, test, real_inputs: bool, side: int = 96):
    """(input, baseline, target) crops of up to 4 held-out pictures for previews."""
    crops = []
    for name, inp, target in _eval_inputs(config, test[:4], real_inputs):
        s = config.scale
        k = min(side, target.shape[0], target.shape[1]) // s * s
        crops.append((inp[: k // s, : k // s], target[:k, :k]))
    return crops


def _columns(G, config: TrainConfig, inp: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, ...]:
    """Side-by-side columns: (baseline, output, target); unpaired translation: (input A,
    A -> B, and back B -> A)."""
    y = apply(G, config, inp)
    if config.task == "cyclegan":
        return inp, y, apply(G, config, y, reverse=True)
    return _baseline(config, inp, target.shape[2]), y, target


def _write_crops(G, config: TrainConfig, crops, path: Path, text: dict[str, str]) -> None:
    """A PNG with one row per crop: baseline | network | target (side by side)."""
    from scigan.modalities.images.writers import write_png

    rows = []
    for inp, target in crops:
        columns = _columns(G, config, inp, target)
        c = max(col.shape[2] for col in columns)
        columns = [np.repeat(col, c // col.shape[2], axis=2) for col in columns]
        gap = np.ones((target.shape[0], 2, c))
        rows.append(np.concatenate([columns[0], gap, columns[1], gap, columns[2]], axis=1))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 2), (0, width - r.shape[1]), (0, 0)), constant_values=1) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_png(np.rint(np.concatenate(rows) * 255).astype(np.uint8), path, text)


def evaluate_enhancer(run_path: str | Path, *, checkpoint: str = "auto", device: str = "cpu",
                      log: Callable[[str], None] = print) -> dict[str, Any]:
    """PSNR and SSIM of the run's outputs on the held-out pictures, beside the baseline
    (bicubic for superres, the noisy input for denoise, the grayscale input replicated
    to colour for translate); each the mean over pictures. Also writes
    ``RUN/evaluation.json`` and side-by-side crops (baseline | model | target) to
    ``RUN/report/enhance.png``."""
    from scigan.enhance.quality import psnr, ssim

    run = open_run(run_path)
    config = run.config
    train, test, split, real_inputs, _ = _held_out(config)
    if split != run.data["holdout_from"]:
        raise ScienceError(f"the data at {config.data} changed since {run.path} was trained "
                           f"(held out now: {split}; then: {run.data['holdout_from']})")
    G, state = load_enhancer(run, checkpoint, device)
    rows = []
    for name, inp, target in _eval_inputs(config, test, real_inputs) if config.task == "cyclegan" else ():
        back = apply(G, config, apply(G, config, inp), reverse=True).transpose(2, 0, 1)
        rows.append({"name": name, "cycle_psnr": psnr(back, inp.transpose(2, 0, 1)),
                     "cycle_ssim": ssim(back, inp.transpose(2, 0, 1))})
    for name, inp, target in _eval_inputs(config, test, real_inputs) if config.task != "cyclegan" else ():
        c = target.shape[2]
        y, base = apply(G, config, inp), _baseline(config, inp, c)
        ref = target.transpose(2, 0, 1)
        rows.append({"name": name, "psnr": psnr(y.transpose(2, 0, 1), ref), "ssim": ssim(y.transpose(2, 0, 1), ref),
                     "psnr_baseline": psnr(base.transpose(2, 0, 1), ref),
                     "ssim_baseline": ssim(base.transpose(2, 0, 1), ref)})
    scores: dict[str, Any] = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "name"}
    scores.update({
        "task": config.task, "baseline": {"superres": f"bicubic x{config.scale}", "denoise": "the noisy input",
                                          "translate": "the grayscale input",
                                          "cyclegan": "none (unpaired: A -> B -> A against A)"}[config.task],
        "n_pictures": len(rows), "held_out": split, "per_picture": rows,
        "step": state["step"], "checkpoint": checkpoint, "run": str(run.path),
    })
    _write_crops(G, config, _preview_pairs(config, test, real_inputs), run.path / CROPS,
                 _provenance(run, state["step"]))
    (run.path / "evaluation.json").write_text(json.dumps(scores, indent=1))
    return scores

