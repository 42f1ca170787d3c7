"""Expression values <-> model space.

* ``log`` (log-normalised input, e.g. scanpy's ``.raw``): model space is the values
  themselves, ≥ 0. When every cell's values are log1p(k · s) for whole counts k and a
  per-cell size factor s (scanpy's normalize_total + log1p of counts, as in pbmc68k),
  the codec is *quantised*: one more column holds the standardised log size factor, and
  decoding puts each value back on its cell's grid log1p(k · s).
* ``counts``: each cell is normalised to the median library size L of the training
  cells and log1p-transformed; one more column holds the standardised log library size.
  Decoding scales back to the generated library size and rounds to whole counts.

Fitted on the training split and saved as ``RUN/codec.json`` with the gene names.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, read_codec_json, write_codec_json

if TYPE_CHECKING:
    import torch

#: A log matrix is quantised when this share of its non-zero values lies within
#: QUANTUM_TOLERANCE of a whole multiple of its cell's size factor (values are often
#: stored with three decimals, which moves k by up to ~0.1 at k ≈ 250).
QUANTUM_SHARE, QUANTUM_TOLERANCE = 0.999, 0.15
#: The largest count a cell's smallest non-zero value is tried as.
MAX_SMALLEST_COUNT = 4


def size_factors(x: np.ndarray) -> np.ndarray | None:
    """Per-cell size factors s (N,) float64 of log1p-normalised counts ``x`` (N, genes),
    or None when ``x`` is not of the form log1p(k · s) with whole k ≥ 0.

    s is expm1 of a cell's smallest non-zero value divided by that value's count, the
    smallest of 1 … MAX_SMALLEST_COUNT that puts the cell's values on whole counts
    (with thousands of genes a count of one nearly always occurs); cells without any
    non-zero value make the matrix unquantised.
    """
    x = np.asarray(x, dtype=np.float64)
    positive = np.where(x > 0, x, np.inf).min(axis=1)
    if not np.isfinite(positive).all():
        return None
    scaled = np.expm1(x) / np.expm1(positive)[:, None]
    nonzero = x > 0
    share = np.zeros(len(x))
    count = np.ones(len(x))
    for smallest in range(1, MAX_SMALLEST_COUNT + 1):
        k = scaled * smallest
        on_grid = ((np.abs(k - np.round(k)) <= QUANTUM_TOLERANCE) & nonzero).sum(axis=1) / nonzero.sum(axis=1)
        better = on_grid > share + 1e-12
        share[better], count[better] = on_grid[better], smallest
    if (share * nonzero.sum(axis=1)).sum() < QUANTUM_SHARE * nonzero.sum():
        return None
    return np.expm1(positive) / count


#: The library size (counts per cell) a private run normalises to: scanpy's customary
#: target, a public constant instead of the training cells' median.
PUBLIC_LIBRARY = 1e4


class ExpressionCodec:
    """Per-run mapping of a cells × genes matrix to model space (see the module doc).

    Args:
        genes: gene names, in column order.
        values: "counts" or "log".
        library: target library size L (counts; 0 for log).
        log_lib_mean, log_lib_std: statistics of log library sizes of the training cells.
        label_column: the obs key of the label ("" when unlabelled).
        quantised: log values on a per-cell grid log1p(k · s) (see :func:`size_factors`);
            log_lib_mean and log_lib_std then describe log s instead of the library.
    """

    def __init__(
        self,
        genes: list[str],
        values: str,
        library: float = 0.0,
        log_lib_mean: float = 0.0,
        log_lib_std: float = 1.0,
        label_column: str = "",
        quantised: bool = False,
    ):
        self.genes, self.values, self.library = genes, values, library
        self.log_lib_mean, self.log_lib_std, self.label_column = log_lib_mean, log_lib_std, label_column
        self.quantised = quantised

    @classmethod
    def fit(cls, train: Dataset) -> ExpressionCodec:
        """Learn the library-size statistics of the training cells (counts), or their
        size factors (quantised log values)."""
        info = train.info
        if info["values"] != "counts":
            s = size_factors(train.x)
            if s is None:
                return cls(info["genes"], "log", label_column=info["label_column"])
            return cls(
                info["genes"],
                "log",
                0.0,
                float(np.log(s).mean()),
                float(np.log(s).std()) or 1.0,
                info["label_column"],
                quantised=True,
            )
        lib = train.x.astype(np.float64).sum(axis=1)
        if (lib <= 0).any():
            raise ScienceError(f"{train.source}: {(lib <= 0).sum()} cell(s) have no counts at all; drop them")
        log_lib = np.log(lib)
        return cls(
            info["genes"],
            "counts",
            float(np.median(lib)),
            float(log_lib.mean()),
            float(log_lib.std()) or 1.0,
            info["label_column"],
        )

    @classmethod
    def public(cls, train: Dataset) -> ExpressionCodec:
        """A codec that learns nothing from the cells' values, for differentially private
        training (ε 0): the schema only (genes, label key, whether the matrix holds counts
        or log values), library L = :data:`PUBLIC_LIBRARY` and the library column
        standardised by fixed constants, not by the training cells' statistics. Log values
        are modelled as they are: whether they lie on a per-cell count grid would be read
        from the cells."""
        info = train.info
        counts = info["values"] == "counts"
        library = PUBLIC_LIBRARY if counts else 0.0
        centre = float(np.log(PUBLIC_LIBRARY)) if counts else 0.0
        return cls(info["genes"], info["values"], library, centre, 1.0, info["label_column"])

    @property
    def width(self) -> int:
        """Length of a model-space row: genes (+1 library or size-factor column)."""
        return len(self.genes) + (self.values == "counts" or self.quantised)

    def log_expression(self, x: np.ndarray) -> np.ndarray:
        """Stored values (N, genes) -> log-normalised (N, genes) float64: the space the
        metrics compare in (log values as they are; counts normalised to L, log1p)."""
        x = np.asarray(x, dtype=np.float64)
        if self.values == "log":
            return x
        lib = np.maximum(x.sum(axis=1, keepdims=True), 1.0)
        return np.log1p(x / lib * self.library)

    def encode_matrix(self, x: np.ndarray) -> np.ndarray:
        """Stored values (N, genes) -> model space (N, width) float64."""
        if self.values == "log":
            if not self.quantised:
                return np.asarray(x, dtype=np.float64)
            s = size_factors(x)
            if s is None:
                raise ScienceError("these cells are not on a log1p(count · size factor) grid like the training cells")
            return np.concatenate(
                [np.asarray(x, dtype=np.float64), (np.log(s)[:, None] - self.log_lib_mean) / self.log_lib_std], axis=1
            )
        lib = np.maximum(np.asarray(x, dtype=np.float64).sum(axis=1, keepdims=True), 1.0)
        return np.concatenate([self.log_expression(x), (np.log(lib) - self.log_lib_mean) / self.log_lib_std], axis=1)

    def decode_matrix(self, m: np.ndarray) -> np.ndarray:
        """Model space (N, width) -> stored values (N, genes) float32 (counts are whole)."""
        m = np.asarray(m, dtype=np.float64)
        if self.values == "log" and self.quantised:
            s = np.exp(m[:, -1:] * self.log_lib_std + self.log_lib_mean)
            return np.log1p(np.round(np.expm1(np.maximum(m[:, :-1], 0.0)) / s) * s).astype(np.float32)
        if self.values == "log":
            return np.maximum(m, 0.0).astype(np.float32)
        lib = np.exp(m[:, -1:] * self.log_lib_std + self.log_lib_mean)
        return np.round(np.expm1(np.maximum(m[:, :-1], 0.0)) / self.library * lib).astype(np.float32)

    # ---- the Codec interface ----------------------------------------------------------
    def stored(self, data: Dataset) -> np.ndarray:
        """The training cells already in model space (N, width) float32."""
        return self.encode_matrix(data.x).astype(np.float32)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Rows of :meth:`stored` are model space already."""
        return x

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        """Generated rows (N, width) -> values (N, genes) in the input's units."""
        return self.decode_matrix(z.detach().cpu().double().numpy())

    def save(self, folder: Path) -> None:
        """Write ``folder/codec.json``."""
        write_codec_json(folder, self.__dict__)

    @classmethod
    def load(cls, folder: Path) -> ExpressionCodec:
        """Read ``folder/codec.json`` written by :meth:`save`."""
        return cls(**read_codec_json(folder, "expression"))
