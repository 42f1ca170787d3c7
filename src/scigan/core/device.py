"""Where and in which arithmetic training runs: the device, bf16 autocast, seeded
random generators."""

from __future__ import annotations

import hashlib

import torch

from scigan.errors import ScienceError


def seeded_generator(device: torch.device, seed: int, *keys: int) -> torch.Generator:
    """A torch generator on ``device`` whose seed is a hash of ``seed`` and ``keys``."""
    digest = hashlib.blake2b(repr((seed, *keys)).encode(), digest_size=8).digest()
    g = torch.Generator(device=device)
    g.manual_seed(int.from_bytes(digest, "little") & (2**63 - 1))
    return g


def resolve_device(name: str) -> torch.device:
    """``auto`` -> CUDA when available, else CPU; ``cuda`` without a GPU is refused."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ScienceError("--device cuda asked for, but PyTorch sees no CUDA GPU; use --device cpu")
    if name not in ("cpu", "cuda"):
        raise ScienceError(f"unknown device {name!r}; choose auto, cpu or cuda")
    return torch.device(name)


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 natively (AVX512-BF16/AMX CPUs, Ampere+ GPUs)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``precision`` (fp32, bf16 or auto) on ``device``; None for fp32."""
    if precision not in ("auto", "fp32", "bf16"):
        raise ScienceError(f"unknown precision {precision!r}; choose auto, fp32 or bf16")
    if precision == "bf16" or (precision == "auto" and native_bf16(device)):
        return torch.bfloat16
    return None
