"""A two-dimensional picture of real against synthetic samples, coloured by label."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from scigan.errors import ScienceError


def plot_embedding(real: np.ndarray, fake: np.ndarray, path: Path, *, real_labels: np.ndarray | None = None,
                   fake_labels: np.ndarray | None = None, class_names: list[str] | None = None,
                   title: str = "", max_points: int = 2000, seed: int = 0, umap: bool = False) -> Path:
    """Project features (N, F) of real and synthetic samples onto the first two principal
    components of the real ones and draw both, real as dots and synthetic as crosses,
    coloured by label when labels are given. With ``umap`` (needs umap-learn) a second
    panel shows a UMAP of both sets together. Writes a PNG to ``path`` and returns it.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    keep_real = rng.permutation(len(real))[:max_points]
    keep_fake = rng.permutation(len(fake))[:max_points]
    pca = PCA(n_components=2, random_state=seed).fit(real)
    share = pca.explained_variance_ratio_
    panels = [(pca.transform(real[keep_real]), pca.transform(fake[keep_fake]),
               f"PC1 ({share[0]:.0%} of real variance)", f"PC2 ({share[1]:.0%})")]
    if umap:
        try:
            from umap import UMAP
        except ImportError:
            raise ScienceError("--umap needs umap-learn: pip install umap-learn") from None
        both = UMAP(random_state=seed).fit_transform(np.concatenate([real[keep_real], fake[keep_fake]]))
        panels.append((both[:len(keep_real)], both[len(keep_real):], "UMAP 1", "UMAP 2"))
    fig, axes = plt.subplots(1, len(panels), figsize=(9.0 + 5.0 * (len(panels) - 1), 5.2), squeeze=False)
    try:
        for ax, (r, f, xlabel, ylabel) in zip(axes[0], panels):
            _scatter(plt, ax, r, f, real_labels, fake_labels, class_names, keep_real, keep_fake)
            ax.set(xlabel=xlabel, ylabel=ylabel)
            ax.grid(alpha=0.3)
        axes[0][0].set_title(title or "Real (dots) and synthetic (crosses), PCA of the real samples")
        if len(panels) > 1:
            axes[0][1].set_title("UMAP of real and synthetic together")
        axes[0][-1].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), markerscale=1.2, frameon=False)
        fig.tight_layout()
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        fig.savefig(tmp, format="png", dpi=110)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
    return path


def _scatter(plt, ax, r: np.ndarray, f: np.ndarray, real_labels: np.ndarray | None, fake_labels: np.ndarray | None,
             class_names: list[str] | None, keep_real: np.ndarray, keep_fake: np.ndarray) -> None:
    """Real points (M, 2) as dots and synthetic points (K, 2) as crosses, one colour per label."""
    if real_labels is None or fake_labels is None or not class_names:
        ax.scatter(*r.T, s=9, alpha=0.6, label="real (held out)", color="tab:blue")
        ax.scatter(*f.T, s=12, alpha=0.6, marker="x", label="synthetic", color="tab:orange")
        return
    colours = plt.get_cmap("tab10" if len(class_names) <= 10 else "tab20")
    rl, fl = real_labels[keep_real], fake_labels[keep_fake]
    for c, name in enumerate(class_names):
        colour = colours(c % colours.N)
        ax.scatter(*r[rl == c].T, s=9, alpha=0.6, color=colour, label=f"{name} (real)")
        ax.scatter(*f[fl == c].T, s=12, alpha=0.6, marker="x", color=colour, label=f"{name} (synthetic)")
