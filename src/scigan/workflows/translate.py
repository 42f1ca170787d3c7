"""``scigan translate``: apply a pix2pix run (``scigan train --task translate``) to
images of any size.

Training is an enhancement run with the translate task (see
:mod:`scigan.workflows.enhance`): a U-Net generator fed the input image, a PatchGAN
discriminator that judges (output, input) pairs, an L1 loss plus the adversarial one
(weight 0.01, pix2pix's λ = 100), on random patches of paired ``A/`` -> ``B/`` folders or
of colour pictures whose grayscale version is the input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scigan.workflows.enhance import enhance


def translate(run_path: str | Path, source: str | Path, out: str | Path, **options: Any) -> list[Path]:
    """Translate an image file or a folder of images with a translation run, writing
    ``out`` (an image path, or a folder mirroring the input folder); every image written
    carries provenance naming the run. A run of another task, or inputs with another
    channel count than the run was trained on, are refused (ScienceError). Options as
    :func:`scigan.workflows.enhance.enhance` (checkpoint, device, overwrite, log)."""
    return enhance(run_path, source, out, task="translate", **options)
