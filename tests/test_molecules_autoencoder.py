"""LatentGAN's SMILES tokenizer, vocabulary, randomized SMILES and autoencoder.

The autoencoder tests train tiny models (widths 16-64) for a few hundred steps on 50
molecules of the MOSES training set, read from molsets' bundled file when installed.
"""

from __future__ import annotations

import gzip
import importlib.util
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from scigan.errors import ScienceError

pytest.importorskip("rdkit")

from scigan.modalities.molecules.autoencoder import SmilesAutoencoder, decode_latents, encode_smiles
from scigan.modalities.molecules.autoencoder_files import CONFIG_FILE, WEIGHTS_FILE, load_autoencoder, save_autoencoder
from scigan.modalities.molecules.autoencoder_training import train_autoencoder
from scigan.modalities.molecules.chem import canonical
from scigan.modalities.molecules.smiles_vocab import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
    SmilesVocab,
    randomized_smiles,
    tokenize,
)

TRICKY = [
    "CC(C)(C)C(=O)C(Oc1ccc(Cl)cc1)n1ccnc1",
    "Brc1ccc2[nH]ccc2c1",
    "C[C@@H](N)C(=O)O",
    "N[C@H](Cc1c[nH]c2ccccc12)C(=O)[O-]",
    "C1CC2CC3CC4CC5CC6CC7CC8CC9CC%10CCC%10C9C8C7C6C5C4C3C2C1",
    "F/C=C/Cl",
]

TINY = {"embed_dim": 16, "hidden_dim": 64, "latent_dim": 32, "batch_size": 16, "lr": 5e-3}


def _moses_smiles(n: int) -> list[str]:
    """The first ``n`` SMILES of molsets' bundled MOSES training set (skip when absent)."""
    spec = importlib.util.find_spec("moses")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("molsets (moses) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "dataset" / "data" / "train.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with gzip.open(path, "rt") as f:
        header = f.readline().strip().split(",")
        column = header.index("SMILES") if "SMILES" in header else 0
        return [line.strip().split(",")[column] for line in itertools.islice(f, n)]


@pytest.fixture(scope="module")
def moses50() -> list[str]:
    return _moses_smiles(50)


@pytest.fixture(scope="module")
def trained(moses50: list[str]) -> tuple[SmilesAutoencoder, SmilesVocab, dict, list[str]]:
    """A tiny autoencoder trained 250 steps on 50 molecules (canonical inputs), and its log."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # restored below: later tests compare with runs in subprocesses
    lines: list[str] = []
    try:
        model, vocab, stats = train_autoencoder(
            moses50, steps=250, seed=0, randomize=False, device="cpu", log=lines.append, log_every=50, **TINY
        )
    finally:
        torch.set_num_threads(before)
    return model, vocab, stats, lines


def test_tokenizer_round_trip() -> None:
    for s in TRICKY:
        tokens = tokenize(s)
        assert "".join(tokens) == s
    assert tokenize("Brc1ccc2[nH]ccc2c1")[:2] == ["Br", "c"]
    assert "Cl" in tokenize(TRICKY[0]) and "l" not in tokenize(TRICKY[0])
    assert "[C@@H]" in tokenize(TRICKY[2])
    assert "[nH]" in tokenize(TRICKY[3]) and "[O-]" in tokenize(TRICKY[3])
    assert tokenize(TRICKY[4]).count("%10") == 2
    assert tokenize("CC.O") == ["C", "C", ".", "O"]


def test_vocab_encode_decode_round_trip() -> None:
    vocab = SmilesVocab.build(TRICKY)
    assert vocab.tokens[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert vocab.max_tokens == max(len(tokenize(s)) for s in TRICKY)
    ids = vocab.encode(TRICKY, vocab.max_tokens)
    assert ids.dtype == np.int64 and ids.shape == (len(TRICKY), vocab.max_tokens + 2)
    assert (ids[:, 0] == BOS_ID).all()
    for row, s in zip(ids, TRICKY):
        n = len(tokenize(s))
        assert row[n + 1] == EOS_ID and (row[n + 2 :] == PAD_ID).all() and (row[1 : n + 1] > UNK_ID).all()
    assert vocab.decode(ids) == TRICKY
    assert vocab.decode(torch.from_numpy(ids)) == TRICKY

    # decoding stops at <eos> and writes no special token; encoding maps unknown tokens to <unk>
    junk = np.array([[BOS_ID, vocab.index["C"], UNK_ID, PAD_ID, vocab.index["O"], EOS_ID, vocab.index["N"]]])
    assert vocab.decode(junk) == ["CO"]
    unknown = vocab.encode(["C[Se]C"])
    assert unknown.tolist() == [[BOS_ID, vocab.index["C"], UNK_ID, vocab.index["C"], EOS_ID]]
    assert vocab.decode(unknown) == ["CC"] and not vocab.covers("C[Se]C")
    with pytest.raises(ScienceError, match="more than the 3"):
        vocab.encode(["CCCC"], 3)

    again = SmilesVocab.from_json(json.loads(json.dumps(vocab.to_json())))
    assert again == vocab and again.encode(TRICKY).tolist() == ids.tolist()
    with pytest.raises(ScienceError):
        SmilesVocab.from_json({"format": "scigan-smiles-vocab", "tokens": ["C", "O"], "max_tokens": 3})

    # for randomized training, the tokens a random atom order can add are in the vocabulary
    randomized = SmilesVocab.build(TRICKY, randomized=True)
    assert {"[C@H]", "[C@@H]", "9", "/", "\\"} <= set(randomized.tokens)
    assert randomized.max_tokens == vocab.max_tokens


def test_randomized_smiles_same_molecule_and_reproducible(moses50: list[str]) -> None:
    mols = [*TRICKY, *moses50[:10]]
    first = [randomized_smiles(s, np.random.default_rng(7)) for s in mols]
    again = [randomized_smiles(s, np.random.default_rng(7)) for s in mols]
    other = [randomized_smiles(s, np.random.default_rng(8)) for s in mols]
    assert first == again
    assert first != other
    assert sum(r != canonical(s) for r, s in zip(first, mols)) >= len(mols) // 2
    for variants in (first, other):
        assert [canonical(r) for r in variants] == [canonical(s) for s in mols]
    rng = np.random.default_rng(0)
    assert len({randomized_smiles(TRICKY[0], rng) for _ in range(20)}) > 5
    with pytest.raises(ScienceError, match="not a valid molecule"):
        randomized_smiles("C1CC", rng)


def test_autoencoder_shapes() -> None:
    torch.manual_seed(0)
    vocab = SmilesVocab.build(TRICKY)
    model = SmilesAutoencoder(len(vocab), embed_dim=8, hidden_dim=16, layers=2, latent_dim=4)
    ids = torch.from_numpy(vocab.encode(TRICKY))
    z = model.encode(ids)
    assert z.shape == (len(TRICKY), 4) and float(z.detach().abs().max()) <= 1
    assert model(ids).shape == (len(TRICKY), ids.shape[1] - 1, len(vocab))
    out = model.decode_greedy(z, 7)
    assert out.shape == (len(TRICKY), 7) and out.dtype == torch.long
    assert not torch.isin(out, torch.tensor([BOS_ID, UNK_ID])).any()
    # the encoding of a molecule does not depend on the padding its batch needs
    alone = model.encode(torch.from_numpy(vocab.encode(TRICKY[2:3])))
    torch.testing.assert_close(alone, z[2:3], rtol=1e-5, atol=1e-6)
    # latent noise only in training mode
    model.eval()
    torch.testing.assert_close(model.add_noise(z), z)
    model.train()
    assert not torch.equal(model.add_noise(z), z)
    with pytest.raises(ScienceError):
        SmilesAutoencoder(len(vocab), hidden_dim=0)


def test_training_lowers_loss_and_reconstructs(trained: tuple, moses50: list[str]) -> None:
    model, vocab, stats, lines = trained
    assert stats["steps"] == 250 and stats["train"] + stats["held_out"] == 50 and stats["held_out"] >= 1
    assert stats["loss"] < 0.5 * stats["first_loss"]
    assert stats["token_accuracy"] > 0.6
    assert 0 <= stats["reconstruction"] <= 1
    assert stats["reconstruction_train"] > 0
    assert any("step 250/250" in line for line in lines) and "reconstructs" in lines[-1]
    assert not model.training

    z = encode_smiles(model, vocab, moses50)
    assert z.dtype == np.float32 and z.shape == (50, 32) and np.abs(z).max() <= 1
    decoded = decode_latents(model, vocab, torch.from_numpy(z))
    assert len(decoded) == 50
    truth = [canonical(s) for s in moses50]
    assert sum(d == t for d, t in zip(decoded, truth)) >= 5
    assert all(d == "" or canonical(d) == d for d in decoded)
    # encoding reads the canonical SMILES: another way of writing the molecule gives the same latent
    written = [randomized_smiles(s, np.random.default_rng(1)) for s in moses50[:5]]
    np.testing.assert_allclose(encode_smiles(model, vocab, written), z[:5], rtol=1e-5, atol=1e-6)
    with pytest.raises(ScienceError, match="not valid"):
        encode_smiles(model, vocab, ["C1CC"])


def test_same_seed_same_weights(moses50: list[str]) -> None:

    def run(seed: int) -> dict[str, torch.Tensor]:
        model, _, _ = train_autoencoder(moses50[:30], steps=20, seed=seed, randomize=True, device="cpu", **TINY)
        return model.state_dict()

    a, b, c = run(3), run(3), run(4)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)
    with pytest.raises(ScienceError, match="steps > 0 or minutes > 0"):
        train_autoencoder(moses50, steps=0, minutes=0)
    with pytest.raises(ScienceError, match="not valid molecules"):
        train_autoencoder(["CCO", "C1CC"], steps=1)


def test_save_load_round_trip(trained: tuple, moses50: list[str], tmp_path: Path) -> None:
    model, vocab, stats, _ = trained
    save_autoencoder(model, vocab, tmp_path / "ae", {"steps": stats["steps"], "note": "tiny"})
    assert sorted(p.name for p in (tmp_path / "ae").iterdir()) == sorted([CONFIG_FILE, WEIGHTS_FILE])
    loaded, vocab2, meta = load_autoencoder(tmp_path / "ae", "cpu")
    assert vocab2 == vocab and meta == {"steps": 250, "note": "tiny"} and not loaded.training
    assert loaded.config() == model.config()
    z = torch.from_numpy(encode_smiles(model, vocab, moses50))
    np.testing.assert_array_equal(encode_smiles(loaded, vocab2, moses50), z.numpy())
    assert decode_latents(loaded, vocab2, z) == decode_latents(model, vocab, z)
    noise = torch.rand(20, model.latent_dim, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert decode_latents(loaded, vocab2, noise) == decode_latents(model, vocab, noise)


def test_load_refuses_missing_or_tampered_files(trained: tuple, tmp_path: Path) -> None:
    model, vocab, _, _ = trained
    good = tmp_path / "good"
    save_autoencoder(model, vocab, good, {})

    def copy(name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for f in (CONFIG_FILE, WEIGHTS_FILE):
            (folder / f).write_bytes((good / f).read_bytes())
        return folder

    with pytest.raises(ScienceError, match=CONFIG_FILE):
        load_autoencoder(tmp_path / "nowhere", "cpu")
    missing = copy("missing")
    (missing / WEIGHTS_FILE).unlink()
    with pytest.raises(ScienceError, match=f"{WEIGHTS_FILE}: missing"):
        load_autoencoder(missing, "cpu")

    truncated = copy("truncated")
    data = (truncated / WEIGHTS_FILE).read_bytes()
    (truncated / WEIGHTS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ScienceError, match=WEIGHTS_FILE):
        load_autoencoder(truncated, "cpu")

    wider = copy("wider")  # the JSON claims a wider network than the weights hold
    doc = json.loads((wider / CONFIG_FILE).read_text())
    doc["model"]["hidden_dim"] *= 2
    (wider / CONFIG_FILE).write_text(json.dumps(doc))
    with pytest.raises(ScienceError, match=CONFIG_FILE):
        load_autoencoder(wider, "cpu")
    doc["shapes"] = {k: list(v.shape) for k, v in SmilesAutoencoder(**doc["model"]).state_dict().items()}
    (wider / CONFIG_FILE).write_text(json.dumps(doc))
    with pytest.raises(ScienceError, match=f"{WEIGHTS_FILE}: tensor"):
        load_autoencoder(wider, "cpu")

    tokens = copy("tokens")  # one token more in the vocabulary than the model has outputs
    doc = json.loads((tokens / CONFIG_FILE).read_text())
    doc["vocab"]["tokens"].append("[Xe]")
    (tokens / CONFIG_FILE).write_text(json.dumps(doc))
    with pytest.raises(ScienceError, match="vocabulary"):
        load_autoencoder(tokens, "cpu")

    broken = copy("broken")
    (broken / CONFIG_FILE).write_text("{not json")
    with pytest.raises(ScienceError, match=f"{CONFIG_FILE}: not readable JSON"):
        load_autoencoder(broken, "cpu")
