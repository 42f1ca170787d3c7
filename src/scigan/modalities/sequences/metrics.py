"""Measuring synthetic sequences against held-out real ones.

The feature-space scores (FD, KID, PRDC, class coverage, FD per class) come from the
shared :class:`scigan.metrics.scorer.Scorer` on the features of an in-domain 1-D CNN
(:mod:`.extractor`, trained on the real training split, cached by hash). Beside them:
the k-mer spectrum distance (:mod:`.kmers`), per-position composition (fixed-length
sets), property distributions (:mod:`.properties`), a random-forest detection AUC on
k-mer counts, and novelty: exact copies of training sequences, uniqueness and the
identity to the nearest training sequence (:mod:`.similarity`). Every score stands
beside the same score of real training sequences against the holdout (the floor).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scigan.metrics.detection import mean_detection
from scigan.metrics.scorer import Scorer
from scigan.modalities.base import Dataset
from scigan.modalities.sequences.codec import SequenceCodec
from scigan.modalities.sequences.kmers import KS, kmer_features, kmer_js, position_composition, position_tv
from scigan.modalities.sequences.properties import properties, property_distances
from scigan.modalities.sequences.similarity import exact_copy_share, nearest_identity, uniqueness

#: k-mer lengths of the detection classifier's features, per alphabet.
DETECTION_KS = {"dna": (1, 2, 3, 4), "rna": (1, 2, 3, 4), "protein": (1, 2)}
#: Most synthetic (and held-out) sequences whose nearest training sequence is searched.
NEAREST_N = 1000


class SequenceFeatures:
    """The extractor source the shared :class:`Scorer` asks for: the sequence CNN."""

    def __init__(self, codec: SequenceCodec):
        self.codec = codec

    def features(self, train: Dataset, test: Dataset | None, *, cache_dir: Path, device: str, log: Any) -> Any:
        """The 1-D CNN of :mod:`.extractor` for ``train`` (labels, else masked tokens);
        its accuracy is measured on ``test`` (None: not measured)."""
        from scigan.modalities.sequences.extractor import get_sequence_extractor

        labelled = train.y is not None and train.num_classes >= 2
        return get_sequence_extractor(
            train.x,
            train.y if labelled else None,
            None if test is None else test.x,
            test.y if labelled and test is not None else None,
            channels=self.codec.channels,
            num_classes=train.num_classes if labelled else 0,
            cache_dir=cache_dir,
            device=device,
            log=log,
        )


class SequenceScorer(Scorer):
    """Scores synthetic token arrays (N, L) against a real split (see the module doc)."""

    def __init__(
        self,
        train: Dataset,
        holdout: Dataset,
        codec: SequenceCodec,
        *,
        device: str = "cpu",
        log: Callable[[str], None] = print,
    ):
        super().__init__(SequenceFeatures(codec), train, holdout, device=device, log=log)
        self.codec, self.log = codec, log
        self.alphabet = str(train.info.get("alphabet", "protein"))
        self.ks = KS[self.alphabet]
        self.train_seqs, self.hold_seqs = codec.strings(train.x), codec.strings(holdout.x)

    def sizes(self, n: int) -> int:
        """Samples to generate for ``n`` asked: capped at the training split's size (the
        floor compares as many training sequences)."""
        return min(n, len(self.train))

    def quick(self, fake_x: np.ndarray, fake_y: np.ndarray | None = None) -> dict[str, Any]:
        """FD and KID of the CNN features, k-mer JS and the exact-copy share, against the
        reference split (the validation split while training); label accuracy with ``fake_y``."""
        fake = self.codec.strings(fake_x)
        return {
            **super().quick(fake_x, fake_y),
            "kmer_js": kmer_js(fake, self.hold_seqs, self.codec.letters, self.ks),
            "exact_copy_share": exact_copy_share(fake, self.train_seqs),
        }

    def full(
        self,
        fake_x: np.ndarray,
        fake_y: np.ndarray | None,
        *,
        seed: int = 0,
        untrained_x: np.ndarray | None = None,
        picture: Path | None = None,
        umap: bool = False,
    ) -> dict[str, Any]:
        """Every score of ``fake_x`` (tokens (N, L)) against the reference split, beside
        the same score of N real training sequences; ``picture`` (a PNG path) also gets
        ``logo.png`` and ``properties.png`` beside it, listed in ``figures``."""
        out = super().full(fake_x, fake_y, seed=seed, untrained_x=untrained_x, picture=picture, umap=umap)
        rng = np.random.default_rng(seed)
        letters = self.codec.letters
        fake = self.codec.strings(fake_x)
        floor_rows = rng.permutation(len(self.train))[: len(fake)]
        floor = [self.train_seqs[i] for i in floor_rows]
        self.log(f"scoring {len(fake)} synthetic sequences against {len(self.hold_seqs)} held-out ones")
        out.update(
            {
                "alphabet": self.alphabet,
                "n_reference": len(self.hold_seqs),
                "kmer_js": kmer_js(fake, self.hold_seqs, letters, self.ks),
                "kmer_js_floor": kmer_js(floor, self.hold_seqs, letters, self.ks),
                "kmer_ks": list(self.ks),
                **self._detection(fake, floor_rows, seed),
                **self._novelty(fake, rng),
            }
        )
        if untrained_x is not None:
            out["kmer_js_untrained"] = kmer_js(self.codec.strings(untrained_x), self.hold_seqs, letters, self.ks)
        hold_pfm = position_composition(self.holdout.x, letters, self.codec.length)
        fake_pfm = position_composition(fake_x, letters, self.codec.length)
        if self.codec.fixed_length:
            out["position_tv"] = position_tv(hold_pfm, fake_pfm)
            out["position_tv_floor"] = position_tv(
                hold_pfm, position_composition(self.train.x[floor_rows], letters, self.codec.length)
            )
        real_props, fake_props = properties(self.hold_seqs, self.alphabet), properties(fake, self.alphabet)
        out.update(property_distances(real_props, fake_props))
        floors = property_distances(real_props, properties(floor, self.alphabet))
        out.update({f"{key}_floor": value for key, value in floors.items()})
        if picture is not None:
            out["figures"] = self._pictures(picture.parent, hold_pfm, fake_pfm, real_props, fake_props)
        return out

    def _detection(self, fake: list[str], floor_rows: np.ndarray, seed: int) -> dict[str, float]:
        """Random-forest detection AUC on k-mer counts: held-out against synthetic, and
        held-out against real training sequences (``detection_auc_real``)."""

        def counts(seqs: list[str]) -> np.ndarray:
            return np.hstack([kmer_features(seqs, self.codec.letters, k) for k in DETECTION_KS[self.alphabet]])

        hold = counts(self.hold_seqs)
        return {
            "detection_auc": mean_detection(hold, counts(fake), seed),
            "detection_auc_real": mean_detection(hold, counts([self.train_seqs[i] for i in floor_rows]), seed),
        }

    def _novelty(self, fake: list[str], rng: np.random.Generator) -> dict[str, Any]:
        """Copies, uniqueness and identity to the nearest training sequence, beside the
        holdout's own (real sequences are not copies of each other either)."""
        few = [fake[i] for i in rng.permutation(len(fake))[:NEAREST_N]]
        held = [self.hold_seqs[i] for i in rng.permutation(len(self.hold_seqs))[:NEAREST_N]]
        mine, theirs = nearest_identity(few, self.train_seqs), nearest_identity(held, self.train_seqs)
        return {
            "exact_copy_share": exact_copy_share(fake, self.train_seqs),
            "exact_copy_share_holdout": exact_copy_share(self.hold_seqs, self.train_seqs),
            "uniqueness": uniqueness(fake),
            "uniqueness_real": uniqueness(self.hold_seqs),
            "nearest_identity_median": float(np.median(mine)),
            "nearest_identity_median_holdout": float(np.median(theirs)),
            "nearest_identity_quantiles": {
                "synthetic": [float(q) for q in np.quantile(mine, (0.05, 0.25, 0.5, 0.75, 0.95))],
                "holdout": [float(q) for q in np.quantile(theirs, (0.05, 0.25, 0.5, 0.75, 0.95))],
                "at": [0.05, 0.25, 0.5, 0.75, 0.95],
            },
        }

    def _pictures(
        self,
        folder: Path,
        hold_pfm: np.ndarray,
        fake_pfm: np.ndarray,
        real_props: dict[str, np.ndarray],
        fake_props: dict[str, np.ndarray],
    ) -> list[dict[str, str]]:
        """The sequence logos and property histograms, written to ``folder``."""
        from scigan.modalities.sequences.plots import plot_logos, plot_properties

        provenance = {"Software": "scigan evaluate", "Synthetic": "the lower logo and the synthetic histograms"}
        plot_logos(hold_pfm, fake_pfm, self.codec.letters, folder / "logo.png", provenance)
        plot_properties(real_props, fake_props, folder / "properties.png", provenance)
        return [
            {"file": "logo.png", "caption": "Sequence logos: held-out real sequences (top), synthetic (bottom)"},
            {"file": "properties.png", "caption": "Per-sequence properties: held-out real against synthetic"},
        ]
