"""``scigan sample``: synthetic samples from a trained run, in the user's formats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities import get_modality
from scigan.modalities.base import Dataset
from scigan.runs import RunInfo, is_run_folder, open_run, provenance, read_marker
from scigan.workflows.generator import balanced_labels, generate, load_generator

if TYPE_CHECKING:
    from scigan.modalities.tabular.codec import TableCodec


def resolve_label(run: RunInfo, label: str | None) -> int | None:
    """The class index of ``label`` (a class name or an index), checked against the run."""
    if label is None:
        return None
    if not run.num_classes:
        raise ScienceError(f"--label {label}: run {run.path} is unconditional; drop --label")
    names = run.class_names
    if label in names:
        return names.index(label)
    if label.isdigit() and int(label) < len(names):
        return int(label)
    raise ScienceError(f"--label {label!r} is not a class of this run; classes: {', '.join(names)}")


def check_output(out: Path, overwrite: bool) -> None:
    """Refuse (ScienceError, one line) an ``--out`` the samples cannot or may not be
    written to: under a file, a scigan run or augment folder, or an existing file or
    non-empty folder without ``overwrite``."""
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise ScienceError(f"--out {out}: {parent} is a file, not a folder; choose another path")
    marker = read_marker(out)
    if marker is not None or is_run_folder(out):
        kind = "run" if marker is None else marker["folder"]
        raise ScienceError(
            f"--out {out} is a scigan {kind} folder; write the samples to a new file or folder "
            f"(e.g. {out}-samples or {out / 'drawn'})"
        )
    if out.exists() and not overwrite and (not out.is_dir() or any(out.iterdir())):
        raise ScienceError(f"{out} already exists; pass --overwrite to replace it")


def group_column(run: RunInfo) -> str:
    """The table group column ``--balance`` draws by rejection: the run's group column
    when it is not the condition of a conditional run, else ""."""
    column = str(getattr(run.config.data_options, "group_column", "") or "")
    return "" if run.num_classes and column == run.config.data_options.label_column else column


def check_balance(run: RunInfo, n: int, index: int | None, column: str) -> None:
    """Refuse (ScienceError) a ``--balance`` the run cannot honour: with ``--label``, on
    an unconditional run without a group column, or an ``n`` that is not a multiple of the
    classes."""
    if index is not None:
        raise ScienceError("--balance draws every class; drop --label (or --balance)")
    if column:
        return
    if not run.num_classes:
        raise ScienceError(f"--balance: run {run.path} is unconditional and has no group column; drop --balance")
    if n % run.num_classes:
        k = run.num_classes
        raise ScienceError(f"-n {n} with --balance over {k} classes: give a multiple of {k} (e.g. {n - n % k + k})")


def sample(
    run_path: str | Path,
    n: int,
    *,
    label: str | None = None,
    out: str | Path | None = None,
    seed: int = 0,
    checkpoint: str = "auto",
    device: str = "cpu",
    overwrite: bool = False,
    annotate_nearest: bool = False,
    balance: bool = False,
    watermark: bool = False,
    c2pa_key: Path | None = None,
    c2pa_cert: Path | None = None,
) -> Dataset:
    """Draw ``n`` samples from a run (of class ``label``, or balanced over the classes)
    and, when ``out`` is given, write them there (format by extension; images: ``.png``
    grid, ``.npz``, or a folder of PNGs; tables: ``.csv``, ``.parquet``; expression:
    ``.h5ad``, ``.csv``; sequences: ``.fasta``, ``.csv``). ``annotate_nearest`` adds each
    sample's similarity to its nearest training sample to what is written (kinds whose
    modality has a ``nearest(samples, run)`` method: sequences). Returns the samples in
    stored form. ``balance`` draws equal counts per class of a conditional run, or for a
    table's group column (``--group-column``) that is not the condition, draws rows until
    each group holds n / G (:func:`scigan.metrics.groups.draw_balanced`). Images written
    carry a C2PA manifest signed with ``c2pa_key``/``c2pa_cert`` (else local credentials)
    when c2pa-python is installed, and with ``watermark`` an invisible watermark of the
    run id (:func:`scigan.provenance.credentials.image_options`)."""
    if n < 1:
        raise ScienceError(f"-n must be at least 1, got {n}")
    run = open_run(run_path)
    modality = get_modality(run.data["modality"])
    nearest = getattr(modality, "nearest", None) if annotate_nearest else None
    if annotate_nearest and nearest is None:
        raise ScienceError(f"--annotate-nearest: {modality.name} runs have no nearest-sample annotation; drop it")
    if annotate_nearest and out is None:
        raise ScienceError("--annotate-nearest annotates what --out writes; give --out")
    index = resolve_label(run, label)
    labels = balanced_labels(n, run.num_classes) if index is None else np.full(n, index)
    column = group_column(run) if balance else ""
    if balance:
        check_balance(run, n, index, column)
    marking: dict[str, object] = {}
    if out is not None:
        out = Path(out)
        check_output(out, overwrite)
        from scigan.provenance.credentials import image_options

        marker = read_marker(run.path)
        marking = image_options(modality.name, marker, watermark=watermark, key=c2pa_key, cert=c2pa_cert)
    G, state = load_generator(run, checkpoint, device)
    codec = modality.load_codec(run.path, run.data)
    x = codec.decode(generate(G, n, z_dim=run.config.z_dim, labels=labels, seed=seed), labels)
    if column:
        from scigan.metrics.groups import draw_balanced
        from scigan.modalities.tabular.metrics import _as_keys

        def draw(size: int, attempt: int) -> tuple[object, np.ndarray]:
            rows = codec.decode(generate(G, size, z_dim=run.config.z_dim, labels=labels, seed=seed + attempt), labels)
            return rows, _as_keys(rows[column])

        table = cast("TableCodec", codec)  # only tables have a group column
        x = draw_balanced(draw, column, table.group_names(column), n)
        labels = table.labels_of(x) if run.num_classes else None
    samples = Dataset(
        x=x,
        y=labels,
        class_names=run.class_names,
        source=str(run.path),
        modality=modality.name,
        info={"step": state["step"], "synthetic": True},
    )
    if out is not None:
        extra = {"nearest": nearest(samples, run)} if nearest is not None else dict(marking)
        modality.save(samples, out, overwrite=overwrite, provenance=provenance(run, state["step"]), **extra)
    return samples
