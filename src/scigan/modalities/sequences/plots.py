"""Pictures of sequences for the report: sequence logos of real and synthetic sets, and
histograms of their properties. PNGs (matplotlib, Agg, no pyplot) written atomically,
with the run's provenance as PNG text chunks, as :mod:`scigan.report.embedding` does."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError

#: Letter colours of nucleotides (A, C, G, T/U) and of amino acids by chemistry.
_NUCLEOTIDE = {"A": "#109648", "C": "#255c99", "G": "#f7b32b", "T": "#d62839", "U": "#d62839"}
_CHEMISTRY = {
    **dict.fromkeys("GSTYC", "#109648"),  # polar
    **dict.fromkeys("QN", "#8e44ad"),  # neutral amides
    **dict.fromkeys("KRH", "#255c99"),  # basic
    **dict.fromkeys("DE", "#d62839"),  # acidic
    **dict.fromkeys("AVLIPWFM", "#222222"),  # hydrophobic
}


def information(pfm: np.ndarray) -> np.ndarray:
    """Information content (bits, float64 (L,)) of each row of a position frequency
    matrix (L, A): log2(A) minus the row's entropy (no small-sample correction); 0 for
    an empty row."""
    pfm = np.asarray(pfm, dtype=np.float64)
    totals = pfm.sum(axis=1, keepdims=True)
    p = pfm / np.where(totals > 0, totals, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=1)
    return np.where(totals[:, 0] > 0, np.log2(pfm.shape[1]) - entropy, 0.0)


@functools.cache
def _glyph(letter: str) -> tuple[Any, Any]:
    """The outline of ``letter`` (a matplotlib Path, bold sans serif, size 1) and its extents."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), letter, size=1, prop=FontProperties(family="DejaVu Sans", weight="bold"))
    return path, path.get_extents()


def _letter(letter: str, x: float, y: float, width: float, height: float) -> Any:
    """The outline of ``letter`` stretched to fill the box (x, y, width, height) in data
    units, centred in its position's unit cell; None for a letter with no outline."""
    from matplotlib.transforms import Affine2D

    path, box = _glyph(letter)
    if box.width <= 0 or box.height <= 0:
        return None
    fit = (
        Affine2D()
        .translate(-box.x0, -box.y0)
        .scale(width / box.width, height / box.height)
        .translate(x + (1 - width) / 2, y)
    )
    return fit.transform_path(path)


def _logo(ax: Any, pfm: np.ndarray, letters: str, title: str) -> None:
    """One sequence logo of a frequency matrix (L, A) on ``ax``: at each position the
    letters stacked by share × information, the largest on top (one compound patch per
    colour: thousands of letters draw in a fraction of a second)."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    colours = _NUCLEOTIDE if set(letters) <= set(_NUCLEOTIDE) else _CHEMISTRY
    totals = pfm.sum(axis=1, keepdims=True)
    shares = pfm / np.where(totals > 0, totals, 1.0)
    heights = shares * information(pfm)[:, None]
    outlines: dict[str, list[Any]] = {}
    for pos, row in enumerate(heights):
        y = 0.0
        for i in np.argsort(row, kind="stable"):
            if row[i] > 1e-3:
                outline = _letter(letters[i], pos + 0.5, y, 0.9, float(row[i]))
                if outline is not None:
                    outlines.setdefault(colours.get(letters[i], "#777777"), []).append(outline)
                y += float(row[i])
    for colour, paths in outlines.items():
        # add_artist, not add_patch: the limits are set below, not from the outlines (slow)
        ax.add_artist(PathPatch(MplPath.make_compound_path(*paths), facecolor=colour, edgecolor="none"))
    length = len(pfm)
    ax.set_xlim(0.5, length + 0.5)
    ax.set_ylim(0, np.log2(len(letters)))
    ax.set_ylabel("bits", fontsize=7)
    ax.set_title(title, fontsize=8)
    step = max(1, length // 20)
    ticks = np.arange(1, length + 1, step)
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.tick_params(labelsize=6)


def plot_logos(
    real_pfm: np.ndarray, fake_pfm: np.ndarray, letters: str, path: Path, provenance: Mapping[str, str]
) -> Path:
    """Sequence logos of the real (top) and synthetic (bottom) per-position letter
    frequencies, each a matrix (L, len(letters)) such as
    :func:`~scigan.modalities.sequences.kmers.position_composition` gives; letter
    heights are share × information content (bits, at most log2(len(letters))).
    Written as a PNG to ``path`` with ``provenance`` as text chunks; returns ``path``."""
    from matplotlib.figure import Figure

    real_pfm, fake_pfm = np.asarray(real_pfm, dtype=np.float64), np.asarray(fake_pfm, dtype=np.float64)
    for name, pfm in (("real", real_pfm), ("synthetic", fake_pfm)):
        if pfm.ndim != 2 or pfm.shape[1] != len(letters):
            raise ScienceError(f"the {name} frequency matrix must be (L, {len(letters)}), got {pfm.shape}")
    length = max(len(real_pfm), len(fake_pfm), 1)
    fig = Figure(figsize=(min(2.0 + 0.16 * length, 30.0), 4.2))
    axes = fig.subplots(2, 1, sharex=True)
    _logo(axes[0], real_pfm, letters, "real")
    _logo(axes[1], fake_pfm, letters, "synthetic")
    axes[1].set_xlabel("position", fontsize=7)
    fig.subplots_adjust(left=max(0.01, 0.5 / fig.get_figwidth()), right=0.99, bottom=0.12, top=0.92, hspace=0.3)
    return _save(fig, path, provenance)


def plot_properties(
    real: Mapping[str, np.ndarray], fake: Mapping[str, np.ndarray], path: Path, provenance: Mapping[str, str]
) -> Path:
    """Histograms (densities) of each property in both ``real`` and ``fake`` (name ->
    values (N,) and (M,), as :func:`~scigan.modalities.sequences.properties.properties`
    gives), real against synthetic on the real values' bins (synthetic values outside
    them drawn in the end bins; NaNs dropped). Written as a PNG to ``path`` with
    ``provenance`` as text chunks; returns ``path``."""
    from matplotlib.figure import Figure

    names = [name for name in real if name in fake]
    if not names:
        raise ScienceError("plot_properties: the real and synthetic sets share no property")
    fig = Figure(figsize=(3.2 * len(names), 3.0))
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        r, f = np.asarray(real[name], dtype=np.float64), np.asarray(fake[name], dtype=np.float64)
        r, f = r[np.isfinite(r)], f[np.isfinite(f)]
        if len(r):
            edges = np.histogram_bin_edges(r if np.ptp(r) > 0 else np.concatenate([r - 0.5, r + 0.5]), bins=20)
            ax.hist(r, bins=edges, density=True, alpha=0.5, color="tab:blue", label=f"real (n={len(r)})")
            if len(f):
                clipped = np.clip(f, edges[0], edges[-1])
                ax.hist(
                    clipped, bins=edges, density=True, alpha=0.5, color="tab:orange", label=f"synthetic (n={len(f)})"
                )
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=6)
        ax.legend(fontsize=6, frameon=False)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.88, wspace=0.3)
    return _save(fig, path, provenance)


def _save(fig: Any, path: Path, provenance: Mapping[str, str]) -> Path:
    """Write ``fig`` as a PNG to ``path`` atomically."""
    from scigan.report.plots import save_png

    return save_png(fig, path, dict(provenance))
