"""What each ``scigan`` command does with its parsed arguments: call the workflow, print.

Each handler takes the parsed ``args`` and ``say`` (a line to stderr) and raises
ScienceError on bad input; :func:`scigan.cli.main` maps that to exit code 2.
"""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable
from pathlib import Path

from scigan.cli.flags import train_config
from scigan.errors import ScienceError


def datasets_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Print the built-in data sets (a table, or JSON with --json)."""
    from scigan.modalities import list_datasets

    rows = list_datasets()
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'name':<15}{'modality':<12}{'shape':<18}{'classes':<9}{'available':<11}source")
    for r in rows:
        print(
            f"{r['name']:<15}{r['modality']:<12}{r['shape']:<18}{r['classes']:<9}"
            f"{'yes' if r['available'] else 'no':<11}{r['source']}"
        )
        if not r["available"]:
            print(f"{'':<15}install: {r['install']}")


def resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command that continues the run ``out`` that ``scigan train`` with ``args``
    started: the arguments as typed, less ``--overwrite``, with ``--out`` and ``--resume``."""
    words = [str(w) for w in args.argv if str(w) != "--overwrite"]
    if args.out is None:
        words += ["--out", str(out)]
    if not args.resume:
        words.append("--resume")
    return shlex.join(["scigan", *words])


def train_command(args: argparse.Namespace, say: Callable[[str], None]) -> int | None:
    """Train a run as the flags and --config say; print its folder. Stopped by SIGINT or
    SIGTERM, it says how to resume (:class:`~scigan.core.interrupt.Interrupted`). With
    ``--nproc N`` the same command runs on N processes (:mod:`scigan.cli.launch`)."""
    from scigan.core.distributed import from_environment
    from scigan.core.interrupt import Interrupted
    from scigan.workflows.train import train

    config = train_config(args, args.option_names)
    model = "" if config.model == "auto" else f"-{config.model}"
    out = args.out or Path("runs") / f"{Path(config.data).name or 'data'}{model}"
    if args.nproc != 1:
        from scigan.cli.launch import run_ranks

        argv = args.argv if args.out is not None else [*args.argv, "--out", str(out)]
        return run_ranks(argv, args.nproc, resume_command(args, out))
    try:
        run, _ = train(
            config, out, resume=args.resume, overwrite=args.overwrite, log=(lambda s: None) if args.quiet else say
        )
    except Interrupted as stop:
        stop.resume = resume_command(args, out)
        raise
    if from_environment().main:
        say(f"run folder: {run.path}")
    return None


def sample_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Draw samples from a run, writing them with --out."""
    from scigan.workflows.sample import sample

    samples = sample(
        args.run,
        args.n,
        label=args.label,
        out=args.out,
        seed=args.seed,
        checkpoint=args.checkpoint,
        device=args.device,
        overwrite=args.overwrite,
        annotate_nearest=args.annotate_nearest,
        balance=args.balance,
        watermark=args.watermark,
        c2pa_key=args.c2pa_key,
        c2pa_cert=args.c2pa_cert,
    )
    where = f" to {args.out}" if args.out else " (pass --out to write them)"
    say(f"drew {len(samples)} samples from {args.run} at step {samples.info['step']}{where}")


def evaluate_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Score a run on its holdout; print the declared scores (or JSON)."""
    from scigan.metrics.declared import scores_for_run
    from scigan.metrics.text import format_scores
    from scigan.runs import open_run
    from scigan.workflows.evaluate import evaluate

    scores = evaluate(
        args.run, n=args.n, checkpoint=args.checkpoint, seed=args.seed, device=args.device, umap=args.umap, log=say
    )
    if args.json:
        print(json.dumps(scores))
        return
    run = open_run(args.run)
    print(format_scores(scores, scores_for_run(run.data["modality"], run.config.task)))


def augment_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Run the augmentation experiment; print its table."""
    from scigan.augment.config import AugmentConfig, read_config
    from scigan.augment.experiment import augment

    base = read_config(args.config) if args.config is not None else {}
    given = {name: getattr(args, name) for name in args.option_names if getattr(args, name) is not None}
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
    results = augment(
        cfg,
        out,
        overwrite=args.overwrite,
        log=(lambda s: None) if args.quiet else say,
        reuse_gans=args.reuse_gans,
        workers=args.workers,
        ray=args.ray,
    )
    print((out / "table.md").read_text(), end="")
    say(f"results: {out}/results.json ({len(results['seeds'])} seeds)")


def enhance_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Apply an enhancement or translation run to an image or a folder."""
    from scigan.enhance.apply import enhance

    written = enhance(
        args.run,
        args.input,
        args.out,
        checkpoint=args.checkpoint,
        device=args.device,
        overwrite=args.overwrite,
        task=args.command,
        log=say,
    )
    say(f"wrote {len(written)} image(s) to {args.out}")


def report_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Write a run's report.html."""
    from scigan.report.html import write_report

    say(f"report: {write_report(args.run)}")


def edit_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Write an edit strip of an image run (interpolation, class swap, style mixing)."""
    from scigan.workflows.edit import edit

    strip = edit(
        args.run,
        args.kind,
        args.out,
        rows=args.rows,
        frames=args.frames,
        method=args.method,
        label=args.label,
        classes=args.classes.split(",") if args.classes else None,
        seed=args.seed,
        checkpoint=args.checkpoint,
        device=args.device,
        overwrite=args.overwrite,
    )
    rows, cols = strip.images.shape[:2]
    say(f"wrote {args.out}: {strip.description}, {rows} rows × {cols} columns")


def forecast_command(args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """Forecast a series with the GAN and its baselines; print the table and where the files are."""
    from scigan.forecast.run import forecast

    given = {name: getattr(args, name) for name in args.option_names if getattr(args, name) is not None}
    if given.get("minutes") and "steps" not in given:  # as `scigan train`: the budget alone limits
        given["steps"] = 0
    out = args.out or Path("runs") / f"forecast-{Path(args.data).stem}"
    forecast(args.data, out, overwrite=args.overwrite, log=(lambda s: None) if args.quiet else say, **given)
    say(f"wrote {out}/forecast.json, {out}/predictions.csv, {out}/forecast.png")


#: How ``scigan provenance`` labels the marks it knows, in the order it prints them.
MARK_LABELS = {
    "scigan:synthetic": "synthetic",
    "Software": "software",
    "scigan:version": "version",
    "scigan:run": "run",
    "scigan:run_id": "run id",
    "scigan:step": "step",
    "scigan:model": "model",
    "scigan:config_hash": "config hash",
}


def provenance_command(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """Print what made each file (its marks, or JSON); returns 1 when a file carries none."""
    from scigan.provenance.reader import read_provenance

    found = [(path, read_provenance(path)) for path in args.files]
    if args.json:
        print(json.dumps([{"file": str(path), "marks": marks} for path, marks in found], indent=1))
    for path, marks in found:
        if marks is None:
            say(f"{path}: no provenance marks; scigan did not write it, or its marks were stripped")
        elif not args.json:
            print(f"{path}:")
            keys = [*(k for k in MARK_LABELS if k in marks), *(k for k in marks if k not in MARK_LABELS)]
            for key in keys:
                print(f"  {MARK_LABELS.get(key, key.removeprefix('scigan:')) + ':':<14}{marks[key]}")
    return 1 if any(marks is None for _, marks in found) else 0


#: The handler of each command; one that returns an exit code (provenance) may say 1.
COMMANDS: dict[str, Callable[[argparse.Namespace, Callable[[str], None]], int | None]] = {
    "datasets": datasets_command,
    "train": train_command,
    "sample": sample_command,
    "augment": augment_command,
    "forecast": forecast_command,
    "evaluate": evaluate_command,
    "report": report_command,
    "provenance": provenance_command,
    "edit": edit_command,
    "enhance": enhance_command,
    "translate": enhance_command,
}
