"""An invisible watermark in the pixels of synthetic images (DWT-DCT-SVD, invisible-watermark).

The mark is 64 bits: the magic ``sgan`` (32 bits, the check: an unmarked image decodes
as marked with probability 2⁻³²) and 4 bytes of the run id, embedded in the luma (Y)
plane by quantising the largest singular value of the DCT of each 4×4 block of the Haar
approximation band (imwatermark's ``dwtDctSvd``, step 36). It lives in the pixels, so it
survives metadata stripping and JPEG re-encoding at quality 90 (PSNR about 43 dB);
it does not survive crops, resizing or heavy edits. The image needs at least 256×256 =
65,536 pixels (imwatermark's own minimum): our 28–128 px previews cannot carry it.

imwatermark 0.2.0's ``WatermarkEncoder.encode`` swaps the horizontal and vertical detail
bands when it rebuilds the image and writes floats into a uint8 array, which damages the
picture and the mark; so the bands are rebuilt here and only its per-block embedding
and its decoder are used.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from scigan.errors import ScienceError, brief

#: The first 4 bytes of every scigan watermark.
MAGIC = b"sgan"
#: Fewest pixels (height × width) imwatermark can mark: 256×256.
MIN_PIXELS = 256 * 256
_BITS = 64
_SCALES = [36, 0, 0]  # quantisation step per YUV plane: luma only (grayscale stays grayscale)
_METHOD = "dwtDctSvd"


def _bgr_float(image: np.ndarray) -> np.ndarray:
    """H×W or H×W×3 RGB uint8 -> H×W×3 BGR float32 (0..255), the decoder's input."""
    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image
    return np.ascontiguousarray(rgb[..., ::-1], dtype=np.float32)


def _check(image: np.ndarray) -> None:
    """Refuse anything but a uint8 H×W or H×W×3 array."""
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3))
    ):
        got = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise ScienceError(f"a watermarked image must be uint8 H×W or H×W×3, got {got}")


def embed(image: np.ndarray, payload: str) -> np.ndarray:
    """Mark ``image`` (uint8 H×W grayscale or H×W×3 RGB, at least 256×256 pixels) with
    ``payload``, 8 hexadecimal digits (4 bytes, e.g. the first 8 of the run id).

    Returns a uint8 array of the same shape (grayscale stays grayscale).
    """
    import cv2
    import pywt
    from imwatermark.dwtDctSvd import EmbedDwtDctSvd

    _check(image)
    h, w = image.shape[:2]
    if h * w < MIN_PIXELS:
        raise ScienceError(
            f"image {h}×{w} is too small for the invisible watermark: it needs at least 256×256 "
            f"({MIN_PIXELS:,} pixels); write larger images or a bigger grid, or drop --watermark"
        )
    if not re.fullmatch(r"[0-9a-fA-F]{8}", payload):
        raise ScienceError(f"watermark payload must be 8 hexadecimal digits (4 bytes), got {payload!r}")
    bits = np.unpackbits(np.frombuffer(MAGIC + bytes.fromhex(payload), dtype=np.uint8)).tolist()
    yuv = cv2.cvtColor(_bgr_float(image), cv2.COLOR_BGR2YUV)
    h, w = h // 4 * 4, w // 4 * 4
    approx, details = pywt.dwt2(yuv[:h, :w, 0], "haar")
    EmbedDwtDctSvd(bits, wmLen=_BITS, scales=_SCALES).encode_frame(approx, _SCALES[0])
    yuv[:h, :w, 0] = pywt.idwt2((approx, details), "haar")
    bgr = cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR)
    out = bgr.mean(axis=2) if image.ndim == 2 else bgr[..., ::-1]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def detect(image: np.ndarray) -> str | None:
    """The payload (8 hex digits) of a scigan watermark in ``image`` (uint8 H×W or
    H×W×3 RGB), or None when it carries none (or is too small to carry one)."""
    from imwatermark import WatermarkDecoder

    _check(image)
    if image.shape[0] * image.shape[1] < MIN_PIXELS:
        return None
    found = WatermarkDecoder("bytes", _BITS).decode(_bgr_float(image), _METHOD, scales=_SCALES)
    return found[4:].hex() if found[:4] == MAGIC else None


def detect_file(path: Path) -> dict[str, str] | None:
    """``{"payload": hex}`` when the image file at ``path`` (anything PIL reads: PNG,
    JPEG, TIFF, ...) carries a scigan watermark; None when it carries none."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            pixels = np.asarray(img.convert("L" if img.mode in ("1", "L", "I", "I;16", "F") else "RGB"))
    except (OSError, ValueError) as exc:
        raise ScienceError(f"{path}: cannot read it as an image ({brief(exc)})") from None
    payload = detect(pixels)
    return None if payload is None else {"payload": payload}
