"""Reading and writing images: built-ins, folders, .npz, grids, and every bad input."""

from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scigan import modalities as registry
from scigan.errors import ScienceError
from scigan.modalities.images import catalogue
from scigan.modalities.images.read import load_images
from scigan.modalities.images.writers import make_grid, save_images

RNG = np.random.default_rng(0)


def gray(h: int = 8, w: int = 8) -> np.ndarray:
    return RNG.integers(0, 256, (h, w), dtype=np.uint8)


def rgb(h: int = 8, w: int = 8) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)


def write(path: Path, array: np.ndarray, mode: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    img.save(path)
    return path


def raises(match: str):
    return pytest.raises(ScienceError, match=match)


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


# ------------------------------------------------------------------------ registry


def test_registry_is_light_and_lists_builtins() -> None:
    code = (
        "import sys, scigan.modalities as d; d.list_datasets(); "
        "assert 'torch' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    rows = {row["name"]: row for row in registry.list_datasets()}
    assert set(rows) >= {"fashion-mnist", "digits"}
    assert rows["fashion-mnist"]["classes"] == 10
    assert rows["fashion-mnist"]["class_names"][0] == "T-shirt/top"
    assert rows["digits"]["shape"] == "1797x1x8x8"
    assert "dataset-fashion-mnist" in rows["fashion-mnist"]["install"]
    json.dumps(rows)
    assert registry.get_entry("Digits").name == "digits"
    assert registry.get_entry("mnist") is None


# ---------------------------------------------------------------------- built-ins


def test_digits_builtin_shape_and_stratified_split() -> None:
    data = load_images("digits")
    assert data.x.shape == (1797, 1, 8, 8) and data.x.dtype == np.uint8
    assert data.x.max() == 255 and data.y.dtype == np.int64
    assert data.class_names == [str(d) for d in range(10)]
    assert abs(data.test_mask.mean() - 0.25) < 0.01
    for c in range(10):
        rows = data.y == c
        assert data.test_mask[rows].sum() == round(0.25 * rows.sum())
    assert np.array_equal(load_images("digits").test_mask, data.test_mask)


@pytest.mark.skipif(
    not Path("/usr/share/datasets/fashion-mnist").is_dir(),
    reason="dataset-fashion-mnist not installed",
)
def test_fashion_mnist_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCIGAN_DATA", raising=False)
    data = load_images("fashion-mnist")
    assert data.x.shape == (70000, 1, 28, 28) and data.x.dtype == np.uint8
    assert data.test_mask.sum() == 10000 and data.test_mask[-10000:].all()
    assert data.class_names[9] == "Ankle boot"
    assert np.bincount(data.y).tolist() == [7000] * 10


def fake_idx(folder: Path, n_train: int = 6, n_test: int = 4, bad_magic: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = struct.pack(">4I", 2051 + bad_magic * 7, n, 28, 28) + bytes(n * 28 * 28)
        labels = struct.pack(">2I", 2049, n) + bytes(range(n))
        (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(images))
        (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels))


def test_fashion_mnist_from_scigan_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_idx(tmp_path / "fashion-mnist")
    monkeypatch.setenv("SCIGAN_DATA", str(tmp_path))
    data = load_images("fashion-mnist")
    assert data.x.shape == (10, 1, 28, 28)
    assert data.test_mask.tolist() == [False] * 6 + [True] * 4
    assert data.y.tolist() == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3]


def test_fashion_mnist_corrupt_idx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_idx(tmp_path, bad_magic=True)
    monkeypatch.setenv("SCIGAN_DATA", str(tmp_path))
    with raises("not a 3-d IDX file.*reinstall"):
        load_images("fashion-mnist")


def test_fashion_mnist_missing_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "FASHION_MNIST_DIR", tmp_path / "absent")
    monkeypatch.setenv("SCIGAN_DATA", str(tmp_path))
    with raises("sudo apt-get install dataset-fashion-mnist") as exc:
        load_images("fashion-mnist")
    assert "SCIGAN_DATA" in one_line(exc)
    assert not registry.get_entry("fashion-mnist").available()


def test_digits_missing_sklearn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with raises("pip install scikit-learn"):
        load_images("digits")


def test_unknown_builtin_lists_builtins() -> None:
    with raises("unknown data set 'fashion_mnist'") as exc:
        load_images("fashion_mnist")
    text = one_line(exc)
    assert "did you mean 'fashion-mnist'" in text and "fashion-mnist, digits" in text


def test_missing_path(tmp_path: Path) -> None:
    with raises("no such file or folder"):
        load_images(tmp_path / "nowhere")
    with raises("no such file or folder"):
        load_images(str(tmp_path / "nowhere.npz"))


def test_bad_options(tmp_path: Path) -> None:
    with raises("size must be a positive"):
        load_images("digits", size=0)
    with raises("channels must be 1"):
        load_images("digits", channels=2)


# ------------------------------------------------------------------------ folders


def test_folder_with_class_subfolders(tmp_path: Path) -> None:
    for i in range(3):
        write(tmp_path / "data" / "zebra" / f"z{i}.png", gray())
    for i in range(2):
        write(tmp_path / "data" / "ant" / f"a{i}.png", gray())
    (tmp_path / "data" / "zebra" / "notes.txt").write_text("ignored")
    data = load_images(tmp_path / "data")
    assert data.class_names == ["ant", "zebra"]
    assert data.y.tolist() == [0, 0, 1, 1, 1]
    assert data.x.shape == (5, 1, 8, 8) and data.modality == "images"
    assert data.info["files"][0] == str(Path("ant") / "a0.png")
    json.dumps(data.info)
    loaded = np.asarray(Image.open(tmp_path / "data" / "zebra" / "z2.png"))
    assert np.array_equal(data.x[4, 0], loaded)


def test_unlabelled_folder(tmp_path: Path) -> None:
    for i in range(3):
        write(tmp_path / f"{i}.jpg", rgb(), "RGB")
    data = load_images(tmp_path)
    assert data.y is None and data.class_names == [] and data.num_classes == 0
    assert data.x.shape == (3, 3, 8, 8)


def test_folder_mixing_top_level_images_and_class_folders(tmp_path: Path) -> None:
    write(tmp_path / "loose.png", gray())
    write(tmp_path / "cls" / "a.png", gray())
    write(tmp_path / "cls" / "b.png", gray())
    with raises("mixes images at the top level") as exc:
        load_images(tmp_path)
    assert "loose.png" in one_line(exc)


def test_empty_folder_and_no_images(tmp_path: Path) -> None:
    with raises("is empty"):
        load_images(tmp_path)
    (tmp_path / "readme.txt").write_text("x")
    with raises("holds no image files"):
        load_images(tmp_path)


def test_folder_with_one_image(tmp_path: Path) -> None:
    write(tmp_path / "only.png", gray())
    with raises("holds only 1 image .*at least 2"):
        load_images(tmp_path)
    with raises("single image"):
        load_images(tmp_path / "only.png")


def test_class_folder_with_one_image(tmp_path: Path) -> None:
    write(tmp_path / "big" / "a.png", gray())
    write(tmp_path / "big" / "b.png", gray())
    write(tmp_path / "lonely" / "a.png", gray())
    with raises("lonely has 1 image; each class needs at least 2"):
        load_images(tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_image_is_named(tmp_path: Path, damage: str) -> None:
    write(tmp_path / "good.png", gray())
    bad = write(tmp_path / "bad.png", gray(64, 64))
    if damage == "garbage":
        bad.write_bytes(b"this is not an image")
    else:
        bad.write_bytes(bad.read_bytes()[:-200])
    with raises("cannot read image bad.png") as exc:
        load_images(tmp_path)
    assert "corrupt or truncated" in one_line(exc)


def test_mixed_sizes_need_size(tmp_path: Path) -> None:
    write(tmp_path / "a.png", gray(8, 8))
    write(tmp_path / "b.png", gray(12, 10))
    with raises("images differ in size .*b.png is 12x10.*--size"):
        load_images(tmp_path)
    data = load_images(tmp_path, size=6)
    assert data.x.shape == (2, 1, 6, 6)
    assert data.info["original_sizes"] == {"8x8": 1, "12x10": 1}
    assert any("center-cropped" in c for c in data.info["conversions"])


def test_center_crop_keeps_the_middle(tmp_path: Path) -> None:
    wide = np.zeros((4, 8), dtype=np.uint8)
    wide[:, 2:6] = 200
    write(tmp_path / "a.png", wide)
    write(tmp_path / "b.png", wide)
    data = load_images(tmp_path, size=4)
    assert (data.x == 200).all()


def test_rgb_and_gray_mix_becomes_rgb(tmp_path: Path) -> None:
    g = gray()
    write(tmp_path / "g.png", g)
    write(tmp_path / "c.png", rgb())
    data = load_images(tmp_path)
    assert data.x.shape == (2, 3, 8, 8)
    assert np.array_equal(data.x[1], np.stack([g, g, g]))
    assert any("replicated to RGB" in c for c in data.info["conversions"])
    forced = load_images(tmp_path, channels=1)
    assert forced.x.shape == (2, 1, 8, 8)
    assert np.array_equal(forced.x[1, 0], g)


def test_rgb_files_with_identical_channels_are_gray(tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        write(tmp_path / name, gray(), "RGB")
    data = load_images(tmp_path)
    assert data.x.shape == (2, 1, 8, 8)
    assert load_images(tmp_path, channels=3).x.shape == (2, 3, 8, 8)


def test_rgba_palette_and_16bit_modes(tmp_path: Path) -> None:
    rgba = rgb(4, 4)
    alpha = np.full((4, 4, 1), 255, dtype=np.uint8)
    alpha[0, 0] = 0
    write(tmp_path / "a.png", np.concatenate([rgba, alpha], axis=2))
    write(tmp_path / "p.png", rgb(4, 4), "P")
    data = load_images(tmp_path)
    assert data.x.shape == (2, 3, 4, 4)
    assert data.x[0, :, 0, 0].tolist() == [0, 0, 0]  # transparent pixel over black
    assert np.array_equal(data.x[0, :, 1:, 1:], rgba[1:, 1:].transpose(2, 0, 1))
    text = " ".join(data.info["conversions"])
    assert "composited over black" in text and "P images converted to RGB" in text

    deep = tmp_path / "deep"
    deep.mkdir()
    twelve_bit = np.array([[0, 4095], [2048, 1000]], dtype=np.uint16)
    Image.fromarray(twelve_bit).save(deep / "a.tif")
    Image.fromarray(twelve_bit // 2).save(deep / "b.tif")
    data = load_images(deep)
    assert data.x.dtype == np.uint8 and data.x.shape == (2, 1, 2, 2)
    assert data.x[0, 0].tolist() == [[0, 255], [128, 62]]
    assert data.x[1, 0, 0, 1] == 127  # same scale for every image: relative intensities kept
    assert any("255/4095 (12-bit range" in c for c in data.info["conversions"])


# ---------------------------------------------------------------------------- npz


def test_npz_round_trip(tmp_path: Path) -> None:
    x = RNG.integers(0, 256, (6, 3, 5, 7), dtype=np.uint8)
    y = np.array([2, 0, 2, 0, 2, 0])
    prov = {"Software": "scigan", "scigan:synthetic": "true"}
    save_images(x, tmp_path / "s.npz", labels=y, class_names=["cat", "dog", "eel"], provenance=prov)
    data = load_images(tmp_path / "s.npz")
    assert np.array_equal(data.x, x) and np.array_equal(data.y, y)
    assert data.class_names == ["cat", "dog", "eel"]
    assert data.info["provenance"] == prov
    json.dumps(data.info)
    gray_x = RNG.integers(0, 256, (3, 1, 4, 4), dtype=np.uint8)
    save_images(gray_x, tmp_path / "g.npz")
    with np.load(tmp_path / "g.npz") as z:
        assert z["x"].shape == (3, 4, 4) and "y" not in z.files
    assert np.array_equal(load_images(tmp_path / "g.npz").x, gray_x)


def test_npz_string_labels_and_float_rule(tmp_path: Path) -> None:
    x = np.linspace(0, 1, 4 * 9).reshape(4, 3, 3)
    np.savez(tmp_path / "f.npz", x=x, y=np.array(["b", "a", "b", "a"]))
    data = load_images(tmp_path / "f.npz")
    assert data.class_names == ["a", "b"] and data.y.tolist() == [1, 0, 1, 0]
    assert data.x.max() == 255 and data.x.shape == (4, 1, 3, 3)
    np.savez(tmp_path / "f255.npz", x=x * 255)
    assert np.array_equal(load_images(tmp_path / "f255.npz").x, data.x)
    np.savez(tmp_path / "tanh.npz", x=x * 2 - 1)
    with raises(r"span \[-1, 1\]; expected \[0, 1\] or \[0, 255\]"):
        load_images(tmp_path / "tanh.npz")


def test_npz_bad_inputs(tmp_path: Path) -> None:
    np.savez(tmp_path / "nox.npz", images=np.zeros((2, 4, 4)))
    with raises("has no array named 'x' .*found: images"):
        load_images(tmp_path / "nox.npz")
    np.savez(tmp_path / "ndim.npz", x=np.zeros((2, 4)))
    with raises(r"expected \(N,H,W\) or \(N,H,W,C\)"):
        load_images(tmp_path / "ndim.npz")
    np.savez(tmp_path / "chw.npz", x=np.zeros((2, 3, 8, 8)))
    with raises("channels-first"):
        load_images(tmp_path / "chw.npz")
    bad = np.zeros((3, 4, 4))
    bad[0, 0, :2] = np.nan
    bad[1, 1, 1] = np.inf
    np.savez(tmp_path / "nan.npz", x=bad)
    with raises("3 NaN/inf values"):
        load_images(tmp_path / "nan.npz")
    np.savez(tmp_path / "ylen.npz", x=np.zeros((3, 4, 4)), y=np.array([0, 1]))
    with raises(r"y has shape \(2,\) but x holds 3 images"):
        load_images(tmp_path / "ylen.npz")
    np.savez(tmp_path / "one.npz", x=np.zeros((1, 4, 4)))
    with raises("at least 2"):
        load_images(tmp_path / "one.npz")
    np.savez(tmp_path / "single.npz", x=np.zeros((3, 4, 4)), y=np.array([0, 0, 1]))
    with raises("class '1' has only 1 image"):
        load_images(tmp_path / "single.npz")
    np.savez(tmp_path / "obj.npz", x=np.zeros((2, 4, 4)), y=np.array(["a", 1], dtype=object))
    with raises("holds Python objects"):
        load_images(tmp_path / "obj.npz")
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not really")
    with raises("cannot read .*broken.npz as .npz"):
        load_images(tmp_path / "broken.npz")
    np.savez(tmp_path / "neg.npz", x=np.full((2, 3, 3), -4, dtype=np.int16))
    with raises("negative pixel values"):
        load_images(tmp_path / "neg.npz")


# ------------------------------------------------------------------------ writing


def test_make_grid_layout() -> None:
    x = np.full((5, 1, 3, 4), 9, dtype=np.uint8)
    grid = make_grid(x, nrow=3, pad=2)
    assert grid.shape == (2 * 5 + 2, 3 * 6 + 2, 1)
    assert (grid[2:5, 2:6] == 9).all() and (grid[:2] == 0).all()
    assert (grid[7:10, 14:18] == 0).all()  # the sixth cell is empty
    assert make_grid(x[:, [0, 0, 0]], nrow=10).shape == (7, 5 * 6 + 2, 3)


def test_png_grid_with_provenance(tmp_path: Path) -> None:
    x = RNG.integers(0, 256, (10, 3, 6, 6), dtype=np.uint8)
    prov = {"Software": "scigan", "scigan:synthetic": "true", "scigan:run": "runs/x"}
    save_images(x, tmp_path / "grid.png", provenance=prov)
    with Image.open(tmp_path / "grid.png") as img:
        assert img.size == (4 * 8 + 2, 3 * 8 + 2) and img.mode == "RGB"
        assert img.text["scigan:synthetic"] == "true" and img.text["Software"] == "scigan"
    labels = np.array([0, 0, 0, 2, 2, 0, 0, 2, 0, 0])
    save_images(x, tmp_path / "rows.png", labels=labels, class_names=["a", "b", "c"], provenance=prov)
    with Image.open(tmp_path / "rows.png") as img:
        assert img.size == (7 * 8 + 2, 2 * 8 + 2)
        assert json.loads(img.text["scigan:rows"]) == ["a", "c"]
        row2 = np.asarray(img)[10:16, 2:8].transpose(2, 0, 1)
    assert np.array_equal(row2, x[3])
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*"))


def test_folder_writer_round_trip(tmp_path: Path) -> None:
    x = RNG.integers(0, 256, (5, 1, 4, 4), dtype=np.uint8)
    labels = np.array([1, 0, 1, 0, 1])
    out = tmp_path / "samples"
    save_images(
        x,
        out,
        labels=labels,
        class_names=["T-shirt/top", "Bag"],
        provenance={"scigan:synthetic": "true"},
    )
    assert sorted(p.name for p in out.iterdir()) == ["Bag", "T-shirt_top"]
    assert sorted(p.name for p in (out / "Bag").iterdir()) == [
        "00000.png",
        "00002.png",
        "00004.png",
    ]
    data = load_images(out)
    assert data.class_names == ["Bag", "T-shirt_top"] and data.y.tolist() == [0, 0, 0, 1, 1]
    assert np.array_equal(data.x, x[[0, 2, 4, 1, 3]])
    assert data.info["synthetic"] == 5
    flat = tmp_path / "flat"
    save_images(x, flat)
    assert sorted(p.name for p in flat.iterdir())[0] == "00000.png"
    assert not list(tmp_path.glob(".*"))


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    x = np.zeros((2, 1, 4, 4), dtype=np.uint8)
    for name in ("a.png", "a.npz"):
        save_images(x, tmp_path / name)
        with raises("already exists; pass --overwrite"):
            save_images(x, tmp_path / name)
        save_images(x + 1, tmp_path / name, overwrite=True)
    assert load_images(tmp_path / "a.npz").x.max() == 1
    folder = tmp_path / "out"
    save_images(x, folder)
    with raises("is not empty; pass --overwrite"):
        save_images(x, folder)
    save_images(x[:1] + 7, folder, overwrite=True)
    assert [p.name for p in folder.iterdir()] == ["00000.png"]
    (folder / "notes.txt").write_text("mine")
    with raises("refusing to replace .*notes.txt"):
        save_images(x, folder, overwrite=True)
    assert (folder / "notes.txt").exists()


def test_writer_bad_inputs(tmp_path: Path) -> None:
    x = np.zeros((2, 1, 4, 4), dtype=np.uint8)
    with raises(r"cannot write '.jpg' files; supported: .png .*\.npz"):
        save_images(x, tmp_path / "a.jpg")
    with raises("uint8 array N×C×H×W"):
        save_images(x.astype(np.float32), tmp_path / "a.png")
    with raises("labels must be 2 non-negative integers"):
        save_images(x, tmp_path / "a.png", labels=np.array([0]))
    with raises("label 3 has no class name"):
        save_images(x, tmp_path / "a.png", labels=np.array([0, 3]), class_names=["a", "b"])
