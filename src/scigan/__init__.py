"""scigan: generative adversarial networks for scientific and biological data.

The Python API mirrors the command line::

    import scigan
    data = scigan.load_dataset("digits")
    run, result = scigan.train(scigan.TrainConfig(data="digits", steps=300), "runs/digits")
    samples = scigan.sample("runs/digits", 64)
    scores = scigan.evaluate("runs/digits")

Heavy libraries (torch) load on first use, not on ``import scigan``.
"""

from __future__ import annotations

from typing import Any

from scigan.config import TrainConfig
from scigan.errors import ScienceError

__version__ = "0.1.0"
__all__ = [
    "ScienceError",
    "TrainConfig",
    "enhance",
    "evaluate",
    "load_dataset",
    "sample",
    "train",
    "translate",
    "write_report",
]


def load_dataset(source: str, modality: str = "auto", **options: Any):
    """A built-in data set by name, or the user's data at a path, as a ``Dataset``
    (``modality``: images, tabular, expression, or auto to judge by the source)."""
    from scigan.modalities import get_modality, modality_for

    return get_modality(modality_for(source, modality)).load(source, **options)


def train(config: TrainConfig, out: str, **options: Any):
    """Train as ``config`` says into run folder ``out`` (``table=`` a DataFrame to train on
    one in memory); see :func:`scigan.workflows.train.train`."""
    from scigan.workflows.train import train as _train

    return _train(config, out, **options)


def sample(run: str, n: int, **options: Any):
    """``n`` synthetic samples from a run; see :func:`scigan.workflows.sample.sample`."""
    from scigan.workflows.sample import sample as _sample

    return _sample(run, n, **options)


def evaluate(run: str, **options: Any) -> dict[str, Any]:
    """The full metric set of a run; see :func:`scigan.workflows.evaluate.evaluate`."""
    from scigan.workflows.evaluate import evaluate as _evaluate

    return _evaluate(run, **options)


def enhance(run: str, source: str, out: str, **options: Any) -> list:
    """Apply a super-resolution or denoising run to an image or folder of any size, writing
    ``out``; see :func:`scigan.enhance.apply.enhance`."""
    from scigan.enhance.apply import enhance as _enhance

    return _enhance(run, source, out, **options)


def translate(run: str, source: str, out: str, **options: Any) -> list:
    """Apply a translation (pix2pix) run to an image or folder, writing ``out``; see
    :func:`scigan.enhance.apply.translate`."""
    from scigan.enhance.apply import translate as _translate

    return _translate(run, source, out, **options)


def write_report(run: str):
    """Write ``RUN/report.html``; see :func:`scigan.report.html.write_report`."""
    from scigan.report.html import write_report as _write_report

    return _write_report(run)
