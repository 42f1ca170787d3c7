"""The molecules modality: small molecules for the core, as MolGAN graphs or LatentGAN codes.

Stored form is an object array (N,) of canonical SMILES (:mod:`.io`); the codec turns
it into graphs (``molgan``) or autoencoder latents (``latentgan``) (:mod:`.codec`); the
networks are in :mod:`.networks`, MolGAN's reward in :mod:`.reward`, the MOSES scores in
:mod:`.metrics`.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.base import Dataset, record_marks
from scigan.modalities.molecules.io import load_molecules, save_molecules
from scigan.warn import warn

if TYPE_CHECKING:
    from torch import nn

    from scigan.core.phases import Term
    from scigan.modalities.molecules.codec import GraphCodec, LatentCodec
    from scigan.modalities.molecules.metrics import MoleculeScorer

__all__ = ["MoleculeModality", "load_molecules", "save_molecules"]

#: The architectures molecules can be trained with.
ARCHITECTURES = ("molgan", "latentgan")


def _log(config: Any) -> Any:
    """Where the autoencoder's progress goes: stderr, unless --quiet."""
    return (lambda line: print(line, file=sys.stderr)) if config.progress else (lambda line: None)


class MoleculeModality:
    """Molecules: readers, writers, codecs, networks and scores for the core."""

    name = "molecules"

    def load(self, source: Any, **options: Any) -> Dataset:
        """A built-in (``qm9``, ``moses``), a .smi/.csv/.sdf file or a list of SMILES
        (see :func:`~scigan.modalities.molecules.io.load_molecules` for ``options``)."""
        return load_molecules(source, **options)

    def read(self, config: Any, source: Any = None) -> Dataset:
        """The molecules ``config.data`` names (or ``source``: a list of SMILES), read with
        the ``[molecules]`` options; molecules longer than ``--max-length`` tokens, or (molgan
        with ``--max-atoms``) with more heavy atoms, are dropped and counted."""
        from scigan.modalities.molecules.graph import heavy_atoms
        from scigan.modalities.molecules.reward import check_reward
        from scigan.modalities.molecules.smiles_vocab import tokenize

        o = config.data_options
        check_reward(o.reward)
        data = self.load(
            config.data if source is None else source,
            smiles_column=o.smiles_column,
            label_column=o.label_column,
            property_bins=o.property_bins,
            max_invalid=o.max_invalid,
            subset=o.subset,
            seed=config.seed,
        )
        atoms = heavy_atoms(list(data.x))
        keep = np.array([len(tokenize(s)) <= o.max_length for s in data.x])
        if o.max_atoms and config.model == "molgan":
            keep &= atoms <= o.max_atoms
        if not keep.all():
            why = f"more than {o.max_length} SMILES tokens" + (
                f" or more than {o.max_atoms} heavy atoms" if o.max_atoms and config.model == "molgan" else ""
            )
            warn(f"{data.source}: dropped {int((~keep).sum())} of {len(data)} molecules with {why}")
            data, atoms = data.subset(keep), atoms[keep]
        if len(data) == 0:
            raise ScienceError(f"{data.source}: no molecule is left to train on; raise --max-length or --max-atoms")
        info = {**data.info, "max_heavy_atoms": int(atoms.max()), "n_dropped_size": int((~keep).sum())}
        if source is not None:
            info["in_memory"] = True
            return replace(data, source=str(config.data), info=info)
        return replace(data, info=info)

    def resolve(self, config: Any, data: Dataset, log: Any = print) -> Any:
        """Molecule defaults: ``molgan`` when every molecule has at most 20 heavy atoms
        (QM9-sized), else ``latentgan``; WGAN-GP for both (as both papers); MolGAN's atom
        types and graph size from the data (the largest molecule read)."""
        from scigan.modalities.molecules.graph import MAX_AUTO_ATOMS, atom_types_of, check_fits, check_types

        o = config.data_options
        largest = int(data.info["max_heavy_atoms"])
        model = config.model
        if model == "auto":
            model = "molgan" if largest <= MAX_AUTO_ATOMS else "latentgan"
            log(f"model auto: {model} (the largest molecule has {largest} heavy atoms)")
        if model not in ARCHITECTURES:
            raise ScienceError(f"unknown model {model!r} for molecules; choose one of: {', '.join(ARCHITECTURES)}")
        if o.reward and model != "molgan":
            raise ScienceError("--reward trains MolGAN's reward network; use it with --model molgan")
        loss = "wgan" if config.loss == "auto" else config.loss
        if model == "molgan":
            size = o.max_atoms or largest
            if not o.max_atoms and largest > MAX_AUTO_ATOMS:
                raise ScienceError(
                    f"{data.source}: the largest molecule has {largest} heavy atoms, more than molgan's "
                    f"{MAX_AUTO_ATOMS}; pass --max-atoms N (larger ones are dropped) or use --model latentgan"
                )
            types = [t for t in o.atom_types.split(",") if t] or atom_types_of(list(data.x))
            check_types(types)
            check_fits(list(data.x), types, size, data.source)
            o = replace(o, atom_types=",".join(types), max_atoms=size)
        if data.info.get("in_memory"):  # read back from the run's .smi copy, labels as label= names
            o = replace(o, smiles_column="", label_column="", property_bins=0, subset=0)
        return replace(config, model=model, loss=loss, data_options=o)

    def fit_codec(self, train: Dataset, config: Any) -> GraphCodec | LatentCodec:
        """MolGAN's graph codec, or LatentGAN's autoencoder trained on ``train`` now."""
        from scigan.modalities.molecules.codec import GraphCodec, LatentCodec

        o = config.data_options
        if config.model == "molgan":
            return GraphCodec(o.atom_types.split(","), o.max_atoms, o.valence_correction)
        from scigan.core.device import resolve_device

        device = str(resolve_device(config.device))
        return LatentCodec.fit(list(train.x), o, seed=config.seed, device=device, log=_log(config))

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> GraphCodec | LatentCodec:
        """The codec a run's [data] table describes (a latentgan run's autoencoder from its folder)."""
        from scigan.modalities.molecules.codec import GraphCodec, LatentCodec

        if data.get("codec") == "graph":
            return GraphCodec.from_data(data)
        return LatentCodec.load(run_path)

    def describe(self, data: Dataset, codec: GraphCodec | LatentCodec) -> dict[str, Any]:
        """What was read and dropped, and the codec: atom types and graph size, or the
        autoencoder's size and reconstruction rate."""
        from scigan.modalities.molecules.codec import GraphCodec

        counts: dict[str, Any] = {
            k: data.info[k] for k in ("n_records", "n_invalid", "n_fragments_cut", "n_duplicates") if k in data.info
        }
        facts: dict[str, Any] = {**counts, "note": data.info.get("note", "")}
        if isinstance(codec, GraphCodec):
            graph = {"atom_types": codec.types, "max_atoms": codec.max_atoms, "valence_correction": codec.correct}
            return {**facts, "codec": "graph", **graph}
        keep = ("latent_dim", "max_length", "steps", "seconds", "reconstruction", "loss")
        return {**facts, "codec": "latent", **{k: codec.meta[k] for k in keep if codec.meta.get(k) is not None}}

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """MolGAN's generator and R-GCN critic (with the reward network under --reward), or
        LatentGAN's MLPs on the latent codes."""
        from scigan.modalities.molecules import networks as nets
        from scigan.modalities.molecules.codec import BOND_CHANNELS, GraphCodec

        o = config.data_options
        if data.get("codec") == "graph":
            codec = GraphCodec.from_data(data)
            a, t = codec.max_atoms, codec.node_channels
            G = nets.GraphGenerator(
                config.z_dim,
                a,
                t,
                BOND_CHANNELS,
                num_classes,
                config.width,
                relaxation=o.relaxation,
                temperature=o.temperature,
            )
            return G, nets.GraphCritic(a, t, BOND_CHANNELS, num_classes, config.width, reward=bool(o.reward))
        latent = int(data["latent_dim"])
        return (
            nets.LatentGenerator(config.z_dim, latent, num_classes, config.width),
            nets.LatentCritic(latent, num_classes, config.width),
        )

    def conditions(self, train: Dataset, codec: Any, config: Any) -> None:
        """No condition sampler: conditional runs condition on the label alone."""
        return None

    def objectives(self, train: Dataset, codec: Any, config: Any) -> tuple[list[Term], list[Term]] | None:
        """MolGAN's reward terms under ``--reward`` (critic phase: fit the reward network;
        generator phase: follow it); None without."""
        o = config.data_options
        if not o.reward:
            return None
        from scigan.core.recipe import critic_steps
        from scigan.modalities.molecules.reward import RewardFit, RewardLoss, reward_function

        score = reward_function(o.reward, list(train.x))
        return [RewardFit(codec, score, every=critic_steps(config))], [RewardLoss(o.reward_lambda)]

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Every training molecule once per pass."""
        return np.arange(len(train))

    def scorer(self, train: Dataset, holdout: Dataset, codec: Any, *, device: str, log: Any = print) -> MoleculeScorer:
        """The MOSES metrics against ``holdout`` (:mod:`.metrics`)."""
        from scigan.modalities.molecules.metrics import MoleculeScorer

        return MoleculeScorer(train, holdout, codec, device=device, log=log)

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        """A grid of generated molecules (RDKit drawings), marked synthetic (:mod:`.plots`)."""
        from scigan.modalities.molecules.plots import molecule_grid

        smiles = [str(s) if s else "" for s in samples.x]
        legends = None
        if samples.y is not None and samples.class_names:
            legends = [samples.class_names[int(v)] for v in samples.y]
        molecule_grid(smiles, path, provenance, legends=legends, title="synthetic molecules")
        return True

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write molecules as .smi, .csv (with QED, logP, SA, MW) or .sdf, each record marked
        ``synthetic=true`` with the run and step (samples of a run); invalid generations
        are not written, and their count is said."""
        synthetic = bool(samples.info.get("synthetic", False))
        header = {}
        if synthetic:
            from scigan.runs import open_run

            run = open_run(samples.source)
            header = {
                "run": run.path.name,
                "step": str(samples.info.get("step", 0)),
                **record_marks(options.get("provenance")),
            }
        smiles = [str(s) if s else "" for s in samples.x]
        written = save_molecules(
            smiles,
            Path(path),
            labels=samples.y,
            class_names=samples.class_names,
            header=header,
            synthetic=synthetic,
            overwrite=options.get("overwrite", False),
        )
        if written < len(smiles):
            warn(
                f"{len(smiles) - written} of {len(smiles)} generated graphs or strings were not valid molecules "
                f"and are not in {path}"
            )
