"""The in-domain feature extractor for sequences: a small 1-D CNN on one-hot tokens.

Fidelity scores (FD, PRDC, class coverage) of sequences are computed on its 128-d
features. It is trained once per data set on the real training split: on the labels
when there are any, else on a masked-token task (predict the token at 15% of the
positions, hidden from the input). It is cached as safetensors with JSON metadata in
the image extractors' folder (:func:`scigan.metrics.features.cache_dir`), named by a
hash of the architecture version, the training tokens and labels, the channels, the
recipe and the seed (:mod:`scigan.metrics.cache`): scores are comparable only under
the same hash. The test tokens a caller gives are not part of it. Nothing is downloaded.

The network is a 2-D CNN with kernels 1×5 on tokens shaped (B, C, 1, L): that is a 1-D
convolution, and it lets the image classifiers' training loop
(:func:`scigan.nets.classifier.train_classifier`) train it unchanged.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from scigan.errors import ScienceError
from scigan.metrics.cache import digest_arrays, key_hash, load_weights, save_weights
from scigan.metrics.trained_extractor import TrainedExtractor

ARCH_VERSION = "scigan-sequence-cnn-v1"
_META_KEY = "scigan_feature_extractor"
#: Length of a feature vector.
FEATURE_DIM = 128
#: The training recipe (part of the hash).
RECIPE: dict[str, Any] = {
    "optimizer": "adam",
    "lr": 2e-3,
    "schedule": "cosine",
    "batch": 128,
    "epochs": 3,
    "min_steps": 100,
    "max_steps": 800,
    "mask_share": 0.15,
}
#: Target of a position the masked-token loss skips (cross-entropy's ignore_index).
_IGNORE = -100


class SequenceNet(nn.Module):
    """Three convolutions along the sequence (kernel 5; 32-64-128 channels, each with
    batch norm and ReLU), then either a per-position head (masked-token task) or global
    max and mean pooling, a 128-d feature layer and a class head (labels task)."""

    def __init__(self, channels: int, num_outputs: int, task: str) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = channels
        for c_out in (32, 64, 128):
            layers += [nn.Conv2d(c_in, c_out, (1, 5), padding=(0, 2), bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
            c_in = c_out
        self.body = nn.Sequential(*layers)
        self.task = task
        self.embed = nn.Sequential(nn.Linear(256, FEATURE_DIM, bias=False), nn.BatchNorm1d(FEATURE_DIM), nn.ReLU())
        self.head = nn.Linear(FEATURE_DIM, num_outputs)
        self.position_head = nn.Conv2d(128, num_outputs, 1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """One-hot tokens (B, C, 1, L) -> features (B, 128): the feature layer (labels
        task) or the mean-pooled last convolution (masked-token task)."""
        h = self.body(x).flatten(2)
        if self.task == "masked":
            return h.mean(dim=2)
        return self.embed(torch.cat([h.amax(dim=2), h.mean(dim=2)], dim=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One-hot tokens (B, C, 1, L) -> class logits (B, K), or per-position token
        logits (B, C, 1, L) for the masked-token task."""
        if self.task == "masked":
            return self.position_head(self.body(x))
        return self.head(self.features(x))


def one_hot(tokens: np.ndarray, channels: int, device: torch.device) -> torch.Tensor:
    """int tokens (B, L) in [0, channels) -> float one-hot (B, channels, 1, L) on
    ``device``, channels-last (as the network trains and runs)."""
    t = torch.from_numpy(np.asarray(tokens, dtype=np.int64)).to(device)
    x = nn.functional.one_hot(t, channels).float().permute(0, 2, 1).unsqueeze(2)
    return x.contiguous(memory_format=torch.channels_last)


def num_steps(n_train: int) -> int:
    """Optimizer steps of the recipe for ``n_train`` sequences: its epochs, within its bounds."""
    r = RECIPE
    return int(min(max(r["epochs"] * math.ceil(n_train / r["batch"]), r["min_steps"]), r["max_steps"]))


def mask_batch(x: torch.Tensor, gen: torch.Generator, share: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Hide a random ``share`` of the positions of one-hot tokens x (B, C, 1, L) (at
    least one per sequence; hidden = all channels 0) and return the masked input and
    the targets (B, 1, L) int64: the hidden token, or -100 (ignored) elsewhere."""
    b, _, _, length = x.shape
    hide = torch.rand((b, length), generator=gen) < share
    hide[torch.arange(b), torch.randint(0, length, (b,), generator=gen)] = True
    hide = hide.to(x.device)
    targets = torch.where(hide, x.argmax(dim=1)[:, 0], torch.full_like(hide, _IGNORE, dtype=torch.int64))
    masked = x * (~hide)[:, None, None, :]
    return masked, targets[:, None, :]


class SequenceExtractor(TrainedExtractor):
    """A trained sequence CNN serving 128-d features (features, predictions:
    :class:`~scigan.metrics.trained_extractor.TrainedExtractor`).

    Attributes beside the shared ones:
        task: ``"labels"`` or ``"masked"`` (masked-token task, unlabelled data).
        channels: token values it accepts (0 .. channels-1; letters, and END if any).
        length: L, the token rows' length.
        test_accuracy: on the labels, or on the hidden tokens of the masked task.
    """

    def __init__(self, model: SequenceNet, meta: dict[str, Any], device: torch.device) -> None:
        """Wrap a trained ``model`` described by ``meta`` (the cached metadata) on ``device``."""
        super().__init__(model, meta, device)
        self.channels: int = int(meta["channels"])
        self.length: int = int(meta["length"])

    def _check(self, tokens: np.ndarray) -> np.ndarray:
        """int tokens (N, L) in [0, channels), or ScienceError."""
        tokens = np.asarray(tokens)
        _validate_tokens(f"feature extractor {self.hash[:12]}", tokens, self.channels, self.length)
        return tokens

    def _encode(self, batch: np.ndarray) -> torch.Tensor:
        return one_hot(batch, self.channels, self._device)

    @torch.no_grad()
    def _accuracy(self, tokens: np.ndarray, labels: np.ndarray | None, seed: int) -> float:
        """Share of test labels (labels task) or hidden test tokens (masked task, a
        seeded mask) predicted right."""
        if self.task == "labels":
            assert labels is not None
            return float(np.mean(self.predict(tokens) == labels))
        gen = torch.Generator().manual_seed(seed)
        correct = total = 0
        for i in range(0, len(tokens), 512):
            x = one_hot(tokens[i : i + 512], self.channels, self._device)
            masked, targets = mask_batch(x, gen, RECIPE["mask_share"])
            pred = self._model(masked).argmax(dim=1)
            hidden = targets != _IGNORE
            correct += int((pred[hidden] == targets[hidden]).sum())
            total += int(hidden.sum())
        return correct / max(total, 1)


def _validate_tokens(name: str, tokens: np.ndarray, channels: int, length: int | None = None) -> None:
    if not isinstance(tokens, np.ndarray) or not np.issubdtype(tokens.dtype, np.integer) or tokens.ndim != 2:
        raise ScienceError(f"{name}: need integer tokens shaped (N, L), got {getattr(tokens, 'dtype', type(tokens))}")
    if length is not None and tokens.shape[1] != length:
        raise ScienceError(f"{name}: takes sequences of {length} tokens, got {tokens.shape[1]}")
    if tokens.shape[1] < 1:
        raise ScienceError(f"{name}: sequences need at least one position")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= channels):
        raise ScienceError(f"{name}: tokens must lie in [0, {channels}), got [{tokens.min()}, {tokens.max()}]")


def _train(
    tokens: np.ndarray, labels: np.ndarray | None, channels: int, num_outputs: int, seed: int, device: torch.device
) -> SequenceNet:
    """A fresh network trained with the recipe on tokens (N, L) and labels (N,) (None: the
    masked-token task); batches go through the set in a fresh random order each epoch."""
    from scigan.nets.classifier import train_classifier

    task = "masked" if labels is None else "labels"
    n = len(tokens)
    batch = min(RECIPE["batch"], n)
    order, pos = np.arange(0), n

    def batches(gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        nonlocal order, pos
        if pos + batch > n:
            order, pos = torch.randperm(n, generator=gen).numpy(), 0
        idx = np.sort(order[pos : pos + batch])
        pos += batch
        return one_hot(tokens[idx], channels, device), None if labels is None else torch.from_numpy(labels[idx])

    def masking(x: torch.Tensor, _: torch.Tensor | None, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        return mask_batch(x, gen, RECIPE["mask_share"])

    model = train_classifier(
        lambda: SequenceNet(channels, num_outputs, task),
        batches,
        steps=num_steps(n),
        lr=RECIPE["lr"],
        seed=seed,
        device=device,
        augment=masking if labels is None else None,
    )
    assert isinstance(model, SequenceNet)
    return model


def get_sequence_extractor(
    train_tokens: np.ndarray,
    train_y: np.ndarray | None,
    test_tokens: np.ndarray | None,
    test_y: np.ndarray | None,
    *,
    channels: int,
    num_classes: int,
    cache_dir: Path,
    device: str | torch.device = "cpu",
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> SequenceExtractor:
    """The sequence feature extractor of a data set: loaded from
    ``cache_dir/<hash>.safetensors`` if there, else trained on the training tokens and
    cached; its accuracy on the test tokens is measured now, loaded or trained.

    Args:
        train_tokens, test_tokens: int tokens (N, L) in [0, channels) (int8 as the data
            set holds them); ``test_tokens`` None or empty: ``test_accuracy`` None.
        train_y, test_y: int labels (N,) in [0, num_classes); ``train_y`` None trains on
            the masked-token task (``test_y`` is then ignored).
        channels: token values: len(letters), plus 1 when END pads variable lengths.
        num_classes: label values (ignored for the masked-token task).
        cache_dir: folder of cached extractors (:func:`scigan.metrics.features.cache_dir`),
            created if missing.
        device: where to train and run the network; not part of the hash.
        seed: seeds the initial weights, batch order and masks; part of the hash.
        log: receives one-line progress messages.

    Training costs about 0.05 s a step on one CPU core for 60 positions (100 steps for
    2,500 sequences).
    """
    train_tokens = np.asarray(train_tokens)
    _validate_tokens("training sequences", train_tokens, channels)
    if len(train_tokens) < 2:
        raise ScienceError(f"need at least 2 training sequences for a feature extractor, got {len(train_tokens)}")
    length = train_tokens.shape[1]
    if test_tokens is not None and len(test_tokens) == 0:
        test_tokens = None
    if test_tokens is not None:
        _validate_tokens("test sequences", np.asarray(test_tokens), channels, length)
    task = "masked" if train_y is None else "labels"
    if train_y is not None:
        if num_classes < 2:
            raise ScienceError(f"need at least 2 classes to train on labels, got num_classes={num_classes}")
        train_y = _labels("training labels", train_y, len(train_tokens), num_classes)
        if test_tokens is not None:
            if test_y is None:
                raise ScienceError("test sequences have no labels while training sequences do; pass test_y")
            test_y = _labels("test labels", test_y, len(test_tokens), num_classes)
        num_outputs = num_classes
    else:
        num_classes, test_y, num_outputs = 0, None, channels
    train_tokens = train_tokens.astype(np.int8, copy=False) if channels <= 127 else train_tokens.astype(np.int64)
    recipe = {**RECIPE, "seed": seed, "task": task}
    digest = key_hash(
        {
            "arch": ARCH_VERSION,
            "shape": list(train_tokens.shape),
            "channels": channels,
            "num_classes": num_classes,
            "recipe": recipe,
            "data": digest_arrays(train_tokens, train_y),
        }
    )
    dev = torch.device(device)
    cache_dir = Path(cache_dir)
    path = cache_dir / f"{digest}.safetensors"
    model: SequenceNet | None = None
    meta: dict[str, Any] = {}
    if path.exists():
        try:
            state, meta = load_weights(path, _META_KEY, digest, ARCH_VERSION)
            model = SequenceNet(int(meta["channels"]), int(meta["num_outputs"]), meta["task"])
            model.load_state_dict(state)
        except Exception as exc:  # an unreadable cache is rebuilt, not fatal
            model = None
            log(f"feature extractor cache {path} unreadable ({exc}); retraining")
    trained, seconds = model is None, 0.0
    if model is None:
        start = time.perf_counter()
        log(
            f"training sequence feature extractor {digest[:12]} ({task} task, {len(train_tokens)} sequences "
            f"of {length}, {num_steps(len(train_tokens))} steps on {dev})"
        )
        model = _train(train_tokens, train_y, channels, num_outputs, seed, dev)
        meta = {
            "arch": ARCH_VERSION,
            "hash": digest,
            "task": task,
            "num_outputs": num_outputs,
            "num_classes": num_classes,
            "feature_dim": FEATURE_DIM,
            "channels": channels,
            "length": length,
            "recipe": recipe,
        }
        seconds = time.perf_counter() - start
        cache_dir.mkdir(parents=True, exist_ok=True)
        save_weights(path, model.state_dict(), _META_KEY, meta)
    extractor = SequenceExtractor(model, meta, dev)
    if test_tokens is not None:
        extractor.test_accuracy = extractor._accuracy(np.asarray(test_tokens), test_y, seed)
    if trained:
        acc = extractor.test_accuracy
        acc_text = "no test sequences" if acc is None else f"test accuracy {acc:.4f}"
        log(f"sequence feature extractor {digest[:12]}: {acc_text} ({task}), trained in {seconds:.1f} s")
    return extractor


def _labels(name: str, y: np.ndarray, n: int, num_classes: int) -> np.ndarray:
    """``y`` as int64 (n,), checked to lie in [0, num_classes)."""
    y = np.asarray(y)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ScienceError(f"{name}: need {n} integer labels, got {y.dtype} {y.shape}")
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ScienceError(f"{name}: labels must lie in [0, {num_classes}), got [{y.min()}, {y.max()}]")
    return y.astype(np.int64)
