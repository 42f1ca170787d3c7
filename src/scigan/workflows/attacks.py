"""The privacy attacks ``scigan evaluate`` runs on every kind, in the kind's model space:
LOGAN's white-box membership attack with the run's own discriminator, DOMIAS's
density-ratio attack on the synthetic samples, and the share of exact copies.

Members are training rows (a seeded subset as large as the holdout), non-members the
held-out rows; for DOMIAS the holdout is halved, one half the attacker's reference data,
the other the non-members. A kind whose discriminator does not read model-space rows
directly (TimeGAN's critic reads embeddings) says how to score them with
``critic_scores(G, D, x, y)``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from scigan.errors import ScienceError
from scigan.metrics import privacy
from scigan.modalities.base import Codec, Dataset

#: Rows scored per discriminator forward pass.
BATCH = 500


def model_space(codec: Codec, data: Dataset) -> Any:
    """The rows of ``data`` as the discriminator sees them: a float tensor (N, ...)."""
    import torch

    return codec.encode(torch.as_tensor(codec.stored(data))).float()


def encodable(codec: Codec, data: Dataset) -> Dataset:
    """``data`` less the rows the codec refuses (a held-out row holding a category unseen in
    training): those rows cannot be scored in model space, so no attack reads them."""
    try:
        codec.stored(data)
        return data
    except ScienceError:
        pass
    keep = []
    for i in range(len(data)):
        try:
            codec.stored(data.subset(np.array([i])))
            keep.append(i)
        except ScienceError:
            continue
    return data.subset(np.array(keep, dtype=np.int64))


def critic_scores(modality: Any, G: Any, D: Any, x: Any, y: np.ndarray | None) -> np.ndarray:
    """The discriminator's score (N,) of each model-space row of ``x`` (N, ...) with labels
    ``y`` (N,) when conditional; higher means "real". A packing critic (PacGAN) scores a
    pack of ``pac`` copies of the row."""
    import torch

    own = getattr(modality, "critic_scores", None)
    pac = int(getattr(D, "pac", 1))
    out = []
    with torch.no_grad():
        for start in range(0, len(x), BATCH):
            xb = x[start : start + BATCH]
            yb = None if y is None else torch.as_tensor(y[start : start + BATCH])
            if own is not None:
                out.append(own(G, D, xb, yb).flatten().float())
                continue
            if pac > 1:  # packed: the pack holds pac copies of the row, one score per pack
                xb = xb.repeat_interleave(pac, dim=0)
                yb = None if yb is None else yb.repeat_interleave(pac, dim=0)
            out.append(D(xb, yb).flatten().float())
    return torch.cat(out).numpy().astype(np.float64)


def sample_keys(x: Any) -> list[Hashable | None]:
    """One hashable key per sample of ``x`` in its stored form: a table's row as a tuple,
    a string (None for "", an invalid molecule), or the bytes of an array row (as float64,
    so the same values in another dtype match)."""
    import pandas as pd
    import scipy.sparse as sp

    if isinstance(x, pd.DataFrame):
        return list(x.itertuples(index=False, name=None))
    if sp.issparse(x):
        x = x.toarray()
    x = np.asarray(x)
    if x.dtype == object and x.ndim == 1:
        return [str(v) if v not in ("", None) else None for v in x]
    rows = x.reshape(len(x), -1).astype(np.float64)
    return [row.tobytes() for row in rows]


def attack_scores(
    modality: Any,
    codec: Codec,
    G: Any,
    D: Any,
    train: Dataset,
    holdout: Dataset,
    fake_model: Any,
    fake_stored: Any,
    *,
    conditional: bool,
    seed: int,
) -> dict[str, float | None]:
    """``mia_auc_logan``, ``mia_auc_domias`` (0.5 ideal), ``exact_copy_share`` (0 ideal) and
    ``exact_copy_share_holdout`` (the held-out rows' own share: the floor for data holding
    duplicates); ``mia_auc_logan_chance_sd`` and ``mia_auc_domias_chance_sd``, the spread
    of each AUC by chance at its member and non-member counts. ``fake_model`` (N, ...)
    are the generator's samples in model space, ``fake_stored`` the same decoded; ``G``,
    ``D`` the run's networks in eval mode on the CPU (``D`` None: a run saved without its
    discriminator, ``mia_auc_logan`` None);
    ``conditional``: the critic reads labels."""
    rng = np.random.default_rng(seed)
    holdout = encodable(codec, holdout)
    train_keys = sample_keys(train.x)
    copies = privacy.exact_copy_share(sample_keys(fake_stored), train_keys)
    if len(holdout) < 4:  # too few non-members to attack with
        return {
            "mia_auc_logan": None,
            "mia_auc_logan_chance_sd": None,
            "mia_auc_domias": None,
            "mia_auc_domias_chance_sd": None,
            "exact_copy_share": copies,
            "exact_copy_share_holdout": None,
        }
    members = np.sort(rng.permutation(len(train))[: len(holdout)])
    x_train, x_hold = model_space(codec, train.subset(members)), model_space(codec, holdout)
    y_train = train.y[members] if conditional and train.y is not None else None
    y_hold = holdout.y if y_train is not None else None
    logan = None
    if D is not None:
        logan = privacy.logan_auc(
            critic_scores(modality, G, D, x_train, y_train), critic_scores(modality, G, D, x_hold, y_hold)
        )
    half = rng.permutation(len(holdout))
    reference, outside = half[: len(half) // 2], half[len(half) // 2 :]

    def flat(x: Any) -> np.ndarray:
        return np.asarray(x, dtype=np.float64).reshape(len(x), -1)

    domias = privacy.domias_auc(
        flat(fake_model),
        flat(x_hold)[reference],
        flat(x_train)[: len(outside)],
        flat(x_hold)[outside],
        seed=seed,
    )
    return {
        "mia_auc_logan": logan,
        "mia_auc_logan_chance_sd": None if logan is None else privacy.chance_auc_sd(len(members), len(holdout)),
        "mia_auc_domias": domias,
        "mia_auc_domias_chance_sd": privacy.chance_auc_sd(len(outside), len(outside)),
        "exact_copy_share": copies,
        "exact_copy_share_holdout": privacy.exact_copy_share(sample_keys(holdout.x), train_keys),
    }
