"""MolGAN's reward: a network that learns an RDKit score, and the generator term it drives.

The reward network (``D.reward``, :mod:`.networks`) is fitted in the critic's phase to
the normalised score of the real batch and of the generated batch (invalid graphs
score 0), so it is optimised, saved and restored with the critic. The generator then
minimises λ·L_WGAN + (1 − λ)·L_RL with L_RL = −mean reward of its samples (De Cao &
Kipf 2018); the core's adversarial term has weight 1, so this term is weighted
(1 − λ)/λ, the same objective scaled by 1/λ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from scigan.core.phases import StepContext, Term
from scigan.errors import ScienceError
from scigan.modalities.molecules.codec import GraphCodec

#: MolGAN's logP range for the normalised score.
LOGP_RANGE = (-2.12178879609, 6.0429063424)
#: The named scores; any RDKit descriptor name is accepted besides.
NAMED = ("qed", "logp", "sa")


def _descriptor(name: str) -> Callable[..., float]:
    from rdkit.Chem import Descriptors

    table = dict(Descriptors.descList)
    if name not in table:
        close = [d for d in table if d.lower() == name.lower()]
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ScienceError(
            f"--reward {name!r} is not qed, logp, sa or an RDKit descriptor{hint}; e.g. TPSA, NumHDonors, MolWt"
        )
    return table[name]


def check_reward(name: str) -> None:
    """Refuse an unknown --reward name (before any data is read)."""
    if name and name not in NAMED:
        _descriptor(name)


def reward_function(name: str, train_smiles: Sequence[str]) -> Callable[[Sequence[str]], np.ndarray]:
    """The normalised score in [0, 1] (N,) of SMILES (0 where "" or invalid), higher is
    better: QED; logP scaled over MolGAN's range; (10 − SA score) / 9; an RDKit
    descriptor scaled over its range on ``train_smiles``."""
    from scigan.modalities.molecules.chem import parse
    from scigan.modalities.molecules.properties import score_function

    if name in NAMED:
        raw = score_function(name)
        lo, hi = {"qed": (0.0, 1.0), "logp": LOGP_RANGE, "sa": (10.0, 1.0)}[name]
    else:
        raw = _descriptor(name)
        values = [raw(m) for m in (parse(s) for s in train_smiles) if m is not None]
        lo, hi = (float(min(values)), float(max(values))) if values else (0.0, 1.0)
        if hi == lo:
            raise ScienceError(f"--reward {name}: every training molecule has the value {lo:g}; choose another")

    def score(smiles: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(smiles), dtype=np.float32)
        for i, s in enumerate(smiles):
            mol = parse(s) if s else None
            if mol is not None:
                out[i] = min(max((raw(mol) - lo) / (hi - lo), 0.0), 1.0)
        return out

    return score


class RewardFit(Term):
    """Critic phase: mean squared error of ``D.reward`` on the real and the generated
    batch against their normalised scores, once per training step. The graphs are judged as generated, without
    the valence repair sampling applies, so a graph RDKit rejects scores 0 and the reward
    also teaches the generator valid graphs (MolGAN's reward is 0 for invalid ones)."""

    name = "reward_fit"

    def __init__(self, codec: GraphCodec, score: Callable[[Sequence[str]], np.ndarray], every: int = 1):
        self.codec = GraphCodec(codec.types, codec.max_atoms, correct=False)
        self.score = score
        # RDKit scores two batches per call: once per training step (``every`` = the critic's
        # repeats), not at every critic step; the regression's scale needs no correction
        self.interval = every

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        x = torch.cat([ctx.real, ctx.fake().detach()])
        target = torch.from_numpy(self.score(list(self.codec.decode(x)))).to(x.device)
        predicted = ctx.D.reward(x)  # type: ignore[operator]  # a GraphCritic with a reward network
        return torch.mean((predicted.float() - target) ** 2)


class RewardLoss(Term):
    """Generator phase: −(1 − λ)/λ · the mean predicted reward of the fake batch."""

    name = "reward"

    def __init__(self, lam: float):
        self.weight = (1.0 - lam) / lam

    def __call__(self, ctx: StepContext) -> torch.Tensor:
        reward = ctx.D.reward(ctx.fake())  # type: ignore[operator]
        return -self.weight * reward.float().mean()
