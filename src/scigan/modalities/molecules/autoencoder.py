"""LatentGAN's SMILES autoencoder: molecules <-> points of a latent space.

LatentGAN (Prykhodko et al. 2019, J. Cheminform. 11:74) trains an autoencoder on the
data's SMILES, then a WGAN-GP on its latent vectors; the generated vectors are decoded
back to SMILES. This module is the network and its encode/decode; training is in
:mod:`.autoencoder_training`, the files in :mod:`.autoencoder_files`, the GAN elsewhere.

The network (:class:`SmilesAutoencoder`): token embeddings -> a GRU encoder -> a linear
map of its top layer's state at ``<eos>`` to ``latent_dim`` numbers with a tanh, so the
GAN sees latents bounded in [-1, 1] (its generator can end in a tanh too) -> a GRU
decoder whose initial state is a linear map of the latent and whose input at every step
is the previous token's embedding next to the latent. Training is teacher-forced
cross-entropy; Gaussian noise (``noise_std``) is added to the latent during training
only, as the paper's heteroencoder does, so that nearby latents decode to the same or a
similar molecule (a smooth space for the GAN to sample).

As in the paper's heteroencoder, training can feed the encoder randomized SMILES (a
random atom ordering each time, :func:`~.smiles_vocab.randomized_smiles`) while the
decoder always writes the canonical SMILES: the latent then describes the molecule,
not one way of writing it. Encoding for the GAN (:func:`encode_smiles`) reads the
canonical SMILES, without noise.

Both GRUs run on padded batches, not packed ones: they are causal, so the padding after
``<eos>`` changes neither a latent nor a loss term, and on a CPU a packed GRU's backward
pass was 1.7 times as slow (autograd zero-fills a full-size gradient for every step's slice).

The defaults (embedding 64, hidden 256, one GRU layer, latent 128, batch 128, Adam
2e-3) are sized for a CPU: about 3 steps/s on one free thread (two layers: 1.3 steps/s).
That is still slow for this task: 90 s (187 steps on 19,000 MOSES molecules, another
training sharing the two cores) reached a token accuracy of 0.78 but reconstructed no
molecule exactly; exact reconstruction needs thousands of steps (more threads or a
GPU). The paper's model was bigger (a 512-wide latent, LSTM layers, hours on a GPU).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from scigan.errors import ScienceError
from scigan.modalities.molecules.smiles_vocab import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIALS,
    UNK_ID,
    SmilesVocab,
)


class SmilesAutoencoder(nn.Module):
    """A GRU encoder-decoder of SMILES token ids with a tanh-bounded latent (module doc).

    Token ids are as :meth:`SmilesVocab.encode` writes them: (N, L) int64,
    ``<bos> ... <eos> <pad>...``.
    """

    def __init__(
        self,
        vocab_size: int,
        *,
        embed_dim: int = 64,
        hidden_dim: int = 256,
        layers: int = 1,
        latent_dim: int = 128,
        noise_std: float = 0.1,
    ) -> None:
        super().__init__()
        for name, value in (
            ("vocab_size", vocab_size),
            ("embed_dim", embed_dim),
            ("hidden_dim", hidden_dim),
            ("layers", layers),
            ("latent_dim", latent_dim),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ScienceError(f"the SMILES autoencoder's {name} is a positive integer, not {value!r}")
        if vocab_size <= len(SPECIALS):
            raise ScienceError(f"the SMILES autoencoder needs a vocabulary beyond the special tokens, not {vocab_size}")
        if not isinstance(noise_std, int | float) or isinstance(noise_std, bool) or not 0 <= noise_std < math.inf:
            raise ScienceError(f"the SMILES autoencoder's noise_std is a number >= 0, not {noise_std!r}")
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        self.hidden_dim = hidden_dim
        self.layers = layers
        self.latent_dim = latent_dim
        self.noise_std = float(noise_std)
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)
        self.encoder = nn.GRU(embed_dim, hidden_dim, num_layers=layers, batch_first=True)
        self.to_latent = nn.Linear(hidden_dim, latent_dim)
        self.from_latent = nn.Linear(latent_dim, layers * hidden_dim)
        self.decoder = nn.GRU(embed_dim + latent_dim, hidden_dim, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden_dim, vocab_size)

    def config(self) -> dict[str, Any]:
        """The constructor's arguments as plain JSON values (saved with the weights)."""
        return {
            "vocab_size": self.vocab_size,
            "embed_dim": self.embed_dim,
            "hidden_dim": self.hidden_dim,
            "layers": self.layers,
            "latent_dim": self.latent_dim,
            "noise_std": self.noise_std,
        }

    def encode(self, ids: torch.Tensor) -> torch.Tensor:
        """Latents of token ids (N, L) int64 -> (N, latent_dim) float in [-1, 1] (no noise)."""
        last = (ids != PAD_ID).sum(dim=1).clamp(min=1) - 1  # the position of <eos>
        out, _ = self.encoder(self.embed(ids))  # (N, L, hidden): the top layer; causal, so pads after do not matter
        state = out[torch.arange(ids.shape[0], device=ids.device), last]
        return torch.tanh(self.to_latent(state))

    def _initial_state(self, z: torch.Tensor) -> torch.Tensor:
        """The decoder's initial hidden state of latents (N, latent_dim) -> (layers, N, hidden)."""
        h = torch.tanh(self.from_latent(z))
        return h.view(z.shape[0], self.layers, self.hidden_dim).transpose(0, 1).contiguous()

    def _step_inputs(self, tokens: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """The decoder's inputs: token ids (N, T) and latents (N, latent_dim) ->
        (N, T, embed_dim + latent_dim)."""
        return torch.cat([self.embed(tokens), z[:, None, :].expand(-1, tokens.shape[1], -1)], dim=2)

    def add_noise(self, z: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Latents (N, latent_dim) plus Gaussian noise of std ``noise_std`` in training
        mode (drawn from ``generator`` when given); unchanged in eval mode. -> (N, latent_dim)."""
        if not self.training or self.noise_std == 0:
            return z
        noise = torch.randn(z.shape, generator=generator, device=z.device, dtype=z.dtype)
        return z + self.noise_std * noise

    def forward(
        self, ids: torch.Tensor, target: torch.Tensor | None = None, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Teacher-forced next-token logits: the encoder reads ``ids`` (N, L), the decoder
        is fed ``target[:, :-1]`` (N, T) (default ``ids``: plain autoencoding; training
        on randomized SMILES gives the canonical ones here) and predicts ``target[:, 1:]``.
        Latent noise is added in training mode (:meth:`add_noise`). -> (N, T-1, V)."""
        target = ids if target is None else target
        z = self.add_noise(self.encode(ids), generator)
        out, _ = self.decoder(self._step_inputs(target[:, :-1], z), self._initial_state(z))
        return self.head(out)

    @torch.no_grad()
    def decode_greedy(self, z: torch.Tensor, max_len: int) -> torch.Tensor:
        """Greedy decoding of latents (N, latent_dim) -> token ids (N, max_len) int64 on
        z's device: each row's tokens, then ``<eos>``, then ``<pad>`` (no ``<bos>``; a row
        with no ``<eos>`` within ``max_len`` steps is cut). ``<pad>``, ``<bos>`` and
        ``<unk>`` are never chosen. Stops once every row has written ``<eos>``."""
        n = z.shape[0]
        out = torch.full((n, max_len), PAD_ID, dtype=torch.long, device=z.device)
        if n == 0 or max_len < 1:
            return out
        h = self._initial_state(z)
        token = torch.full((n, 1), BOS_ID, dtype=torch.long, device=z.device)
        done = torch.zeros(n, dtype=torch.bool, device=z.device)
        banned = torch.tensor([PAD_ID, BOS_ID, UNK_ID], device=z.device)
        for t in range(max_len):
            step, h = self.decoder(self._step_inputs(token, z), h)
            logits = self.head(step[:, 0])
            logits[:, banned] = -math.inf
            nxt = torch.where(done, PAD_ID, logits.argmax(dim=1))
            out[:, t] = nxt
            done |= nxt == EOS_ID
            if bool(done.all()):
                break
            token = nxt[:, None]
        return out


@contextlib.contextmanager
def _eval_mode(model: nn.Module) -> Iterator[None]:
    """``model`` in eval mode (no latent noise) and without gradients, restored after."""
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was)


def _device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def canonical_or_raise(smiles: Sequence[str]) -> list[str]:
    """Canonical SMILES of N strings; ScienceError naming the count and the first invalid one."""
    from scigan.modalities.molecules.chem import canonical_many

    canon = canonical_many(smiles)
    bad = [i for i, c in enumerate(canon) if c is None]
    if bad:
        raise ScienceError(
            f"{len(bad)} of {len(canon)} SMILES are not valid molecules (first: {smiles[bad[0]]!r}); "
            "remove them before training or encoding"
        )
    return [c for c in canon if c is not None]


def encode_smiles(
    model: SmilesAutoencoder, vocab: SmilesVocab, smiles: Sequence[str], batch_size: int = 256
) -> np.ndarray:
    """Latents of N SMILES (canonicalised first; eval mode, no noise) -> float32
    (N, latent_dim). A token the vocabulary lacks reads as ``<unk>``. ScienceError when
    a SMILES is not a valid molecule."""
    canon = canonical_or_raise(smiles)
    device = _device_of(model)
    parts = [np.zeros((0, model.latent_dim), dtype=np.float32)]
    with _eval_mode(model):
        for start in range(0, len(canon), max(1, batch_size)):
            ids = torch.from_numpy(vocab.encode(canon[start : start + batch_size])).to(device)
            parts.append(model.encode(ids).float().cpu().numpy())
    return np.concatenate(parts, axis=0)


def decode_latents(
    model: SmilesAutoencoder,
    vocab: SmilesVocab,
    z: torch.Tensor | np.ndarray,
    max_len: int | None = None,
    batch_size: int = 512,
) -> list[str]:
    """SMILES of latents (N, latent_dim) by greedy decoding (eval mode) -> N canonical
    SMILES, "" where RDKit cannot parse the decoded string. ``max_len`` (decoding steps,
    ``<eos>`` included) defaults to the longest training SMILES plus one."""
    from scigan.modalities.molecules.chem import canonical

    device = _device_of(model)
    z = torch.as_tensor(z, dtype=torch.float32)
    if z.ndim != 2 or z.shape[1] != model.latent_dim:
        raise ScienceError(f"latents to decode are (N, {model.latent_dim}), not shape {tuple(z.shape)}")
    steps = vocab.max_tokens + 1 if max_len is None else max_len
    out: list[str] = []
    with _eval_mode(model):
        for start in range(0, z.shape[0], max(1, batch_size)):
            ids = model.decode_greedy(z[start : start + batch_size].to(device), steps)
            out.extend(canonical(s) or "" for s in vocab.decode(ids.cpu().numpy()))
    return out
