"""The experiment's summary for people: a Markdown table and a bar plot of accuracy."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def format_table(conditions: dict[str, Any], class_names: list[str]) -> str:
    """A Markdown table of :func:`~scigan.augment.stats.summarise`'s ``conditions``: mean
    ± std of accuracy, macro-F1 and recall per class (in %), and the paired accuracy
    difference to real-only and to classic with its 95 % interval."""

    def pm(mean: float, std: float) -> str:
        return f"{100 * mean:.1f} ± {100 * std:.1f}"

    def diff(entry: dict[str, Any], key: str) -> str:
        if key not in entry:
            return ""
        d = entry[key]["accuracy"]
        return f"{100 * d['mean']:+.1f} [{100 * d['low']:+.1f}, {100 * d['high']:+.1f}]"

    head = [
        "condition",
        "accuracy %",
        "macro-F1 %",
        *[f"recall {c} %" for c in class_names],
        "Δ acc vs real (95 % CI)",
        "Δ acc vs classic (95 % CI)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, e in conditions.items():
        cells = [
            name,
            pm(e["accuracy_mean"], e["accuracy_std"]),
            pm(e["macro_f1_mean"], e["macro_f1_std"]),
            *[pm(e["recall_mean"][c], e["recall_std"][c]) for c in class_names],
            diff(e, "vs_real"),
            diff(e, "vs_classic"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(conditions: dict[str, Any], path: Path, title: str) -> None:
    """Accuracy per condition: mean ± std as bars, each seed as a dot; written to ``path``
    as PNG (7 × 3.6 inches at 120 dpi)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(conditions)
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    means = [100 * conditions[n]["accuracy_mean"] for n in names]
    stds = [100 * conditions[n]["accuracy_std"] for n in names]
    ax.bar(range(len(names)), means, yerr=stds, capsize=4, color="#9ecae1", edgecolor="#3182bd")
    for i, n in enumerate(names):
        seeds = [100 * r["accuracy"] for r in conditions[n]["per_seed"]]
        ax.plot([i] * len(seeds), seeds, "o", color="#08519c", ms=3)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set_ylabel("test accuracy %")
    low = min(min(100 * r["accuracy"] for r in conditions[n]["per_seed"]) for n in names)
    ax.set_ylim(max(0, low - 5), min(100, max(m + s for m, s in zip(means, stds)) + 3))
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
