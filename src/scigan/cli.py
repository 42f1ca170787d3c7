"""The ``scigan`` command line: parse, call the workflows, map errors to exit codes.

Exit codes: 0 ok, 2 bad input or usage (one line on stderr), 1 internal error.
Nothing heavy is imported until a command needs it, so ``scigan --help`` and
``scigan datasets`` answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Callable, Sequence

from scigan.config import TrainConfig, load_toml
from scigan.errors import ScienceError

EXAMPLES = {
    "datasets": "examples:\n  scigan datasets\n  scigan datasets --json",
    "train": (
        "examples:\n"
        "  scigan train digits --steps 300 --out runs/digits\n"
        "  scigan train fashion-mnist --minutes 8 --out runs/fmnist\n"
        "  scigan train my_cells/ --size 64 --model resnet --loss hinge --diffaugment color,translation\n"
        "  scigan train my_cells/ --ada-target 0.6 --diffaugment color,translation    # adaptive augmentation\n"
        "  scigan train images.npz --unconditional --config my.toml --out runs/mine\n"
        "  scigan train digits --steps 600 --out runs/digits --resume    # continue a run\n"
        "  scigan train breast-cancer --label-column target --steps 2000 --out runs/bc\n"
        "  scigan train gbsg2 --condition-columns label --out runs/gbsg2   # CTGAN's vector on the label only\n"
        "  scigan train visits.csv --label-column outcome --column-types age=integer,stage=categorical\n"
        "  scigan train pbmc68k --conditional --minutes 5 --out runs/pbmc\n"
        "  scigan train cells.h5ad --label-column cell_type --values counts\n"
        "  scigan train nuclei --task superres --scale 4 --steps 2000 --batch-size 16 --out runs/sr   # SRGAN\n"
        "  scigan train my_micrographs/ --task denoise --noise poisson --peak 20 --out runs/dn\n"
        "  scigan train pairs/ --task superres --scale 2    # pairs/lr/ and pairs/hr/, files paired by name\n"
        "  scigan train he-tile --task translate --steps 2000 --out runs/colour   # pix2pix: grayscale -> colour\n"
        "  scigan train stains/ --task cyclegan --out runs/cycle    # unpaired stains/A/ and stains/B/"
    ),
    "sample": (
        "examples:\n"
        "  scigan sample runs/digits -n 64 --out grid.png\n"
        "  scigan sample runs/fmnist -n 1000 --label Sneaker --out sneakers.npz\n"
        "  scigan sample runs/fmnist -n 100 --out synthetic/    # a folder of PNG files\n"
        "  scigan sample runs/bc -n 1000 --label malignant --out synthetic.parquet\n"
        "  scigan sample runs/pbmc -n 700 --out synthetic.h5ad"
    ),
    "evaluate": ("examples:\n  scigan evaluate runs/digits\n  scigan evaluate runs/fmnist --n 5000 --json\n"
                 "  scigan evaluate runs/bc --json    # a table: detection_auc, utility_ratio, mia_auc, ..."),
    "report": "examples:\n  scigan report runs/digits    # writes runs/digits/report.html",
    "enhance": (
        "examples:\n"
        "  scigan enhance runs/sr low_res.tif --out sharp.tif        # any size; 16-bit TIFF stays 16-bit\n"
        "  scigan enhance runs/dn noisy_folder/ --out denoised/      # a folder: PNGs/TIFFs mirrored\n"
        "  scigan enhance runs/sr cell.png --out cell_x4.png --checkpoint 1000"
    ),
    "translate": (
        "examples:\n"
        "  scigan translate runs/colour gray.png --out coloured.png\n"
        "  scigan translate runs/stain stain_A_folder/ --out stain_B_folder/"
    ),
    "edit": (
        "examples:\n"
        "  scigan edit runs/fmnist interpolate --out walk.png                  # slerp, 4 rows of 8 frames\n"
        "  scigan edit runs/fmnist interpolate --method linear --label Sneaker --frames 12 --out walk.png\n"
        "  scigan edit runs/fmnist class-swap --rows 6 --out swap.png            # a column per class\n"
        "  scigan edit runs/fmnist class-swap --classes \"Sneaker,Sandal,Ankle boot\" --out shoes.png\n"
        "  scigan edit runs/fmnist-stylegan style-mix --rows 5 --out mix.png     # --model stylegan runs only"
    ),
    "augment": (
        "examples:\n"
        "  scigan augment digits --per-class 10                       # 5 seeds, about 3 minutes\n"
        "  scigan augment fashion-mnist --per-class 20 --repeats 3 --out runs/aug-fmnist\n"
        "  scigan augment fashion-mnist --per-class 20 --gan-steps 3000 --cnn-steps 1000 --filter 0.5\n"
        "  scigan augment breast-cancer --imbalance malignant=0.1 --classifier gboost\n"
        "  scigan augment breast-cancer --imbalance malignant=0.1 --classic reweight --mix 0.3\n"
        "  scigan augment my_cells/ --per-class 50 --flips --size 32\n"
        "  scigan augment fashion-mnist --per-class 20 --filter 0.9 --reuse-gans runs/aug-fmnist --out runs/aug-f09\n"
        "  scigan augment --config runs/aug-fmnist/config.toml --out runs/aug-again   # repeat an experiment"
    ),
}

# train options that map one-to-one onto TrainConfig fields (flag -> help).
TRAIN_OPTIONS: dict[str, tuple[type, str]] = {
    "model": (str, "architecture: images mlp, dcgan, resnet, progressive (ProGAN), stylegan, lapgan "
                   "(default dcgan); tables ctgan; expression scgan"),
    "attention": (int, "dcgan/resnet: self-attention (SAGAN) at this feature-map size, e.g. 14 (default 0: off)"),
    "grow_images": (int, "progressive: images per stable stage and per fade-in (default 32000)"),
    "loss": (str, "ns, hinge, wgan (with gradient penalty) or lsgan (default: hinge for images, wgan otherwise)"),
    "size": (int, "image size in pixels (default: the data's own)"),
    "modality": (str, "images, tabular or expression (default: judged by the data; .h5ad expression, .csv tabular)"),
    "label_column": (str, "tables: the label column; expression: the obs key of the cell type"),
    "column_types": (str, "tables: type overrides, e.g. age=integer,stage=categorical,visit=datetime"),
    "values": (str, "expression: counts, log (log-normalised) or auto (default: detected)"),
    "pac": (int, "tables: PacGAN pack size (default 4 when it divides the batch size)"),
    "condition_columns": (str, "tables: all (CTGAN's conditional vector over every discrete column, "
                               "the default) or label (the label column only)"),
    "steps": (int, "generator steps (default 3000; 0 = no limit, use --minutes)"),
    "minutes": (float, "wall-clock budget in minutes"),
    "batch_size": (int, "batch size (default 64)"),
    "width": (int, "base channel count of the networks (default 32)"),
    "z_dim": (int, "latent vector length (default 128)"),
    "g_lr": (float, "generator learning rate (default 2e-4)"),
    "d_lr": (float, "discriminator learning rate (default 2e-4)"),
    "n_critic": (int, "discriminator steps per generator step (default: 5 for wgan, else 1)"),
    "gp_weight": (float, "gradient-penalty weight (default: 10 for wgan, else off)"),
    "r1_gamma": (float, "R1 penalty strength (default 0: off)"),
    "ema_half_life": (float, "EMA half-life of G's weights in images (default 10000; 0: off)"),
    "diffaugment": (str, "DiffAugment policy, e.g. color,translation,cutout"),
    "ada_target": (float, "adaptive augmentation: target of E[sign D(real)] (0.6 in the paper; default 0: off)"),
    "ada_speed": (float, "adaptive augmentation: real images for p to move from 0 to 1 (default 50000)"),
    "limited_data": (str, "auto, yes or no: DiffAugment with adaptive augmentation (default auto: "
                          "on below --limited-data-threshold training images)"),
    "limited_data_threshold": (int, "training images below which --limited-data auto switches on (default 10000)"),
    "holdout": (float, "share held out for evaluation when the data has no test split (default 0.1)"),
    "seed": (int, "random seed (default 0)"),
    "device": (str, "auto, cpu or cuda (default auto)"),
    "precision": (str, "fp32, bf16 or auto: bf16 autocast where the hardware has it (default auto)"),
    "eval_every": (int, "steps between quick FD evaluations that keep the best checkpoint (0: off)"),
    "eval_n": (int, "samples per quick evaluation (default 2000)"),
    "patience": (int, "stop after this many evaluations without improvement (0: never)"),
    "sample_every": (int, "steps between preview grids (default 500)"),
    "checkpoint_every": (int, "steps between checkpoints (default 500)"),
    "log_every": (int, "steps between metrics.jsonl entries (default 50)"),
    "task": (str, "generate (default), or for images superres, denoise, translate (pix2pix, paired) "
                  "or cyclegan (unpaired translation)"),
    "scale": (int, "superres: upscaling factor 2, 4 or 8 (default 4)"),
    "patch": (int, "superres/denoise/translate: training patch side in output pixels, 16-64 (default 64)"),
    "noise": (str, "degradation noise: gaussian, poisson or none (default: gaussian for denoise, else none)"),
    "sigma": (float, "Gaussian noise std in 1/255 units (default 25)"),
    "peak": (float, "Poisson noise: photons at full intensity (default 30; lower is noisier)"),
    "blur": (float, "superres: Gaussian blur sigma in pixels before downsampling (default 0)"),
    "warmup": (int, "steps of pixel loss alone before the GAN and feature terms (default 1000; translate 0)"),
    "adv_weight": (float, "adversarial weight against the L1 loss (default 1e-3; translate 0.01)"),
    "feature_weight": (float, "feature-loss weight (default 1; translate 0)"),
}


# augment options that map one-to-one onto AugmentConfig fields (flag -> help).
AUGMENT_OPTIONS: dict[str, tuple[type, str]] = {
    "per_class": (int, "K labelled training examples per class and seed (default 0: every example)"),
    "imbalance": (str, "CLASS=FRACTION: keep only that share of one class's training examples, e.g. malignant=0.1"),
    "repeats": (int, "seeds per condition, at least 2 (default 5)"),
    "seed": (int, "first seed; also draws the test split when the data has none (default 0)"),
    "test_fraction": (float, "share set aside for testing when the data has no test split (default 0.25)"),
    "synthetic_per_class": (int, "GAN samples per class (default: images K, i.e. half the training set synthetic; tables up to twice the largest class)"),
    "mix": (float, "share of synthetic samples per CNN batch / in the tables' sample weight (default 0: like real ones)"),
    "filter": (float, "keep synthetic samples the real-only classifier gives their label with this probability (default 0: all)"),
    "gan_steps": (int, "GAN steps per seed (default: 600 images, 3000 images of 16 px or less, 2000 tables and expression)"),
    "gan_eval_every": (int, "GAN steps between checkpoint-picking evaluations on its own holdout "
                      "(default: off for images, 500 otherwise)"),
    "classifier": (str, "cnn (images), logreg or gboost (tables, expression); default auto"),
    "classic": (str, "classic augmentation: affine (images), smote or reweight (tables, expression); default auto"),
    "cnn_steps": (int, "optimizer steps of the downstream CNN (default 400)"),
    "label_column": (str, "tables and expression: the label column"),
    "size": (int, "images: resize to this many pixels (default: the data's own)"),
    "device": (str, "where the GANs train: cpu, cuda or auto (default cpu)"),
}


def _parser() -> argparse.ArgumentParser:
    from scigan import __version__

    parser = argparse.ArgumentParser(
        prog="scigan",
        description="Train GANs on scientific data, sample them, and measure them honestly.",
        epilog="Run `scigan COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"scigan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("datasets", "list the built-in data sets")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command("train", "train a GAN; writes a run folder")
    p.add_argument("data", help="built-in data set name (see `scigan datasets`) or a path")
    p.add_argument("--out", type=Path, help="run folder (default runs/<data>-<model>)")
    p.add_argument("--config", type=Path, help="TOML file of options (CLI flags override it)")
    cond = p.add_mutually_exclusive_group()
    cond.add_argument("--conditional", dest="conditional", action="store_const", const="yes",
                      help="condition on the labels (default whenever the data has labels)")
    cond.add_argument("--unconditional", dest="conditional", action="store_const", const="no",
                      help="ignore the labels")
    sn = p.add_mutually_exclusive_group()
    sn.add_argument("--spectral-norm", dest="spectral_norm", action="store_const", const=True,
                    help="spectral norm in D (default)")
    sn.add_argument("--no-spectral-norm", dest="spectral_norm", action="store_const", const=False)
    p.add_argument("--no-channels-last", dest="channels_last", action="store_const", const=False,
                   help="keep NCHW tensors (default: channels-last, faster for convolutions)")
    p.add_argument("--no-reuse-fake", dest="reuse_fake", action="store_const", const=False,
                   help="draw a second fake batch for the generator step")
    for name, (kind, help_text) in TRAIN_OPTIONS.items():
        p.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, help=help_text)
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its latest checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar or log lines")

    p = command("sample", "draw synthetic samples from a trained run")
    p.add_argument("run", type=Path, help="run folder")
    p.add_argument("-n", type=int, required=True, help="number of samples")
    p.add_argument("--label", help="class name or index (default: balanced over classes)")
    p.add_argument("--out", type=Path, help="output: images .png grid, .npz or a folder of PNGs; "
                   "tables .csv, .tsv or .parquet; expression .h5ad or .csv")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--checkpoint", default="auto", help="auto (best, else latest), best, latest or a step")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")

    p = command("evaluate", "score a run beside its real-vs-real floors: images FD, KID, PRDC, coverage; "
                "tables and expression fidelity, detection AUC, utility, privacy, per group")
    p.add_argument("run", type=Path, help="run folder")
    p.add_argument("--n", type=int, default=10_000, help="samples (images: capped at the holdout size, default 10000; "
                   "tables and expression: as many as the training split)")
    p.add_argument("--checkpoint", default="auto", help="auto (best, else latest), best, latest or a step")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--umap", action="store_true",
                   help="draw a UMAP beside the PCA picture (needs umap-learn; adds about 20 s)")

    p = command("augment", "does synthetic data help a classifier? real, real+classic, real+gan, "
                "real+classic+gan and gan-only over several seeds; writes results.json, table.md, a plot")
    p.add_argument("data", nargs="?", help="labelled built-in data set or path (optional with --config)")
    p.add_argument("--config", type=Path, help="an augment output folder's config.toml (flags override it)")
    p.add_argument("--out", type=Path, help="output folder (default runs/augment-<data>)")
    p.add_argument("--flips", action="store_const", const=True,
                   help="images: horizontal flips in the classic augmentation (off by default)")
    for name, (kind, help_text) in AUGMENT_OPTIONS.items():
        p.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, help=help_text)
    p.add_argument("--reuse-gans", type=Path, metavar="FOLDER",
                   help="an earlier augment output folder whose GANs (same subsets and GAN options) are reused")
    p.add_argument("--overwrite", action="store_true", help="replace an existing augment output folder")
    p.add_argument("--quiet", action="store_true", help="no progress lines")

    p = command("report", "write RUN/report.html: samples, curves, scores, config")
    p.add_argument("run", type=Path, help="run folder")

    for name, what in (("enhance", "apply a super-resolution or denoising run to an image or a folder "
                                   "of images of any size"),
                       ("translate", "apply a translation run (pix2pix or CycleGAN, A -> B) to an image or a "
                                     "folder of images")):
        p = command(name, what)
        p.add_argument("run", type=Path, help="run folder (trained with --task "
                       + ("superres or denoise)" if name == "enhance" else "translate or cyclegan)"))
        p.add_argument("input", type=Path, help="an image file (PNG, JPEG, TIFF) or a folder of them")
        p.add_argument("--out", type=Path, required=True,
                       help="output image (.png or .tif) for one input, a folder for a folder")
        p.add_argument("--checkpoint", default="auto", help="auto (latest), latest or a step")
        p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
        p.add_argument("--overwrite", action="store_true", help="replace existing outputs")

    p = command("edit", "explore an image run's generator as a PNG strip: latent interpolation, "
                "class swap with fixed noise, or style mixing (stylegan runs)")
    p.add_argument("run", type=Path, help="run folder of an image run")
    p.add_argument("kind", choices=["interpolate", "class-swap", "style-mix"], help="the edit")
    p.add_argument("--out", type=Path, required=True, help="the strip to write (.png)")
    p.add_argument("--rows", type=int, default=4, help="rows: pairs of latents or fixed latents (default 4)")
    p.add_argument("--frames", type=int, default=8, help="interpolate: frames per row, ends included (default 8)")
    p.add_argument("--method", default="slerp", help="interpolate: slerp (spherical, default) or linear")
    p.add_argument("--label", help="interpolate, style-mix: class name or index of every row "
                   "(default: row i shows class i mod C; conditional runs only)")
    p.add_argument("--classes", help="class-swap: comma-separated class names or indices (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the latents (default 0)")
    p.add_argument("--checkpoint", default="auto", help="auto (best, else latest), best, latest or a step")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing strip")
    return parser


def _train_config(args: argparse.Namespace) -> TrainConfig:
    """Defaults, then the --config file, then the flags given on the command line."""
    config = TrainConfig(data=args.data)
    if args.config is not None:
        config = config.with_overrides(**load_toml(args.config))
        config = config.with_overrides(data=args.data)
    given = {f.name: getattr(args, f.name) for f in fields(TrainConfig)
             if getattr(args, f.name, None) is not None and f.name != "data"}
    if args.minutes is not None and args.steps is None:
        given["steps"] = 0
    if args.quiet:
        given["progress"] = False
    return config.with_overrides(**given)


def _datasets(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.datasets import list_datasets

    rows = list_datasets()
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'name':<15}{'modality':<12}{'shape':<18}{'classes':<9}{'available':<11}source")
    for r in rows:
        print(f"{r['name']:<15}{r['modality']:<12}{r['shape']:<18}{r['classes']:<9}"
              f"{'yes' if r['available'] else 'no':<11}{r['source']}")
        if not r["available"]:
            print(f"{'':<15}install: {r['install']}")


def _train(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.workflows.train import train

    config = _train_config(args)
    model = "" if config.model == "auto" else f"-{config.model}"
    out = args.out or Path("runs") / f"{Path(config.data).name or 'data'}{model}"
    run, result = train(config, out, resume=args.resume, overwrite=args.overwrite,
                        log=(lambda s: None) if args.quiet else say)
    say(f"run folder: {run.path}")


def _sample(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.workflows.sample import sample

    samples = sample(args.run, args.n, label=args.label, out=args.out, seed=args.seed,
                     checkpoint=args.checkpoint, device=args.device, overwrite=args.overwrite)
    where = f" to {args.out}" if args.out else " (pass --out to write them)"
    say(f"drew {len(samples)} samples from {args.run} at step {samples.info['step']}{where}")


def _evaluate(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.workflows.evaluate import evaluate

    scores = evaluate(args.run, n=args.n, checkpoint=args.checkpoint, seed=args.seed,
                      device=args.device, umap=args.umap, log=say)
    if args.json:
        print(json.dumps(scores))
        return
    if "psnr" in scores or "cycle_psnr" in scores:
        from scigan.workflows.enhance import format_enhancement

        print(format_enhancement(scores))
        return
    print(format_scores(scores))


def format_scores(s: dict) -> str:
    """A short human-readable table of ``evaluate``'s scores."""
    if "detection_auc" in s:
        return format_table_scores(s)
    lines = [
        f"n = {s['n']} samples against the {s['reference']} (extractor {s['extractor_hash'][:12]}, "
        f"accuracy {s['extractor_test_accuracy'] if s['extractor_test_accuracy'] is None else round(s['extractor_test_accuracy'], 3)})",
        f"FD        {s['fd']:10.3f}   real-vs-real floor {s['fd_real_floor']:.3f}"
        + (f"   untrained G {s['fd_untrained']:.3f}" if "fd_untrained" in s else ""),
        f"KID       {s['kid']:10.5f} ± {s['kid_std']:.5f}   floor {s['kid_real_floor']:.5f}",
        f"precision {s['precision']:10.3f}   recall {s['recall']:.3f}",
        f"density   {s['density']:10.3f}   coverage {s['coverage']:.3f}",
    ]
    if "class_coverage" in s:
        lines.append(f"class coverage {s['class_coverage']:.3f}"
                     + (f"   label accuracy {s['label_accuracy']:.3f}" if "label_accuracy" in s else ""))
    if "worst_class" in s:
        w = s["worst_class"]
        lines.append(f"worst class {w['name']!r}: FD {w['fd']:.3f} (gap to best {w['gap']:.3f})")
    return "\n".join(lines)


def format_table_scores(s: dict) -> str:
    """The scores of a table or expression run, each beside its real-vs-real value."""

    def num(key: str) -> str:
        value = s.get(key)
        return "—" if value is None else f"{value:.3f}"

    lines = [f"n = {s['n']} synthetic rows against {s['n_reference']} rows of the {s['reference']}"]
    for key, label in (("fidelity", "fidelity"), ("gene_mean_r", "gene mean r"), ("gene_var_r", "gene var r"),
                       ("corr_of_corr", "corr of corr"), ("mmd", "MMD (PCA)")):
        if key in s:
            lines.append(f"{label:<16}{num(key):>8}   real-vs-real {num(key + '_real_floor')}")
    lines += [
        f"FD (features)   {num('fd'):>8}   real-vs-real {num('fd_real_floor')}   untrained G {num('fd_untrained')}",
        f"detection AUC   {num('detection_auc'):>8}   real-vs-real {num('detection_auc_real')}   (0.5: indistinguishable)",
        f"utility (TSTR)  {num('utility_tstr'):>8}   train on real {num('utility_trtr')}   ratio {num('utility_ratio')}",
        f"DCR closer to train {num('dcr_closer_to_train_share')}   membership AUC {num('mia_auc')}   (0.5 ideal)",
    ]
    worst = s.get("worst_group")
    if isinstance(worst, dict):
        lines.append(f"worst group {worst['name']!r}: {worst['metric']} {worst['value']:.3f} (gap to best {worst['gap']:.3f})"
                     + (f", n = {worst['n']} held-out" if worst.get("n") is not None else "")
                     + ("" if worst.get("trusted", True) else ", no group is large enough to trust"))
        if worst.get("small"):
            lines.append(f"too few held-out rows (< {worst['min_rows']}) to trust: {', '.join(map(str, worst['small']))}")
    return "\n".join(lines)


def _augment(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.workflows.augment import AugmentConfig, augment, read_config

    base = read_config(args.config) if args.config is not None else {}
    given = {name: getattr(args, name) for name in [*AUGMENT_OPTIONS, "flips"] if getattr(args, name) is not None}
    if args.data is not None:
        given["data"] = args.data
    options = {**base, **given}
    if not options.get("data"):
        raise ScienceError("name the data: scigan augment DATA ..., or pass --config FILE")
    known = AugmentConfig.__dataclass_fields__
    unknown = [k for k in options if k not in known]
    if unknown:
        raise ScienceError(f"{args.config}: unknown augment option {unknown[0]!r}")
    cfg = AugmentConfig(**options)
    out = args.out or Path("runs") / f"augment-{Path(cfg.data).name}"
    results = augment(cfg, out, overwrite=args.overwrite, log=(lambda s: None) if args.quiet else say,
                      reuse_gans=args.reuse_gans)
    print((out / "table.md").read_text(), end="")
    say(f"results: {out}/results.json ({len(results['seeds'])} seeds)")


def _enhance(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.workflows.enhance import enhance

    written = enhance(args.run, args.input, args.out, checkpoint=args.checkpoint, device=args.device,
                      overwrite=args.overwrite, task=args.command, log=say)
    say(f"wrote {len(written)} image(s) to {args.out}")


def _report(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.report.html import write_report

    say(f"report: {write_report(args.run)}")


def _edit(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    from scigan.workflows.edit import edit

    strip = edit(args.run, args.kind, args.out, rows=args.rows, frames=args.frames, method=args.method,
                 label=args.label, classes=args.classes.split(",") if args.classes else None, seed=args.seed,
                 checkpoint=args.checkpoint, device=args.device, overwrite=args.overwrite)
    rows, cols = strip.images.shape[:2]
    say(f"wrote {args.out}: {strip.description}, {rows} rows × {cols} columns")


COMMANDS = {"datasets": _datasets, "train": _train, "sample": _sample, "augment": _augment,
            "evaluate": _evaluate, "report": _report, "edit": _edit, "enhance": _enhance,
            "translate": _enhance}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        COMMANDS[args.command](args, say)
    except ScienceError as err:
        print(f"scigan {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scigan {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # an internal error: one line, the traceback on request
        if os.environ.get("SCIGAN_DEBUG"):
            raise
        print(f"scigan {args.command}: internal error: {type(err).__name__}: {err} "
              "(set SCIGAN_DEBUG=1 for the traceback and please report it)", file=sys.stderr)
        return 1
    return 0
