"""The molecules kind: reading (SMILES, CSV, SDF, built-ins), MolGAN's graphs, its
networks and reward, and the command line end to end (train, sample as SDF read back by
RDKit, evaluate, report); resume is exact; bad input exits 2 with one line."""

import importlib.util
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import assert_resume_is_exact, assert_same_weights, cli_error
from scigan.cli import main
from scigan.errors import ScienceError

pytest.importorskip("rdkit")
if importlib.util.find_spec("qm9pack") is None:
    pytest.skip("qm9pack is not installed", allow_module_level=True)
from rdkit import Chem

from scigan.modalities.molecules.codec import GraphCodec
from scigan.modalities.molecules.graph import atom_types_of, check_fits, from_graph, to_graph
from scigan.modalities.molecules.io import load_molecules, save_molecules
from scigan.modalities.molecules.networks import GraphCritic, GraphGenerator

#: A tiny, quick qm9 run: 600 molecules, small networks.
TINY = [
    "--subset",
    "600",
    "--width",
    "8",
    "--batch-size",
    "32",
    "--z-dim",
    "16",
    "--eval-every",
    "10",
    "--eval-n",
    "100",
    "--sample-every",
    "10",
    "--checkpoint-every",
    "10",
    "--log-every",
    "5",
    "--quiet",
]

DRUGS = ["CC(=O)Oc1ccccc1C(=O)O", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C", "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "c1ccccc1O"]


def smi(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_reading_canonicalises_cuts_salts_and_drops_duplicates() -> None:
    data = load_molecules(["OCC", "CCO", "CC(=O)[O-].[Na+]", "c1ccccc1"])
    assert list(data.x) == ["CCO", "CC(=O)[O-]", "c1ccccc1"]
    assert data.info["n_duplicates"] == 1 and data.info["n_fragments_cut"] == 1
    assert data.modality == "molecules" and data.y is None


def test_invalid_smiles_are_dropped_or_refused_with_line_numbers(tmp_path: Path) -> None:
    good = [f"C{'C' * i}O" for i in range(40)]
    with pytest.warns(UserWarning, match="line 3"):
        data = load_molecules(smi(tmp_path / "a.smi", [*good[:2], "C1CC", *good[2:]]))
    assert len(data) == 40 and data.info["n_invalid"] == 1
    with pytest.raises(ScienceError, match=r"3 of 6 records .*line 2, line 4, line 6.*--max-invalid"):
        load_molecules(smi(tmp_path / "b.smi", ["CCO", "C(", "CCN", "xyz", "CCC", "C1CC"]))
    with pytest.raises(ScienceError, match="empty"):
        load_molecules(smi(tmp_path / "c.smi", [""]))


def test_csv_columns_labels_and_property_bins(tmp_path: Path) -> None:
    rows = ["name,SMILES,kind,logp", *(f"m{i},{'C' * (i + 1)}O,{'ab'[i % 2]},{i / 3}" for i in range(30))]
    path = smi(tmp_path / "t.csv", rows)
    data = load_molecules(path, label_column="kind")
    assert data.class_names == ["a", "b"] and np.bincount(data.y).tolist() == [15, 15]
    binned = load_molecules(path, label_column="logp", property_bins=3)
    assert len(binned.class_names) == 3 and np.bincount(binned.y).min() >= 9
    with pytest.raises(ScienceError, match=r"--smiles-column 'smile'.*its columns: name, SMILES"):
        load_molecules(path, smiles_column="smile")
    with pytest.raises(ScienceError, match="--property-bins"):
        load_molecules(path, label_column="logp")


def test_sdf_round_trip_and_broken_record(tmp_path: Path) -> None:
    out = tmp_path / "m.sdf"
    assert save_molecules([*DRUGS, ""], out, header={"run": "r", "step": "5"}) == 4
    mols = [m for m in Chem.SDMolSupplier(str(out))]
    assert len(mols) == 4 and all(m.GetProp("synthetic") == "true" and m.GetProp("step") == "5" for m in mols)
    assert set(load_molecules(out).x) == {Chem.CanonSmiles(s) for s in DRUGS}
    with pytest.raises(ScienceError, match="already exists"):
        save_molecules(DRUGS, out)
    broken = out.read_text().replace("M  END", "M  XX", 1)  # one damaged connection table
    (tmp_path / "broken.sdf").write_text(broken)
    with pytest.raises(ScienceError, match="record 1"):
        load_molecules(tmp_path / "broken.sdf")


def test_csv_output_has_properties_and_marks(tmp_path: Path) -> None:
    import pandas as pd

    out = tmp_path / "m.csv"
    save_molecules(DRUGS, out, header={"run": "r1", "step": "7"})
    table = pd.read_csv(out)
    assert {"smiles", "qed", "logp", "sa", "mw", "synthetic", "run", "step"} <= set(table.columns)
    assert table["qed"].between(0, 1).all() and (table["mw"] > 90).all()


def test_graphs_round_trip_real_molecules_and_refuse_what_does_not_fit() -> None:
    data = load_molecules("qm9", subset=400)
    smiles = list(data.x)
    types = atom_types_of(smiles)
    assert types[:3] == ["C", "O", "N"] or types[:3] == ["C", "N", "O"]
    rows = to_graph(smiles, types, 9)
    back = [from_graph(r[:9], r[9:].reshape(9, 9), types) for r in rows]
    assert back == smiles
    assert (rows[:, 9:].reshape(-1, 9, 9) == rows[:, 9:].reshape(-1, 9, 9).transpose(0, 2, 1)).all()
    with pytest.raises(ScienceError, match=r"atom type Cl.*latentgan"):
        check_fits(["CCCl"], ["C", "O"], 9, "x.smi")
    with pytest.raises(ScienceError, match=r"12 heavy atoms.*--max-atoms"):
        check_fits(["C" * 12], ["C"], 9, "x.smi")
    assert from_graph(np.array([1, 1, 0]), np.zeros((3, 3), np.int8), ["C"]) == ""  # two pieces
    five = np.zeros((2, 2), np.int8)
    five[0, 1] = five[1, 0] = 3
    assert from_graph(np.array([2, 2]), five, ["C", "F"]) == ""  # F#F breaks valence


def test_codec_encodes_one_hot_and_decodes_back() -> None:
    smiles = ["CCO", "c1ccoc1", "N#CC(=O)N"]
    codec = GraphCodec(["C", "N", "O"], 6)
    stored = torch.from_numpy(codec.stored(load_molecules(smiles)))
    z = codec.encode(stored)
    assert z.shape == (3, codec.width) and codec.width == 6 * 4 + 4 * 36
    nodes, bonds = codec.split(z)
    assert torch.all(nodes.sum(-1) == 1) and torch.all(bonds.sum(1) == 1)
    assert list(codec.decode(z)) == [Chem.CanonSmiles(s) for s in smiles]


@pytest.mark.parametrize("relaxation", ["softmax", "gumbel", "straight"])
def test_generator_is_symmetric_and_follows_z(relaxation: str) -> None:
    torch.manual_seed(0)
    G = GraphGenerator(8, 5, 4, 4, 2, 8, relaxation=relaxation)
    D = GraphCritic(5, 4, 4, 2, 8, reward=True)
    z, y = torch.randn(6, 8), torch.tensor([0, 1, 0, 1, 0, 1])
    out = G(z, y)
    codec = GraphCodec(["C", "N", "O"], 5)
    nodes, bonds = codec.split(out)
    assert torch.allclose(bonds, bonds.transpose(2, 3)) and torch.allclose(nodes.sum(-1), torch.ones(6, 5))
    assert torch.equal(G(z, y), out)  # the Gumbel noise is a function of z
    if relaxation == "straight":
        assert torch.allclose(nodes, nodes.round(), atol=1e-6)  # one-hot forward
    assert D(out, y).shape == (6,) and D.reward(out).shape == (6,)
    D(out, y).sum().backward()
    assert G.nodes.weight.grad is not None and G.nodes.weight.grad.abs().sum() > 0


def test_qm9_molgan_trains_samples_evaluates_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "qm9run"
    assert main(["train", "qm9", "--steps", "30", "--out", str(run), *TINY]) == 0
    doc = tomllib.loads((run / "config.toml").read_text())
    assert doc["train"]["model"] == "molgan" and doc["train"]["loss"] == "wgan"
    assert doc["data"]["codec"] == "graph" and doc["data"]["max_atoms"] == 9
    assert doc["molecules"]["atom_types"].startswith("C,")
    assert any((run / "samples").glob("*.png")) and (run / "checkpoints" / "best").is_dir()

    out = tmp_path / "mols.sdf"
    assert main(["sample", str(run), "-n", "200", "--out", str(out)]) == 0
    mols = [m for m in Chem.SDMolSupplier(str(out)) if m is not None]
    assert 0 < len(mols) <= 200 and all(m.GetProp("synthetic") == "true" for m in mols)
    assert mols[0].GetProp("run") == "qm9run"

    capsys.readouterr()
    assert main(["evaluate", str(run), "--json", "--n", "300"]) == 0
    scores = json.loads(capsys.readouterr().out)
    for key in ("validity", "uniqueness", "novelty", "int_div", "fcd", "fcd_real_floor", "snn", "frag", "scaf"):
        assert key in scores, key
    for key in ("filters", "qed_w", "sa_w", "logp_w", "mw_w"):
        assert key in scores, key
    assert 0 <= scores["validity"] <= 1 and scores["fcd_real_floor"] < scores["fcd_untrained"]
    assert main(["report", str(run)]) == 0
    html = (run / "report.html").read_text()
    assert "molecules.png" in html


def test_resume_is_bit_exact(tmp_path: Path) -> None:
    assert_resume_is_exact(tmp_path, ["qm9", *TINY, "--eval-every", "0"], steps=20, stop=10)


def test_reward_runs_and_unknown_reward_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "qed"
    assert main(["train", "qm9", "--steps", "6", "--reward", "qed", "--out", str(run), *TINY]) == 0
    log = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert any("D/reward_fit" in r for r in log) and any("G/reward" in r for r in log)
    line = cli_error(capsys, ["train", "qm9", "--reward", "potency", "--out", str(tmp_path / "x"), *TINY])
    assert "--reward 'potency'" in line and "TPSA" in line


def test_bad_molecule_inputs_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = smi(tmp_path / "bad.smi", ["CCO", "C1CC", "CC(", "CCN"])
    assert "--max-invalid" in cli_error(capsys, ["train", str(bad), "--out", str(tmp_path / "a"), *TINY])
    empty = smi(tmp_path / "empty.smi", [""])
    assert "empty" in cli_error(capsys, ["train", str(empty), "--out", str(tmp_path / "b"), *TINY])
    big = smi(tmp_path / "big.smi", [*(("C" * 25) + "O" * k for k in range(40))])
    line = cli_error(capsys, ["train", str(big), "--model", "molgan", "--out", str(tmp_path / "c"), *TINY])
    assert "heavy atoms" in line and "latentgan" in line
    fluoro = smi(tmp_path / "f.smi", [f"{'C' * k}F" for k in range(1, 40)])
    flags = ["--model", "molgan", "--max-atoms", "40", "--atom-types", "C,N,O"]
    line = cli_error(capsys, ["train", str(fluoro), *flags, "--out", str(tmp_path / "e"), *TINY])
    assert "atom type F" in line and "--atom-types" in line
    save_molecules(DRUGS, tmp_path / "ok.sdf", synthetic=False)
    (tmp_path / "broken.sdf").write_text((tmp_path / "ok.sdf").read_text().replace("M  END", "M  XX", 1))
    assert "record 1" in cli_error(capsys, ["train", str(tmp_path / "broken.sdf"), "--out", str(tmp_path / "f"), *TINY])
    table = smi(tmp_path / "t.csv", ["name,smi2", "a,CCO"])
    line = cli_error(capsys, ["train", str(table), "--modality", "molecules", "--out", str(tmp_path / "d"), *TINY])
    assert "--smiles-column" in line


def test_user_smiles_file_trains(tmp_path: Path) -> None:
    data = load_molecules("qm9", subset=300)
    path = smi(tmp_path / "mine.smi", [f"{s}\tmol{i}" for i, s in enumerate(data.x)])
    run = tmp_path / "mine"
    assert main(["train", str(path), "--steps", "5", "--out", str(run), *TINY]) == 0
    doc = tomllib.loads((run / "config.toml").read_text())
    assert doc["data"]["modality"] == "molecules" and doc["train"]["model"] == "molgan"


#: A tiny LatentGAN: a small autoencoder trained 40 steps, then the latent GAN.
LATENT = ["--model", "latentgan", "--ae-steps", "40", "--ae-minutes", "0", "--ae-hidden", "32", "--latent-dim", "16"]


def test_latentgan_trains_on_a_smiles_file_samples_and_resumes_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = smi(tmp_path / "drugs.smi", list(load_molecules("qm9", subset=400).x))
    run = tmp_path / "latent"
    assert main(["train", str(path), "--steps", "20", "--out", str(run), *LATENT, *TINY]) == 0
    doc = tomllib.loads((run / "config.toml").read_text())
    assert doc["train"]["model"] == "latentgan" and doc["data"]["codec"] == "latent"
    assert doc["data"]["latent_dim"] == 16 and doc["data"]["steps"] == 40
    assert (run / "autoencoder.safetensors").is_file() and (run / "autoencoder.json").is_file()
    out = tmp_path / "drawn.smi"
    assert main(["sample", str(run), "-n", "100", "--out", str(out)]) == 0
    lines = out.read_text().splitlines() if out.exists() else []
    assert all("synthetic=true" in line and "run=latent" in line for line in lines)
    assert all(Chem.MolFromSmiles(line.split()[0]) is not None for line in lines)
    capsys.readouterr()
    assert main(["evaluate", str(run), "--json", "--n", "100"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert {"validity", "uniqueness", "fcd", "fcd_real_floor"} <= set(scores)
    argv = ["train", str(path), *LATENT, *TINY, "--eval-every", "0"]
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert main([*argv, "--steps", "20", "--out", str(straight)]) == 0
    assert main([*argv, "--steps", "10", "--out", str(resumed)]) == 0
    before = (resumed / "autoencoder.safetensors").read_bytes()
    assert main([*argv, "--steps", "20", "--out", str(resumed), "--resume"]) == 0
    assert (resumed / "autoencoder.safetensors").read_bytes() == before  # the run's own autoencoder goes on
    assert_same_weights(straight, resumed)


def test_conditional_on_a_binned_property(tmp_path: Path) -> None:
    run = tmp_path / "gap"
    flags = ["--label-column", "HOMO_LUMO_gap_au", "--property-bins", "2", "--steps", "5"]
    assert main(["train", "qm9", *flags, "--out", str(run), *TINY]) == 0
    names = tomllib.loads((run / "config.toml").read_text())["data"]["class_names"]
    assert len(names) == 2 and names[0].startswith("[")
    out = tmp_path / "low.csv"
    assert main(["sample", str(run), "-n", "50", "--label", names[0], "--out", str(out)]) == 0
    import pandas as pd

    drawn = pd.read_csv(out) if out.stat().st_size else pd.DataFrame(columns=["label"])
    assert (drawn["label"] == names[0]).all()
