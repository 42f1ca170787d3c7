"""The molecules kind's options: the ``[molecules]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class MoleculeOptions:
    """How molecules are read, how MolGAN's graphs and LatentGAN's autoencoder are built."""

    smiles_column: str = option(
        "", "CSV/TSV: the column holding the SMILES; empty = smiles, SMILES or canonical_smiles."
    )
    label_column: str = option(
        "",
        "CSV/TSV or SDF property holding each molecule's class, or a numeric property binned "
        "with --property-bins (conditional generation); empty = unlabelled.",
    )
    property_bins: int = option(
        0,
        "Cut a numeric --label-column into this many quantile bins (fitted on all rows read) "
        "and condition on the bin; 0 = the column holds class names.",
        Interval(0),
    )
    max_invalid: float = option(
        0.05,
        "Largest share of input records RDKit cannot parse or sanitise that are dropped (with "
        "their line numbers reported); above it the input is refused.",
        Interval(0, 1),
    )
    subset: int = option(
        -1,
        "Built-ins: train on a seeded subset of this many molecules (and at most 10,000 of "
        "moses's test split as the holdout); -1 = 20,000; 0 = the full set.",
        Interval(-1),
    )
    max_atoms: int = option(
        0,
        "molgan: heavy atoms per graph; larger molecules are dropped (counted). 0 = the "
        "largest in the data, refused above 20 (use latentgan for drug-sized molecules).",
        Interval(0),
    )
    atom_types: str = option(
        "",
        "molgan: the atom types of the graph, e.g. C,N,O,F,N+,O- (element and charge); a "
        "molecule with another is refused. Empty = those in the training data.",
    )
    relaxation: str = option(
        "straight",
        "molgan: how the generator emits atom and bond types: softmax, gumbel (Gumbel-softmax "
        "at --temperature) or straight (those samples one-hot forward, soft backward).",
        OneOf(("softmax", "gumbel", "straight")),
    )
    valence_correction: bool = option(
        True,
        "molgan: repair each generated graph before RDKit judges it: bond orders lowered where "
        "an atom exceeds its valence, and the largest piece of a disconnected graph kept "
        "(MoFlow's correction). benchmarks/molecules.py reports validity without it beside.",
    )
    temperature: float = option(1.0, "molgan: Gumbel-softmax temperature.", Interval(0, low_open=True))
    reward: str = option(
        "",
        "molgan: push generation toward a property with MolGAN's reward network: qed, logp, "
        "sa (synthesisability, 10 − SA score) or an RDKit descriptor name (e.g. TPSA), "
        "maximised; empty = off.",
    )
    reward_lambda: float = option(
        0.5,
        "molgan with --reward: MolGAN's λ, the generator minimising λ·L_WGAN + (1 − λ)·L_RL (1 = no reward).",
        Interval(0, 1, low_open=True),
    )
    latent_dim: int = option(128, "latentgan: length of the autoencoder's latent code.", Interval(1))
    ae_hidden: int = option(256, "latentgan: width of the autoencoder's GRU layers.", Interval(1))
    ae_steps: int = option(
        4000, "latentgan: autoencoder training steps before the GAN (0 = no step limit).", Interval(0)
    )
    ae_minutes: float = option(
        4.0, "latentgan: wall-clock budget of the autoencoder in minutes (0 = none).", Interval(0)
    )
    ae_randomize: bool = option(True, "latentgan: train the autoencoder on randomised SMILES (Arús-Pous et al. 2019).")
    max_length: int = option(
        100, "latentgan: longest SMILES in tokens; longer molecules are dropped (counted).", Interval(8)
    )
