"""The report's curves (PNG, matplotlib on the Agg backend): loss terms and the quick
scores over training, each score titled with its declared label and direction."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scigan.metrics.registry import Score
from scigan.report.data import Point, is_number

#: Most quick scores drawn, the selection score first.
MAX_CURVES = 4


def plot_losses(points: list[Point], path: Path) -> bool:
    """Plot every loss term over samples seen into ``path`` (PNG); False when there is none."""
    terms = sorted({k for p in points for k, v in p.values.items() if is_number(v)})
    if not terms:
        return False
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    try:
        for term in terms:
            xy = [(p.images / 1000, p.values[term]) for p in points if is_number(p.values.get(term))]
            ax.plot(*zip(*xy), "-o", ms=2, lw=1.2, label=term)
        ax.set(
            xlabel="real samples seen (thousands)",
            ylabel="loss",
            title="Loss terms (they do not tell sample quality: see the scores)",
        )
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        save(fig, path)
    finally:
        plt.close(fig)
    return True


def curves(evals: list[Point], declared: Sequence[Score], selection: Score) -> list[Score]:
    """The declared quick scores the evaluations logged: the selection score first, then
    the others in declaration order, at most :data:`MAX_CURVES`."""
    logged = [
        s
        for s in [selection, *(s for s in declared if s != selection)]
        if any(is_number(p.values.get(s.key)) for p in evals)
    ]
    return logged[:MAX_CURVES]


def plot_metrics(
    evals: list[Point], best_step: int | None, path: Path, declared: Sequence[Score], selection: Score
) -> bool:
    """Plot the quick scores (:func:`curves`) over samples seen, the best step starred,
    into ``path`` (PNG); False when there is nothing to plot."""
    shown = curves(evals, declared, selection)
    if not shown:
        return False
    plt = pyplot()
    fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 3.6), squeeze=False)
    try:
        for ax, score in zip(axes[0], shown):
            rows = [p for p in evals if is_number(p.values.get(score.key))]
            xs, ys = [p.images / 1000 for p in rows], [p.values[score.key] for p in rows]
            ax.plot(xs, ys, "-o", ms=3, lw=1.2)
            best = [i for i, p in enumerate(rows) if p.step == best_step]
            if best:
                ax.axvline(xs[best[0]], ls="--", lw=1, color="tab:green")
                ax.plot(xs[best[0]], ys[best[0]], "*", ms=12, color="tab:green", label=f"best: step {best_step}")
                ax.legend(fontsize=8)
            if min(ys) > 0 and max(ys) > 20 * min(ys):
                ax.set_yscale("log")
            n = rows[-1].values.get("n")
            picks = ", picks checkpoints" if score == selection else ""
            ax.set(
                xlabel="real samples seen (thousands)",
                title=f"{score.label} ({score.hint}{picks}{f', n={n}' if n else ''})",
            )
            ax.title.set_fontsize(9)
            ax.grid(alpha=0.3)
        save(fig, path)
    finally:
        plt.close(fig)
    return True


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (imported here: it is slow to import)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig: Any, path: Path, provenance: dict[str, str] | None = None, dpi: int = 80) -> Path:
    """Save ``fig`` as a PNG to ``path`` atomically (a temporary file, then os.replace),
    with ``provenance`` as its text chunks; the folder is made when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fig.savefig(tmp, format="png", dpi=dpi, metadata=dict(provenance or {}))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save(fig: Any, path: Path) -> None:
    """Save ``fig`` as PNG to ``path`` atomically."""
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fig.savefig(tmp, format="png", dpi=110)
    os.replace(tmp, path)
