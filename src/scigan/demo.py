"""``make demo``: train the default conditional GAN on Fashion-MNIST, then sample a grid
per class, evaluate against the real-vs-real floor, and write the report.

Environment: ``SCIGAN_DEMO_MINUTES`` (training budget, default 7), ``SCIGAN_DEMO_OUT``
(run folder, default ``runs/demo``; the demo replaces its own earlier run there).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from scigan.config import TrainConfig
from scigan.errors import ScienceError


def run_demo(minutes: float, out: Path) -> int:
    """Train, sample, evaluate and report; returns an exit code."""
    from scigan.metrics.declared import scores_for_run
    from scigan.metrics.text import format_scores
    from scigan.report.html import write_report
    from scigan.workflows.evaluate import evaluate
    from scigan.workflows.sample import sample
    from scigan.workflows.train import train

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    config = TrainConfig.from_flat(data="fashion-mnist", steps=0, minutes=minutes)
    say(f"scigan demo: {minutes:g} minutes of training on Fashion-MNIST (default recipe)")
    run, _ = train(config, out, overwrite=True, log=say)
    grid = out / "per_class.png"
    sample(out, 100, out=grid, overwrite=True)
    scores = evaluate(out, log=say)
    report = write_report(out)
    print(format_scores(scores, scores_for_run(run.data["modality"], run.config.task)))
    print(
        f"\nFD {scores['fd']:.2f} against a real-vs-real floor of {scores['fd_real_floor']:.2f} "
        f"(an untrained generator scores {scores['fd_untrained']:.2f})"
    )
    print(f"run folder: {out}\nsamples, one row per class: {grid}\nreport: {report}")
    return 0


def main() -> int:
    """Entry point of ``python -m scigan.demo``."""
    try:
        minutes = float(os.environ.get("SCIGAN_DEMO_MINUTES", "7"))
    except ValueError:
        print("scigan demo: error: SCIGAN_DEMO_MINUTES must be a number", file=sys.stderr)
        return 2
    try:
        return run_demo(minutes, Path(os.environ.get("SCIGAN_DEMO_OUT", "runs/demo")))
    except ScienceError as err:
        print(f"scigan demo: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
