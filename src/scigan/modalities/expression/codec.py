"""Expression values <-> model space.

* ``log`` (log-normalised input, e.g. scanpy's ``.raw``): model space is the values
  themselves, ≥ 0.
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



class ExpressionCodec:
    """Per-run mapping of a cells × genes matrix to model space (see the module doc).

    Args:
        genes: gene names, in column order.
        values: "counts" or "log".
        library: target library size L (counts; 0 for log).
        log_lib_mean, log_lib_std: statistics of log library sizes of the training cells.
        label_column: the obs key of the label ("" when unlabelled).
    """

    def __init__(self, genes: list[str], values: str, library: float = 0.0, log_lib_mean: float = 0.0,
                 log_lib_std: float = 1.0, label_column: str = ""):
        self.genes, self.values, self.library = genes, values, library
        self.log_lib_mean, self.log_lib_std, self.label_column = log_lib_mean, log_lib_std, label_column

    @classmethod
    def fit(cls, train: Dataset) -> ExpressionCodec:
        """Learn the library-size statistics of the training cells (counts only)."""
        info = train.info
        if info["values"] != "counts":
            return cls(info["genes"], "log", label_column=info["label_column"])
        lib = train.x.astype(np.float64).sum(axis=1)
        if (lib <= 0).any():
            raise ScienceError(f"{train.source}: {(lib <= 0).sum()} cell(s) have no counts at all; drop them")
        log_lib = np.log(lib)
        return cls(info["genes"], "counts", float(np.median(lib)), float(log_lib.mean()),
                   float(log_lib.std()) or 1.0, info["label_column"])

    @property
    def width(self) -> int:
        """Length of a model-space row: genes (+1 library column for counts)."""
        return len(self.genes) + (self.values == "counts")

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
            return np.asarray(x, dtype=np.float64)
        lib = np.maximum(np.asarray(x, dtype=np.float64).sum(axis=1, keepdims=True), 1.0)
        return np.concatenate([self.log_expression(x), (np.log(lib) - self.log_lib_mean) / self.log_lib_std], axis=1)

    def decode_matrix(self, m: np.ndarray) -> np.ndarray:
        """Model space (N, width) -> stored values (N, genes) float32 (counts are whole)."""
        m = np.asarray(m, dtype=np.float64)
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
