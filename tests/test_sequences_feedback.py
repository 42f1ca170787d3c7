"""FBGAN's feedback (``--feedback``): the queue of training rows, the predictor's loading
and refusals, and a run that feeds back, logs it and resumes bit-exactly."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import assert_resume_is_exact, cli_error
from scigan.core.feedback import Feedback, FeedbackPlan
from scigan.errors import ScienceError
from scigan.modalities.sequences.predictor import load_predictor
from test_sequences import TINY, peptides

pytest.importorskip("Bio")


def queue(n: int = 6, samples: int = 4) -> tuple[Feedback, torch.Tensor, torch.Tensor]:
    """A hook on n rows of -1 (labels 0) whose round r draws rows filled with r·10 + i
    (labels i % 2), scored by their value: rows above 15 are accepted."""

    def draw(m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        values = seed * 10 + np.arange(m)
        return np.repeat(values[:, None], 3, axis=1), np.arange(m) % 2

    plan = FeedbackPlan(score=lambda rows: rows[:, 0].astype(float), every=2, threshold=15, samples=samples, source="t")
    hook = Feedback(plan, draw, seed=0)
    data, labels = torch.full((n, 3), -1, dtype=torch.int64), torch.zeros(n, dtype=torch.int64)
    hook.bind(data, labels)
    return hook, data, labels


def test_accepted_rows_replace_the_oldest_ones_in_turn() -> None:
    hook, data, labels = queue()
    hook.after_step()  # step 1: no round
    assert (data == -1).all()
    hook.after_step()  # step 2: draws 20..23, all above 15
    assert data[:4, 0].tolist() == [20, 21, 22, 23] and data[4:, 0].tolist() == [-1, -1]
    assert labels[:4].tolist() == [0, 1, 0, 1]
    hook.after_step()
    hook.after_step()  # step 4: 40..43 fill rows 4, 5 then overwrite the oldest (20, 21)
    assert data[:, 0].tolist() == [42, 43, 22, 23, 40, 41]
    assert hook.values() == {"accepted": 4, "mean_score": 41.5, "share": 1.0}


def test_rows_below_the_threshold_are_not_taken() -> None:
    hook, data, _ = queue(samples=8)
    hook.plan = FeedbackPlan(hook.plan.score, 2, threshold=24.5, samples=8, source="t")
    hook.after_step()
    hook.after_step()  # 20..27: 25, 26, 27 pass
    assert data[:3, 0].tolist() == [25, 26, 27] and (data[3:] == -1).all()


def test_state_restores_the_data_after_later_rounds() -> None:
    hook, data, labels = queue()
    for _ in range(4):
        hook.after_step()
    state = json.loads(json.dumps(hook.state_dict()))  # checkpoints keep it as JSON
    saved = data.clone(), labels.clone()
    for _ in range(4):
        hook.after_step()
    assert not torch.equal(data, saved[0])
    hook.load_state_dict(state)
    assert torch.equal(data, saved[0]) and torch.equal(labels, saved[1])
    assert hook.step == 4 and hook.written == 8
    early = queue()[0].state_dict()  # before any round: the real rows come back
    hook.load_state_dict(early)
    assert (data == -1).all() and (labels == 0).all()


def test_predictor_from_a_file_a_model_and_refusals(tmp_path: Path) -> None:
    code = tmp_path / "score.py"
    code.write_text(
        "class Model:\n"
        "    def predict_proba(self, seqs):\n"
        "        return [[1 - s.count('K') / len(s), s.count('K') / len(s)] for s in seqs]\n"
        "model = Model()\n"
        "def gc(seqs):\n"
        "    return [sum(c in 'GC' for c in s) / len(s) for s in seqs]\n"
        "def broken(seqs):\n"
        "    return [1.0]\n"
        "constant = 3\n"
    )
    assert load_predictor(f"{code}:gc")(["GGCA", "ATAT"]).tolist() == [0.75, 0.0]
    assert load_predictor(f"{code}:model")(["KKAA", "AAAA"]).tolist() == [0.5, 0.0]
    with pytest.raises(ScienceError, match="one finite score per sequence"):
        load_predictor(f"{code}:broken")(["A", "C"])
    for spec, words in [
        ("model.pkl", "does not unpickle"),
        ("nothing-here.joblib", "does not unpickle"),
        (f"{code}:absent", "has no 'absent'"),
        (f"{code}:constant", "not a function"),
        (f"{tmp_path / 'none.py'}:f", "no file"),
        ("gc", "module:function"),
        ("scigan_no_such_module:f", "cannot import"),
    ]:
        with pytest.raises(ScienceError, match=words):
            load_predictor(spec)


def test_a_run_feeds_back_logs_it_and_resumes_exactly(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    fasta = peptides(tmp_path / "p.fasta", n=80)
    code = tmp_path / "score.py"
    code.write_text("def k(seqs):\n    return [s.count('K') / max(len(s), 1) for s in seqs]\n")
    argv = [
        str(fasta),
        "--max-length",
        "16",
        *TINY,
        "--eval-every",
        "0",
        "--feedback",
        f"{code}:k",
        "--feedback-every",
        "3",
        "--feedback-threshold",
        "0",
        "--feedback-samples",
        "16",
    ]
    straight, _ = assert_resume_is_exact(tmp_path, argv, steps=20, stop=10)
    lines = [json.loads(line) for line in (straight / "metrics.jsonl").read_text().splitlines()]
    shares = [line["feedback/share"] for line in lines if "feedback/share" in line]
    assert shares and 0 < shares[-1] <= 1 and shares == sorted(shares)
    assert 'feedback = "' in (straight / "config.toml").read_text()
    capsys.readouterr()
    assert "does not unpickle" in cli_error(capsys, ["train", *argv[:-8], "--feedback", "m.pkl", "--out", "x"])
