"""LatentGAN's SMILES autoencoder: molecules <-> points of a latent space.

LatentGAN (Prykhodko et al. 2019, J. Cheminform. 11:74) trains an autoencoder on the
data's SMILES, then a WGAN-GP on its latent vectors; the generated vectors are decoded
back to SMILES. This module is the autoencoder; the GAN is elsewhere.

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
import json
import math
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from scigan.errors import ScienceError, brief
from scigan.modalities.molecules.smiles_vocab import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIALS,
    UNK_ID,
    SmilesVocab,
    randomized_smiles,
)

#: The two files of a saved autoencoder, in its folder.
WEIGHTS_FILE = "autoencoder.safetensors"
CONFIG_FILE = "autoencoder.json"
_FORMAT = "scigan-smiles-autoencoder"
_VERSION = 1
#: Share of the given SMILES held back from training to measure the reconstruction rate.
HOLD_OUT = 0.05
#: At most this many held-back molecules are decoded for the reconstruction rate (a random
#: sample of them: the held-back ones are in random order).
_HELD_CHECK = 2000
#: At most this many training molecules are decoded for the training reconstruction rate.
_TRAIN_CHECK = 500


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


def _canonical_or_raise(smiles: Sequence[str]) -> list[str]:
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
    canon = _canonical_or_raise(smiles)
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
    canon = _canonical_or_raise(smiles)
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


def _write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Call ``write(temporary name)`` in ``path``'s folder, then move the file to ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_autoencoder(
    model: SmilesAutoencoder, vocab: SmilesVocab, folder: Path, meta: dict[str, Any] | None = None
) -> None:
    """Write ``folder/autoencoder.safetensors`` (the weights) and ``folder/autoencoder.json``
    (format, the model's hyper-parameters, the tensors' shapes, the vocabulary and
    ``meta``, which must be JSON values), each atomically (a temporary file, then
    os.replace). The folder is made when missing."""
    from safetensors.torch import save_file

    if len(vocab) != model.vocab_size:
        raise ScienceError(f"the vocabulary has {len(vocab)} tokens but the autoencoder {model.vocab_size}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    document = {
        "format": _FORMAT,
        "version": _VERSION,
        "model": model.config(),
        "shapes": {k: list(v.shape) for k, v in tensors.items()},
        "vocab": vocab.to_json(),
        "meta": meta or {},
    }
    text = json.dumps(document, indent=1)
    _write_atomically(folder / WEIGHTS_FILE, lambda tmp: save_file(tensors, tmp))
    _write_atomically(folder / CONFIG_FILE, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))


def load_autoencoder(
    folder: Path, device: str | torch.device = "cpu"
) -> tuple[SmilesAutoencoder, SmilesVocab, dict[str, Any]]:
    """The autoencoder :func:`save_autoencoder` wrote to ``folder`` -> (model in eval mode
    on ``device``, vocabulary, meta). ScienceError naming the file when one is missing or
    damaged, or when the weights do not match the shapes the JSON describes."""
    from safetensors.torch import load_file

    folder = Path(folder)
    config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    for path in (config_path, weights_path):
        if not path.is_file():
            raise ScienceError(f"{path}: missing; a saved SMILES autoencoder is {CONFIG_FILE} and {WEIGHTS_FILE}")
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ScienceError(f"{config_path}: not readable JSON ({brief(err)}); save the autoencoder again") from None
    if not isinstance(document, dict) or document.get("format") != _FORMAT:
        raise ScienceError(f"{config_path}: not a scigan SMILES autoencoder (no 'format': '{_FORMAT}')")
    if document.get("version") != _VERSION:
        raise ScienceError(f"{config_path}: version {document.get('version')!r}, this scigan reads {_VERSION}")
    config, shapes, meta = document.get("model"), document.get("shapes"), document.get("meta", {})
    if not isinstance(config, dict) or not isinstance(shapes, dict) or not isinstance(meta, dict):
        raise ScienceError(f"{config_path}: 'model' and 'shapes' (and 'meta') must be JSON objects")
    try:
        vocab = SmilesVocab.from_json(document.get("vocab"))
        with torch.random.fork_rng(devices=[]):
            model = SmilesAutoencoder(**config)
    except ScienceError as err:
        raise ScienceError(f"{config_path}: {err}") from None
    except TypeError as err:
        raise ScienceError(f"{config_path}: bad 'model' hyper-parameters ({brief(err)})") from None
    if len(vocab) != model.vocab_size:
        raise ScienceError(f"{config_path}: the vocabulary has {len(vocab)} tokens, the model {model.vocab_size}")
    expected = {k: list(v.shape) for k, v in model.state_dict().items()}
    if shapes != expected:
        raise ScienceError(f"{config_path}: the tensor shapes it lists do not fit its hyper-parameters")
    try:
        tensors = load_file(str(weights_path), device="cpu")
    except Exception as err:
        raise ScienceError(f"{weights_path}: damaged ({brief(err)}); train and save the autoencoder again") from None
    if set(tensors) != set(expected):
        missing, extra = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
        raise ScienceError(f"{weights_path}: does not match {CONFIG_FILE} (missing {missing}, unexpected {extra})")
    for name, tensor in tensors.items():
        if list(tensor.shape) != expected[name] or tensor.dtype != torch.float32:
            raise ScienceError(
                f"{weights_path}: tensor {name} is {tensor.dtype} {list(tensor.shape)}, "
                f"{CONFIG_FILE} describes float32 {expected[name]}"
            )
    model.load_state_dict(tensors)
    return model.to(torch.device(device)).eval(), vocab, meta
