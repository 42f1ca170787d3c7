"""A trained SMILES autoencoder on disk: ``autoencoder.safetensors`` (the weights) and
``autoencoder.json`` (format, hyper-parameters, tensor shapes, vocabulary, training facts),
each written atomically; reading checks every file against the other before any weight
is loaded, so a damaged or foreign pair is refused with the file it names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from scigan.errors import ScienceError, brief
from scigan.modalities.images.writers import atomic_write
from scigan.modalities.molecules.autoencoder import SmilesAutoencoder
from scigan.modalities.molecules.smiles_vocab import SmilesVocab

#: The two files of a saved autoencoder, in its folder.
WEIGHTS_FILE = "autoencoder.safetensors"
CONFIG_FILE = "autoencoder.json"
_FORMAT = "scigan-smiles-autoencoder"
_VERSION = 1


def save_autoencoder(
    model: SmilesAutoencoder, vocab: SmilesVocab, folder: Path, meta: dict[str, Any] | None = None
) -> None:
    """Write ``folder/autoencoder.safetensors`` (the weights) and ``folder/autoencoder.json``
    (format, the model's hyper-parameters, the tensors' shapes, the vocabulary and
    ``meta``, which must be JSON values), each atomically (a temporary file, then
    os.replace). The folder is made when missing."""
    from safetensors.torch import save

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
    text = json.dumps(document, indent=1) + "\n"
    atomic_write(folder / WEIGHTS_FILE, lambda f: f.write(save(tensors)))
    atomic_write(folder / CONFIG_FILE, lambda f: f.write(text.encode("utf-8")))


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
