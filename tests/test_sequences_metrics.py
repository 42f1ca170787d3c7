"""The measuring parts of the sequences kind: k-mer spectra, per-position composition,
properties, similarity to the training set, the Markov baseline, the feature extractor
(and the extractor cache it shares with images) and the report's pictures."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from scigan.errors import ScienceError
from scigan.metrics.cache import digest_arrays, key_hash, load_weights, save_weights
from scigan.modalities.sequences import similarity
from scigan.modalities.sequences.extractor import SequenceExtractor, get_sequence_extractor
from scigan.modalities.sequences.kmers import (
    KS,
    kmer_features,
    kmer_js,
    position_composition,
    position_tv,
    spectrum,
)
from scigan.modalities.sequences.markov import MarkovChain, fit_markov
from scigan.modalities.sequences.plots import information, plot_logos, plot_properties
from scigan.modalities.sequences.properties import properties, property_distances
from scigan.modalities.sequences.similarity import exact_copy_share, nearest_identity, uniqueness

DNA = "ACGT"
PROTEIN = "ACDEFGHIKLMNPQRSTVWY"


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """One thread for these tests, and the count restored after (later tests compare
    in-process runs with subprocesses that use torch's own count)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def random_dna(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list(DNA), length)) for _ in range(n)]


# k-mers


def test_spectrum_counts_by_hand() -> None:
    s1 = spectrum(["ACGT", "AC"], 1, DNA)
    np.testing.assert_allclose(s1, [2 / 6, 2 / 6, 1 / 6, 1 / 6])
    s2 = spectrum(["ACGT", "AC"], 2, DNA)  # AC, CG, GT, AC: never across two sequences
    assert s2.shape == (16,) and s2.dtype == np.float64
    assert s2[0 * 4 + 1] == pytest.approx(0.5) and s2[1 * 4 + 2] == pytest.approx(0.25)
    assert s2[2 * 4 + 3] == pytest.approx(0.25) and s2[1 * 4 + 0] == 0  # no CA from "...T" + "A..."
    assert spectrum(["A"], 3, DNA).sum() == 0  # too short for any 3-mer
    assert spectrum([], 2, DNA).sum() == 0


def test_kmer_js_zero_for_same_set_positive_for_others() -> None:
    real = random_dna(200, 40, seed=1)
    ks = KS["dna"]
    assert kmer_js(real, list(reversed(real)), DNA, ks) == pytest.approx(0.0, abs=1e-7)
    rng = np.random.default_rng(0)
    shuffled = ["".join(rng.permutation(list(s))) for s in real]  # same letters, other k-mers
    assert kmer_js(real, shuffled, DNA, (1,)) == pytest.approx(0.0, abs=1e-7)
    assert kmer_js(real, shuffled, DNA, ks) > 0.05
    gc_rich = ["".join(rng.choice(list(DNA), 40, p=[0.1, 0.4, 0.4, 0.1])) for _ in range(200)]
    far = kmer_js(real, gc_rich, DNA, ks)
    assert 0.1 < far <= 1.0
    assert far == pytest.approx(kmer_js(gc_rich, real, DNA, ks))  # symmetric
    assert kmer_js(real, ["A"], DNA, (3,)) == 1.0  # an empty spectrum against a full one
    assert set(KS) == {"dna", "rna", "protein"} and KS["protein"] == (1, 2, 3)


def test_kmers_refuse_foreign_letters() -> None:
    with pytest.raises(ScienceError, match="outside the alphabet"):
        spectrum(["ACGU"], 1, DNA)
    with pytest.raises(ScienceError, match="k >= 1"):
        spectrum(["ACGT"], 0, DNA)


def test_kmer_features_per_sequence() -> None:
    f = kmer_features(["ACGT", "AAAA", "A"], DNA, 2)
    assert f.shape == (3, 16) and f.dtype == np.float32
    np.testing.assert_allclose(f.sum(axis=1), [1, 1, 0])
    assert f[1, 0] == pytest.approx(1.0)  # AA three times
    assert f[0, 1] == pytest.approx(1 / 3)


def test_position_composition_strings_and_tokens_agree() -> None:
    pc = position_composition(["ACG", "AC"], DNA)
    np.testing.assert_allclose(pc, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    tokens = np.array([[0, 1, 2], [0, 1, 4]], dtype=np.int8)  # 4 = END
    np.testing.assert_allclose(position_composition(tokens, DNA), pc)
    assert position_composition(["ACGT"], DNA, length=2).shape == (2, 4)
    assert position_composition(tokens, DNA, length=5)[3:].sum() == 0
    assert position_tv(pc, pc) == 0.0
    assert position_tv(pc, position_composition(["TTT"], DNA)) == pytest.approx(1.0)
    half = position_composition(["A", "C"], DNA)
    assert position_tv(half, position_composition(["A"], DNA)) == pytest.approx(0.5)
    assert position_tv(position_composition(["A"], DNA), position_composition(["AA"], DNA)) == pytest.approx(0.5)


# properties


def test_dna_properties_by_hand() -> None:
    props = properties(["GGCC", "ATGC", "AT", ""], "dna")
    assert list(props) == ["gc", "length"]
    np.testing.assert_allclose(props["gc"][:3], [1.0, 0.5, 0.0])
    assert math.isnan(props["gc"][3])
    np.testing.assert_array_equal(props["length"], [4, 4, 2, 0])
    assert list(properties(["ACGU"], "rna")) == ["gc", "length"]
    with pytest.raises(ScienceError, match="alphabet"):
        properties(["A"], "klingon")


def test_protein_properties_by_hand() -> None:
    props = properties(["G", "GG", "KKKK", "DDDD", "IIII", ""], "protein")
    assert list(props) == ["length", "charge", "hydrophobicity", "weight", "pi"]
    # glycine 75.07 Da; a dipeptide loses one water (18.02 Da)
    np.testing.assert_allclose(props["weight"][:2], [75.07, 2 * 75.07 - 18.02], atol=0.02)
    assert props["charge"][2] > 3 and props["charge"][3] < -3  # lysines +, aspartates −
    assert props["pi"][2] > 9 and props["pi"][3] < 4.5  # basic, acidic
    assert props["hydrophobicity"][4] == pytest.approx(4.5)  # Kyte–Doolittle isoleucine
    assert all(math.isnan(v[5]) for k, v in props.items() if k != "length")


def test_property_distances_in_units_of_spread() -> None:
    rng = np.random.default_rng(0)
    real = {"gc": rng.normal(0.5, 0.1, 4000), "length": np.full(4000, 60.0)}
    same = property_distances(real, real)
    assert same == {"gc_distance": 0.0, "length_distance": 0.0}
    shifted = {"gc": real["gc"] + 0.1, "length": np.full(10, 62.0)}
    d = property_distances(real, shifted)
    assert d["gc_distance"] == pytest.approx(1.0, rel=0.05)  # shifted by one std
    assert d["length_distance"] == pytest.approx(2.0)  # no spread: the raw distance
    with_nan = {"gc": np.append(real["gc"], np.nan), "length": real["length"]}
    assert property_distances(with_nan, real)["gc_distance"] == pytest.approx(0.0)
    assert math.isnan(property_distances(real, {"gc": np.array([np.nan])})["gc_distance"])


# similarity


def test_nearest_identity_copies_and_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    train = random_dna(50, 20)
    ident = nearest_identity(train[:10], train)
    assert ident.shape == (10,) and ident.dtype == np.float64
    np.testing.assert_array_equal(ident, 1.0)
    one_edit = [s[:-1] + ("A" if s[-1] != "A" else "C") for s in train[:10]]
    np.testing.assert_allclose(nearest_identity(one_edit, train), 0.95)  # 1 of 20 letters
    assert nearest_identity(["ACGT"], ["ACGA", "TTTT"])[0] == pytest.approx(0.75)
    np.testing.assert_allclose(nearest_identity(["", "AC"], ["", "GG"]), [1.0, 0.0])
    assert nearest_identity([], train).shape == (0,)
    query = random_dna(30, 20, seed=3)
    whole = nearest_identity(query, train)
    monkeypatch.setattr(similarity, "CHUNK_CELLS", 7)  # chunks of one query row
    np.testing.assert_array_equal(nearest_identity(query, train), whole)
    with pytest.raises(ScienceError, match="reference"):
        nearest_identity(["A"], [])


def test_copies_and_uniqueness() -> None:
    train = ["AAA", "CCC", ""]
    assert exact_copy_share(["AAA", "GGG", "", "CCC"], train) == pytest.approx(0.75)
    assert exact_copy_share(["GGG"], train) == 0.0
    assert math.isnan(exact_copy_share([], train))
    assert uniqueness(["A", "A", "C", ""]) == pytest.approx(0.75)
    assert uniqueness(["A", "C"]) == 1.0
    assert math.isnan(uniqueness([]))


# the Markov baseline


def test_markov_picks_order_of_periodic_sequences() -> None:
    periodic = ["ACGT" * 15] * 40
    chain = fit_markov(periodic, DNA, seed=0)
    assert chain.order >= 1 and chain.fixed_length and chain.length == 60
    assert set(chain.validation) == set(range(7))
    assert chain.validation[chain.order] > chain.validation[0] + 1.0  # ≈ 0 against log(1/4)
    samples = chain.sample(20, seed=1)
    assert len(samples) == 20 and all(len(s) == 60 for s in samples)
    # the chain reproduces the period (smoothing aside)
    assert np.mean([s[4:] == "ACGT" * 14 for s in samples]) > 0.5
    assert chain.sample(5, seed=2) == chain.sample(5, seed=2)


def test_markov_order_zero_for_independent_letters() -> None:
    chain = fit_markov(random_dna(300, 60, seed=5), DNA, orders=range(0, 4), seed=0)
    assert chain.order == 0
    ll = chain.log_likelihood(random_dna(5, 60, seed=6))
    np.testing.assert_allclose(ll, math.log(1 / 4), atol=0.2)


def test_markov_variable_lengths_model_the_end() -> None:
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list(DNA), int(rng.integers(5, 30)))) for _ in range(200)]
    chain = fit_markov(seqs, DNA, orders=(0, 1, 2), seed=0)
    assert not chain.fixed_length and chain.length == max(map(len, seqs))
    samples = chain.sample(500, seed=0)
    lengths = np.array([len(s) for s in samples])
    assert lengths.min() >= 1 and lengths.max() <= chain.length
    assert 8 < lengths.mean() < 25  # the end symbol's share sets the lengths
    assert max(len(s) for s in chain.sample(50, seed=0, max_length=6)) <= 6
    direct = MarkovChain.fit(seqs, DNA, 1)
    assert direct.order == 1 and direct.validation == {}
    assert np.isfinite(direct.log_likelihood(seqs[:3])).all()
    with pytest.raises(ScienceError, match="outside the alphabet"):
        direct.log_likelihood(["ACGN"])
    with pytest.raises(ScienceError, match="at least 2"):
        fit_markov(["ACGT"], DNA)


def test_markov_per_class_chains_differ() -> None:
    a = MarkovChain.fit(["AAAAAAAAAA"] * 20, DNA, 0)
    c = MarkovChain.fit(["CCCCCCCCCC"] * 20, DNA, 0)
    assert a.log_likelihood(["AAAAAAAAAA"])[0] > c.log_likelihood(["AAAAAAAAAA"])[0]
    assert a.sample(10, seed=0).count("A" * 10) >= 5


# the feature extractor and its cache


def motif_set(n: int, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random DNA tokens (n, length) int8; class 1 carries TATAAT at a random place."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, (n, length)).astype(np.int8)
    y = (np.arange(n) % 2).astype(np.int64)
    for i in np.flatnonzero(y == 1):
        at = rng.integers(0, length - 6)
        x[i, at : at + 6] = [3, 0, 3, 0, 0, 3]
    return x, y


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[SequenceExtractor, list[str], Path]:
    cache = tmp_path_factory.mktemp("seq-extractors")
    x, y = motif_set(400, 30, seed=0)
    messages: list[str] = []
    ext = get_sequence_extractor(
        x[:300], y[:300], x[300:], y[300:], channels=4, num_classes=2, cache_dir=cache, log=messages.append
    )
    return ext, messages, cache


def test_extractor_separates_two_classes(labelled: tuple[SequenceExtractor, list[str], Path]) -> None:
    ext, messages, _ = labelled
    assert ext.task == "labels" and ext.test_accuracy is not None and ext.test_accuracy > 0.9
    assert any("test accuracy" in m for m in messages)
    x, y = motif_set(400, 30, seed=0)
    pred = ext.predict(x[300:])
    assert pred.dtype == np.int64 and np.mean(pred == y[300:]) == pytest.approx(ext.test_accuracy)
    f = ext.features(x[300:])
    np.testing.assert_array_equal(ext.predict_features(f), pred)  # the head alone, same labels
    assert f.shape == (100, 128) and f.dtype == np.float32 and np.isfinite(f).all() and f.std() > 0
    np.testing.assert_allclose(ext.features(x[300:], batch_size=7), f, rtol=1e-4, atol=1e-5)
    with pytest.raises(ScienceError, match="30 tokens"):
        ext.features(np.zeros((2, 31), np.int8))
    with pytest.raises(ScienceError, match=r"\[0, 4\)"):
        ext.features(np.full((2, 30), 4, np.int8))


def test_extractor_second_call_loads_the_cache(labelled: tuple[SequenceExtractor, list[str], Path]) -> None:
    ext, _, cache = labelled
    assert (cache / f"{ext.hash}.safetensors").is_file()
    x, y = motif_set(400, 30, seed=0)
    messages: list[str] = []
    again = get_sequence_extractor(
        x[:300], y[:300], x[300:350], y[300:350], channels=4, num_classes=2, cache_dir=cache, log=messages.append
    )
    assert messages == [] and again.hash == ext.hash  # loaded, not trained; test set not in the hash
    np.testing.assert_array_equal(again.features(x[300:]), ext.features(x[300:]))
    other_seed = get_sequence_extractor(
        x[:300], y[:300], None, None, channels=4, num_classes=2, cache_dir=cache, seed=1, log=messages.append
    )
    assert other_seed.hash != ext.hash and other_seed.test_accuracy is None
    assert not list(cache.glob("*.tmp"))


def test_extractor_masked_task_with_end_tokens(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = np.full((200, 24), 4, dtype=np.int8)  # END = 4 pads each sequence after its letters
    for row in x:
        n = int(rng.integers(8, 25))
        row[:n] = np.resize([0, 1, 2, 3], n)  # ACGTACGT...: predictable from the neighbours
    ext = get_sequence_extractor(x[:150], None, x[150:], None, channels=5, num_classes=0, cache_dir=tmp_path, log=print)
    assert ext.task == "masked" and ext.channels == 5
    assert ext.test_accuracy is not None and ext.test_accuracy > 0.6  # chance is about 0.2
    assert ext.features(x[150:]).shape == (50, 128)
    with pytest.raises(ScienceError, match="without labels"):
        ext.predict(x[150:])
    with pytest.raises(ScienceError, match="masked"):
        ext.predict_features(ext.features(x[150:]))


def test_extractor_rejects_bad_input(tmp_path: Path) -> None:
    x, y = motif_set(20, 10, seed=0)
    with pytest.raises(ScienceError, match="integer tokens"):
        get_sequence_extractor(x.astype(float), y, None, None, channels=4, num_classes=2, cache_dir=tmp_path)
    with pytest.raises(ScienceError, match="labels must lie"):
        get_sequence_extractor(x, y + 3, None, None, channels=4, num_classes=2, cache_dir=tmp_path)
    with pytest.raises(ScienceError, match="pass test_y"):
        get_sequence_extractor(x, y, x, None, channels=4, num_classes=2, cache_dir=tmp_path)


def test_cache_digest_names_stay_fixed(tmp_path: Path) -> None:
    """The image extractors' cached files are named by these digests: they must not move."""
    a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert digest_arrays(a, None, np.array([1, 2], np.int64)) == "cfb6d8885171a8a2a5ccf67ce864ec42"
    assert digest_arrays(a) != digest_arrays(a.astype(np.int16)) != digest_arrays(a.reshape(3, 2))
    assert key_hash({"b": 1, "a": [1, 2]}) == "428a7cdfbe8269be4ebf0eb69ad6cb02" == key_hash({"a": [1, 2], "b": 1})
    path = tmp_path / "x.safetensors"
    save_weights(path, {"w": torch.ones(2, 3)}, "key", {"hash": "h", "arch": "v1", "n": 3})
    tensors, meta = load_weights(path, "key", "h", "v1")
    assert meta["n"] == 3 and torch.equal(tensors["w"], torch.ones(2, 3))
    with pytest.raises(ValueError, match="expected"):
        load_weights(path, "key", "other", "v1")
    with pytest.raises(ValueError):
        load_weights(path, "key", "h", "v2")
    assert [p.name for p in tmp_path.iterdir()] == ["x.safetensors"]


# pictures


def test_plots_write_pngs_with_provenance(tmp_path: Path) -> None:
    from PIL import Image

    real = [s[:10] + "TATAAT" + s[16:] for s in random_dna(100, 30)]
    fake = random_dna(100, 30, seed=9)
    real_pfm, fake_pfm = position_composition(real, DNA), position_composition(fake, DNA)
    info = information(real_pfm)
    np.testing.assert_allclose(info[10:16], 2.0)  # one letter: log2(4) bits
    assert info[:10].max() < 0.3
    provenance = {"run": "run-1", "step": "40"}
    logos = plot_logos(real_pfm, fake_pfm, DNA, tmp_path / "logos.png", provenance)
    prot = ["".join(np.random.default_rng(i).choice(list(PROTEIN), 12 + i % 9)) for i in range(60)]
    props = plot_properties(
        properties(prot, "protein"), properties(prot[::-1], "protein"), tmp_path / "sub" / "props.png", provenance
    )
    for path in (logos, props):
        image = Image.open(path)
        assert image.format == "PNG" and image.size[0] > 200
        assert image.text["run"] == "run-1" and image.text["step"] == "40"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["logos.png", "props.png"]
    with pytest.raises(ScienceError, match="frequency matrix"):
        plot_logos(real_pfm[:, :3], fake_pfm, DNA, tmp_path / "bad.png", provenance)
