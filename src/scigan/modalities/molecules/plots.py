"""Pictures of molecules: a grid of 2D structure drawings under a "SYNTHETIC" banner.

RDKit draws the grid (``MolsToGridImage``, which needs RDKit's Cairo support); where that
is missing, matplotlib (Agg) draws each molecule's bonds and atom labels from RDKit's 2D
coordinates instead. The PNG is written by the image kind's writer: atomically, with the
run's provenance as PNG text chunks.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError

#: Banner colours: white text on dark red, so a synthetic picture is never mistaken for data.
BANNER_FILL, BANNER_TEXT = (150, 0, 24), (255, 255, 255)
#: Narrowest picture in pixels, so the banner's text fits above a grid of one or two molecules.
MIN_WIDTH = 420


def molecule_grid(
    smiles: list[str],
    path: Path,
    provenance: dict[str, str],
    *,
    legends: list[str] | None = None,
    per_row: int = 6,
    size: int = 200,
    title: str = "",
) -> int:
    """Draw the valid molecules of ``smiles`` (N strings; "" and invalid ones are skipped,
    with their legends) as a grid of ``per_row`` columns of ``size``×``size`` pixel cells
    under a banner reading "SYNTHETIC - scigan run … step …" (from the ``scigan:run`` and
    ``scigan:step`` entries of ``provenance``) and ``title``; write it as a PNG to
    ``path`` with ``provenance`` as text chunks. Returns how many molecules were drawn."""
    from PIL import Image

    from scigan.modalities.images.writers import _check_provenance, write_png
    from scigan.modalities.molecules.chem import parse

    if legends is not None and len(legends) != len(smiles):
        raise ScienceError(f"molecule_grid got {len(legends)} legends for {len(smiles)} SMILES")
    if per_row < 1 or size < 50:
        raise ScienceError(f"molecule_grid needs per_row >= 1 and size >= 50 pixels, got {per_row} and {size}")
    text = _check_provenance(provenance)
    mols, labels = [], []
    for i, s in enumerate(smiles):
        mol = parse(s) if s else None
        if mol is not None:
            mols.append(mol)
            labels.append(legends[i] if legends is not None else "")
    if mols:
        try:
            grid = _rdkit_grid(mols, labels, per_row, size)
        except (RuntimeError, ImportError, OSError):  # RDKit built without Cairo
            grid = _matplotlib_grid(mols, labels, per_row, size)
    else:
        grid = Image.new("RGB", (min(per_row, 3) * size, size), "white")
    counts = f"{len(mols)} of {len(smiles)} strings are valid molecules" if smiles else "no strings given"
    width = max(grid.width, MIN_WIDTH)
    banner = _banner(width, _synthetic_line(text), f"{title}: {counts}" if title else counts)
    canvas = Image.new("RGB", (width, banner.height + grid.height), "white")
    canvas.paste(banner, (0, 0))
    canvas.paste(grid, (0, banner.height))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_png(np.asarray(canvas), path, text)
    return len(mols)


def _synthetic_line(provenance: dict[str, str]) -> str:
    """The banner's first line: "SYNTHETIC - scigan run <run folder name> step <step>"."""
    line = "SYNTHETIC - scigan"  # ASCII: Pillow's built-in font has no em dash
    run = provenance.get("scigan:run", "")
    if run:
        name = Path(run).name or run
        line += f" run {name if len(name) <= 40 else name[:20] + '...' + name[-17:]}"
    if provenance.get("scigan:step"):
        line += f" step {provenance['scigan:step']}"
    return line


def _rdkit_grid(mols: list[Any], legends: list[str], per_row: int, size: int) -> Any:
    """RDKit's grid drawing of ``mols`` as an RGB PIL image of ceil(M/per_row)·size rows."""
    from PIL import Image
    from rdkit.Chem import Draw

    image = Draw.MolsToGridImage(
        mols, molsPerRow=min(per_row, len(mols)), subImgSize=(size, size), legends=legends, useSVG=False
    )
    if isinstance(image, bytes | bytearray):  # returnPNG-style answers from some RDKit builds
        image = Image.open(io.BytesIO(image))
    return image.convert("RGB")


def _matplotlib_grid(mols: list[Any], legends: list[str], per_row: int, size: int) -> Any:
    """The same grid drawn with matplotlib from RDKit's 2D coordinates (no Cairo needed)."""
    from PIL import Image
    from rdkit import Chem
    from rdkit.Chem import rdDepictor

    from scigan.report.plots import pyplot

    plt = pyplot()
    cols, rows = min(per_row, len(mols)), -(-len(mols) // per_row)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size / 100, rows * size / 100), dpi=100, squeeze=False)
    try:
        for ax in axes.flat:
            ax.set_axis_off()
        for ax, original, legend in zip(axes.flat, mols, legends):
            mol = Chem.Mol(original)
            Chem.Kekulize(mol, clearAromaticFlags=True)  # double bonds drawn thicker than single ones
            rdDepictor.Compute2DCoords(mol)
            xy = mol.GetConformer().GetPositions()[:, :2]
            for bond in mol.GetBonds():
                a, b = xy[bond.GetBeginAtomIdx()], xy[bond.GetEndAtomIdx()]
                ax.plot([a[0], b[0]], [a[1], b[1]], color="black", lw=0.8 * bond.GetBondTypeAsDouble() + 0.4)
            for atom, (x, y) in zip(mol.GetAtoms(), xy):
                if atom.GetSymbol() != "C" or atom.GetDegree() == 0:
                    ax.text(x, y, atom.GetSymbol(), ha="center", va="center", fontsize=7, backgroundcolor="white")
            ax.set_aspect("equal")
            ax.margins(0.15)
            ax.set_title(legend, fontsize=7)
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    finally:
        plt.close(fig)
    return Image.fromarray(pixels)


def _banner(width: int, headline: str, subline: str) -> Any:
    """A ``width``-pixel-wide RGB PIL image holding two lines of text, cut with "..." to fit."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = []
    for points in (15, 11):
        try:
            fonts.append(ImageFont.load_default(size=points))
        except TypeError:  # Pillow < 10.1: one bitmap size
            fonts.append(ImageFont.load_default())
    heights = [int(f.getbbox("Ag")[3]) + 6 for f in fonts]
    banner = Image.new("RGB", (width, sum(heights) + 6), BANNER_FILL)
    draw = ImageDraw.Draw(banner)
    top = 4
    for line, font, height in zip((headline, subline), fonts, heights):
        while len(line) > 4 and draw.textlength(line, font=font) > width - 12:
            line = line[:-4] + "..."  # ASCII, as above
        draw.text((6, top), line, fill=BANNER_TEXT, font=font)
        top += height
    return banner
