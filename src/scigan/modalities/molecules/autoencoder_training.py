"""Training LatentGAN's SMILES autoencoder (:mod:`.autoencoder`) on a set of molecules:
randomised SMILES in, canonical out, deterministic for a seed, stopped by steps or
minutes, with the reconstruction rate on held-back molecules measured at the end."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from scigan.errors import ScienceError
from scigan.modalities.molecules.autoencoder import (
    SmilesAutoencoder,
    canonical_or_raise,
    decode_latents,
    encode_smiles,
)
from scigan.modalities.molecules.smiles_vocab import PAD_ID, SmilesVocab, randomized_smiles

#: Share of the given SMILES held back from training to measure the reconstruction rate.
HOLD_OUT = 0.05
#: At most this many held-back molecules are decoded for the reconstruction rate (a random
#: sample of them: the held-back ones are in random order).
_HELD_CHECK = 2000
#: At most this many training molecules are decoded for the training reconstruction rate.
_TRAIN_CHECK = 500


def _reconstruction(model: SmilesAutoencoder, vocab: SmilesVocab, canon: Sequence[str]) -> float | None:
    """Share of canonical SMILES (N) that encode and greedily decode to themselves; None when N = 0."""
    if not canon:
        return None
    decoded = decode_latents(model, vocab, encode_smiles(model, vocab, canon))
    return sum(d == c for d, c in zip(decoded, canon)) / len(canon)


def train_autoencoder(
    smiles: Sequence[str],
    *,
    latent_dim: int = 128,
    steps: int = 3000,
    minutes: float = 0.0,
    batch_size: int = 128,
    lr: float = 2e-3,
    seed: int = 0,
    randomize: bool = True,
    device: str | torch.device = "cpu",
    log: Callable[[str], None] | None = None,
    embed_dim: int = 64,
    hidden_dim: int = 256,
    layers: int = 1,
    noise_std: float = 0.1,
    log_every: int = 100,
) -> tuple[SmilesAutoencoder, SmilesVocab, dict[str, Any]]:
    """Train a :class:`SmilesAutoencoder` on N SMILES -> (model in eval mode, its
    vocabulary, stats).

    The SMILES are canonicalised (ScienceError when one is invalid); 5 % of them
    (``HOLD_OUT``, none when that rounds to 0) are held back, the vocabulary is built
    from all of them (with the tokens randomized SMILES can add when ``randomize``).
    Each step draws ``batch_size`` training molecules (epochs in a shuffled order); with
    ``randomize`` the encoder reads a randomized SMILES of each (the canonical one when
    that holds a token outside the vocabulary) and the decoder is taught the canonical
    one. Adam (``lr``) on the cross-entropy of the non-pad targets, gradients clipped to
    norm 5. Training stops after ``steps`` steps or ``minutes`` of wall clock, whichever
    comes first (0 = no limit of that kind; not both 0). On a CPU the same seed gives
    bit-identical weights (batches, randomization and noise come from generators seeded
    by ``seed``; the initial weights from ``torch.manual_seed(seed)`` with the global
    state restored after), unless ``minutes`` cut the run. ``log`` gets a progress line
    every ``log_every`` steps and at the end.

    Stats: ``steps``, ``seconds``, ``steps_per_second``, ``first_loss`` (the first
    step's), ``loss`` and ``token_accuracy`` (means over the last ``log_every`` steps),
    ``reconstruction`` (share of the held-back molecules, at most 2000 of them, that
    decode greedily to exactly their canonical SMILES; None when none are held back),
    ``held_out``, ``reconstruction_checked`` (how many were decoded),
    ``reconstruction_train`` (the same on up to 500 training molecules), ``train``,
    ``vocab_size``, ``max_tokens`` and the model's ``config``.
    """
    if not smiles:
        raise ScienceError("the SMILES autoencoder needs molecules to train on; none were given")
    if steps < 0 or minutes < 0 or (steps == 0 and minutes == 0):
        raise ScienceError(f"train the SMILES autoencoder for steps > 0 or minutes > 0 (got {steps} and {minutes})")
    if batch_size < 1 or not lr > 0 or log_every < 1:
        raise ScienceError(f"batch_size and log_every are >= 1 and lr > 0 (got {batch_size}, {log_every}, {lr})")
    say = log or (lambda line: None)
    device = torch.device(device)
    canon = canonical_or_raise(smiles)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(canon))
    n_hold = round(HOLD_OUT * len(canon)) if len(canon) > 1 else 0
    held = [canon[i] for i in order[:n_hold]]
    train = [canon[i] for i in order[n_hold:]]
    vocab = SmilesVocab.build(canon, randomized=randomize)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SmilesAutoencoder(
            len(vocab),
            embed_dim=embed_dim,
            hidden_dim=hidden_dim,
            layers=layers,
            latent_dim=latent_dim,
            noise_std=noise_std,
        )
    model.to(device).train()
    noise = torch.Generator(device=device)
    noise.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    say(
        f"autoencoder: {len(train)} molecules to train on, {len(held)} held back, {len(vocab)} tokens, "
        f"up to {vocab.max_tokens} per SMILES; {sum(p.numel() for p in model.parameters()):,} weights"
    )

    start = time.monotonic()
    limit = minutes * 60 if minutes > 0 else math.inf
    epoch: np.ndarray = np.zeros(0, dtype=np.int64)
    cursor = 0
    first_loss = math.nan
    window: deque[tuple[float, float]] = deque(maxlen=log_every)
    step = 0
    while (steps == 0 or step < steps) and time.monotonic() - start < limit:
        if cursor + batch_size > len(epoch):
            epoch = np.concatenate([epoch[cursor:], rng.permutation(len(train))])
            cursor = 0
        idx = epoch[cursor : cursor + batch_size]
        cursor += batch_size
        tgt_np = vocab.encode([train[i] for i in idx])
        if randomize:
            texts = [randomized_smiles(train[i], rng) for i in idx]
            texts = [t if vocab.covers(t) else train[i] for t, i in zip(texts, idx)]
            inp = torch.from_numpy(vocab.encode(texts)).to(device)
        else:
            inp = torch.from_numpy(tgt_np).to(device)
        tgt = torch.from_numpy(tgt_np).to(device)
        logits = model(inp, tgt, generator=noise)
        labels = tgt[:, 1:]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=PAD_ID)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        step += 1
        with torch.no_grad():
            mask = labels != PAD_ID
            accuracy = float(((logits.argmax(dim=2) == labels) & mask).sum() / mask.sum())
        value = loss.item()
        if step == 1:
            first_loss = value
        window.append((value, accuracy))
        if step % log_every == 0:
            elapsed = time.monotonic() - start
            said_steps = f"{step}/{steps}" if steps else str(step)
            mean_loss, mean_acc = np.mean(window, axis=0)
            say(
                f"autoencoder: step {said_steps}, loss {mean_loss:.3f}, token accuracy {mean_acc:.3f}, "
                f"{step / elapsed:.1f} steps/s"
            )
    seconds = time.monotonic() - start
    model.eval()
    loss_mean, acc_mean = (float(v) for v in np.mean(window, axis=0)) if window else (math.nan, math.nan)
    stats: dict[str, Any] = {
        "steps": step,
        "seconds": seconds,
        "steps_per_second": step / seconds if seconds > 0 else math.nan,
        "first_loss": first_loss,
        "loss": loss_mean,
        "token_accuracy": acc_mean,
        "reconstruction": _reconstruction(model, vocab, held[:_HELD_CHECK]),
        "held_out": len(held),
        "reconstruction_checked": min(len(held), _HELD_CHECK),
        "reconstruction_train": _reconstruction(model, vocab, train[:_TRAIN_CHECK]),
        "train": len(train),
        "vocab_size": len(vocab),
        "max_tokens": vocab.max_tokens,
        "config": model.config(),
    }
    rec = stats["reconstruction"]
    checked = stats["reconstruction_checked"]
    said_rec = "none held back" if rec is None else f"{rec:.1%} of {checked} held-back molecules"
    say(
        f"autoencoder: {step} steps in {seconds:.0f} s, loss {loss_mean:.3f}, token accuracy {acc_mean:.3f}; "
        f"reconstructs {said_rec} ({stats['reconstruction_train']:.1%} of training molecules)"
    )
    return model, vocab, stats
