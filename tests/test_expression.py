"""Expression: reading (.h5ad, CSV), the counts codec and LSN layer, the CLI end to end
with .h5ad output, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

ad = pytest.importorskip("anndata")
pd = pytest.importorskip("pandas")

from helpers import assert_resume_is_exact, cli_error  # noqa: E402
from scigan.cli import main  # noqa: E402
from scigan.modalities.expression.codec import PUBLIC_LIBRARY, ExpressionCodec  # noqa: E402
from scigan.modalities.expression.io import load_expression  # noqa: E402

TINY = [
    "--width",
    "4",
    "--batch-size",
    "16",
    "--z-dim",
    "8",
    "--eval-every",
    "5",
    "--eval-n",
    "64",
    "--checkpoint-every",
    "5",
    "--log-every",
    "5",
    "--n-critic",
    "1",
    "--quiet",
]


def _counts(cells: int = 80, genes: int = 30, seed: int = 0) -> ad.AnnData:
    """Poisson counts of two cell types with different mean profiles."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 2, cells)
    rates = np.where(kind[:, None] == 0, rng.gamma(2, 1, genes)[None], rng.gamma(2, 2, genes)[None])
    x = rng.poisson(rates * rng.uniform(0.5, 2, (cells, 1))).astype(np.float32)
    obs = pd.DataFrame({"cell_type": np.array(["B", "T"])[kind]}, index=[f"c{i}" for i in range(cells)])
    return ad.AnnData(X=x, obs=obs, var=pd.DataFrame(index=[f"G{i}" for i in range(genes)]))


def _h5ad(tmp_path: Path, adata: ad.AnnData, name: str = "cells.h5ad") -> str:
    path = tmp_path / name
    adata.write_h5ad(path)
    return str(path)


def test_counts_are_detected_and_the_codec_inverts_them(tmp_path: Path) -> None:
    data = load_expression(_h5ad(tmp_path, _counts()), label_column="cell_type")
    assert data.info["values"] == "counts" and data.class_names == ["B", "T"]
    codec = ExpressionCodec.fit(data)
    m = codec.encode_matrix(data.x)
    assert m.shape == (80, 31)
    np.testing.assert_array_equal(codec.decode_matrix(m), data.x)
    codec.save(tmp_path)
    assert ExpressionCodec.load(tmp_path).__dict__ == codec.__dict__


def test_library_size_layer() -> None:
    import torch

    from scigan.modalities.expression.networks import build

    G, D = build(8, 30, 2, 4, 1000.0, True)
    out = G(torch.randn(16, 8), torch.arange(16) % 2)
    assert out.shape == (16, 31)
    assert torch.allclose(torch.expm1(out[:, :30]).sum(1), torch.full((16,), 1000.0), rtol=1e-4)
    assert D(out, torch.arange(16) % 2).shape == (16,)


def test_a_loaded_matrix_saves_as_h5ad(tmp_path: Path) -> None:
    from scigan.modalities.expression.modality import ExpressionModality

    modality = ExpressionModality()
    data = modality.load(_h5ad(tmp_path, _counts()), label_column="cell_type")
    modality.save(data.subset(np.arange(10)), tmp_path / "ten.h5ad")
    back = ad.read_h5ad(tmp_path / "ten.h5ad")
    assert back.shape == (10, 30) and not back.uns["scigan"]["synthetic"]
    np.testing.assert_array_equal(back.X, data.x[:10])


def test_pbmc68k_uses_raw() -> None:
    pytest.importorskip("scanpy")
    data = load_expression("pbmc68k")
    assert data.x.shape == (700, 765) and len(data.class_names) == 10
    assert data.info["values"] == "log" and data.x.min() >= 0 and ".raw" in data.info["note"]
    # .raw is log1p(counts · size factor), stored with three decimals: the codec sees it
    codec = ExpressionCodec.fit(data)
    assert codec.quantised and codec.width == 766
    np.testing.assert_allclose(codec.decode_matrix(codec.encode_matrix(data.x)), data.x, atol=2e-3)


def _log_normalised(adata: ad.AnnData) -> ad.AnnData:
    """scanpy's normalize_total(target 1e4) + log1p of counts, computed over all genes."""
    x = np.log1p(adata.X / adata.X.sum(1, keepdims=True) * 1e4)
    return ad.AnnData(X=x.astype(np.float32), obs=adata.obs, var=adata.var)


def test_log_normalised_counts_are_quantised(tmp_path: Path) -> None:
    from scigan.modalities.expression.codec import size_factors

    counts = _counts()
    data = load_expression(_h5ad(tmp_path, _log_normalised(counts)), label_column="cell_type")
    assert data.info["values"] == "log"
    s = size_factors(data.x)
    np.testing.assert_allclose(s, 1e4 / counts.X.sum(1), rtol=1e-4)
    codec = ExpressionCodec.fit(data)
    assert codec.quantised and codec.width == 31
    np.testing.assert_allclose(codec.decode_matrix(codec.encode_matrix(data.x)), data.x, atol=1e-5)
    codec.save(tmp_path)
    assert ExpressionCodec.load(tmp_path).__dict__ == codec.__dict__
    # fractions that are not whole multiples of a cell's smallest value stay plain log values
    noisy = data.x + np.where(data.x > 0, np.random.default_rng(0).uniform(0.05, 0.3, data.x.shape), 0)
    assert size_factors(noisy) is None


def test_quantised_generator_output_is_on_the_grid() -> None:
    import torch

    from scigan.modalities.expression.networks import build

    G, D = build(8, 30, 2, 4, 0.0, False, (1.0, 0.2))
    z = torch.randn(16, 8, requires_grad=True)
    out = G(z, torch.arange(16) % 2)
    assert out.shape == (16, 31) and D(out, torch.arange(16) % 2).shape == (16,)
    s = torch.exp(out[:, -1:] * 0.2 + 1.0)
    k = torch.expm1(out[:, :-1]) / s
    torch.testing.assert_close(k, torch.round(k), atol=1e-3, rtol=0)
    out.sum().backward()  # the rounding passes gradients straight through
    assert z.grad is not None and z.grad.abs().sum() > 0


def test_detection_is_averaged_over_disjoint_slices() -> None:
    from scigan.metrics.detection import detection_auc, mean_detection

    rng = np.random.default_rng(0)
    real, same, shifted = rng.normal(size=(40, 5)), rng.normal(size=(120, 5)), rng.normal(2, 1, size=(80, 5))
    assert mean_detection(real, shifted, 0) > 0.9
    averaged = mean_detection(real, same, 0)
    assert abs(averaged - 0.5) < 0.15
    # three slices of 40: the mean of the three AUCs, each slice balanced against the 40
    slices = [detection_auc(real, same[i * 40 : (i + 1) * 40], seed=i) for i in range(3)]
    assert averaged == pytest.approx(np.mean(slices))
    assert mean_detection(real, same[:50], 0) == detection_auc(real, same[:50], seed=0)


def test_close_share_tells_copies_from_fresh_draws() -> None:
    from scigan.metrics.privacy import close_share

    rng = np.random.default_rng(0)
    train = rng.normal(size=(300, 5))
    assert abs(close_share(rng.normal(size=(1000, 5)), train) - 0.5) < 0.1
    assert close_share(train + 1e-3, train) == 1.0


def test_checkpoint_choice_penalises_copied_training_cells(tmp_path: Path) -> None:
    from scigan.modalities.base import split_holdout
    from scigan.modalities.expression.metrics import ExpressionScorer

    train, holdout = split_holdout(load_expression(_h5ad(tmp_path, _counts(400)), label_column="cell_type"), 0.2, 0)
    scorer = ExpressionScorer(train, holdout, ExpressionCodec.fit(train), log=lambda _: None)
    copied = scorer.quick(train.x)
    fresh = scorer.quick(_counts(400, seed=1).X)
    assert copied["fd_train"] < fresh["fd_train"]  # copying wins on FD against the training cells...
    assert copied["close_share"] == 1.0 and fresh["close_share"] < 0.75
    assert copied["fd_copy_penalised"] == pytest.approx(2 * copied["fd_train"])  # ...and pays for it
    assert fresh["fd_copy_penalised"] == pytest.approx(fresh["fd_train"] * max(1, 2 * fresh["close_share"]))


def test_resume_keeps_the_checkpoint_choice(tmp_path: Path) -> None:
    straight, resumed = assert_resume_is_exact(
        tmp_path, [_h5ad(tmp_path, _counts()), "--label-column", "cell_type", *TINY], steps=20, stop=10
    )
    state = [json.loads((run / "checkpoints" / "best" / "state.json").read_text()) for run in (straight, resumed)]
    assert state[0]["best_step"] == state[1]["best_step"] and state[0]["best_score"] == state[1]["best_score"]


def test_train_sample_evaluate_counts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path, run = _h5ad(tmp_path, _counts()), tmp_path / "run"
    assert main(["train", path, "--label-column", "cell_type", "--steps", "10", "--out", str(run), *TINY]) == 0
    assert main(["sample", str(run), "-n", "12", "--out", str(tmp_path / "s.h5ad")]) == 0
    synthetic = ad.read_h5ad(tmp_path / "s.h5ad")
    assert synthetic.shape == (12, 30) and list(synthetic.var_names) == [f"G{i}" for i in range(30)]
    assert set(synthetic.obs["cell_type"]) == {"B", "T"}
    assert synthetic.uns["scigan"]["synthetic"] and synthetic.uns["scigan"]["values"] == "counts"
    assert np.array_equal(synthetic.X, np.round(synthetic.X)) and synthetic.X.min() >= 0
    assert main(["sample", str(run), "-n", "6", "--label", "T", "--out", str(tmp_path / "s.csv")]) == 0
    table = pd.read_csv(tmp_path / "s.csv", index_col=0)
    assert list(table.columns[:30]) == [f"G{i}" for i in range(30)] and (table["cell_type"] == "T").all()
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in (
        "detection_auc",
        "detection_auc_real",
        "utility_ratio",
        "dcr_closer_to_train_share",
        "mia_auc",
        "worst_group",
        "gene_mean_r",
        "gene_var_r",
        "corr_of_corr",
        "mmd",
        "fd",
        "fd_real_floor",
    ):
        assert key in scores, key
    assert (run / "report" / "embedding.png").is_file()


def test_pbmc68k_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("scanpy")
    run = tmp_path / "pbmc"
    assert (
        main(["train", "pbmc68k", "--conditional", "--steps", "3", "--out", str(run), *TINY, "--eval-every", "0"]) == 0
    )
    assert main(["sample", str(run), "-n", "20", "--out", str(tmp_path / "p.h5ad")]) == 0
    synthetic = ad.read_h5ad(tmp_path / "p.h5ad")
    assert synthetic.shape == (20, 765) and "bulk_labels" in synthetic.obs


def test_non_numeric_values_in_a_matrix(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame = pd.DataFrame(_counts().X, columns=[f"G{i}" for i in range(30)]).astype(object)
    frame.iloc[4, 2] = "high"
    frame.to_csv(tmp_path / "m.csv")
    line = cli_error(
        capsys, ["train", str(tmp_path / "m.csv"), "--modality", "expression", "--out", str(tmp_path / "r"), *TINY]
    )
    assert "'G2'" in line and "not a number" in line


def test_negative_counts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    adata = _counts()
    adata.X[3, 3] = -2
    line = cli_error(
        capsys, ["train", _h5ad(tmp_path, adata), "--values", "counts", "--out", str(tmp_path / "r"), *TINY]
    )
    assert "negative" in line


def test_fractions_declared_as_counts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    adata = _counts()
    adata.X = np.log1p(adata.X)
    line = cli_error(
        capsys, ["train", _h5ad(tmp_path, adata), "--values", "counts", "--out", str(tmp_path / "r"), *TINY]
    )
    assert "--values log" in line


def test_missing_obs_key(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = cli_error(
        capsys, ["train", _h5ad(tmp_path, _counts()), "--label-column", "celltype", "--out", str(tmp_path / "r"), *TINY]
    )
    assert "'celltype' is not an obs key" in line and "cell_type" in line


def test_duplicated_gene_names(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    adata = _counts()
    adata.var_names = ["G0", "G0", *[f"G{i}" for i in range(2, 30)]]
    line = cli_error(capsys, ["train", _h5ad(tmp_path, adata), "--out", str(tmp_path / "r"), *TINY])
    assert "'G0' appears twice" in line


def test_one_cell_type(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    adata = _counts()
    adata.obs["cell_type"] = "B"
    line = cli_error(
        capsys, ["train", _h5ad(tmp_path, adata), "--label-column", "cell_type", "--out", str(tmp_path / "r"), *TINY]
    )
    assert "one class" in line


def test_fewer_cells_than_the_batch(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = cli_error(
        capsys, ["train", _h5ad(tmp_path, _counts(cells=20)), "--out", str(tmp_path / "r"), *TINY, "--batch-size", "32"]
    )
    assert "fewer than --batch-size" in line


def test_a_private_codec_reads_nothing_from_the_cells(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("opacus")
    path = _h5ad(tmp_path, _counts())
    dp = ["--dp-epsilon", "5", "--steps", "2", "--eval-every", "0", "--sample-every", "0", *TINY]
    line = cli_error(capsys, ["train", path, *dp, "--out", str(tmp_path / "auto")])
    assert "--values counts or --values log" in line
    run = tmp_path / "dp"
    assert main(["train", path, "--values", "counts", *dp, "--out", str(run)]) == 0
    codec = json.loads((run / "codec.json").read_text())
    assert codec["library"] == PUBLIC_LIBRARY and codec["log_lib_mean"] == pytest.approx(np.log(PUBLIC_LIBRARY))
