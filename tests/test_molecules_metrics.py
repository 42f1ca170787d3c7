"""The molecules kind's measures: MOSES metrics, FCD, properties and the scorer, on a few
hundred real molecules from molsets' training set (read by path, never imported)."""

from __future__ import annotations

import gzip
import importlib.util
import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rdkit")
torch = pytest.importorskip("torch")

from scigan.errors import ScienceError  # noqa: E402
from scigan.metrics.declared import any_score  # noqa: E402
from scigan.metrics.registry import SHARED, merged  # noqa: E402
from scigan.modalities.base import Dataset  # noqa: E402
from scigan.modalities.molecules import moses  # noqa: E402
from scigan.modalities.molecules.properties import (  # noqa: E402
    PROPERTIES,
    molecular_properties,
    property_values,
    score_function,
)
from scigan.modalities.molecules.scores import SCORES  # noqa: E402

BENZENE, ETHANOL, ASPIRIN = "c1ccccc1", "CCO", "CC(=O)Oc1ccccc1C(=O)O"
#: A rhodanine (ene_rhod), a PAINS family member.
PAINS_MOLECULE = "O=C1C(=Cc2ccccc2)SC(=S)N1"


def _moses_train(n: int, skip: int = 0) -> list[str]:
    """``n`` SMILES of molsets' training file after the first ``skip`` (skips without molsets)."""
    spec = importlib.util.find_spec("moses")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    files = [Path(f) / "dataset" / "data" / "train.csv.gz" for f in folders]
    files = [f for f in files if f.is_file()]
    if not files:
        pytest.skip("molsets (the MOSES data) is not installed")
    with gzip.open(files[0], "rt") as handle:
        next(handle)
        return [line.strip() for line in itertools.islice(handle, skip, skip + n)]


@pytest.fixture(scope="module")
def real() -> list[str]:
    """300 real drug-like molecules (canonical SMILES)."""
    from scigan.modalities.molecules.chem import canonical_many

    out = [c for c in canonical_many(_moses_train(300)) if c]
    assert len(out) == 300
    return out


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """One torch thread here, the count restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _dataset(smiles: list[str], y: np.ndarray | None = None, names: list[str] | None = None) -> Dataset:
    return Dataset(x=np.array(smiles, dtype=object), y=y, class_names=names or [], source="test", modality="molecules")


# -- scores declarations -----------------------------------------------------------------------


def test_scores_declare_every_key_once_without_clashing() -> None:
    keys = [s.key for s in SCORES]
    assert len(keys) == len(set(keys))
    merged(SCORES, SHARED)  # no key of the shared registry with another meaning
    from scigan.modalities.sequences.scores import SCORES as SEQUENCE_SCORES

    merged(SCORES, SEQUENCE_SCORES)  # nor a sequences key ("uniqueness")
    assert {s.key for s in SCORES if s.floor} >= {"fcd", "snn", "frag", "scaf", "int_div", "filters", "qed_w"}
    assert any_score("fcd") is not None


# -- properties --------------------------------------------------------------------------------


def test_properties_known_values_and_ranges(real: list[str]) -> None:
    props = molecular_properties([BENZENE, ETHANOL, "", "not a molecule", ASPIRIN])
    assert set(props) == set(PROPERTIES)
    assert all(len(v) == 3 for v in props.values())  # invalid entries dropped
    assert props["mw"] == pytest.approx([78.11, 46.07, 180.16], abs=0.01)
    assert props["logp"][0] > 1.0 and props["logp"][1] < 0.5  # benzene is lipophilic, ethanol is not
    assert props["sa"][0] == pytest.approx(1.0, abs=0.3)  # benzene: as easy as it gets
    many = molecular_properties(real[:50])
    assert ((many["qed"] > 0) & (many["qed"] < 1)).all()
    assert ((many["sa"] >= 1) & (many["sa"] <= 10)).all()
    assert np.allclose(property_values(real[:5], "logp"), many["logp"][:5])


def test_score_function_refuses_unknown_names() -> None:
    from rdkit import Chem

    assert 0 < score_function("qed")(Chem.MolFromSmiles(ASPIRIN)) < 1
    with pytest.raises(ScienceError, match="qed, sa, logp, mw"):
        score_function("tpsa")


# -- MOSES metrics -----------------------------------------------------------------------------


def test_validity_counts_empty_and_invalid() -> None:
    assert moses.validity([BENZENE, "", None, "C1CC", "c1cccc1", ETHANOL]) == pytest.approx(2 / 6)
    assert math.isnan(moses.validity([]))


def test_uniqueness_and_novelty(real: list[str]) -> None:
    assert moses.uniqueness_at([BENZENE] * 3 + [ETHANOL], 10) == (0.5, 4)
    assert moses.uniqueness_at([BENZENE, ETHANOL, BENZENE], 2) == (1.0, 2)
    assert moses.novelty(real[:20], real) == 0.0
    assert moses.novelty([BENZENE, BENZENE, ETHANOL, real[0]], set(real)) == pytest.approx(2 / 3)


def test_int_div_and_snn(real: list[str]) -> None:
    assert moses.int_div([ASPIRIN] * 10) == pytest.approx(0.0)
    assert moses.int_div(real[:150]) > 0.7
    assert moses.int_div(real[:150], cap=50) == pytest.approx(moses.int_div(real[:150]), abs=0.05)
    assert moses.snn(real[:30], real[:100]) == pytest.approx(1.0)  # each is in the reference
    assert moses.snn(real[:30], real[100:200]) < 0.7
    fps = moses.fingerprints(real[:30])
    assert fps.shape == (30, 1024) and fps.dtype == np.uint8
    assert moses.snn(fps, real[:100]) == pytest.approx(1.0)


def test_frag_scaf_and_filters(real: list[str]) -> None:
    assert moses.frag(real[:100], real[:100]) == pytest.approx(1.0)
    assert moses.frag(real[:100], real[100:200]) > moses.frag(["C" * k for k in range(1, 30)], real[100:200])
    assert moses.scaf(real[:100], real[:100]) == pytest.approx(1.0)
    assert math.isnan(moses.scaf([ETHANOL], real[:10]))  # no scaffold of two rings
    assert moses.filters(real[:60]) == 1.0  # MOSES's own set passed these filters
    assert not moses.mol_passes_filters(PAINS_MOLECULE)
    assert not moses.mol_passes_filters("C[N+](C)(C)C")  # charged
    assert not moses.mol_passes_filters("CC[Si](C)C")  # not an allowed atom
    assert not moses.mol_passes_filters("C1CCCCCCC1")  # an eight-membered ring
    assert "PAINS" in moses.filter_set()


def test_wasserstein() -> None:
    assert moses.wasserstein(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == 0.0
    assert moses.wasserstein(np.array([0.0]), np.array([2.0])) == pytest.approx(2.0)
    assert math.isnan(moses.wasserstein(np.array([]), np.array([1.0])))


# -- FCD ---------------------------------------------------------------------------------------


def test_fcd_of_a_set_with_itself_and_with_another(real: list[str]) -> None:
    from scigan.modalities.molecules.fcd import chemnet, encode, fcd

    assert encode(BENZENE).shape == (35, 350)
    net = chemnet()
    assert chemnet() is net  # loaded once per process
    a = net.activations(real[:120], batch_size=50)
    assert a.shape == (120, 512) and np.isfinite(a).all()
    assert fcd(a, a) == pytest.approx(0.0, abs=1e-6)
    real_vs_real = fcd(a[:60], a[60:])
    chains = net.activations(["C" * k for k in range(1, 61)])
    assert fcd(chains, a[60:]) > 2 * real_vs_real  # at n = 60 both carry a large small-sample bias
    assert math.isnan(fcd(a[:1], a))
    with pytest.raises(ScienceError, match="valid"):
        net.activations([BENZENE, "c1cccc1"])


# -- the scorer --------------------------------------------------------------------------------


def test_scorer_quick_and_full(real: list[str], tmp_path: Path) -> None:
    from scigan.modalities.molecules.metrics import MoleculeScorer

    train_y = np.arange(200) % 2
    train = _dataset(real[:200], train_y, ["a", "b"])
    holdout = _dataset(real[200:300], np.arange(100) % 2, ["a", "b"])
    scorer = MoleculeScorer(train, holdout, None, log=lambda _: None)
    assert scorer.sizes(500) == 500
    assert scorer.fake_labels(7, 0) is not None and len(scorer.fake_labels(7, 0)) == 7  # type: ignore[arg-type]

    bad = np.array(["C" * k for k in range(1, 41)] + ["", "xx"] * 10, dtype=object)
    quick = scorer.quick(bad)
    assert set(quick) == {"fcd", "validity", "uniqueness", "n"}
    assert quick["validity"] == pytest.approx(40 / 60) and quick["n"] == 60
    assert scorer.quick(np.array(["", BENZENE], dtype=object))["fcd"] == math.inf

    picture = tmp_path / "embedding.png"
    out = scorer.full(bad, np.arange(60) % 2, seed=1, untrained_x=bad[:30], picture=picture)
    json.dumps(out)  # plain floats and strings
    declared = {s.key for s in SCORES} | {s.floor for s in SCORES if s.floor} | {"fcd_untrained"}
    assert declared <= set(out)
    assert out["n"] == 60 and out["n_valid"] == 40 and out["n_reference"] == 100 and out["n_floor"] == 40
    assert out["novelty"] == 1.0
    for key, floor in [("fcd", "fcd_real_floor"), ("qed_w", "qed_w_floor"), ("mw_w", "mw_w_floor")]:
        assert out[key] > out[floor], key  # a bad generator is worse than real molecules
    for key in ("snn", "frag", "int_div"):
        assert out[key] < out[f"{key}_floor"], key
    assert math.isnan(out["scaf"])  # chains have no ring scaffold
    assert set(out["fcd_per_class"]) == {"a", "b"}
    assert [f["file"] for f in out["figures"]] == ["molecules.png", "properties.png"]
    from PIL import Image

    with Image.open(tmp_path / "properties.png") as png:
        assert png.text["Software"] == "scigan evaluate"  # type: ignore[attr-defined]

    good = scorer.full(np.array(real[:100], dtype=object), None)
    assert good["novelty"] == 0.0 and good["validity"] == 1.0 and "fcd_per_class" not in good
