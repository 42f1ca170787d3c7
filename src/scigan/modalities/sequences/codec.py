"""Letter tokens <-> model space: one-hot columns, one per letter (and the end token).

Stored form is an int8 token array (N, L): token i < A is the alphabet's i-th letter;
for variable-length sets, token A (the end token) fills every position after a
sequence's last letter. Model space is the one-hot float tensor (N, C, L) with C = A
(+ 1 for the end token); the generator emits a distribution over the C channels at each
position (softmax or Gumbel-softmax), decoding takes the most likely channel and cuts
each sequence at its first end token. The codec learns nothing from the data: its
description lives in the run's [data] table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.modalities.base import Dataset
from scigan.modalities.sequences.alphabet import decode_tokens

if TYPE_CHECKING:
    import torch


class SequenceCodec:
    """Token arrays <-> one-hot tensors for one alphabet.

    Args:
        letters: the alphabet's letters in token order, e.g. ``"ACGT"``.
        length: positions per sequence, L.
        fixed_length: True when every sequence has length L (no end token).
    """

    def __init__(self, letters: str, length: int, fixed_length: bool):
        self.letters, self.length, self.fixed_length = letters, int(length), bool(fixed_length)

    @property
    def channels(self) -> int:
        """One-hot channels: the letters, plus the end token for variable lengths."""
        return len(self.letters) + (0 if self.fixed_length else 1)

    @property
    def end(self) -> int:
        """The end token (pads after a sequence's last letter; == len(letters))."""
        return len(self.letters)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SequenceCodec:
        """The codec a run's [data] table describes."""
        return cls(str(data["letters"]), int(data["length"]), bool(data["fixed_length"]))

    def stored(self, data: Dataset) -> np.ndarray:
        """The token array the trainer holds: (N, L) int64."""
        return np.asarray(data.x, dtype=np.int64)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Tokens (B, L) -> one-hot floats (B, C, L)."""
        import torch

        return torch.nn.functional.one_hot(x.long(), self.channels).permute(0, 2, 1).float()

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        """Per-position channel scores (B, C, L) -> tokens (B, L) int8: the most likely
        channel at each position, and the end token everywhere after the first one."""
        tokens = z.detach().float().argmax(dim=1).cpu().numpy().astype(np.int8)
        if not self.fixed_length:
            ended = np.maximum.accumulate(tokens == self.end, axis=1)
            tokens[ended] = self.end
        return tokens

    def strings(self, tokens: np.ndarray) -> list[str]:
        """Tokens (N, L) -> the sequences as strings, each cut at its first end token."""
        return decode_tokens(tokens, self.letters)

    def save(self, folder: Path) -> None:
        """Nothing to save: letters, length and fixed_length are in the run's [data] table."""
