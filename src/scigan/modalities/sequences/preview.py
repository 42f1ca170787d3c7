"""The training preview of sequences: rows of coloured letters, real above synthetic."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from scigan.modalities.base import Dataset

#: Rows of each side drawn in a preview.
ROWS = 32


def plot_rows(
    samples: Dataset, reference: Dataset | None, letters: str, path: Path, provenance: dict[str, str]
) -> Path:
    """A PNG at ``path`` of up to :data:`ROWS` real training sequences (``reference``)
    above as many synthetic ones (``samples``), one row per sequence and one colour per
    letter (white after a sequence's end), with the PNG text chunks ``provenance``."""
    from scigan.report.plots import pyplot

    plt = pyplot()
    end = len(letters)
    cmap = plt.get_cmap("tab20", end)
    colours = np.vstack([cmap(np.arange(end))[:, :3], np.ones((1, 3))])  # the end token: white
    panels = [("synthetic", np.asarray(samples.x[:ROWS], dtype=np.int64))]
    if reference is not None:
        panels.insert(0, ("real (training split)", np.asarray(reference.x[:ROWS], dtype=np.int64)))
    length = panels[0][1].shape[1]
    fig, axes = plt.subplots(len(panels), 1, figsize=(min(4 + length / 8, 24), 1.2 + 1.6 * len(panels)), squeeze=False)
    try:
        for ax, (title, tokens) in zip(axes[:, 0], panels):
            ax.imshow(colours[np.clip(tokens, 0, end)], aspect="auto", interpolation="nearest")
            ax.set_title(title, fontsize=8)
            ax.set(yticks=[], xlabel="position")
            ax.tick_params(labelsize=6)
        if end <= 20:
            handles = [plt.Rectangle((0, 0), 1, 1, color=colours[i]) for i in range(end)]
            fig.legend(handles, list(letters), loc="upper right", fontsize=6, ncol=min(end, 10), frameon=False)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        fig.savefig(tmp, format="png", dpi=80, metadata=dict(provenance))
        os.replace(tmp, path)
    finally:
        plt.close(fig)
    return path
