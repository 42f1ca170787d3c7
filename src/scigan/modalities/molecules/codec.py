"""The two ways a molecule reaches a GAN: as MolGAN's graph or as a LatentGAN code.

:class:`GraphCodec` (model ``molgan``): stored form int8 graph rows (N, A + A·A)
(:mod:`.graph`), model space their one-hot encoding flattened (N, A·(T+1) + 4·A·A):
the node types (A, T+1), then the bond types (4, A, A) channel-first. Stateless; its
description (atom types, A, valence correction) is the run's [data] table.

:class:`LatentCodec` (model ``latentgan``): a SMILES autoencoder trained on the training
split (:mod:`.autoencoder`) whose latent codes (N, latent_dim) in [-1, 1] are both the
stored form and model space; it is saved in the run folder and decodes the GAN's
samples back to SMILES.

Both decode to an object array (N,) of canonical SMILES, "" where no valid molecule came out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional

from scigan.modalities.base import Dataset
from scigan.modalities.molecules.graph import BONDS, from_graph, to_graph, valence_caps

#: Bond channels of the model space (none, single, double, triple).
BOND_CHANNELS = len(BONDS)


class GraphCodec:
    """Molecules <-> MolGAN's one-hot node and adjacency tensors (see the module doc)."""

    def __init__(self, types: Sequence[str], max_atoms: int, correct: bool = True):
        self.types, self.max_atoms, self.correct = list(types), int(max_atoms), bool(correct)
        self.caps = valence_caps(self.types) if self.correct else None

    @property
    def node_channels(self) -> int:
        """Node classes: no atom, then each atom type."""
        return len(self.types) + 1

    @property
    def width(self) -> int:
        """Length of one model-space row."""
        a = self.max_atoms
        return a * self.node_channels + BOND_CHANNELS * a * a

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> GraphCodec:
        """The codec a run's [data] table describes."""
        return cls(data["atom_types"], int(data["max_atoms"]), bool(data.get("valence_correction", False)))

    def stored(self, data: Dataset) -> np.ndarray:
        """Graph rows (N, A + A·A) int8 of the molecules."""
        return to_graph(list(data.x), self.types, self.max_atoms)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Graph rows (N, A + A·A) -> one-hot model space (N, width) float32."""
        a = self.max_atoms
        nodes = functional.one_hot(x[:, :a].long(), self.node_channels).float().flatten(1)
        bonds = functional.one_hot(x[:, a:].long().view(-1, a, a), BOND_CHANNELS).float()
        return torch.cat([nodes, bonds.permute(0, 3, 1, 2).flatten(1)], 1)

    def split(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Model-space rows (N, width) -> nodes (N, A, T+1) and bonds (N, 4, A, A)."""
        a, t = self.max_atoms, self.node_channels
        return z[:, : a * t].reshape(-1, a, t), z[:, a * t :].reshape(-1, BOND_CHANNELS, a, a)

    def graphs(self, z: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """The most likely graph of each model-space row: atoms (N, A), bonds (N, A, A)."""
        nodes, bonds = self.split(z.detach().float().cpu())
        return nodes.argmax(-1).numpy(), bonds.argmax(1).numpy()

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        """Model-space rows (N, width) -> canonical SMILES (N,) object array, "" where
        invalid; with ``correct``, each graph's valences are repaired first and a graph in
        pieces gives its largest piece (:func:`.graph.from_graph`)."""
        atoms, bonds = self.graphs(z)
        return np.array(
            [from_graph(atoms[i], bonds[i], self.types, self.caps) for i in range(len(atoms))], dtype=object
        )

    def save(self, folder: Path) -> None:
        """Nothing: the [data] table describes the codec."""


class LatentCodec:
    """Molecules <-> a trained SMILES autoencoder's latent codes (see the module doc)."""

    def __init__(self, model: Any, vocab: Any, meta: dict[str, Any], device: str = "cpu"):
        self.model, self.vocab, self.meta, self.device = model, vocab, meta, device

    @property
    def latent_dim(self) -> int:
        """Length of a latent code."""
        return int(self.meta["latent_dim"])

    @classmethod
    def fit(cls, smiles: list[str], options: Any, *, seed: int, device: str, log: Callable[[str], None]) -> LatentCodec:
        """Train the autoencoder on ``smiles`` (the training split) with the run's
        ``[molecules]`` options (latent size, steps, minutes, randomised SMILES)."""
        from scigan.modalities.molecules.autoencoder_training import train_autoencoder

        model, vocab, stats = train_autoencoder(
            smiles,
            latent_dim=options.latent_dim,
            hidden_dim=options.ae_hidden,
            steps=options.ae_steps,
            minutes=options.ae_minutes,
            randomize=options.ae_randomize,
            seed=seed,
            device=device,
            log=log,
        )
        meta = {"latent_dim": options.latent_dim, **stats}
        return cls(model, vocab, meta, device)

    @classmethod
    def load(cls, folder: Path, device: str = "cpu") -> LatentCodec:
        """The autoencoder a run saved in ``folder``."""
        from scigan.modalities.molecules.autoencoder_files import load_autoencoder

        model, vocab, meta = load_autoencoder(folder, device)
        return cls(model, vocab, meta, device)

    def stored(self, data: Dataset) -> np.ndarray:
        """Latent codes (N, latent_dim) float32 of the molecules."""
        from scigan.modalities.molecules.autoencoder import encode_smiles

        return encode_smiles(self.model, self.vocab, list(data.x))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Latent codes are model space already."""
        return x.float()

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> np.ndarray:
        """Latent codes (N, latent_dim) -> canonical SMILES (N,) object array, "" where invalid."""
        from scigan.modalities.molecules.autoencoder import decode_latents

        out = decode_latents(self.model, self.vocab, z.detach().float())
        return np.array(out, dtype=object)

    def save(self, folder: Path) -> None:
        """Write the autoencoder (safetensors) and its vocabulary (JSON) into the run."""
        from scigan.modalities.molecules.autoencoder_files import save_autoencoder

        save_autoencoder(self.model, self.vocab, folder, self.meta)
