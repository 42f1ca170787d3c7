"""The molecules kind's baseline (the MOSES character n-gram) and its grid pictures."""

from __future__ import annotations

import gzip
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("rdkit")

from scigan.errors import ScienceError
from scigan.modalities.molecules import plots
from scigan.modalities.molecules.chem import parse
from scigan.modalities.molecules.ngram import SmilesNGram
from scigan.modalities.molecules.plots import molecule_grid

PROVENANCE = {"Software": "scigan", "scigan:synthetic": "true", "scigan:run": "/runs/molgan", "scigan:step": "700"}


@pytest.fixture(scope="module")
def moses_train() -> list[str]:
    """The first 1,000 SMILES of MOSES's training split, read from molsets' file (never imported)."""
    spec = importlib.util.find_spec("moses")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("molsets (MOSES) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "dataset" / "data" / "train.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    with gzip.open(path, "rt") as f:
        assert f.readline().strip() == "SMILES"
        return [next(f).strip().split(",")[0] for _ in range(1000)]


def _validity(smiles: list[str]) -> float:
    return sum(parse(s) is not None for s in smiles) / len(smiles)


def test_ngram_learns_smiles_syntax_a_unigram_does_not(moses_train: list[str]) -> None:
    # MOSES's order and smoothing; 1,000 training molecules give about 16 % valid (MOSES: 23.8 % on 1.6 M).
    ngram = SmilesNGram().fit(moses_train, n=11).sample(1000, seed=0)
    unigram = SmilesNGram().fit(moses_train, n=1).sample(1000, seed=0)
    assert _validity(ngram) > 0.10
    assert _validity(unigram) < min(0.05, _validity(ngram) / 3)
    assert len(set(ngram)) > 900  # samples, not a few memorised strings


def test_sampling_is_reproducible_with_the_seed(moses_train: list[str]) -> None:
    model = SmilesNGram().fit(moses_train[:300])
    first = model.sample(200, seed=3)
    assert model.sample(200, seed=3) == first
    assert SmilesNGram().fit(moses_train[:300]).sample(200, seed=3) == first
    other = model.sample(200, seed=4)
    assert sum(a != b for a, b in zip(first, other)) > 150


def test_strings_end_at_the_end_marker_or_max_len() -> None:
    # After "CC" the next token is C 48 times in 49, so most strings would outgrow 20 characters.
    model = SmilesNGram().fit(["C" * 50], n=3)
    samples = model.sample(300, seed=0, max_len=20, smoothing=0.0)
    lengths = Counter(len(s) for s in samples)
    assert max(lengths) == 20 and lengths[20] > 200  # cut at max_len
    assert min(lengths) < 20  # others ended at the end marker
    assert set("".join(samples)) == {"C"}  # the markers never appear as characters


def test_without_smoothing_only_seen_continuations_are_drawn() -> None:
    samples = SmilesNGram().fit(["CO", "CN"], n=2).sample(400, seed=1, smoothing=0.0)
    assert set(samples) == {"CO", "CN"}
    assert 150 < samples.count("CO") < 250


def test_backoff_and_smoothing_follow_the_counts() -> None:
    # Characters A, B, C plus the end marker each get smoothing 0.5. After the begin marker:
    # A 2, B 1 seen -> P(A) = 2.5 / 5, P(C) = 0.5 / 5. After "A": B 1, C 1 -> P(end) = 0.5 / 4.
    # "C" first was never seen, so the context backs off to "C" alone (end 1): P(end) = 1.5 / 3;
    # backing off to no context at all would give (3 + 0.5) / (8 + 2) = 0.35 instead.
    samples = SmilesNGram().fit(["AB", "AC", "B"], n=3).sample(20000, seed=0, smoothing=0.5)
    first = Counter(s[:1] for s in samples)
    assert first["A"] / 20000 == pytest.approx(0.5, abs=0.02)
    assert first["C"] / 20000 == pytest.approx(0.1, abs=0.02)
    after_c = [s for s in samples if s.startswith("C")]
    assert after_c.count("C") / len(after_c) == pytest.approx(0.5, abs=0.05)
    after_a = [s for s in samples if s.startswith("A")]
    assert after_a.count("A") / len(after_a) == pytest.approx(0.125, abs=0.03)


def test_ngram_refuses_bad_input() -> None:
    with pytest.raises(ScienceError, match="fit"):
        SmilesNGram().sample(10, seed=0)
    with pytest.raises(ScienceError, match="non-empty"):
        SmilesNGram().fit([])
    with pytest.raises(ScienceError, match="at least 1"):
        SmilesNGram().fit(["CCO"], n=0)
    with pytest.raises(ScienceError, match="max_len"):
        SmilesNGram().fit(["CCO"]).sample(10, seed=0, max_len=0)
    assert SmilesNGram().fit(["CCO"]).sample(0, seed=0) == []


SMILES = ["CCO", "", "c1ccccc1", "C1CC", "CC(=O)Nc1ccc(O)cc1", "not a molecule", "Clc1ccccc1Br"]


def _check_png(path: Path, drawn: int) -> None:
    from PIL import Image

    assert drawn == sum(parse(s) is not None for s in SMILES) == 4
    with Image.open(path) as image:
        image.load()
        assert image.format == "PNG"
        assert {k: image.text[k] for k in PROVENANCE} == PROVENANCE  # type: ignore[attr-defined]
        assert image.convert("RGB").getpixel((2, 2)) == plots.BANNER_FILL  # the synthetic banner
        assert image.height > 200 and image.width >= 3 * 150
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_molecule_grid_writes_marked_png_with_provenance(tmp_path: Path) -> None:
    path = tmp_path / "grid" / "molecules.png"
    drawn = molecule_grid(SMILES, path, PROVENANCE, legends=[f"#{i}" for i in range(len(SMILES))], per_row=3, size=150)
    _check_png(path, drawn)
    assert "run molgan step 700" in plots._synthetic_line(PROVENANCE)


def test_molecule_grid_without_cairo_draws_with_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_cairo(*args: object) -> None:
        raise RuntimeError("MolsToGridImage requires that the RDKit be built with Cairo support")

    monkeypatch.setattr(plots, "_rdkit_grid", no_cairo)
    path = tmp_path / "molecules.png"
    _check_png(path, molecule_grid(SMILES, path, PROVENANCE, per_row=3, size=150))


def test_molecule_grid_with_nothing_valid_and_bad_legends(tmp_path: Path) -> None:
    path = tmp_path / "none.png"
    assert molecule_grid(["", "C1CC"], path, PROVENANCE) == 0
    assert path.is_file()
    with pytest.raises(ScienceError, match="legends"):
        molecule_grid(["CCO"], tmp_path / "x.png", PROVENANCE, legends=[])
