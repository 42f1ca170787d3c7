"""The ``scigan`` argument parser: every command and its arguments.

``train``'s option flags come from the option sections' declarations
(:func:`scigan.cli.flags.add_option_flags`); the other commands' few arguments are here.
A usage error (a bad value, an unknown flag, a missing argument) is one line,
``scigan CMD: error: MESSAGE; see scigan CMD --help``, raised as :class:`UsageError`
for :func:`scigan.cli.main` to print with exit code 2; ``--help`` prints as argparse does.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from scigan.augment.config import AugmentConfig
from scigan.cli.examples import EXAMPLES
from scigan.cli.flags import add_option_flags, train_sections
from scigan.forecast.options import ForecastOptions


class UsageError(Exception):
    """A command line argparse refuses; ``str()`` is the one line to print."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (:class:`UsageError`) instead of a
    usage block and ``sys.exit``; its sub-commands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        """Raise the one-line form of argparse's ``message``."""
        raise UsageError(f"{self.prog}: error: {message}; see {self.prog} --help")

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """Parse ``args``; arguments nobody takes are blamed on the command they follow
        (argparse blames the top-level parser)."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = self._commands().get(getattr(parsed, "command", None) or "", self)
            command.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        """Each sub-command's parser by name ({} for a parser without sub-commands)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}


def build_parser() -> Parser:
    """The parser of every ``scigan`` command."""
    from scigan import __version__

    parser = Parser(
        prog="scigan",
        description="Train GANs on scientific data, sample them, and measure them honestly.",
        epilog="Run `scigan COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"scigan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = command("datasets", "list the built-in data sets")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command("train", "train a GAN; writes a run folder")
    p.add_argument("data", help="built-in data set name (see `scigan datasets`) or a path")
    p.add_argument("--out", type=Path, help="run folder (default runs/<data>-<model>)")
    p.add_argument("--config", type=Path, help="TOML file of options (CLI flags override it)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its latest checkpoint")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
    p.add_argument(
        "--nproc",
        type=int,
        default=1,
        help="train on this many processes of this machine (torchrun; the global batch is --batch-size × N)",
    )
    p.set_defaults(option_names=add_option_flags(p, train_sections(), "training options"))

    p = command("sample", "draw synthetic samples from a trained run")
    p.add_argument("run", type=Path, help="run folder")
    p.add_argument("-n", type=int, required=True, help="number of samples")
    p.add_argument("--label", help="class name or index (default: balanced over classes)")
    p.add_argument(
        "--balance",
        action="store_true",
        help="equal counts per class; tables with a --group-column other than the condition: "
        "rows drawn until each group holds n / groups",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="output: images .png grid, .npz or a folder of PNGs; "
        "tables .csv, .tsv or .parquet; expression .h5ad or .csv; sequences .fasta (.fa, …), .csv or .tsv; "
        "molecules .smi, .csv or .sdf; time series .csv, .parquet or .npz",
    )
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--checkpoint", default="auto", help="auto (best, else latest), best, latest or a step")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument(
        "--annotate-nearest",
        action="store_true",
        help="sequences: add each sequence's identity to its nearest training sequence to its record",
    )
    p.add_argument(
        "--watermark",
        action="store_true",
        help="images: embed the run id as an invisible watermark (survives metadata stripping and JPEG "
        "quality 90; each picture needs at least 256x256 pixels)",
    )
    p.add_argument(
        "--c2pa-key",
        type=Path,
        metavar="KEY.pem",
        help="images: sign their C2PA manifest with this PEM key (default: a local key made on first use "
        "under $SCIGAN_HOME/c2pa or ~/.config/scigan/c2pa; needs c2pa-python)",
    )
    p.add_argument("--c2pa-cert", type=Path, metavar="CERT.pem", help="its certificate chain (leaf first)")

    p = command(
        "evaluate",
        "score a run beside its real-vs-real floors: images FD, KID, PRDC, coverage; "
        "tables and expression fidelity, detection AUC, utility, privacy, per group",
    )
    p.add_argument("run", type=Path, help="run folder")
    p.add_argument(
        "--n",
        type=int,
        default=10_000,
        help="samples (images: capped at the holdout size, default 10000; "
        "tables and expression: as many as the training split)",
    )
    p.add_argument("--checkpoint", default="auto", help="auto (best, else latest), best, latest or a step")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--umap", action="store_true", help="draw a UMAP beside the PCA picture (needs umap-learn; adds about 20 s)"
    )

    p = command(
        "augment",
        "does synthetic data help a classifier? real, real+classic, real+gan, "
        "real+classic+gan and gan-only over several seeds; writes results.json, table.md, a plot",
    )
    p.add_argument("data", nargs="?", help="labelled built-in data set or path (optional with --config)")
    p.add_argument("--config", type=Path, help="an augment output folder's config.toml (flags override it)")
    p.add_argument("--out", type=Path, help="output folder (default runs/augment-<data>)")
    p.set_defaults(option_names=add_option_flags(p, [("", AugmentConfig)], "experiment options"))
    p.add_argument(
        "--reuse-gans",
        type=Path,
        metavar="FOLDER",
        help="an earlier augment output folder whose GANs (same subsets and GAN options) are reused",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run the seeds in this many local processes, one thread each (default 0: one per CPU, "
        "at most one per seed; 1 runs them one after the other)",
    )
    p.add_argument(
        "--ray",
        default="",
        metavar="ADDRESS",
        help="run the seeds as tasks of the Ray cluster at ADDRESS (auto: the running one; local: start one here)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing augment output folder")
    p.add_argument("--quiet", action="store_true", help="no progress lines")

    p = command(
        "forecast",
        "forecast a series' next value with an LSTM generator and an MLP discriminator (Zhang et al. 2018) "
        "beside persistence, ARIMA and the LSTM on MSE alone; writes forecast.json, predictions.csv, forecast.png",
    )
    p.add_argument("data", help="a built-in series (sp500) or a CSV/Parquet file of one series")
    p.add_argument("--out", type=Path, help="output folder (default runs/forecast-<data>)")
    p.add_argument("--overwrite", action="store_true", help="replace the files of an existing output folder")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(option_names=add_option_flags(p, [("", ForecastOptions)], "forecast options"))

    p = command(
        "provenance",
        "say what made each file: synthetic, software and version, run and run id, step, model, "
        "config hash (and C2PA, watermark); exit 1 when a file carries no marks",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files scigan wrote (any format it writes)")
    p.add_argument("--json", action="store_true", help="print one JSON list: {file, marks} per file (marks null)")

    p = command("report", "write RUN/report.html: samples, curves, scores, config")
    p.add_argument("run", type=Path, help="run folder")

    for name, what in (
        ("enhance", "apply a super-resolution or denoising run to an image or a folder of images of any size"),
        ("translate", "apply a translation run (pix2pix or CycleGAN, A -> B) to an image or a folder of images"),
    ):
        p = command(name, what)
        p.add_argument(
            "run",
            type=Path,
            help="run folder (trained with --task "
            + ("superres or denoise)" if name == "enhance" else "translate or cyclegan)"),
        )
        p.add_argument("input", type=Path, help="an image file (PNG, JPEG, TIFF) or a folder of them")
        p.add_argument(
            "--out", type=Path, required=True, help="output image (.png or .tif) for one input, a folder for a folder"
        )
        p.add_argument("--checkpoint", default="auto", help="auto (latest), latest or a step")
        p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
        p.add_argument("--overwrite", action="store_true", help="replace existing outputs")

    p = command(
        "edit",
        "explore an image run's generator as a PNG strip: latent interpolation, "
        "class swap with fixed noise, or style mixing (stylegan runs)",
    )
    p.add_argument("run", type=Path, help="run folder of an image run")
    p.add_argument("kind", choices=["interpolate", "class-swap", "style-mix"], help="the edit")
    p.add_argument("--out", type=Path, required=True, help="the strip to write (.png)")
    p.add_argument("--rows", type=int, default=4, help="rows: pairs of latents or fixed latents (default 4)")
    p.add_argument("--frames", type=int, default=8, help="interpolate: frames per row, ends included (default 8)")
    p.add_argument("--method", default="slerp", help="interpolate: slerp (spherical, default) or linear")
    p.add_argument(
        "--label",
        help="interpolate, style-mix: class name or index of every row "
        "(default: row i shows class i mod C; conditional runs only)",
    )
    p.add_argument("--classes", help="class-swap: comma-separated class names or indices (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the latents (default 0)")
    p.add_argument("--checkpoint", default="auto", help="auto (best, else latest), best, latest or a step")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing strip")
    return parser
