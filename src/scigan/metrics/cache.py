"""The on-disk cache of trained feature extractors, shared by every kind's extractor.

An extractor is a safetensors file named by a hash of what it was trained from (its
architecture version, training data and recipe), with its description as JSON under
one metadata key. This module holds the parts every extractor names and stores the same
way: the digest of arrays, the hash of a key, the atomic write and the checked load.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np


def digest_arrays(*arrays: np.ndarray | None) -> str:
    """Hex blake2b digest (32 characters) over the dtype, shape and bytes of each array,
    in order; a None counts as a marker of its own."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        if a is None:
            h.update(b"none;")
            continue
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def key_hash(key: dict[str, Any]) -> str:
    """Hex blake2b digest (32 characters) of ``key`` written as JSON with sorted keys:
    the name of a cached extractor."""
    text = json.dumps(key, sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def save_weights(path: Path, tensors: dict[str, Any], meta_key: str, meta: dict[str, Any]) -> None:
    """Write the torch ``tensors`` (name -> tensor) to ``path`` as safetensors with
    ``meta`` as JSON under the metadata key ``meta_key``, atomically: a temporary file in
    the same folder, then os.replace (a reader never sees half a file)."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    os.close(fd)
    try:
        save_file(tensors, tmp, metadata={meta_key: json.dumps(meta)})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_weights(path: Path, meta_key: str, expected_hash: str, arch: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tensors (name -> CPU tensor) and the metadata cached at ``path``; ValueError
    when it holds another extractor (its ``hash`` or ``arch`` differs from the expected)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), framework="pt") as f:
        meta = json.loads((f.metadata() or {})[meta_key])
    if meta.get("hash") != expected_hash or meta.get("arch") != arch:
        raise ValueError(f"{path} holds extractor {meta.get('hash')}, expected {expected_hash}")
    return load_file(str(path), device="cpu"), meta
