"""Measuring generated molecules against held-out real ones: the MOSES metric set.

Generated samples are a 1-D object array of SMILES ("" where the decoder made no
molecule). The scores (declared in :mod:`.scores`) are MOSES's (:mod:`.moses`, :mod:`.fcd`,
:mod:`.properties`): validity, unique@1k/10k and novelty of the valid molecules, and
their FCD, SNN, Frag, Scaf, filter share, internal diversity and property distances
against the reference split, each beside its real-vs-real floor: the same score of as
many real training molecules (a seeded subsample, at least 2) against the same reference.

Reference molecules: a fixed seeded subsample of the reference split, at most
:data:`FULL_REFERENCE_N` for the full set and its first :data:`QUICK_REFERENCE_N` for the
quick FCD that picks checkpoints; their ChemNet activations, fingerprints, fragment and
scaffold counts and properties are computed once per scorer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scigan.metrics.scorer import reference_name
from scigan.modalities.base import Dataset, proportional_labels
from scigan.modalities.molecules import moses
from scigan.modalities.molecules.chem import canonical, parse
from scigan.modalities.molecules.fcd import chemnet, fcd
from scigan.modalities.molecules.properties import PROPERTIES, molecular_properties
from scigan.modalities.molecules.scores import PROPERTY_LABELS

#: Most reference molecules the quick FCD compares with (checkpoint choice stays fast).
QUICK_REFERENCE_N = 5000
#: Most reference molecules of the full set (ChemNet and the SNN's pairs cost).
FULL_REFERENCE_N = 10000
#: Seed of the reference subsample (fixed: quick and full share it across calls).
REFERENCE_SEED = 0
#: The k of MOSES's unique@k scores.
UNIQUE_KS = {"uniqueness": 10000, "uniqueness_1k": 1000}
#: Units of the properties, for the histograms.
_UNITS = {"qed": "", "sa": " (1 easy – 10 hard)", "logp": "", "mw": " (g/mol)"}


def _strings(x: Any) -> list[str]:
    """Samples (an object array or list of SMILES, "" or None where invalid) as strings."""
    return ["" if s is None else str(s) for s in np.asarray(x, dtype=object).reshape(-1)]


@dataclass
class _MoleculeSet:
    """One set's precomputed MOSES inputs: canonical SMILES (K,), labels, ChemNet
    activations (K, 512), fingerprints (K, 1024), fragment and scaffold counts, properties."""

    smiles: list[str]
    labels: np.ndarray | None
    activations: np.ndarray
    fps: np.ndarray
    fragments: Counter[str]
    scaffolds: Counter[str]
    props: dict[str, np.ndarray]


class MoleculeScorer:
    """Scores generated SMILES against a real split (see the module doc).

    Args:
        train: the real training split (novelty compares with it; floors draw from it).
        holdout: the reference split: the validation split while training, the holdout
            for ``evaluate``.
        codec: the run's codec (unused: samples arrive decoded to SMILES).
        device: where ChemNet runs.
        log: receives one-line progress messages.
    """

    def __init__(
        self,
        train: Dataset,
        holdout: Dataset,
        codec: Any,
        *,
        device: str = "cpu",
        log: Callable[[str], None] = print,
    ):
        self.train, self.holdout, self.codec, self.device, self.log = train, holdout, codec, device, log
        self._train_set: frozenset[str] | None = None
        self._ref_smiles: list[str] | None = None
        self._ref_labels: np.ndarray | None = None
        self._ref_acts = np.zeros((0, 512))
        self._ref_full: _MoleculeSet | None = None

    # -- the reference, computed once ---------------------------------------------------

    def _reference_smiles(self) -> list[str]:
        """Canonical SMILES of the seeded reference subsample (at most FULL_REFERENCE_N;
        invalid entries dropped), with their labels in ``_ref_labels``."""
        if self._ref_smiles is None:
            rows = np.random.default_rng(REFERENCE_SEED).permutation(len(self.holdout))[:FULL_REFERENCE_N]
            found = [canonical(s) if s else None for s in _strings(self.holdout.x[rows])]
            keep = np.array([c is not None for c in found], dtype=bool)
            self._ref_smiles = [c for c in found if c is not None]
            self._ref_labels = None if self.holdout.y is None else np.asarray(self.holdout.y)[rows][keep]
        return self._ref_smiles

    def _reference_activations(self, k: int) -> np.ndarray:
        """ChemNet activations (min(k, K), 512) of the first k reference molecules, computed
        once (the full set extends the quick one)."""
        smiles = self._reference_smiles()[:k]
        if len(self._ref_acts) < len(smiles):
            more = chemnet(self.device).activations(smiles[len(self._ref_acts) :])
            self._ref_acts = np.concatenate([self._ref_acts, more]) if len(self._ref_acts) else more
        return self._ref_acts[: len(smiles)]

    def _reference_full(self) -> _MoleculeSet:
        """Every precomputed input of the full reference subsample."""
        if self._ref_full is None:
            smiles = self._reference_smiles()
            self.log(f"computing the MOSES statistics of {len(smiles)} reference molecules")
            acts = self._reference_activations(len(smiles))
            self._ref_full = self._prepare(smiles, self._ref_labels, acts)
        return self._ref_full

    def _training_set(self) -> frozenset[str]:
        """The training split's SMILES (canonical, as a Dataset of the kind holds them)."""
        if self._train_set is None:
            self._train_set = frozenset(_strings(self.train.x))
        return self._train_set

    def _prepare(self, smiles: list[str], labels: np.ndarray | None, acts: np.ndarray | None = None) -> _MoleculeSet:
        """The MOSES inputs of canonical valid ``smiles`` (each parsed once)."""
        mols = [m for m in (parse(s) for s in smiles) if m is not None]
        if acts is None:
            acts = chemnet(self.device).activations(smiles) if smiles else np.zeros((0, 512))
        return _MoleculeSet(
            smiles=smiles,
            labels=labels,
            activations=acts,
            fps=moses.fingerprints(mols),
            fragments=moses.fragment_counts(mols),
            scaffolds=moses.scaffold_counts(mols),
            props=molecular_properties(smiles),
        )

    # -- the Scorer protocol --------------------------------------------------------------

    def fake_labels(self, n: int, seed: int) -> np.ndarray | None:
        """Labels (n,) for conditional samples in the reference split's class proportions."""
        return proportional_labels(self.holdout.y, n, seed)

    def sizes(self, n: int) -> int:
        """Samples :meth:`full` wants for ``n`` asked: ``n`` (molecules are cheap; the floor
        compares min(n valid, training size) training molecules)."""
        return n

    def quick(self, fake_x: Any, fake_y: np.ndarray | None = None) -> dict[str, Any]:
        """FCD (inf when fewer than 2 valid), validity and unique@10k of the generated SMILES
        (N,) against at most QUICK_REFERENCE_N reference molecules; ``n``: N (``fake_y`` is
        not scored: no classifier of the classes is trained)."""
        fake = _strings(fake_x)
        valid = [c for c in (canonical(s) if s else None for s in fake) if c is not None]
        ref = self._reference_activations(QUICK_REFERENCE_N)
        value = fcd(chemnet(self.device).activations(valid), ref) if len(valid) >= 2 else float("nan")
        return {
            "fcd": float("inf") if np.isnan(value) else value,
            "validity": len(valid) / len(fake) if fake else float("nan"),
            "uniqueness": moses.uniqueness_at(valid, UNIQUE_KS["uniqueness"])[0],
            "n": len(fake),
        }

    def full(
        self,
        fake_x: Any,
        fake_y: np.ndarray | None,
        *,
        seed: int = 0,
        untrained_x: Any = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        """Every MOSES score of the generated SMILES ``fake_x`` (N,) (``fake_y``: the labels
        they were generated for, or None) against the reference subsample, beside the same
        score of a ``seed``-drawn subsample of training molecules (as many as valid
        generated, at least 2); ``untrained_x`` adds ``fcd_untrained``; ``picture`` (a PNG
        path) gets ``properties.png`` beside it, listed in ``figures``. ``umap`` is ignored
        (no feature-space picture). Floats, NaN where undefined."""
        fake = _strings(fake_x)
        found = [(i, c) for i, c in enumerate(canonical(s) if s else None for s in fake) if c is not None]
        index = np.array([i for i, _ in found], dtype=np.int64)
        valid = [c for _, c in found]
        labels = None if fake_y is None else np.asarray(fake_y).reshape(-1)[index]
        ref = self._reference_full()
        rng = np.random.default_rng(seed)
        n_floor = min(max(len(valid), 2), len(self.train))
        floor_rows = rng.permutation(len(self.train))[:n_floor]
        floor_smiles = [c for c in (canonical(s) if s else None for s in _strings(self.train.x[floor_rows])) if c]
        self.log(
            f"scoring {len(valid)} valid of {len(fake)} generated molecules against {len(ref.smiles)} reference "
            f"ones (floor: {len(floor_smiles)} training molecules)"
        )
        gen, floor = self._prepare(valid, labels), self._prepare(floor_smiles, None)
        out: dict[str, Any] = {
            "n": len(fake),
            "n_valid": len(valid),
            "n_reference": len(ref.smiles),
            "n_reference_available": len(self.holdout),
            "reference": reference_name(self.holdout),
            "n_floor": len(floor_smiles),
            "validity": len(valid) / len(fake) if fake else float("nan"),  # moses.validity, parsed once
            **{key: moses.uniqueness_at(valid, k)[0] for key, k in UNIQUE_KS.items()},  # k used: min(k, n_valid)
            "novelty": moses.novelty(valid, self._training_set()),
            "filters_set": moses.filter_set(),
        }
        for name, mine in (("", gen), ("_floor", floor)):
            out.update(self._against(mine, ref, seed, name))
        out["fcd_real_floor"] = out.pop("fcd_floor")
        if untrained_x is not None:
            untrained = [c for c in (canonical(s) if s else None for s in _strings(untrained_x)) if c]
            acts = chemnet(self.device).activations(untrained) if len(untrained) >= 2 else np.zeros((0, 512))
            out["fcd_untrained"] = fcd(acts, ref.activations)
        if labels is not None and ref.labels is not None:
            out["fcd_per_class"] = self._per_class(gen, ref)
        if picture is not None:
            out["figures"] = self._pictures(Path(picture).parent, ref.props, gen.props, _strings(fake_x))
        return out

    # -- parts ----------------------------------------------------------------------------

    @staticmethod
    def _against(mine: _MoleculeSet, ref: _MoleculeSet, seed: int, suffix: str) -> dict[str, float]:
        """The distribution scores of ``mine`` against ``ref``, keys ending in ``suffix``."""
        scores = {
            "fcd": fcd(mine.activations, ref.activations),
            "snn": moses.snn(mine.fps, ref.fps),
            "frag": moses.count_cosine(mine.fragments, ref.fragments),
            "scaf": moses.count_cosine(mine.scaffolds, ref.scaffolds),
            "int_div": moses.int_div(mine.fps, seed=seed),
            "filters": moses.filters(mine.smiles),
            **moses.property_distances(mine.props, ref.props),
        }
        return {f"{key}{suffix}": float(value) for key, value in scores.items()}

    def _per_class(self, gen: _MoleculeSet, ref: _MoleculeSet) -> dict[str, float]:
        """Class name -> FCD of that class's valid generated molecules against its reference
        molecules, for classes with at least 2 of each."""
        assert gen.labels is not None and ref.labels is not None
        names = self.holdout.class_names or [str(c) for c in np.unique(ref.labels)]
        out = {}
        for c, name in enumerate(names):
            mine, theirs = gen.activations[gen.labels == c], ref.activations[ref.labels == c]
            if len(mine) >= 2 and len(theirs) >= 2:
                out[str(name)] = fcd(mine, theirs)
        return out

    def _pictures(
        self, folder: Path, real: Mapping[str, np.ndarray], fake: Mapping[str, np.ndarray], samples: list[str]
    ) -> list[dict[str, str]]:
        """A grid of the first 36 generated molecules (RDKit drawings, marked synthetic) and
        the property histograms, written to ``folder``."""
        from scigan.modalities.molecules.plots import molecule_grid

        provenance = {"Software": "scigan evaluate", "Synthetic": "the orange histograms"}
        plot_properties(real, fake, folder / "properties.png", provenance)
        drawn = molecule_grid(
            samples[:48],
            folder / "molecules.png",
            {"Software": "scigan evaluate", "Synthetic": "every molecule"},
            title="generated molecules",
        )
        return [
            {
                "file": "molecules.png",
                "caption": f"{drawn} of the first 48 generated molecules (invalid ones left out)",
            },
            {
                "file": "properties.png",
                "caption": "Molecular properties (QED, SA score, logP, weight): held-out real against synthetic",
            },
        ]


def plot_properties(
    real: Mapping[str, np.ndarray], fake: Mapping[str, np.ndarray], path: Path, provenance: Mapping[str, str]
) -> Path:
    """Density histograms of QED, SA score, logP and weight (name -> values (N,) and (M,),
    as :func:`~scigan.modalities.molecules.properties.molecular_properties` gives), real
    (blue) against synthetic (orange) on 30 shared bins spanning both sets' 1st to 99th
    percentiles (values beyond them drawn in the end bins), in a 2 × 2 grid. Written atomically as a PNG to
    ``path`` with ``provenance`` as text chunks; returns ``path``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 5.6))
    axes = fig.subplots(2, 2).reshape(-1)
    for ax, name in zip(axes, PROPERTIES):
        r = np.asarray(real.get(name, ()), dtype=np.float64)
        f = np.asarray(fake.get(name, ()), dtype=np.float64)
        r, f = r[np.isfinite(r)], f[np.isfinite(f)]
        if len(r) or len(f):
            lo = float(min(np.quantile(x, 0.01) for x in (r, f) if len(x)))
            hi = float(max(np.quantile(x, 0.99) for x in (r, f) if len(x)))
            edges = np.linspace(lo - 0.5, hi + 0.5, 31) if hi <= lo else np.linspace(lo, hi, 31)
            ax.hist(
                np.clip(r, edges[0], edges[-1]),
                bins=edges,
                density=True,
                alpha=0.5,
                color="tab:blue",
                label=f"real (n={len(r)})",
            )
            ax.hist(
                np.clip(f, edges[0], edges[-1]),
                bins=edges,
                density=True,
                alpha=0.5,
                color="tab:orange",
                label=f"synthetic (n={len(f)})",
            )
            ax.legend(fontsize=6, frameon=False)
        ax.set_title(PROPERTY_LABELS[name] + _UNITS[name], fontsize=8)
        ax.tick_params(labelsize=6)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.07, top=0.94, wspace=0.25, hspace=0.35)
    from scigan.report.plots import save_png

    return save_png(fig, Path(path), dict(provenance))
