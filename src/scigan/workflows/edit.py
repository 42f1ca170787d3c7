"""``scigan edit``: explore what an image generator learned, as image strips.

* ``interpolate``: a row per pair of random latents, frames walking from one to the
  other, linearly or along the great circle (``slerp``, which keeps the latents at the
  norm a Gaussian latent has).
* ``class-swap``: a conditional run; a row per fixed latent, a column per class.
* ``style-mix``: a style-based run (``--model stylegan``); a row per pair (A, B), the
  columns take the first c layers' styles (coarse: pose, shape) from A and the rest
  (fine: texture, detail) from B, c falling from all layers (A) to none (B).

Every strip is a PNG whose text chunks mark it synthetic and name the model, run,
checkpoint step and edit (:func:`scigan.runs.provenance`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.images import KIND as IMAGES
from scigan.runs import RunInfo, open_run, provenance
from scigan.workflows.generator import load_generator
from scigan.workflows.sample import resolve_label

EDITS = ("interpolate", "class-swap", "style-mix")
METHODS = ("slerp", "linear")


@dataclass
class Strip:
    """An edit's result: ``images`` uint8 (rows, columns, C, H, W), a name per row and
    per column, and a one-line description of the edit."""

    images: np.ndarray
    row_names: list[str]
    column_names: list[str]
    description: str


def interpolate_latents(a, b, frames: int, method: str = "slerp"):
    """Latents from ``a`` to ``b`` (each (N, D) tensors): (N, frames, D), the first frame
    ``a`` and the last ``b``; ``method`` linear or slerp (spherical, falling back to
    linear where a and b are nearly parallel)."""
    import torch

    if method not in METHODS:
        raise ScienceError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    if frames < 2:
        raise ScienceError(f"--frames must be at least 2, got {frames}")
    t = torch.linspace(0.0, 1.0, frames, dtype=a.dtype, device=a.device)[None, :, None]
    a, b = a[:, None], b[:, None]
    linear = a + t * (b - a)
    if method == "linear":
        return linear
    cos = ((a / a.norm(dim=2, keepdim=True)) * (b / b.norm(dim=2, keepdim=True))).sum(2, keepdim=True)
    omega = torch.acos(cos.clamp(-1.0, 1.0))
    sin = torch.sin(omega)
    safe = sin.clamp_min(1e-6)
    spherical = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / safe
    return torch.where(sin > 1e-6, spherical, linear)


def _latents(rows: int, z_dim: int, seed: int, key: int, device):
    """``rows`` standard-normal latents drawn from a generator seeded by (seed, key)."""
    import torch

    from scigan.core.device import seeded_generator

    return torch.randn(rows, z_dim, generator=seeded_generator(torch.device("cpu"), seed, 4, key)).to(device)


def _decode(x, rows: int) -> np.ndarray:
    """Model-space images (rows·K, C, H, W) -> uint8 (rows, K, C, H, W), by the image codec."""
    from scigan.modalities.images.modality import ImageCodec

    return ImageCodec().decode(x.cpu()).reshape(rows, -1, *x.shape[1:])


def _labels(run: RunInfo, label: str | None, rows: int, device):
    """Per-row labels: ``label`` for every row, else row i gets class i mod C (None
    when the run is unconditional; asking it for a label is an error)."""
    import torch

    index = resolve_label(run, label)
    if not run.num_classes:
        return None
    values = np.full(rows, index) if index is not None else np.arange(rows) % run.num_classes
    return torch.as_tensor(values, device=device)


def _row_names(run: RunInfo, labels, rows: int) -> list[str]:
    """Row names: pair i, with the row's class name when conditional."""
    names = run.class_names
    return [f"pair {i}" + (f" ({names[int(labels[i])]})" if labels is not None else "") for i in range(rows)]


def interpolate(
    run: RunInfo, G, *, rows: int = 4, frames: int = 8, method: str = "slerp", label: str | None = None, seed: int = 0
) -> Strip:
    """Walk between ``rows`` pairs of latents in ``frames`` steps (conditional runs: of
    class ``label``, else row i of class i mod C) with the run's generator ``G``."""
    import torch

    device = next(G.parameters()).device
    z_dim = run.config.z_dim
    labels = _labels(run, label, rows, device)
    z = interpolate_latents(
        _latents(rows, z_dim, seed, 0, device), _latents(rows, z_dim, seed, 1, device), frames, method
    )
    y = None if labels is None else labels.repeat_interleave(frames)
    with torch.no_grad():
        x = G(z.reshape(-1, z_dim), y)
    return Strip(
        _decode(x, rows),
        _row_names(run, labels, rows),
        [f"t={t:.2f}" for t in np.linspace(0, 1, frames)],
        f"interpolate {method} seed {seed}",
    )


def class_swap(run: RunInfo, G, *, rows: int = 4, classes: list[str] | None = None, seed: int = 0) -> Strip:
    """One fixed latent per row rendered by the run's generator ``G`` as every class (or
    the ``classes`` named: names or indices)."""
    import torch

    device = next(G.parameters()).device
    if not run.num_classes:
        raise ScienceError(
            f"class-swap needs a conditional run, but {run.path} was trained unconditional; "
            "use interpolate, or train on labelled data without --unconditional"
        )
    names = run.class_names
    unknown = [c for c in classes or [] if c not in names and not (c.isdigit() and int(c) < len(names))]
    if unknown:
        raise ScienceError(f"--classes: {unknown[0]!r} is not a class of this run; classes: {', '.join(names)}")
    picked = list(range(run.num_classes))
    if classes:
        picked = []
        for c in classes:
            index = resolve_label(run, c)
            assert index is not None  # a name or an index resolves, or is refused
            picked.append(index)
    z = _latents(rows, run.config.z_dim, seed, 0, device)
    y = torch.as_tensor(picked, device=device).repeat(rows)
    with torch.no_grad():
        x = G(z.repeat_interleave(len(picked), dim=0), y)
    return Strip(
        _decode(x, rows),
        [f"noise {i}" for i in range(rows)],
        [run.class_names[c] for c in picked],
        f"class-swap seed {seed}",
    )


def style_mix(run: RunInfo, G, *, rows: int = 4, label: str | None = None, seed: int = 0) -> Strip:
    """For ``rows`` pairs (A, B): columns with the first c layers' styles from A and the
    rest from B, c = num_ws ... 0 (the first column is A, the last B); ``G`` must be a
    style-based generator (``mapping``, ``synthesis``, ``num_ws``)."""
    import torch

    if not all(hasattr(G, a) for a in ("mapping", "synthesis", "num_ws")):
        raise ScienceError(
            f"style-mix needs a style-based run (--model stylegan), but {run.path} is a "
            f"{run.config.model} run; use interpolate or class-swap"
        )
    device = next(G.parameters()).device
    labels = _labels(run, label, rows, device)
    with torch.no_grad():
        wa = G.mapping(_latents(rows, run.config.z_dim, seed, 0, device), labels)
        wb = G.mapping(_latents(rows, run.config.z_dim, seed, 1, device), labels)
        layer = torch.arange(G.num_ws, device=wa.device)[None, :, None]
        cuts = list(range(G.num_ws, -1, -1))
        ws = torch.stack([torch.where(layer < c, wa[:, None], wb[:, None]) for c in cuts], dim=1)
        x = G.synthesis(ws.reshape(-1, G.num_ws, ws.shape[-1]))
    return Strip(
        _decode(x, rows),
        _row_names(run, labels, rows),
        ["A" if c == G.num_ws else "B" if c == 0 else f"A<{c}" for c in cuts],
        f"style-mix seed {seed}",
    )


def write_strip(strip: Strip, run: RunInfo, step: int, out: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``strip`` as one PNG (a row per strip row) with provenance text chunks,
    including ``scigan:edit`` and the JSON lists ``scigan:rows`` and ``scigan:columns``."""
    from scigan.modalities.images.writers import save_images

    out = Path(out)
    if out.suffix.lower() != ".png":
        raise ScienceError(f"--out {out}: an edit writes a PNG strip; give a path ending in .png")
    rows, cols = strip.images.shape[:2]
    save_images(
        strip.images.reshape(rows * cols, *strip.images.shape[2:]),
        out,
        labels=np.repeat(np.arange(rows), cols),
        class_names=strip.row_names,
        overwrite=overwrite,
        provenance=provenance(run, step, edit=strip.description, columns=json.dumps(strip.column_names)),
    )
    return out


def edit(
    run_path: str | Path,
    kind: str,
    out: str | Path,
    *,
    rows: int = 4,
    frames: int = 8,
    method: str = "slerp",
    label: str | None = None,
    classes: list[str] | None = None,
    seed: int = 0,
    checkpoint: str = "auto",
    device: str = "cpu",
    overwrite: bool = False,
) -> Strip:
    """Run the edit ``kind`` (interpolate, class-swap or style-mix) on an image run and
    write its strip to ``out`` (PNG). Every input is checked before anything is written,
    the device first."""
    from scigan.core.device import resolve_device

    resolve_device(device)
    if kind not in EDITS:
        raise ScienceError(f"unknown edit {kind!r}; choose one of: {', '.join(EDITS)}")
    if rows < 1:
        raise ScienceError(f"--rows must be at least 1, got {rows}")
    run = open_run(run_path)
    if run.data["modality"] != IMAGES.name:
        raise ScienceError(
            f"{run.path} is a {run.data['modality']} run; edits make image strips, so they need an image run"
        )
    out = Path(out)
    if out.exists() and not overwrite:
        raise ScienceError(f"{out} already exists; pass --overwrite to replace it")
    G, state = load_generator(run, checkpoint, device)
    if kind == "interpolate":
        strip = interpolate(run, G, rows=rows, frames=frames, method=method, label=label, seed=seed)
    elif kind == "class-swap":
        if label is not None:
            raise ScienceError("class-swap shows every class (or --classes); drop --label")
        strip = class_swap(run, G, rows=rows, classes=classes, seed=seed)
    else:
        strip = style_mix(run, G, rows=rows, label=label, seed=seed)
    write_strip(strip, run, state["step"], out, overwrite=overwrite)
    return strip
