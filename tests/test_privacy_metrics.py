"""The membership attacks' AUC and its spread by chance."""

import numpy as np
import pytest

from scigan.metrics.privacy import chance_auc_sd, logan_auc


def rank_aucs(members: np.ndarray, non_members: np.ndarray) -> np.ndarray:
    """The ROC AUC of each row's scores (draws, M) against (draws, K), by ranks."""
    m, k = members.shape[1], non_members.shape[1]
    ranks = np.concatenate([members, non_members], axis=1).argsort(axis=1).argsort(axis=1) + 1
    return (ranks[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * k)


@pytest.mark.parametrize("members, non_members", [(57, 57), (400, 57), (20, 300)])
def test_the_chance_spread_is_the_spread_of_an_uninformed_attack(members: int, non_members: int) -> None:
    """Scores that carry no membership: their AUCs over 4000 draws spread as the formula says."""
    rng = np.random.default_rng(0)
    scores_in, scores_out = rng.normal(size=(4000, members)), rng.normal(size=(4000, non_members))
    aucs = rank_aucs(scores_in, scores_out)
    assert aucs[0] == pytest.approx(logan_auc(scores_in[0], scores_out[0]))
    assert np.mean(aucs) == pytest.approx(0.5, abs=0.005)
    assert np.std(aucs) == pytest.approx(chance_auc_sd(members, non_members), rel=0.05)


def test_the_chance_spread_shrinks_with_more_rows_and_needs_both_sides() -> None:
    assert chance_auc_sd(57, 57) == pytest.approx(0.0543, abs=1e-4)
    assert chance_auc_sd(400, 57) < chance_auc_sd(57, 57)
    with pytest.raises(ValueError, match="members and non-members"):
        chance_auc_sd(0, 57)
