"""The table codec: a table <-> the generator's model space, column by column
(Xu et al. 2019, CTGAN), with the per-column transforms of :mod:`.columns`.

The codec is fitted on the training split only and saved as ``RUN/codec.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import read_codec_json, write_codec_json
from scigan.modalities.tabular.columns import Continuous, Discrete, column_from_dict
from scigan.modalities.tabular.io import TableData

if TYPE_CHECKING:
    import pandas as pd
    import torch


class TableCodec:
    """The table <-> model space mapping of a run.

    Model space is one float row per table row: the blocks of each generated column in
    table order (the label column is the condition, not generated, when conditional).
    """

    def __init__(
        self,
        columns: list[str],
        transforms: list[Continuous | Discrete],
        label: Discrete | None,
        conditional: bool,
        seed: int = 0,
        condition_frequencies: list[list[float]] | None = None,
    ):
        self.columns, self.transforms = columns, transforms
        self.label, self.conditional, self.seed = label, conditional, seed
        self.condition_frequencies = condition_frequencies or []

    @classmethod
    def fit(cls, train: TableData, *, conditional: bool, seed: int) -> TableCodec:
        """Fit every column's transform on the training rows ``train``."""
        frame, schema = train.x, train.info["schema"]
        label_column = train.info.get("label_column", "")
        label = Discrete.fit(frame[label_column], "categorical") if label_column else None
        transforms: list[Continuous | Discrete] = []
        for column in frame.columns:
            if conditional and column == label_column:
                continue
            kind = schema[column]
            series = frame[column]
            if kind in ("categorical", "boolean") or series.dropna().nunique() <= 1:
                transforms.append(Discrete.fit(series, kind))
            else:
                transforms.append(Continuous.fit(series, kind, seed))
        codec = cls(list(frame.columns), transforms, label, conditional, seed)
        codec.condition_frequencies = codec._category_shares(frame)
        return codec

    def _category_shares(self, frame: pd.DataFrame) -> list[list[float]]:
        """Per label value (one row when not conditional), the share of each category of
        every generated discrete column among the training rows ``frame``, in the order
        of :meth:`condition_codes` (each column's shares sum to 1)."""
        codes, sizes, _ = self.condition_codes(frame)
        groups = self.labels_of(frame) if self.conditional and self.label is not None else np.zeros(len(frame), int)
        shares = []
        for g in range(max(len(self.label.categories) if self.conditional and self.label else 1, 1)):
            rows = codes[groups == g]
            shares.append(
                [
                    float(v)
                    for j, size in enumerate(sizes)
                    for v in np.bincount(rows[:, j], minlength=size) / max(len(rows), 1)
                ]
            )
        return shares

    @property
    def blocks(self) -> list[tuple[str, int]]:
        """Every output head in order: (activation, width) with tanh or softmax."""
        return [block for t in self.transforms for block in t.blocks]

    @property
    def width(self) -> int:
        """Length of one model-space row."""
        return sum(size for _, size in self.blocks)

    def constant_columns(self) -> list[str]:
        """Columns with one value in the training rows (kept, reproduced as they are)."""
        return [t.name for t in self.transforms if isinstance(t, Discrete) and not t.blocks]

    def encode_frame(self, frame: pd.DataFrame, rng: np.random.Generator | None = None) -> np.ndarray:
        """A table (N rows, the fitted columns) -> model space (N, width) float64; with
        ``rng`` continuous values draw their mode from the posterior."""
        parts = [t.encode(frame[t.name], rng) for t in self.transforms]
        return np.concatenate(parts, axis=1) if parts else np.zeros((len(frame), 0))

    def decode_frame(self, matrix: np.ndarray, labels: np.ndarray | None = None) -> pd.DataFrame:
        """Model space (N, width) and, when conditional, label indices (N,) -> a table in
        the user's columns, order and dtypes."""
        import pandas as pd

        columns: dict[str, pd.Series] = {}
        start = 0
        for t in self.transforms:
            width = sum(size for _, size in t.blocks)
            columns[t.name] = t.decode(matrix[:, start : start + width])
            start += width
        if self.conditional and self.label is not None:
            if labels is None:
                raise ScienceError("this table's generator is conditional: give the labels to decode")
            columns[self.label.name] = self.label.values(np.asarray(labels))
        return pd.DataFrame({c: columns[c].reset_index(drop=True) for c in self.columns})

    def condition_codes(self, frame: pd.DataFrame) -> tuple[np.ndarray, list[int], np.ndarray]:
        """What CTGAN's conditional vector is made of, for the rows of ``frame``: the
        category index of each row in each generated discrete column (N, k) int64, each
        column's number of categories (k,), and the model-space column of every category
        (sum of the counts,) in that order. Constant columns and the label of a
        conditional codec (not generated) are left out."""
        codes: list[np.ndarray] = []
        sizes: list[int] = []
        positions: list[int] = []
        start = 0
        for t in self.transforms:
            width = sum(size for _, size in t.blocks)
            if isinstance(t, Discrete) and width:
                codes.append(t.index(frame[t.name]))
                sizes.append(width)
                positions.extend(range(start, start + width))
            start += width
        matrix = np.stack(codes, axis=1) if codes else np.zeros((len(frame), 0), dtype=np.int64)
        return matrix, sizes, np.asarray(positions, dtype=np.int64)

    def labels_of(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Label indices (N,) of a table's label column, or None when unlabelled."""
        return None if self.label is None else self.label.index(frame[self.label.name])

    def group_names(self, column: str) -> list[str]:
        """The training values of discrete ``column`` as group names (str; missing as
        ``"<missing>"``), as the scores group rows."""
        import pandas as pd

        from scigan.modalities.tabular.metrics import _as_keys

        found = [t for t in [*self.transforms, self.label] if isinstance(t, Discrete) and t.name == column]
        if not found:
            raise ScienceError(f"--balance: {column!r} is not a discrete column of this run")
        return sorted(set(_as_keys(pd.Series(found[0].categories, dtype=object))))

    # ---- the Codec interface ----------------------------------------------------------
    def stored(self, data: TableData) -> np.ndarray:
        """The training rows already in model space (N, width) float32, modes drawn
        from their posterior with the run's seed."""
        return self.encode_frame(data.x, np.random.default_rng(self.seed)).astype(np.float32)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Rows of :meth:`stored` are model space already."""
        return x

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> pd.DataFrame:
        """Generated rows (N, width) -> a table in the user's columns and dtypes."""
        return self.decode_frame(z.detach().cpu().double().numpy(), labels)

    def save(self, folder: Path) -> None:
        """Write ``folder/codec.json``."""
        doc = {
            "columns": self.columns,
            "conditional": self.conditional,
            "seed": self.seed,
            "condition_frequencies": self.condition_frequencies,
            "label": None if self.label is None else self.label.to_dict(),
            "transforms": [t.to_dict() for t in self.transforms],
        }
        write_codec_json(folder, doc)

    @classmethod
    def load(cls, folder: Path) -> TableCodec:
        """Read ``folder/codec.json`` written by :meth:`save`."""
        doc = read_codec_json(folder, "tabular")
        label = None if doc["label"] is None else column_from_dict(doc["label"])
        if label is not None and not isinstance(label, Discrete):
            raise ScienceError(f"{folder / 'codec.json'}: the label column's transform must be discrete")
        return cls(
            doc["columns"],
            [column_from_dict(d) for d in doc["transforms"]],
            label,
            doc["conditional"],
            doc["seed"],
            doc.get("condition_frequencies"),
        )
