"""The experiment's summary for people: Markdown tables and a plot of accuracy per seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _pm(mean: float, std: float) -> str:
    """A fraction's mean ± std over seeds, in %."""
    return f"{100 * mean:.1f} ± {100 * std:.1f}"


def _interval(d: dict[str, float]) -> str:
    """A paired difference (fractions) and its 95 % interval, in points."""
    return f"{100 * d['mean']:+.1f} [{100 * d['low']:+.1f}, {100 * d['high']:+.1f}]"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def format_table(conditions: dict[str, Any], class_names: list[str], rare: str | None = None) -> str:
    """Markdown tables of :func:`~scigan.augment.stats.summarise`'s ``conditions``.

    The first: mean ± std of accuracy and macro-F1 (in %) and the paired accuracy
    difference to real-only and to classic with its 95 % interval; with a ``rare``
    class name, also that class's recall and F1 and the difference of its F1 to
    classic. The second: recall and F1 of every class (means over seeds, in %). A
    third, when the test data were also scored corrupted: accuracy per corruption.
    """
    head = ["condition", "accuracy %", "macro-F1 %", "Δ acc vs real (95 % CI)", "Δ acc vs classic (95 % CI)"]
    if rare is not None:
        head += [f"recall {rare} %", f"F1 {rare} %", f"Δ F1 {rare} vs classic (95 % CI)"]
    lines = [_row(head), "|" + " --- |" * len(head)]
    for name, e in conditions.items():
        cells = [
            name,
            _pm(e["accuracy_mean"], e["accuracy_std"]),
            _pm(e["macro_f1_mean"], e["macro_f1_std"]),
            _interval(e["vs_real"]["accuracy"]) if "vs_real" in e else "",
            _interval(e["vs_classic"]["accuracy"]) if "vs_classic" in e else "",
        ]
        if rare is not None:
            cells += [
                _pm(e["recall_mean"][rare], e["recall_std"][rare]),
                _pm(e["f1_mean"][rare], e["f1_std"][rare]),
                _interval(e["vs_classic"]["f1"][rare]) if "vs_classic" in e else "",
            ]
        lines.append(_row(cells))
    lines += ["", "Recall / F1 per class, % (mean over seeds)", ""]
    lines += [_row(["condition", *class_names]), "|" + " --- |" * (len(class_names) + 1)]
    for name, e in conditions.items():
        cells = [f"{100 * e['recall_mean'][c]:.0f} / {100 * e['f1_mean'][c]:.0f}" for c in class_names]
        lines.append(_row([name, *cells]))
    corruptions = list(next(iter(conditions.values())).get("corrupted_mean", {}))
    if corruptions:
        lines += ["", "Accuracy % on corrupted test images (Δ vs classic, 95 % CI)", ""]
        lines += [_row(["condition", *corruptions]), "|" + " --- |" * (len(corruptions) + 1)]
        for name, e in conditions.items():
            vs = e.get("vs_classic", {}).get("corrupted", {})
            cells = [
                f"{100 * e['corrupted_mean'][k]:.1f}" + (f" ({_interval(vs[k])})" if k in vs else "")
                for k in corruptions
            ]
            lines.append(_row([name, *cells]))
    return "\n".join(lines)


def plot(conditions: dict[str, Any], path: Path, title: str) -> None:
    """Accuracy per condition: each seed as a dot, the mean as a bar with its 95 %
    t-interval over seeds; written to ``path`` as PNG (7 × 3.6 inches at 120 dpi)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from scipy import stats

    names = list(conditions)
    seeds = [np.array([100 * r["accuracy"] for r in conditions[n]["per_seed"]]) for n in names]
    means = [float(s.mean()) for s in seeds]
    halves = [float(stats.t.ppf(0.975, len(s) - 1) * s.std(ddof=1) / np.sqrt(len(s))) for s in seeds]
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    ax.bar(range(len(names)), means, yerr=halves, capsize=4, color="#9ecae1", edgecolor="#3182bd")
    for i, s in enumerate(seeds):
        ax.plot([i] * len(s), s, "o", color="#08519c", ms=3)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set_ylabel("test accuracy % (bars: mean, 95 % CI)")
    low = min(float(s.min()) for s in seeds)
    high = max(max(float(s.max()), m + h) for s, m, h in zip(seeds, means, halves))
    ax.set_ylim(max(0, low - 5), min(100, high + 3))
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
