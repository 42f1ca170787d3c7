"""Tables: typing, the exact codec, the PacGAN critic, the CLI end to end, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from helpers import assert_resume_is_exact, cli_error  # noqa: E402
from scigan.cli import main  # noqa: E402
from scigan.errors import ScienceError  # noqa: E402
from scigan.modalities.base import log_frequency_rows  # noqa: E402
from scigan.modalities.tabular.codec import TableCodec  # noqa: E402
from scigan.modalities.tabular.io import load_table  # noqa: E402

#: CLI flags of a tiny, quick table run.
TINY = [
    "--width",
    "8",
    "--batch-size",
    "32",
    "--z-dim",
    "16",
    "--eval-every",
    "10",
    "--eval-n",
    "64",
    "--checkpoint-every",
    "10",
    "--log-every",
    "5",
    "--quiet",
]


def _mixed_frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Every column kind, with missing values, a constant and a nullable integer."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "dose": np.round(np.r_[rng.normal(1, 0.1, n // 2), rng.normal(5, 0.5, n - n // 2)], 3),
            "age": rng.integers(18, 90, n),
            "stage": rng.choice(["I", "II", "III"], n),
            "smoker": rng.random(n) > 0.7,
            "visit": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "site": "Berlin",
            "visits": pd.array(rng.integers(0, 40, n), dtype="Int64"),
            "outcome": rng.choice(["healthy", "sick"], n, p=[0.8, 0.2]),
        }
    )
    frame.loc[[3, 9], "dose"] = np.nan
    frame.loc[5, "stage"] = np.nan
    frame.loc[7, "visits"] = pd.NA
    return frame


@pytest.mark.parametrize("source", ["breast-cancer", "gbsg2"])
def test_codec_inverts_builtins_exactly(source: str) -> None:
    pytest.importorskip("lifelines") if source == "gbsg2" else None
    data = load_table(source)
    codec = TableCodec.fit(data, conditional=True, seed=0)
    matrix = codec.encode_frame(data.x)
    assert matrix.shape == (len(data), codec.width)
    pd.testing.assert_frame_equal(codec.decode_frame(matrix, data.y), data.x)


def test_codec_inverts_every_kind_exactly_and_survives_saving(tmp_path: Path) -> None:
    frame = _mixed_frame()
    data = load_table(frame, label_column="outcome")
    assert data.info["schema"] == {
        "dose": "numeric",
        "age": "integer",
        "stage": "categorical",
        "smoker": "boolean",
        "visit": "datetime",
        "site": "categorical",
        "visits": "integer",
        "outcome": "categorical",
    }
    codec = TableCodec.fit(data, conditional=True, seed=0)
    assert codec.constant_columns() == ["site"]
    codec.save(tmp_path)
    loaded = TableCodec.load(tmp_path)
    back = loaded.decode_frame(codec.encode_frame(data.x), data.y)
    pd.testing.assert_frame_equal(back, data.x)
    assert back["dose"].isna().sum() == 2 and back["stage"].isna().sum() == 1


def test_dropped_columns_never_reach_the_table(tmp_path: Path) -> None:
    from scigan.config import TrainConfig
    from scigan.modalities.tabular.modality import TabularModality

    path = tmp_path / "t.csv"
    _mixed_frame().to_csv(path, index=False)
    cfg = TrainConfig.from_flat(data=str(path), label_column="outcome", drop_columns="visit, site,visit")
    data = TabularModality().read(cfg)
    assert list(data.x.columns) == ["dose", "age", "stage", "smoker", "visits", "outcome"]
    assert "site" not in data.info["schema"] and data.class_names
    for drop, message in (
        ("dose,height", "--drop-columns: unknown column 'height'; the table has: dose, age"),
        ("outcome", "--drop-columns: 'outcome' is the label column; drop it from --drop-columns"),
    ):
        with pytest.raises(ScienceError, match=message):
            load_table(_mixed_frame(), label_column="outcome", drop_columns=drop)
    with pytest.raises(ScienceError, match="--drop-columns would leave no column"):
        load_table(_mixed_frame()[["dose", "age"]], drop_columns="age,dose")
    with pytest.raises(ScienceError, match="--column-types: unknown column 'site'"):
        load_table(_mixed_frame(), column_types="site=categorical", drop_columns="site")


def test_decoding_respects_bounds_and_integers() -> None:
    data = load_table(_mixed_frame(), label_column="outcome")
    codec = TableCodec.fit(data, conditional=True, seed=0)
    noise = np.random.default_rng(1).normal(0, 3, (50, codec.width))
    out = codec.decode_frame(noise, np.zeros(50, dtype=np.int64))
    assert out["age"].between(data.x["age"].min(), data.x["age"].max()).all()
    assert out["age"].dtype == np.int64 and str(out["visits"].dtype) == "Int64"
    assert set(out["stage"].dropna()) <= {"I", "II", "III"} and (out["site"] == "Berlin").all()
    assert (out["outcome"] == "healthy").all()


def test_log_frequency_rows_oversample_rare_classes() -> None:
    y = np.r_[np.zeros(100, int), np.ones(10, int)]
    rows = log_frequency_rows(y)
    assert set(rows) == set(range(110))
    share = (y[rows] == 1).mean()
    expected = np.log1p(10) / (np.log1p(10) + np.log1p(100))
    assert abs(share - expected) < 0.05


def test_packing_critic_and_its_gradient_penalty() -> None:
    import torch

    from scigan.core.regularizers import _grad_norm_sq
    from scigan.modalities.tabular.networks import build

    G, D = build(8, [("tanh", 1), ("softmax", 3)], 2, 4, 4, False)
    y = torch.tensor([0, 1] * 4)
    x = G(torch.randn(8, 8), y)
    assert x.shape == (8, 4) and torch.allclose(x[:, 1:].sum(1), torch.ones(8))
    G.eval()
    hard = G(torch.randn(8, 8), y)[:, 1:]
    assert set(hard.unique().tolist()) <= {0.0, 1.0}
    x = x.detach().requires_grad_(True)
    scores = D(x, y)
    assert scores.shape == (2,)
    assert _grad_norm_sq(scores, x).shape == (2,)


@pytest.fixture(scope="module")
def table_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """breast-cancer, conditional on its diagnosis, trained for a few steps."""
    run = tmp_path_factory.mktemp("runs") / "bc"
    assert main(["train", "breast-cancer", "--label-column", "target", "--steps", "20", "--out", str(run), *TINY]) == 0
    return run


def test_train_sample_evaluate_breast_cancer(table_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    real = load_table("breast-cancer").x
    assert main(["sample", str(table_run), "-n", "100", "--out", str(tmp_path / "x.csv")]) == 0
    written = pd.read_csv(tmp_path / "x.csv")
    assert list(written.columns) == list(real.columns) and len(written) == 100
    assert (written.dtypes == real.dtypes).all()
    assert set(written["target"]) == {"benign", "malignant"}
    pq = pytest.importorskip("pyarrow.parquet")
    assert (
        main(["sample", str(table_run), "-n", "20", "--label", "malignant", "--out", str(tmp_path / "m.parquet")]) == 0
    )

    table = pq.read_table(tmp_path / "m.parquet")
    assert table.schema.metadata[b"scigan:synthetic"] == b"true"
    assert (table.to_pandas()["target"] == "malignant").all()
    capsys.readouterr()
    assert main(["evaluate", str(table_run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in (
        "detection_auc",
        "detection_auc_real",
        "utility_ratio",
        "dcr_closer_to_train_share",
        "mia_auc",
        "worst_group",
        "fidelity",
        "fidelity_real_floor",
        "fd",
        "fd_real_floor",
    ):
        assert key in scores, key
    assert 0 <= scores["detection_auc"] <= 1 and 0 <= scores["mia_auc"] <= 1
    assert scores["worst_group"]["name"] in ("benign", "malignant")
    assert (table_run / "report" / "embedding.png").is_file()
    assert (table_run / "codec.json").is_file()
    assert main(["report", str(table_run)]) == 0
    assert "embedding.png" in (table_run / "report.html").read_text()


def test_resume_reproduces_a_table_run(tmp_path: Path) -> None:
    assert_resume_is_exact(tmp_path, ["breast-cancer", *TINY, "--eval-every", "0"], steps=20, stop=10)


def _csv(tmp_path: Path, frame: pd.DataFrame) -> str:
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_column_types_as_json() -> None:
    from scigan.modalities.tabular.io import parse_column_types

    assert parse_column_types('{"dose, mg": "numeric"}') == {"dose, mg": "numeric"}
    assert parse_column_types("a=integer, b=boolean") == {"a": "integer", "b": "boolean"}
    with pytest.raises(ScienceError, match="not name=type"):
        parse_column_types("age")


def test_unknown_columns(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = ["--out", str(tmp_path / "r"), *TINY]
    assert "unknown column 'diagnosis'" in cli_error(
        capsys, ["train", "breast-cancer", "--label-column", "diagnosis", *out]
    )
    line = cli_error(capsys, ["train", "breast-cancer", "--column-types", "size=integer", *out])
    assert "--column-types" in line and "unknown column 'size'" in line
    assert "unknown type" in cli_error(capsys, ["train", "breast-cancer", "--column-types", "target=colour", *out])


def test_label_with_one_class(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame = _mixed_frame().assign(outcome="sick")
    line = cli_error(
        capsys, ["train", _csv(tmp_path, frame), "--label-column", "outcome", "--out", str(tmp_path / "r"), *TINY]
    )
    assert "one class" in line


def test_all_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame = _mixed_frame().assign(empty=np.nan)
    line = cli_error(capsys, ["train", _csv(tmp_path, frame), "--out", str(tmp_path / "r"), *TINY])
    assert "'empty'" in line and "all missing" in line


def test_constant_column_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "r"
    argv = ["train", _csv(tmp_path, _mixed_frame()), "--label-column", "outcome", "--steps", "5", "--out", str(run)]
    assert main([*argv, *TINY]) == 0
    assert "scigan train: warning: column 'site' holds a single value" in capsys.readouterr().err
    assert main(["sample", str(run), "-n", "32", "--out", str(tmp_path / "s.csv")]) == 0
    assert (pd.read_csv(tmp_path / "s.csv")["site"] == "Berlin").all()


def test_mixed_types_in_a_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame = _mixed_frame()
    frame["age"] = frame["age"].astype(object)
    frame.loc[4, "age"] = "unknown"
    path = _csv(tmp_path, frame)
    line = cli_error(capsys, ["train", path, "--out", str(tmp_path / "r"), *TINY])
    assert "'age' mixes numbers and text" in line and "--column-types age=categorical" in line
    with pytest.raises(ScienceError, match="cannot be read as integer"):
        load_table(path, column_types="age=integer")
    assert load_table(path, column_types="age=categorical").info["schema"]["age"] == "categorical"


def test_fewer_rows_than_the_batch(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = cli_error(
        capsys, ["train", _csv(tmp_path, _mixed_frame(40)), "--out", str(tmp_path / "r"), *TINY, "--batch-size", "64"]
    )
    assert "fewer than --batch-size" in line


def test_table_options_refused_for_images(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert "not of images data" in cli_error(
        capsys, ["train", "digits", "--label-column", "y", "--out", str(tmp_path / "r")]
    )


def test_train_on_a_dataframe_from_the_api(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import scigan

    frame = _mixed_frame().rename(columns={"dose": "dose, mg"})
    config = scigan.TrainConfig.from_flat(
        modality="tabular",
        label_column="outcome",
        column_types="age=categorical",
        steps=5,
        width=8,
        batch_size=32,
        z_dim=16,
        eval_every=0,
        progress=False,
    )
    with pytest.warns(UserWarning, match="'site'"):
        run, _ = scigan.train(config, str(tmp_path / "r"), table=frame, log=lambda s: None)
    assert (run.path / "data.parquet").is_file()
    assert json.loads(run.config.data_options.column_types)["age"] == "categorical"
    samples = scigan.sample(str(run.path), 40)
    assert list(samples.x.columns) == list(frame.columns) and samples.x["age"].dtype == np.int64
    scores = scigan.evaluate(str(run.path), log=lambda s: None)
    assert {"detection_auc", "utility_ratio", "worst_group"} <= set(scores)


@pytest.mark.slow
def test_umap_panel(tmp_path: Path) -> None:
    pytest.importorskip("umap")
    from scigan.report.embedding import plot_embedding

    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(60, 5)), rng.normal(size=(60, 5))
    path = plot_embedding(
        real,
        fake,
        tmp_path / "e.png",
        real_labels=np.arange(60) % 2,
        fake_labels=np.arange(60) % 2,
        class_names=["a", "b"],
        umap=True,
    )
    from PIL import Image

    assert Image.open(path).size[0] > 1400  # two panels


def test_sampled_modes_still_invert_exactly() -> None:
    data = load_table("breast-cancer")
    codec = TableCodec.fit(data, conditional=True, seed=0)
    sampled = codec.encode_frame(data.x, np.random.default_rng(1))
    assert not np.array_equal(sampled, codec.encode_frame(data.x))  # some values took another mode
    pd.testing.assert_frame_equal(codec.decode_frame(sampled, data.y), data.x)


# ---- CTGAN's conditional vector ----------------------------------------------------------
def _sampler(frame: pd.DataFrame, label: str = "outcome"):
    from scigan.modalities.tabular.conditions import ConditionSampler
    from scigan.modalities.tabular.modality import TabularModality

    data = TabularModality().load(frame, label_column=label)
    codec = TableCodec.fit(data, conditional=True, seed=0)
    codes, sizes, positions = codec.condition_codes(data.x)
    return data, codec, codes, ConditionSampler(codec.stored(data), codes, sizes, positions, data.y, data.num_classes)


def test_condition_sampler_draws_options_uniformly_and_categories_by_log_frequency() -> None:
    import torch

    frame = _mixed_frame(400)
    data, _, codes, sampler = _sampler(frame)
    assert codes.shape == (400, 2)  # stage (I, II, III, missing) and smoker; the label and the constant are not
    n = 40_000
    index, cond = sampler.draw(torch.Generator().manual_seed(0), n)
    assert cond.shape == (n, 2 + 4 + 2)
    label, mask = cond[:, :2].numpy(), cond[:, 2:].numpy()
    assert (label.argmax(1) == data.y[index.numpy()]).all()  # the label one-hot is the drawn row's
    asked = mask.sum(1)
    assert set(np.unique(asked)) == {0.0, 1.0}
    assert abs((asked == 0).mean() - 1 / 3) < 0.02  # 3 options: label, stage, smoker
    stage = mask[:, :4]
    rows = stage.sum(1) == 1
    # a row drawn for an asked category holds it
    assert (codes[index.numpy()[rows], 0] == stage[rows].argmax(1)).all()
    counts = np.bincount(codes[:, 0], minlength=4)
    expected = np.log1p(counts) / np.log1p(counts).sum()
    np.testing.assert_allclose(stage[rows].mean(0), expected, atol=0.02)
    # the missing stage, once in 400 rows, is asked for more than 10 times as often as it occurs
    assert counts.min() == 1 and stage[rows].mean(0)[counts.argmin()] > 10 / 400
    # the label option draws classes by log-frequency too (80 / 20 % in the data)
    label_only = asked == 0
    share = label[label_only, 1].mean()
    n_sick = int((data.y == 1).sum())
    assert abs(share - np.log1p(n_sick) / (np.log1p(n_sick) + np.log1p(400 - n_sick))) < 0.03


def test_condition_loss_rewards_the_asked_category() -> None:
    import torch

    from scigan.core.phases import ConditionLoss, StepContext

    positions = torch.tensor([1, 2, 3])
    asked = torch.tensor([[1.0, 0, 0, 0], [1.0, 0, 0, 1]])  # label one-hot (1 class) + a 3-category mask

    def loss(fake: torch.Tensor) -> float:
        ctx = StepContext(None, None, fake, None, torch.zeros(2, 1), asked, None, lambda x: x, False)
        ctx._fake = fake
        return float(ConditionLoss(positions)(ctx))

    right = torch.tensor([[0.5, 1.0, 0.0, 0.0], [0.5, 0.0, 0.0, 1.0]])
    wrong = torch.tensor([[0.5, 1.0, 0.0, 0.0], [0.5, 1.0, 0.0, 0.0]])
    assert loss(right) == pytest.approx(0.0, abs=1e-6)
    assert loss(wrong) > 5  # -log(1e-8) / 2 for the row that asked for the third category


def test_conditional_vector_run_trains_resumes_and_samples_by_label(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    straight, _ = assert_resume_is_exact(tmp_path, ["gbsg2", *TINY, "--eval-every", "0"], steps=20, stop=10)
    a = load_file(straight / "checkpoints" / "00000020" / "G.safetensors")
    # z 16 + the label's 2 + horTh 2, menostat 2, tgrade 3
    assert a["body.0.fc.weight"].shape[1] == 16 + 2 + 7
    logged = [json.loads(line) for line in (straight / "metrics.jsonl").read_text().splitlines()]
    assert any("G/cond" in entry for entry in logged)
    assert main(["sample", str(straight), "-n", "30", "--label", "1", "--out", str(tmp_path / "s.csv")]) == 0
    assert (pd.read_csv(tmp_path / "s.csv")["cens"] == 1).all()


def test_label_only_conditions_and_a_bad_choice(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from safetensors.torch import load_file

    run = tmp_path / "label"
    assert main(["train", "gbsg2", *TINY, "--steps", "5", "--condition-columns", "label", "--out", str(run)]) == 0
    assert load_file(run / "checkpoints" / "00000005" / "G.safetensors")["body.0.fc.weight"].shape[1] == 16 + 2
    assert "G/cond" not in (run / "metrics.jsonl").read_text()
    line = cli_error(capsys, ["train", "gbsg2", *TINY, "--condition-columns", "some", "--out", str(tmp_path / "x")])
    assert "--condition-columns must be all or label" in line


# ---- training previews -------------------------------------------------------------------
def test_training_preview_is_written_with_provenance(tmp_path: Path) -> None:
    from PIL import Image

    run = tmp_path / "r"
    argv = ["train", _csv(tmp_path, _mixed_frame()), "--label-column", "outcome", "--steps", "10"]
    assert main([*argv, "--sample-every", "5", "--out", str(run), *TINY]) == 0
    written = sorted(p.name for p in (run / "samples").iterdir())
    assert written == ["00000005.png", "00000010.png"]
    image = Image.open(run / "samples" / "00000010.png")
    assert image.text["scigan:synthetic"] == "true" and image.text["scigan:run"] == str(run)
    assert image.size[0] > 3 * image.size[1]  # the PCA panel and three marginals side by side


# ---- per-group scores ------------------------------------------------------------------------
def test_worst_group_skips_groups_too_small_to_trust() -> None:
    from scigan.metrics.fairness import MIN_TRUSTED_ROWS, worst_group

    groups = {
        "tiny": {"fidelity": 0.2, "n_real": 2},
        "big": {"fidelity": 0.8, "n_real": 50},
        "mid": {"fidelity": 0.7, "n_real": MIN_TRUSTED_ROWS},
    }
    worst = worst_group(groups, "fidelity", higher_is_better=True)
    assert worst["name"] == "mid" and worst["trusted"] and worst["small"] == ["tiny"]
    assert worst["gap"] == pytest.approx(0.1) and worst["n"] == MIN_TRUSTED_ROWS
    alone = worst_group(
        {"tiny": groups["tiny"], "tinier": {"fidelity": 0.5, "n_real": 1}}, "fidelity", higher_is_better=True
    )
    assert alone["name"] == "tiny" and not alone["trusted"]


def test_small_groups_are_scored_and_marked(tmp_path: Path) -> None:
    from scigan.modalities.base import split_holdout
    from scigan.modalities.tabular.metrics import TableScorer
    from scigan.modalities.tabular.modality import TabularModality

    frame = _mixed_frame(500).drop(columns="site")
    frame["outcome"] = np.where(np.arange(500) % 2, "healthy", "sick")  # about 24 held-out rows each
    frame.loc[:20, "outcome"] = "rare"  # 21 rows: 2 held out
    data = TabularModality().load(frame, label_column="outcome")
    train_split, holdout = split_holdout(data, 0.1, 0)
    codec = TableCodec.fit(train_split, conditional=True, seed=0)
    scorer = TableScorer(train_split, holdout, codec, log=lambda s: None)
    scores = scorer.full(train_split.x, None)  # real training rows as the "synthetic" ones
    rare = scores["per_group"]["rare"]
    assert rare["n_real"] == 2 and not rare["trusted"] and rare["fidelity"] is not None
    assert scores["worst_group"]["name"] != "rare" and scores["worst_group"]["small"] == ["rare"]
    assert all(g["trusted"] for name, g in scores["per_group"].items() if name != "rare")
