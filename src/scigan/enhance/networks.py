"""The networks of an enhancement run: built from its config, or loaded from its checkpoints.

superres and denoise: an SRResNet generator and an unconditional PatchGAN; translate: a
U-Net and a PatchGAN that judges (output, input) pairs; cyclegan: two U-Nets and two
PatchGANs (A -> B and B -> A).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from scigan.config import TrainConfig
from scigan.enhance.resolve import UNET_DEPTH
from scigan.errors import ScienceError
from scigan.runs import RunInfo, checkpoint_dirs, data_table_error


def networks(config: TrainConfig, data: dict[str, Any]) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The (generator, discriminator) of a resolved enhancement/translation ``config``;
    ``data`` is the run's [data] table (``channels_in``, ``channels_out``)."""
    from scigan.nets.cycle import CycleDiscriminators, CycleGenerators
    from scigan.nets.patchgan import PatchDiscriminator
    from scigan.nets.srresnet import SRResNet
    from scigan.nets.unet import UNet

    cin, cout = int(data["channels_in"]), int(data["channels_out"])
    G: torch.nn.Module
    D: torch.nn.Module
    if config.task == "cyclegan":
        G = CycleGenerators(cin, cout, width=config.width, depth=UNET_DEPTH)
        D = CycleDiscriminators(cin, cout, width=config.width, sn=config.spectral_norm)
    elif config.task == "translate":
        G = UNet(cin, cout, width=config.width, depth=UNET_DEPTH)
        D = PatchDiscriminator(cout, cin, width=config.width, sn=config.spectral_norm)
    else:
        G = SRResNet(cin, cout, config.task_options.scale, width=config.width)
        D = PatchDiscriminator(cout, 0, width=config.width, sn=config.spectral_norm)
    return G, D


def load_enhancer(
    run: RunInfo, which: str = "auto", device: str = "cpu", log: Callable[[str], None] | None = None
) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The run's generator (its EMA weights) in eval mode on ``device``, and the state
    (``step``, …) of checkpoint ``which`` (auto, best, latest or a step number). A
    damaged checkpoint is skipped for the previous intact one (``auto``, ``latest``) with
    one warning line through ``log`` (default: a warning); ScienceError naming the damaged
    file when none is intact."""
    from scigan.core.checkpoint import load_intact
    from scigan.core.device import resolve_device

    directories = checkpoint_dirs(run, which)
    try:
        G, _ = networks(run.config, run.data)
    except ScienceError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise data_table_error(run, err) from None
    _, state = load_intact(directories, {"G_ema": G}, log=log)
    return G.to(resolve_device(device)).eval(), state
