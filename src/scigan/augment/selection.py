"""Which synthetic samples the experiment keeps: discriminator rejection sampling, then
``--filter`` and the per-class cap (:func:`kept`).

DRS (Azadi et al. 2019) accepts a generated sample x with probability
sigmoid(F(x) − γ), where F(x) = L(x) − L_max − log(1 − exp(L(x) − L_max − ε)), L(x) is
the log density ratio log p_data(x) / p_G(x) the discriminator estimates and L_max the
largest L over the drawn samples. Our critics are not all logistic (WGAN-GP's is not),
so L is the critic score recalibrated by a one-dimensional logistic regression of the
seed's own real training rows against the drawn samples (balanced classes: a prior
ratio of 1). γ is the ``percentile``-th percentile of F over the drawn samples: higher
keeps fewer. Only the seed's training subset is read; the test split never is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scigan.modalities.base import Dataset

#: ε of DRS's F (keeps the logarithm finite at the largest ratio).
EPSILON = 1e-6


def kept(y: np.ndarray, caps: np.ndarray, proba: np.ndarray | None, keep_at: float) -> np.ndarray:
    """Positions (M,) into synthetic labels ``y`` (N,) that the conditions use: those
    whose own label the classifier's ``proba`` (N, C) gives at least ``keep_at``
    (``--filter``; 0 keeps all and ``proba`` may be None), then at most ``caps[c]`` of
    each class c, the first in drawing order (``--overdraw`` draws more to fill them),
    sorted."""
    passed = np.ones(len(y), dtype=bool)
    if keep_at > 0:
        assert proba is not None
        passed = proba[np.arange(len(y)), y] >= keep_at
    taken = [np.flatnonzero(passed & (y == c))[: int(n)] for c, n in enumerate(caps)]
    return np.sort(np.concatenate(taken)) if taken else np.zeros(0, dtype=np.int64)


def drs_keep(run: Path, synthetic: Dataset, real: Dataset, percentile: float, seed: int) -> np.ndarray:
    """Positions (M,) into ``synthetic`` (the GAN run ``run``'s samples, labelled) that
    DRS accepts, the run's critic scoring them against ``real`` (its training rows)."""
    log_ratio = _log_ratio(run, synthetic, real)
    return accept(log_ratio, percentile, seed)


def accept(log_ratio: np.ndarray, percentile: float, seed: int) -> np.ndarray:
    """Positions (M,) of the samples DRS accepts given each one's estimated log density
    ratio (N,) and γ at ``percentile`` (in [0, 100)) of F; at least one is kept."""
    shifted = log_ratio - log_ratio.max()
    f = shifted - np.log1p(-np.exp(shifted - EPSILON))
    gamma = np.percentile(f, percentile)
    p = 1.0 / (1.0 + np.exp(-(f - gamma)))
    keep = np.random.default_rng([seed, 17]).uniform(size=len(p)) < p
    if not keep.any():
        keep[int(p.argmax())] = True
    return np.flatnonzero(keep)


def _log_ratio(run: Path, synthetic: Dataset, real: Dataset) -> np.ndarray:
    """log p_data / p_G (N,) of each synthetic sample: the run's critic score, calibrated
    on ``real`` against ``synthetic``."""
    from sklearn.linear_model import LogisticRegression

    from scigan.modalities import get_modality
    from scigan.runs import open_run
    from scigan.workflows.attacks import critic_scores, encodable, model_space
    from scigan.workflows.generator import load_discriminator, load_generator

    info = open_run(run)
    modality = get_modality(info.data["modality"])
    codec = modality.load_codec(info.path, info.data)
    G, _ = load_generator(info, "auto", "cpu")
    D, _ = load_discriminator(info, "auto", "cpu")
    real = encodable(codec, real)

    def score(data: Dataset) -> np.ndarray:
        return critic_scores(modality, G, D, model_space(codec, data), data.y if info.num_classes else None)

    fake, true = score(synthetic), score(real)
    s = np.concatenate([true, fake])[:, None]
    t = np.concatenate([np.ones(len(true)), np.zeros(len(fake))])
    calibration = LogisticRegression(class_weight="balanced").fit(s, t)
    return calibration.decision_function(fake[:, None])
