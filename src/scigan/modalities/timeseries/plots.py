"""The time-series report's pictures: a t-SNE of real and synthetic windows, a few windows
of each, their mean autocorrelation and the stylised facts of returns. Real is blue,
synthetic orange and labelled SYNTHETIC; each PNG carries ``provenance`` as its text
chunks (matplotlib on the Agg backend, saved by :func:`scigan.report.plots.save_png`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from scigan.report.plots import pyplot, save_png

#: Most columns drawn (one panel each).
MAX_COLUMNS = 6
REAL, FAKE = "tab:blue", "tab:orange"


def plot_tsne(
    real: np.ndarray,
    fake: np.ndarray,
    path: Path,
    provenance: Mapping[str, str],
    *,
    real_labels: np.ndarray | None = None,
    fake_labels: np.ndarray | None = None,
    class_names: list[str] | None = None,
    max_points: int = 1000,
    seed: int = 0,
) -> Path:
    """A t-SNE of features (N, F) of real and (M, F) of synthetic windows together (at most
    ``max_points`` of each, seeded), real as dots and synthetic as crosses, coloured by
    label when labels are given (as :func:`scigan.report.embedding.plot_embedding`).
    Written as a PNG to ``path``; returns ``path``."""
    from sklearn.manifold import TSNE

    from scigan.report.embedding import _scatter

    plt = pyplot()
    rng = np.random.default_rng(seed)
    keep_real, keep_fake = rng.permutation(len(real))[:max_points], rng.permutation(len(fake))[:max_points]
    both = np.concatenate([real[keep_real], fake[keep_fake]]).astype(np.float64)
    perplexity = float(min(30.0, max((len(both) - 1) / 3.0, 1.0)))
    xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(both)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    try:
        r, f = xy[: len(keep_real)], xy[len(keep_real) :]
        _scatter(plt, ax, r, f, real_labels, fake_labels, class_names, keep_real, keep_fake)
        ax.set(xlabel="t-SNE 1", ylabel="t-SNE 2", title="t-SNE: real held-out (dots), SYNTHETIC (crosses)")
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        fig.tight_layout()
        return save_png(fig, path, dict(provenance), dpi=100)
    finally:
        plt.close(fig)


def paths_figure(
    fake: np.ndarray,
    real: np.ndarray | None,
    columns: Sequence[str],
    path: Path,
    provenance: Mapping[str, str],
    *,
    count: int = 5,
    seed: int = 0,
) -> Path:
    """``count`` random SYNTHETIC windows (M, T, C) under ``count`` real ones (N, T, C) when
    ``real`` is given, in user units on the same value range, one panel column per series
    column (at most MAX_COLUMNS): the training preview and the report's paths.png. Written
    as a PNG to ``path``."""
    plt = pyplot()
    rng = np.random.default_rng(seed)
    f = np.asarray(fake, dtype=np.float64)
    f = f[rng.permutation(len(f))[:count]]
    rows = [(f, FAKE, "SYNTHETIC")]
    if real is not None:
        r = np.asarray(real, dtype=np.float64)
        rows.insert(0, (r[rng.permutation(len(r))[:count]], REAL, "real"))
    shown = min(f.shape[2], MAX_COLUMNS)
    fig, axes = plt.subplots(len(rows), shown, figsize=(2.8 * shown + 0.6, 2.3 * len(rows)), squeeze=False, sharex=True)
    try:
        for j in range(shown):
            values = np.concatenate([sets[:, :, j].reshape(-1) for sets, _, _ in rows])
            values = values[np.isfinite(values)]
            for row, (sets, colour, name) in enumerate(rows):
                ax = axes[row][j]
                ax.plot(sets[:, :, j].T, color=colour, lw=1.0, alpha=0.8)
                ax.set_title(f"{columns[j]} ({name})", fontsize=8, color="tab:red" if colour == FAKE else "black")
                if len(values) and values.max() > values.min():
                    pad = 0.05 * (values.max() - values.min())
                    ax.set_ylim(values.min() - pad, values.max() + pad)
                ax.tick_params(labelsize=6)
                ax.grid(alpha=0.3)
            axes[-1][j].set_xlabel("step", fontsize=7)
        what = f"{len(f)} SYNTHETIC windows"
        if real is not None:
            what = f"{len(rows[0][0])} real windows (top) and {what} (bottom)"
        fig.suptitle(what, fontsize=9)
        fig.tight_layout()
        return save_png(fig, path, dict(provenance), dpi=90)
    finally:
        plt.close(fig)


def plot_acf(
    real_acf: np.ndarray, fake_acf: np.ndarray, columns: Sequence[str], path: Path, provenance: Mapping[str, str]
) -> Path:
    """Mean autocorrelation by lag (L, C) of real (blue) and synthetic (orange) windows, one
    panel per column (at most MAX_COLUMNS). Written as a PNG to ``path``."""
    plt = pyplot()
    shown = min(real_acf.shape[1], MAX_COLUMNS)
    lags = np.arange(1, real_acf.shape[0] + 1)
    fig, axes = plt.subplots(1, shown, figsize=(2.8 * shown + 0.6, 2.8), squeeze=False)
    try:
        for j, ax in enumerate(axes[0]):
            ax.plot(lags, real_acf[:, j], "-o", ms=3, color=REAL, label="real (held out)")
            ax.plot(lags, fake_acf[:, j], "-x", ms=4, color=FAKE, label="SYNTHETIC")
            ax.axhline(0.0, color="grey", lw=0.8)
            ax.set_title(str(columns[j]), fontsize=8)
            ax.set_xlabel("lag (steps)", fontsize=7)
            ax.tick_params(labelsize=6)
            ax.grid(alpha=0.3)
        axes[0][0].set_ylabel("mean ACF within a window", fontsize=7)
        axes[0][0].legend(fontsize=6, frameon=False)
        fig.tight_layout()
        return save_png(fig, path, dict(provenance), dpi=90)
    finally:
        plt.close(fig)


def plot_stylised(
    real: Mapping[str, np.ndarray],
    fake: Mapping[str, np.ndarray],
    facts: Mapping[str, Mapping[str, float]],
    column: str,
    path: Path,
    provenance: Mapping[str, str],
) -> Path:
    """The stylised facts of ``column``'s log-returns: a histogram of the returns (with
    each side's excess kurtosis), the correlation of |r_t| with |r_t+k| and that of r_t
    with |r_t+k| by lag k, real against synthetic. ``real`` and ``fake`` are
    :func:`~scigan.modalities.timeseries.statistics.stylised_curves` results, ``facts``
    {"real": ..., "synthetic": ...} stylised-fact dicts. Written as a PNG to ``path``."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(11.0, 3.2))
    try:
        r, f = (np.asarray(s["returns"], dtype=np.float64) for s in (real, fake))
        r, f = r[np.isfinite(r)], f[np.isfinite(f)]
        if len(r) or len(f):
            both = np.concatenate([r, f])
            lo, hi = np.quantile(both, [0.005, 0.995])
            edges = np.linspace(lo, hi, 41) if hi > lo else np.linspace(lo - 1e-3, hi + 1e-3, 41)
            for values, colour, side in ((r, REAL, "real"), (f, FAKE, "synthetic")):
                kurt = facts.get(side, {}).get("kurtosis", float("nan"))
                name = "real (held out)" if side == "real" else "SYNTHETIC"
                clipped = np.clip(values, edges[0], edges[-1])
                axes[0].hist(clipped, bins=edges, density=True, alpha=0.5, color=colour, label=f"{name}, κ={kurt:.2f}")
            axes[0].set_yscale("log")
            axes[0].legend(fontsize=6, frameon=False)
        axes[0].set_title(f"log-returns of {column} (excess kurtosis κ)", fontsize=8)
        for ax, key, title in (
            (axes[1], "abs_acf", "volatility clustering: corr(|r_t|, |r_t+k|)"),
            (axes[2], "leverage", "leverage: corr(r_t, |r_t+k|)"),
        ):
            lags = np.arange(1, len(real[key]) + 1)
            ax.plot(lags, real[key], "-o", ms=3, color=REAL, label="real (held out)")
            ax.plot(lags, fake[key], "-x", ms=4, color=FAKE, label="SYNTHETIC")
            ax.axhline(0.0, color="grey", lw=0.8)
            ax.set_title(title, fontsize=8)
            ax.set_xlabel("lag k (steps)", fontsize=7)
            ax.legend(fontsize=6, frameon=False)
        for ax in axes:
            ax.tick_params(labelsize=6)
            ax.grid(alpha=0.3)
        fig.tight_layout()
        return save_png(fig, path, dict(provenance), dpi=90)
    finally:
        plt.close(fig)
