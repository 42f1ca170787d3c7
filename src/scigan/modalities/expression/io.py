"""Reading and writing expression matrices (cells × genes): ``.h5ad`` (anndata) and
CSV/TSV, raw counts or log-normalised values (detected, overridable).

Every refusal is a :class:`ScienceError` naming the problem and the fix.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError, brief
from scigan.modalities.base import Dataset, write_sidecar
from scigan.modalities.textfiles import not_utf8, sniff_delimiter

if TYPE_CHECKING:
    import anndata

#: Built-in expression data: name -> default label (obs key).
BUILTIN_LABELS = {"pbmc68k": "bulk_labels"}
#: What the values of a matrix may be.
VALUES = ("counts", "log")
TEXT_FORMATS = {".csv": ",", ".tsv": "\t", ".txt": "\t"}


def _anndata():
    try:
        import anndata
    except ImportError:
        raise ScienceError("expression data needs anndata: pip install 'scigan[bio]'") from None
    return anndata


def pbmc68k_path() -> Path:
    """scanpy's bundled ``10x_pbmc68k_reduced.h5ad`` (found without importing scanpy)."""
    spec = importlib.util.find_spec("scanpy")
    if spec is None or not spec.submodule_search_locations:
        raise ScienceError("built-in pbmc68k needs scanpy: pip install 'scigan[bio]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "10x_pbmc68k_reduced.h5ad"
    if not path.is_file():
        raise ScienceError(f"scanpy is installed but {path.name} is missing; reinstall scanpy")
    return path


#: Seconds the HDF5 structure of an .h5ad may take to read in the check of :func:`probe_hdf5`.
PROBE_SECONDS = 60.0
#: The check: open the file and read every group's and dataset's attributes (no data).
_PROBE = """
import sys, h5py
def visit(name, obj):
    for key in obj.attrs:
        obj.attrs[key]
with h5py.File(sys.argv[1], "r") as f:
    visit("/", f)
    f.visititems(visit)
"""


def probe_hdf5(path: Path) -> None:
    """Read the HDF5 structure of ``path`` (groups, datasets, attributes; no data) in a
    child process first: a damaged file can crash the HDF5 library (a segmentation
    fault) or make it loop forever, which would take scigan down with it. Refuses such a
    file; an ordinary error is left to the reader, which names it. Costs about 0.2 s."""
    import subprocess
    import sys

    damaged = f"{path} is not a readable .h5ad file"
    try:
        child = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path)], capture_output=True, timeout=PROBE_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise ScienceError(
            f"{damaged}: its HDF5 structure did not read within {PROBE_SECONDS:.0f} s; the file is damaged"
        ) from None
    if child.returncode < 0:
        raise ScienceError(
            f"{damaged}: reading its HDF5 structure crashed the HDF5 library (signal {-child.returncode}); "
            "the file is damaged"
        )


def read_h5ad(path: Path, *, probe: bool = True) -> anndata.AnnData:
    """An ``.h5ad`` file, quietly: old files (scanpy's bundled one among them) raise
    format warnings that say nothing about the data, and what matters is checked after.
    With ``probe`` (files not shipped by a package) the file's structure is checked in a
    child process first (:func:`probe_hdf5`)."""
    import warnings

    ad = _anndata()
    if not path.is_file():
        raise ScienceError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise ScienceError(f"{path} is not a readable .h5ad file: it is empty (0 bytes)")
    if probe:
        probe_hdf5(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ad.read_h5ad(path)
        except Exception as err:  # any reader failure means the file is damaged or not an .h5ad
            raise ScienceError(f"{path} is not a readable .h5ad file: {brief(err)}") from None


def _dense(matrix: Any) -> np.ndarray:
    """A dense float64 copy of a (possibly sparse) matrix."""
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=np.float64)


def _from_text(path: Path, label_column: str) -> tuple[np.ndarray, list[str], Any]:
    """Matrix, gene names and the label column (or None) of a CSV/TSV whose
    first column names the cells and whose header names the genes."""
    try:
        import pandas as pd
    except ImportError:
        raise ScienceError("reading a CSV matrix needs pandas: pip install 'scigan[tabular]'") from None
    if not path.is_file():
        raise ScienceError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise ScienceError(f"{path} is empty (0 bytes); give cells as rows and genes as columns")
    try:
        frame = pd.read_csv(path, sep=sniff_delimiter(path, TEXT_FORMATS[path.suffix.lower()]), index_col=0)
    except UnicodeDecodeError as err:
        raise ScienceError(not_utf8(path, err)) from None
    except Exception as err:  # any parser failure means the file is damaged or not a table
        raise ScienceError(f"{path} is not a readable table: {brief(err)}") from None
    if frame.shape[1] == 0:
        raise ScienceError(
            f"{path.name} reads as one column, {str(frame.index.name)!r}; a matrix needs the cell names, "
            "then one column per gene: separate them by commas (or tabs, semicolons)"
        )
    labels = None
    if label_column:
        if label_column not in frame.columns:
            raise ScienceError(
                f"--label-column {label_column!r} is not a column of {path.name}; "
                f"its first columns: {', '.join(map(str, frame.columns[:8]))}"
            )
        labels = frame.pop(label_column)
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() & frame.notna()
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise ScienceError(
            f"{path.name}: gene {frame.columns[col]!r} of cell {frame.index[row]!r} holds "
            f"{frame.iat[row, col]!r}, not a number; an expression matrix holds numbers only "
            "(name a label column with --label-column)"
        )
    return numeric.to_numpy(np.float64), [str(c) for c in frame.columns], labels


def detect_values(x: np.ndarray) -> str:
    """``counts`` when every value is a non-negative whole number, else ``log``."""
    return "counts" if np.all(x == np.round(x)) else "log"


def load_expression(source: str | Path, *, label_column: str = "", values: str = "auto") -> Dataset:
    """A built-in (``pbmc68k``), an ``.h5ad`` or a CSV/TSV matrix (cells × genes).

    ``label_column`` is an ``obs`` key (h5ad) or a column (CSV) holding the cell type;
    ``values`` is counts, log or auto. The Dataset's ``x`` is float32 (cells, genes) in
    the user's units; ``info`` holds the gene names, the values and the label key.
    """
    if values not in ("auto", *VALUES):
        raise ScienceError(f"--values must be auto, counts or log, got {values!r}")
    name = str(source).strip().lower()
    note = ""
    if name in BUILTIN_LABELS:
        adata = read_h5ad(pbmc68k_path(), probe=False)
        label_column = label_column or BUILTIN_LABELS[name]
        x, genes = _dense(adata.raw.X), [str(g) for g in adata.raw.var_names]
        obs, source = adata.obs, name
        note = "scanpy's pbmc68k_reduced .raw (log-normalised); its .X is scaled and cannot be generated as counts"
        labels = obs[label_column] if label_column in obs.columns else None
    else:
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix == ".h5ad":
            adata = read_h5ad(path)
            x, genes, obs = _dense(adata.X), [str(g) for g in adata.var_names], adata.obs
            labels = obs[label_column] if label_column in obs.columns else None
        elif suffix in TEXT_FORMATS:
            x, genes, labels = _from_text(path, label_column)
            obs = None
        else:
            raise ScienceError(f"{path}: expression matrices are read from .h5ad, .csv or .tsv; convert it")
        source = str(path)
    if label_column and labels is None:
        keys = ", ".join(map(str, obs.columns)) if obs is not None else ""
        raise ScienceError(f"--label-column {label_column!r} is not an obs key of {source}; obs keys: {keys or 'none'}")
    _check_matrix(x, genes, source)
    detected = detect_values(x)
    if values == "counts" and detected != "counts":
        raise ScienceError(f"{source}: --values counts, but the matrix holds fractions; pass --values log")
    if values == "auto":
        values = detected
    y, class_names = (None, []) if labels is None else _labels(labels, label_column)
    return Dataset(
        x=x.astype(np.float32),
        y=y,
        class_names=class_names,
        source=source,
        modality="expression",
        info={"genes": genes, "values": values, "label_column": label_column, "note": note},
    )


def _check_matrix(x: np.ndarray, genes: list[str], source: str) -> None:
    """Refuse empty matrices, non-finite or negative values and duplicated gene names."""
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ScienceError(f"{source}: the expression matrix is empty (shape {x.shape})")
    finite = np.isfinite(x)
    if not finite.all():
        per_gene = [int(n) for n in (~finite).sum(axis=0)]
        bad = [g for g, n in enumerate(per_gene) if n]
        listed = ", ".join(f"{genes[g]!r} ({per_gene[g]} cell{'s' * (per_gene[g] != 1)})" for g in bad[:6])
        more = f" and {len(bad) - 6} more genes" if len(bad) > 6 else ""
        raise ScienceError(
            f"{source}: the matrix holds NaN or infinite values in gene {listed}{more}; fill or drop those cells"
        )
    if (x < 0).any():
        raise ScienceError(
            f"{source}: the matrix holds negative values (scaled or centred data?); "
            "give raw counts or log-normalised values"
        )
    seen: set[str] = set()
    for gene in genes:
        if gene in seen:
            raise ScienceError(
                f"{source}: gene name {gene!r} appears twice; make gene names unique "
                "(e.g. anndata's var_names_make_unique())"
            )
        seen.add(gene)


def _labels(labels: Any, key: str) -> tuple[np.ndarray, list[str]]:
    """Integer labels (N,) and sorted class names of a label column."""
    values = [str(v) for v in labels.tolist()]
    if any(v in ("nan", "None") for v in values):
        raise ScienceError(f"label {key!r} is missing for some cells; drop those cells or choose another key")
    names = sorted(set(values))
    if len(names) < 2:
        raise ScienceError(f"label {key!r} has one class ({names[0]!r}); choose another --label-column or drop it")
    index = {v: i for i, v in enumerate(names)}
    return np.array([index[v] for v in values], dtype=np.int64), names


def save_expression(
    x: np.ndarray,
    genes: list[str],
    path: Path,
    *,
    labels: np.ndarray | None,
    class_names: list[str],
    label_column: str,
    values: str,
    uns: dict[str, Any],
    provenance: dict[str, str] | None = None,
    overwrite: bool = False,
) -> None:
    """Write synthetic cells (N, genes) as ``.h5ad`` (obs label, var names, ``uns['scigan']``)
    or as CSV/TSV (cells × genes, the label as the last column; ``provenance`` in a
    ``<file>.provenance.json`` sidecar). Written atomically."""
    import os

    suffix = path.suffix.lower()
    if suffix not in (".h5ad", *TEXT_FORMATS):
        raise ScienceError(f"--out {path}: expression is written as .h5ad, .csv or .tsv; choose one of them")
    if path.exists() and not overwrite:
        raise ScienceError(f"{path} already exists; pass --overwrite to replace it")
    import pandas as pd

    cells = [f"synthetic-{i}" for i in range(len(x))]
    obs = pd.DataFrame(index=cells)
    if labels is not None and class_names and label_column:
        obs[label_column] = pd.Categorical([class_names[i] for i in labels], categories=class_names)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}{suffix}")
    if suffix == ".h5ad":
        ad = _anndata()
        adata = ad.AnnData(X=x.astype(np.float32), obs=obs, var=pd.DataFrame(index=list(genes)))
        adata.uns["scigan"] = {**uns, "values": values}
        adata.write_h5ad(tmp)
    else:
        frame = pd.DataFrame(x, index=cells, columns=list(genes))
        if label_column in obs.columns:
            frame[label_column] = obs[label_column].astype(str)
        frame.to_csv(tmp, sep=TEXT_FORMATS[suffix], index_label="cell")
    os.replace(tmp, path)
    if suffix != ".h5ad":
        write_sidecar(path, provenance)
