"""``scigan edit``: interpolation, class swap and style mixing strips, with provenance,
and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import TINY, cli_error
from scigan.cli import main
from scigan.workflows.edit import interpolate_latents


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny runs on digits at 16×16: conditional dcgan, unconditional dcgan, conditional stylegan."""
    root = tmp_path_factory.mktemp("edit-runs")
    made = {}
    for name, extra in {"dcgan": [], "plain": ["--unconditional"], "stylegan": ["--model", "stylegan"]}.items():
        made[name] = root / name
        assert main(["train", "digits", "--size", "16", "--steps", "10", "--out", str(made[name]), *extra, *TINY]) == 0
    return made


def _png(path: Path) -> tuple[np.ndarray, dict[str, str]]:
    with Image.open(path) as im:
        return np.asarray(im), dict(im.text)


def _tiles(grid: np.ndarray, rows: int, cols: int, size: int = 16, pad: int = 2) -> np.ndarray:
    """(rows, cols, size, size) tiles cut back out of a make_grid picture."""
    return np.stack(
        [
            [
                grid[
                    pad + r * (size + pad) : pad + r * (size + pad) + size,
                    pad + c * (size + pad) : pad + c * (size + pad) + size,
                ]
                for c in range(cols)
            ]
            for r in range(rows)
        ]
    )


def test_interpolation_ends_at_its_latents_and_slerp_keeps_the_norm() -> None:
    torch.manual_seed(0)
    a, b = torch.randn(3, 64), torch.randn(3, 64)
    for method in ("linear", "slerp"):
        path = interpolate_latents(a, b, 5, method)
        assert path.shape == (3, 5, 64)
        assert torch.allclose(path[:, 0], a, atol=1e-5) and torch.allclose(path[:, -1], b, atol=1e-5)
    mid_linear = interpolate_latents(a, b, 3, "linear")[:, 1].norm(dim=1)
    mid_slerp = interpolate_latents(a, b, 3, "slerp")[:, 1].norm(dim=1)
    ends = (a.norm(dim=1) + b.norm(dim=1)) / 2
    assert (mid_slerp > mid_linear).all()  # the chord cuts inside the sphere
    assert torch.allclose(mid_slerp, ends, rtol=0.05)
    same = interpolate_latents(a, a.clone(), 4, "slerp")  # parallel: no division by zero
    assert torch.isfinite(same).all() and torch.allclose(same[:, 2], a, atol=1e-5)


def test_interpolate_strip_with_provenance(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "walk.png"
    assert (
        main(
            [
                "edit",
                str(runs["dcgan"]),
                "interpolate",
                "--rows",
                "3",
                "--frames",
                "6",
                "--label",
                "7",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    grid, text = _png(out)
    assert grid.shape[:2] == (3 * 18 + 2, 6 * 18 + 2)
    assert text["scigan:synthetic"] == "true" and text["scigan:model"] == "dcgan"
    assert text["scigan:run"] == str(runs["dcgan"]) and text["scigan:step"] == "10"
    assert text["scigan:edit"] == "interpolate slerp seed 0"
    assert json.loads(text["scigan:rows"]) == ["pair 0 (7)", "pair 1 (7)", "pair 2 (7)"]
    tiles = _tiles(grid, 3, 6).astype(int)
    step = np.abs(np.diff(tiles, axis=1)).mean(axis=(2, 3))  # neighbouring frames differ a little
    assert (step < np.abs(tiles[:, 0] - tiles[:, -1]).mean(axis=(1, 2))[:, None] + 1e-9).all()
    assert (
        main(["edit", str(runs["plain"]), "interpolate", "--method", "linear", "--out", str(tmp_path / "plain.png")])
        == 0
    )


def test_class_swap_keeps_noise_and_changes_class(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "swap.png"
    assert main(["edit", str(runs["dcgan"]), "class-swap", "--rows", "2", "--classes", "0,3,8", "--out", str(out)]) == 0
    grid, text = _png(out)
    assert json.loads(text["scigan:columns"]) == ["0", "3", "8"]
    tiles = _tiles(grid, 2, 3)
    assert not np.array_equal(tiles[0, 0], tiles[0, 1])  # the class changes the image
    assert not np.array_equal(tiles[0, 0], tiles[1, 0])  # rows have their own noise
    again = tmp_path / "again.png"  # a class keeps its picture for the same noise
    assert main(["edit", str(runs["dcgan"]), "class-swap", "--rows", "2", "--classes", "3", "--out", str(again)]) == 0
    assert np.array_equal(_tiles(_png(again)[0], 2, 1)[:, 0], tiles[:, 1])


def test_style_mix_goes_from_a_to_b(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "mix.png"
    assert main(["edit", str(runs["stylegan"]), "style-mix", "--rows", "2", "--out", str(out)]) == 0
    grid, text = _png(out)
    columns = json.loads(text["scigan:columns"])
    assert columns[0] == "A" and columns[-1] == "B" and len(columns) == 6  # 16 px: 5 style layers
    tiles = _tiles(grid, 2, len(columns))
    assert not np.array_equal(tiles[0, 0], tiles[0, -1])
    walk = tmp_path / "walk.png"  # the A column is the generator's own sample of latent A
    assert main(["edit", str(runs["stylegan"]), "interpolate", "--rows", "2", "--frames", "2", "--out", str(walk)]) == 0
    ends = _tiles(_png(walk)[0], 2, 2)
    assert np.array_equal(ends[:, 0], tiles[:, 0]) and np.array_equal(ends[:, 1], tiles[:, -1])


def test_edit_refusals(runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = str(tmp_path / "x.png")
    err = cli_error(capsys, ["edit", str(runs["plain"]), "interpolate", "--label", "3", "--out", out])
    assert "unconditional" in err and "--label" in err
    err = cli_error(capsys, ["edit", str(runs["plain"]), "class-swap", "--out", out])
    assert "class-swap needs a conditional run" in err
    err = cli_error(capsys, ["edit", str(runs["dcgan"]), "style-mix", "--out", out])
    assert "style-based run" in err and "dcgan" in err
    err = cli_error(capsys, ["edit", str(runs["dcgan"]), "class-swap", "--classes", "3,Sneaker", "--out", out])
    assert "'Sneaker' is not a class" in err
    err = cli_error(capsys, ["edit", str(runs["dcgan"]), "interpolate", "--label", "cat", "--out", out])
    assert "'cat' is not a class" in err
    err = cli_error(capsys, ["edit", str(runs["dcgan"]), "interpolate", "--method", "cubic", "--out", out])
    assert "--method" in err
    err = cli_error(capsys, ["edit", str(runs["dcgan"]), "interpolate", "--out", str(tmp_path / "x.jpg")])
    assert ".png" in err
    assert not (tmp_path / "x.png").exists()
    assert main(["edit", str(runs["dcgan"]), "interpolate", "--out", out]) == 0
    err = cli_error(capsys, ["edit", str(runs["dcgan"]), "interpolate", "--out", out])
    assert "--overwrite" in err
