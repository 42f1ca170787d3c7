"""The seam between the core (training, metrics) and a data kind.

A modality knows how to read and write its data, how to map it to model space and
back (the codec), which networks fit it and which features measure it. The core knows
none of that: it trains and measures anything that provides this interface.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from scigan.errors import ScienceError

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass
class Dataset:
    """Samples of one modality in their stored form, with optional labels.

    Attributes:
        x: the samples, in the modality's stored form (images: uint8, N×C×H×W).
        y: integer labels (N,), or None for unlabelled data.
        class_names: the name of each label value; empty when unlabelled.
        source: the built-in name or the path it was read from.
        modality: the modality's name, e.g. ``"images"``.
        test_mask: where the source defines an official test split, True for its rows.
        info: free-form facts about the source (e.g. original sizes), JSON-serialisable.
        time_rank: for windows cut from series, where each row's window ends within its
            series, from 0 (the start) to 1 (the end); the validation split then takes
            the latest rows instead of a random share. None for unordered samples.
    """

    x: np.ndarray
    y: np.ndarray | None
    class_names: list[str]
    source: str
    modality: str
    test_mask: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)
    time_rank: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def num_classes(self) -> int:
        """Number of label values (0 when unlabelled)."""
        return len(self.class_names) if self.y is not None else 0

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample in stored form, e.g. (C, H, W)."""
        return tuple(int(s) for s in self.x.shape[1:])

    def with_labels(self, y: np.ndarray, like: Dataset) -> Dataset:
        """These samples labelled ``y`` (N,), indices into the class names of the
        labelled data ``like`` (e.g. pseudo-labels for an unlabeled pool), wherever the
        kind keeps a label; no test split."""
        return replace(self, y=np.asarray(y, dtype=np.int64), class_names=list(like.class_names), test_mask=None)

    def subset(self, index: np.ndarray) -> Dataset:
        """The rows at ``index`` (an integer array or boolean mask), as a new Dataset of
        the same class (a DataFrame's rows renumbered from 0)."""
        x = self.x.iloc[np.asarray(index)].reset_index(drop=True) if hasattr(self.x, "iloc") else self.x[index]
        return replace(
            self,
            x=x,
            y=None if self.y is None else self.y[index],
            test_mask=None if self.test_mask is None else self.test_mask[index],
            time_rank=None if self.time_rank is None else self.time_rank[index],
        )


def split_holdout(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """Split into (rest, holdout): the source's own test split if it has one, else a
    stratified random ``fraction`` of the rows drawn with ``seed``.

    The holdout is never shown to the GAN nor to checkpoint choice; ``evaluate`` alone
    compares against it.
    """
    if data.test_mask is not None and data.test_mask.any() and (~data.test_mask).any():
        return data.subset(~data.test_mask), data.subset(data.test_mask)
    return _stratified_split(data, fraction, seed, "--holdout", "for evaluation")


def _stratified_split(data: Dataset, fraction: float, seed: int, flag: str, what: str) -> tuple[Dataset, Dataset]:
    """(kept, drawn): a stratified random ``fraction`` of each label's rows, drawn with ``seed``."""
    if not 0.0 < fraction < 1.0:
        raise ScienceError(f"{flag} must be in (0, 1), got {fraction}")
    rng = np.random.default_rng(seed)
    n = len(data)
    groups = data.y if data.y is not None else np.zeros(n, dtype=np.int64)
    drawn = np.zeros(n, dtype=bool)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        k = min(max(round(fraction * len(rows)), 1), len(rows) - 1) if len(rows) >= 2 else 0
        drawn[rng.permutation(rows)[:k]] = True
    if not drawn.any() or drawn.all():
        raise ScienceError(
            f"{data.source}: {n} samples are too few to hold out {fraction:.0%} {what}; add data or change {flag}"
        )
    return data.subset(~drawn), data.subset(drawn)


@dataclass(frozen=True)
class Splits:
    """A run's three disjoint splits of its data.

    ``train`` rows are what the GAN learns from; ``validation`` rows pick the best
    checkpoint and drive early stopping; the ``holdout`` is touched by ``evaluate`` only.
    With no validation share, ``validation`` is the training split itself.
    """

    train: Dataset
    validation: Dataset
    holdout: Dataset
    holdout_from: str

    def sizes(self) -> dict[str, Any]:
        """The [data] entries that record the split: n_train, n_validation, n_holdout, holdout_from."""
        shared = self.validation is self.train
        return {
            "n_train": len(self.train),
            "n_validation": 0 if shared else len(self.validation),
            "n_holdout": len(self.holdout),
            "holdout_from": self.holdout_from,
        }


def split_run(data: Dataset, holdout: float, validation: float, seed: int) -> Splits:
    """The three splits of a run (:class:`Splits`), the same for the same arguments.

    The holdout is the source's test split, else a stratified ``holdout`` share drawn with
    ``seed``; the validation split a stratified ``validation`` share of the remaining rows
    (drawn with ``seed + 1``; for windows of series, the latest ``validation`` share by
    ``time_rank``, so no future leaks into training), or none when ``validation`` is 0
    (runs written before the split had none, so their training rows are reproduced).
    """
    rest, held = split_holdout(data, holdout, seed)
    official = data.test_mask is not None and data.test_mask.any() and (~data.test_mask).any()
    source = "test split" if official else "random split"
    if validation <= 0.0:
        return Splits(rest, rest, held, source)
    if rest.time_rank is not None:
        train, valid = _latest_split(rest, validation)
    else:
        train, valid = _stratified_split(rest, validation, seed + 1, "--validation", "for checkpoint choice")
    return Splits(train, valid, held, source)


def _latest_split(data: Dataset, fraction: float) -> tuple[Dataset, Dataset]:
    """(earlier, latest): the rows whose ``time_rank`` is in the top ``fraction`` of the
    ranks are the latest part of each series."""
    assert data.time_rank is not None
    if not 0.0 < fraction < 1.0:
        raise ScienceError(f"--validation must be in (0, 1), got {fraction}")
    latest = data.time_rank > np.quantile(data.time_rank, 1.0 - fraction)
    if not latest.any() or latest.all():
        raise ScienceError(
            f"{data.source}: {len(data)} windows are too few to keep the latest {fraction:.0%} for checkpoint "
            "choice; add data, lower --window or change --validation"
        )
    return data.subset(~latest), data.subset(latest)


def check_output_file(
    path: Path, suffix: str, formats: tuple[str, ...], *, what: str, example: str, overwrite: bool, note: str = ""
) -> None:
    """Refuse (ScienceError, one line) a file a kind's writer cannot or may not write: a
    folder (naming ``example`` inside it), a ``suffix`` not among ``formats`` (``what`` are
    written as ..., then ``note``), or an existing file without ``overwrite``."""
    if path.is_dir():
        raise ScienceError(f"--out {path} is a folder; give a file name such as {path / example}")
    if suffix not in formats:
        raise ScienceError(f"--out {path}: {what} are written as {', '.join(formats)}{note}")
    if path.exists() and not overwrite:
        raise ScienceError(f"{path} already exists; pass --overwrite to replace it")


#: What a CSV's or TSV's provenance sidecar adds to the file's name.
SIDECAR = ".provenance.json"

#: The provenance entries record formats (FASTA headers, SDF properties, .smi names,
#: h5ad ``uns``) carry beside run and step, named without the ``scigan:`` prefix.
RECORD_MARKS = ("model", "version", "run_id", "config_hash")


def write_sidecar(path: Path, marks: dict[str, str] | None) -> None:
    """Write ``marks`` (provenance entries) as JSON to ``<path>.provenance.json`` beside the
    text table ``path``, atomically; without marks, delete a stale sidecar (it would mark
    a real copy synthetic)."""
    from scigan.modalities.images.writers import atomic_write

    sidecar = path.with_name(path.name + SIDECAR)
    if not marks:
        sidecar.unlink(missing_ok=True)
        return
    text = json.dumps(marks, indent=1).encode()
    atomic_write(sidecar, lambda f: f.write(text))


def record_marks(provenance: dict[str, str] | None) -> dict[str, str]:
    """The :data:`RECORD_MARKS` entries of ``provenance`` (a run's ``scigan:*`` marks),
    keyed without the prefix, for formats whose records hold ``key=value`` marks."""
    marks = provenance or {}
    return {key: marks[f"scigan:{key}"] for key in RECORD_MARKS if f"scigan:{key}" in marks}


def proportional_labels(y: np.ndarray | None, n: int, seed: int) -> np.ndarray | None:
    """``n`` labels drawn from ``y`` (N,) in its class proportions (a seeded shuffle of ``y``
    repeated to length ``n``), for conditional samples that mirror a reference split;
    None when ``y`` is None."""
    if y is None:
        return None
    rng = np.random.default_rng(seed)
    return np.resize(rng.permutation(y), n).astype(np.int64)


def log_frequency_rows(y: np.ndarray) -> np.ndarray:
    """Row indices that repeat each class's rows so classes appear in proportion to the
    log of their frequency (CTGAN's training-by-sampling, as a fixed resampling).

    ``y`` (N,) integer labels. Every row is kept at least once; a row of class c is
    repeated round(w_c / min w) times with w_c = log(1 + n_c) / n_c, so rare classes are
    seen more often while each class's own rows stay equally likely. Returns (M,) int64.
    """
    _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    weight = np.log1p(counts) / counts
    repeats = np.maximum(1, np.round(weight / weight.min())).astype(np.int64)
    return np.repeat(np.arange(len(y), dtype=np.int64), repeats[inverse])


CODEC_FILE = "codec.json"
"""Where a run keeps a fitted codec's description (modalities whose codec learns)."""


def write_codec_json(folder: Path, doc: dict[str, Any]) -> None:
    """Write a codec's JSON description to ``folder/codec.json`` atomically."""
    import json

    tmp = folder / (CODEC_FILE + ".tmp")
    tmp.write_text(json.dumps(doc))
    tmp.replace(folder / CODEC_FILE)


def read_codec_json(folder: Path, kind: str) -> dict[str, Any]:
    """The JSON written by :func:`write_codec_json`; ScienceError when a ``kind`` run
    (e.g. "tabular") has none."""
    import json

    path = folder / CODEC_FILE
    if not path.is_file():
        raise ScienceError(f"{folder} has no {CODEC_FILE}; it is not a finished {kind} run")
    return json.loads(path.read_text())


class Codec(Protocol):
    """Maps a modality's stored form to model space and back, fitted on the training
    split only and saved with the run (so ``sample`` and ``evaluate`` decode alike)."""

    def stored(self, data: Dataset) -> np.ndarray:
        """The array the trainer holds (N, ...): stored form or already model space."""

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """A batch of :meth:`stored` rows -> model space (float tensor)."""

    def decode(self, z: torch.Tensor, labels: np.ndarray | None = None) -> Any:
        """Model-space samples (N, ...) with the labels they were drawn for -> the
        modality's stored form (the ``x`` of a Dataset)."""

    def save(self, folder: Path) -> None:
        """Write what the codec learned into the run folder (nothing when stateless)."""


class Scorer(Protocol):
    """Measures generated samples against the held-out real split."""

    def fake_labels(self, n: int, seed: int) -> np.ndarray | None:
        """Labels for ``n`` conditional samples, in the holdout's class proportions."""

    def sizes(self, n: int) -> int:
        """How many samples :meth:`full` wants when the user asks for ``n``."""

    def quick(self, fake_x: Any, fake_y: np.ndarray | None = None) -> dict[str, float]:
        """Cheap scores during training of samples generated for the labels ``fake_y``
        (None when unconditional: then the trainer passes ``fake_x`` alone, so a kind
        without labels may leave ``fake_y`` out); the kind's ``selects`` picks the best
        checkpoint."""

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
        """The full metric set beside its real-vs-real floors (``picture``: a PNG to draw,
        with a UMAP panel when ``umap``)."""


class Modality(Protocol):
    """What a data kind provides to the core. Workflows call only these methods."""

    name: str

    def load(self, source: str | Path, **options: Any) -> Dataset:
        """Read a built-in data set by name or the user's files at a path."""

    def read(self, config: Any, source: Any = None) -> Dataset:
        """The data a training config names (or ``source``, an in-memory object of the
        kind, e.g. a DataFrame), read with the config's ``data_options``."""

    def resolve(self, config: Any, data: Dataset, log: Callable[[str], None] = print) -> Any:
        """The config with this data kind's "auto" values filled in and checked; ``log``
        says what a default switched on."""

    def fit_codec(self, train: Dataset, config: Any) -> Codec:
        """The codec for ``train`` (fitted on the training split only)."""

    def load_codec(self, run_path: Path, data: dict[str, Any]) -> Codec:
        """The codec a run saved (``data``: the run's [data] table)."""

    def describe(self, data: Dataset, codec: Codec) -> dict[str, Any]:
        """Facts for the run's [data] table that the networks and readers need."""

    def networks(self, config: Any, data: dict[str, Any], num_classes: int) -> tuple[nn.Module, nn.Module]:
        """The generator and discriminator of ``config.model`` for the run's [data] table."""

    def conditions(self, train: Dataset, codec: Codec, config: Any) -> Any:
        """A step hook that draws each batch's real rows and conditions, with
        ``terms()`` for the generator phase (tables: CTGAN's conditional vector); None
        when the label alone is conditioned on."""

    def training_rows(self, train: Dataset, conditional: bool) -> np.ndarray:
        """Row indices of ``train`` the trainer cycles through (repeats allowed)."""

    # Optional: ``conditions(train, codec, config)`` -> a condition sampler or None. The
    # sampler is a trainer step hook (core.phases.StepHook) that draws each batch's real
    # rows and conditions from the step's generator, with a ``terms()`` method giving the
    # generator-phase terms it needs (tables: CTGAN's conditional vector, modalities/
    # tabular/conditions.py). Kinds without one train on ``training_rows`` and labels.
    #
    # Optional: ``group_values(train)`` -> ((N,) group name of each row, the group names)
    # or None: the groups ``--group-weights`` reweights (tables: the --group-column's
    # values); without it the groups are the classes.
    #
    # Optional: ``nearest(samples, run)`` -> (N,) similarity of each sample to its nearest
    # training sample, which ``scigan sample --annotate-nearest`` passes to ``save`` as
    # ``nearest=`` (sequences: identity to the nearest training sequence).
    #
    # Optional: ``feedback(codec, config)`` -> a core.feedback.FeedbackPlan or None: an
    # outside predictor whose favourite generated samples replace the oldest training
    # rows during training (FBGAN; sequences' ``--feedback``).
    #
    # Optional: ``objectives(train, codec, config)`` -> (discriminator terms, generator
    # terms) or None: the kind's own loss terms (core.phases.Term) added to the two phases
    # (molecules: MolGAN's reward network, fitted in the critic's phase and followed by the
    # generator).
    #
    # Optional: ``phases(config)`` -> a function of the placed (G, D) returning the run's
    # phase list (core.phases.Phase), or None for the core's D and G phases (time series:
    # TimeGAN's embedding, supervision and joint phases on its four networks).

    def scorer(self, train: Dataset, holdout: Dataset, codec: Codec, *, device: str, log: Any) -> Scorer:
        """The measure of samples against ``holdout``."""

    def preview(
        self, samples: Dataset, path: Path, provenance: dict[str, str], reference: Dataset | None = None
    ) -> bool:
        """Write a preview of ``samples`` to ``path`` (PNG with ``provenance`` text chunks),
        compared with ``reference`` (the real training split) where the kind draws one;
        False when the kind has none."""

    def save(self, samples: Dataset, path: Path, **options: Any) -> None:
        """Write samples in the user's own format, chosen by the path."""
