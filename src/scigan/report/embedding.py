"""A two-dimensional picture of real against synthetic samples, coloured by label, and
the small training preview of tables and expression (the PCA picture beside a few
marginals)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from scigan.errors import ScienceError
from scigan.warn import warn


def plot_embedding(
    real: np.ndarray,
    fake: np.ndarray,
    path: Path,
    *,
    real_labels: np.ndarray | None = None,
    fake_labels: np.ndarray | None = None,
    class_names: list[str] | None = None,
    title: str = "",
    max_points: int = 2000,
    seed: int = 0,
    umap: bool = False,
) -> Path:
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
    panels = [
        (
            pca.transform(real[keep_real]),
            pca.transform(fake[keep_fake]),
            f"PC1 ({share[0]:.0%} of real variance)",
            f"PC2 ({share[1]:.0%})",
        )
    ]
    if umap:
        both = _umap(np.concatenate([real[keep_real], fake[keep_fake]]), seed)
        panels.append((both[: len(keep_real)], both[len(keep_real) :], "UMAP 1", "UMAP 2"))
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


def _umap(x: np.ndarray, seed: int) -> np.ndarray:
    """UMAP of ``x`` (N, F) to (N, 2), seeded (so on one thread: umap-learn's own rule).
    What umap-learn warns about the data (e.g. a failed spectral start) is said once each
    as scigan's warning; its warnings about itself (imports, numba) are dropped."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            from umap import UMAP
        except ImportError:
            raise ScienceError("--umap needs umap-learn: pip install umap-learn") from None
        both = UMAP(random_state=seed, n_jobs=1).fit_transform(x)
    said: set[str] = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if issubclass(w.category, (UserWarning, RuntimeWarning)) and text not in said:
            said.add(text)
            warn(f"the UMAP panel: {text}")
    return np.asarray(both)


def _scatter(
    plt,
    ax,
    r: np.ndarray,
    f: np.ndarray,
    real_labels: np.ndarray | None,
    fake_labels: np.ndarray | None,
    class_names: list[str] | None,
    keep_real: np.ndarray,
    keep_fake: np.ndarray,
) -> None:
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


class Marginal(NamedTuple):
    """One panel of a preview: a column's real (N,) and synthetic (M,) values; discrete
    ones are drawn as category shares, others as histograms."""

    name: str
    real: np.ndarray
    fake: np.ndarray
    discrete: bool


def label_weights(real_labels: np.ndarray | None, fake_labels: np.ndarray | None) -> np.ndarray | None:
    """Weights (N,) of the real rows that give each label the share it has among the
    synthetic ones (so a class-balanced preview compares like with like); None when
    either side is unlabelled."""
    if real_labels is None or fake_labels is None:
        return None
    classes = int(max(real_labels.max(), fake_labels.max())) + 1
    real_share = np.bincount(real_labels, minlength=classes) / len(real_labels)
    fake_share = np.bincount(fake_labels, minlength=classes) / len(fake_labels)
    return (fake_share / np.where(real_share > 0, real_share, 1.0))[real_labels]


def plot_preview(
    real: np.ndarray,
    fake: np.ndarray,
    marginals: list[Marginal],
    path: Path,
    *,
    provenance: dict[str, str],
    real_labels: np.ndarray | None = None,
    fake_labels: np.ndarray | None = None,
    class_names: list[str] | None = None,
    title: str = "",
    max_points: int = 1000,
    seed: int = 0,
) -> Path:
    """A small training preview: features (N, F) of real and (M, F) of synthetic samples
    on the real ones' first two principal components, beside one panel per marginal
    (real rows weighted to the synthetic label shares, :func:`label_weights`). Written
    as a PNG to ``path`` with ``provenance`` as text chunks; returns ``path``. Costs a PCA
    of at most ``max_points`` real rows and one small figure (about 0.3 s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    keep_real = rng.permutation(len(real))[:max_points]
    keep_fake = np.arange(len(fake))
    pca = PCA(n_components=2, random_state=seed).fit(real[keep_real])
    weights = label_weights(real_labels, fake_labels)
    # a bare Figure with fixed margins: no pyplot figure manager, no tight layout (3x faster)
    fig = Figure(figsize=(3.4 * (1 + len(marginals)), 3.2))
    axes = fig.subplots(1, 1 + len(marginals), squeeze=False)[0]
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.16, top=0.9, wspace=0.25)
    _scatter(
        plt,
        axes[0],
        pca.transform(real[keep_real]),
        pca.transform(fake),
        real_labels,
        fake_labels,
        class_names,
        keep_real,
        keep_fake,
    )
    axes[0].set_title(title or "PCA: real (dots), synthetic (crosses)", fontsize=8)
    axes[0].tick_params(labelsize=6)
    if not class_names or len(class_names) <= 4:  # more classes would hide the points
        axes[0].legend(fontsize=5, frameon=False)
    for ax, m in zip(axes[1:], marginals):
        _marginal(ax, m, weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fig.savefig(tmp, format="png", dpi=80, metadata=dict(provenance))
    os.replace(tmp, path)
    return path


def _marginal(ax, m: Marginal, weights: np.ndarray | None) -> None:
    """Real (weighted) against synthetic shares of one column on ``ax``."""
    real_w = np.ones(len(m.real)) if weights is None else weights
    if m.discrete:
        keys = sorted(set(map(str, m.real)) | set(map(str, m.fake)))
        real_keys, fake_keys = np.asarray(m.real, dtype=str), np.asarray(m.fake, dtype=str)
        real_share = [real_w[real_keys == k].sum() / real_w.sum() for k in keys]
        fake_share = [(fake_keys == k).mean() for k in keys]
        at = np.arange(len(keys))
        ax.bar(at - 0.2, real_share, 0.4, label="real", color="tab:blue")
        ax.bar(at + 0.2, fake_share, 0.4, label="synthetic", color="tab:orange")
        ax.set_xticks(at, keys, fontsize=6, rotation=30)
    else:
        real_v, fake_v = np.asarray(m.real, dtype=float), np.asarray(m.fake, dtype=float)
        ok_r, ok_f = np.isfinite(real_v), np.isfinite(fake_v)
        edges = np.histogram_bin_edges(real_v[ok_r], bins=20)
        ax.hist(real_v[ok_r], bins=edges, weights=real_w[ok_r], density=True, alpha=0.5, label="real", color="tab:blue")
        ax.hist(
            np.clip(fake_v[ok_f], edges[0], edges[-1]),
            bins=edges,
            density=True,
            alpha=0.5,
            label="synthetic",
            color="tab:orange",
        )
    ax.set_title(m.name, fontsize=8)
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=6, frameon=False)
