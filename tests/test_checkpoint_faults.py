"""Checkpoint faults: every file's checksum is in state.json and verified on load; a
damaged checkpoint is skipped for the previous intact one with one warning line (and
exit 2 with one line when none is intact); a failed write (a full disk) keeps the
previous checkpoint; files are fsynced, share one mode, and stale folders are pruned."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import TINY, cli_error
from scigan.cli import main
from scigan.core import checkpoint as ckpt
from scigan.errors import ScienceError

OLD = Path(__file__).parent / "data" / "runs_v0"


@pytest.fixture(scope="module")
def two_steps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny digits run with step checkpoints 10 and 20 and no best (no quick scores)."""
    run = tmp_path_factory.mktemp("faults") / "run"
    assert main(["train", "digits", "--steps", "20", "--out", str(run), *TINY]) == 0
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["00000010", "00000020"]
    return run


def _copy(run: Path, tmp_path: Path, name: str = "run") -> Path:
    shutil.copytree(run, tmp_path / name)
    return tmp_path / name


def _damage(path: Path, how: str) -> None:
    """Damage one file the way disks and interrupted copies do."""
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(len(data)))
    elif how == "flipped":  # one bit in the tensor data: only the checksum sees it
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif how == "missing":
        path.unlink()
    elif how == "header":  # a header that is not JSON
        path.write_bytes(data[:8] + b"{not json" + data[17:])


def _run(capsys: pytest.CaptureFixture, argv: list[str]) -> tuple[int, str, str, list[str]]:
    """``main(argv)``: its exit code, stdout, stderr and warning lines (as the command
    line prints them on stderr, or as Python warnings where it does not catch them)."""
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(argv)
    out, err = capsys.readouterr()
    shown = [line for line in err.splitlines() if "warning" in line]
    return code, out, err, shown + [f"warning: {w.message}" for w in caught]


# ---- checksums ----------------------------------------------------------------------
def test_state_json_holds_a_checksum_of_every_file(two_steps: Path) -> None:
    for folder in ckpt.step_checkpoints(two_steps):
        state = json.loads((folder / "state.json").read_text())
        weights = sorted(p.name for p in folder.glob("*.safetensors"))
        assert sorted(state["files"]) == weights and len(weights) == 5
        for name in weights:
            data = (folder / name).read_bytes()
            assert state["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


# ---- item 4: the fallback -----------------------------------------------------------
DAMAGE = ["truncated", "empty", "garbage", "flipped", "missing", "header"]


@pytest.mark.parametrize("how", DAMAGE)
def test_sample_falls_back_from_a_damaged_newest_checkpoint(
    two_steps: Path, tmp_path: Path, capsys: pytest.CaptureFixture, how: str
) -> None:
    run = _copy(two_steps, tmp_path)
    bad = run / "checkpoints" / "00000020" / "G_ema.safetensors"
    _damage(bad, how)
    code, _, err, warned = _run(capsys, ["sample", str(run), "-n", "4", "--out", str(tmp_path / "s.npz")])
    assert code == 0
    assert len(warned) == 1 and str(bad) in warned[0] and "00000010" in warned[0], err
    assert "at step 10" in err
    with np.load(tmp_path / "s.npz") as f:
        assert f["x"].shape == (4, 8, 8)


def test_a_damaged_state_json_falls_back(two_steps: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = _copy(two_steps, tmp_path)
    state = run / "checkpoints" / "00000020" / "state.json"
    state.write_text(state.read_text()[:40])
    code, _, _, warned = _run(capsys, ["sample", str(run), "-n", "2"])
    assert code == 0
    assert len(warned) == 1 and str(state) in warned[0]


def test_none_intact_is_one_line_naming_the_file(two_steps: Path, tmp_path: Path, capsys) -> None:
    run = _copy(two_steps, tmp_path)
    newest = run / "checkpoints" / "00000020" / "G_ema.safetensors"
    _damage(newest, "flipped")
    _damage(run / "checkpoints" / "00000010" / "G_ema.safetensors", "truncated")
    line = cli_error(capsys, ["sample", str(run), "-n", "2"])
    assert str(newest) in line and "checksum" in line, line
    # a step asked for by number is not swapped for another
    line = cli_error(capsys, ["sample", str(run), "-n", "2", "--checkpoint", "10"])
    assert str(run / "checkpoints" / "00000010" / "G_ema.safetensors") in line


def test_an_explicit_step_is_not_replaced(two_steps: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = _copy(two_steps, tmp_path)
    bad = run / "checkpoints" / "00000020" / "G_ema.safetensors"
    _damage(bad, "garbage")
    assert str(bad) in cli_error(capsys, ["sample", str(run), "-n", "2", "--checkpoint", "20"])
    code, _, _, warned = _run(capsys, ["sample", str(run), "-n", "2", "--checkpoint", "latest"])
    assert code == 0 and str(bad) in warned[0]


def test_resume_falls_back_from_a_damaged_newest_checkpoint(
    two_steps: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = _copy(two_steps, tmp_path)
    bad = run / "checkpoints" / "00000020" / "optim_D.safetensors"
    _damage(bad, "flipped")
    code, _, err, warned = _run(capsys, ["train", "digits", "--steps", "30", "--out", str(run), "--resume", *TINY])
    assert code == 0
    assert len(warned) == 1 and str(bad) in warned[0], err
    state = ckpt.read_state(run / "checkpoints" / "00000030")
    assert state["step"] == 30
    ckpt.verify(run / "checkpoints" / "00000030")  # the checkpoint written after the fallback is intact
    ckpt.verify(run / "checkpoints" / "00000020")  # and step 20 was written again, intact
    assert (run / "checkpoints" / ".damaged-00000020" / bad.name).is_file()


def test_resume_point_sets_damaged_newer_checkpoints_aside(two_steps: Path, tmp_path: Path) -> None:
    run = _copy(two_steps, tmp_path)
    bad = run / "checkpoints" / "00000020" / "D.safetensors"
    _damage(bad, "truncated")
    said: list[str] = []
    assert ckpt.resume_point(run, said.append) == run / "checkpoints" / "00000010"
    assert len(said) == 1 and str(bad) in said[0] and ".damaged-00000020" in said[0]
    assert [p.name for p in ckpt.step_checkpoints(run)] == ["00000010"]
    assert ckpt.resume_point(run, said.append) == run / "checkpoints" / "00000010" and len(said) == 1
    assert ckpt.resume_point(tmp_path / "nothing") is None
    _damage(run / "checkpoints" / "00000010" / "state.json", "empty")
    with pytest.raises(ckpt.DamagedCheckpoint, match=r"state\.json"):
        ckpt.resume_point(run)


def test_resume_with_no_intact_checkpoint_is_one_line(two_steps: Path, tmp_path: Path, capsys) -> None:
    run = _copy(two_steps, tmp_path)
    for step in ("00000010", "00000020"):
        _damage(run / "checkpoints" / step / "G.safetensors", "empty")
    argv = ["train", "digits", "--steps", "30", "--out", str(run), "--resume", *TINY]
    line = cli_error(capsys, argv)
    assert str(run / "checkpoints" / "00000020" / "G.safetensors") in line


@pytest.fixture
def points() -> Iterator[None]:
    from scigan.modalities import register, unregister
    from toy_points import KIND

    register(KIND)
    yield
    unregister(KIND.name)


def test_evaluate_falls_back(points: None, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "ring"
    flags = ["--batch-size", "64", "--width", "8", "--z-dim", "4", "--eval-every", "0", "--quiet"]
    assert main(["train", "ring8", "--steps", "20", "--checkpoint-every", "10", "--out", str(run), *flags]) == 0
    bad = run / "checkpoints" / "00000020" / "G_ema.safetensors"
    _damage(bad, "garbage")
    code, out, _, warned = _run(capsys, ["evaluate", str(run), "--json"])
    assert code == 0 and str(bad) in warned[0]
    assert json.loads(out)["step"] == 10


def _old_superres(tmp_path: Path) -> Path:
    """The old superres fixture with a second, older step checkpoint (a copy of step 10)."""
    run = _copy(OLD / "superres", tmp_path, "superres")
    older = run / "checkpoints" / "00000005"
    shutil.copytree(run / "checkpoints" / "00000010", older)
    state = json.loads((older / "state.json").read_text())
    (older / "state.json").write_text(json.dumps({**state, "step": 5}))
    return run


def test_enhance_falls_back_and_refuses_when_none_is_intact(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from PIL import Image

    run = _old_superres(tmp_path)
    Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16)).save(tmp_path / "in.png")
    bad = run / "checkpoints" / "00000010" / "G_ema.safetensors"
    _damage(bad, "truncated")  # an old checkpoint: no checksums, safetensors itself refuses it
    code, _, _, warned = _run(
        capsys, ["enhance", str(run), str(tmp_path / "in.png"), "--out", str(tmp_path / "out.png")]
    )
    assert code == 0 and str(bad) in warned[0]
    assert Image.open(tmp_path / "out.png").text["scigan:step"] == "5"
    _damage(run / "checkpoints" / "00000005" / "G_ema.safetensors", "header")
    line = cli_error(capsys, ["enhance", str(run), str(tmp_path / "in.png"), "--out", str(tmp_path / "o2.png")])
    assert str(bad) in line


@pytest.mark.parametrize("how", ["truncated", "empty", "garbage", "header"])
def test_an_old_checkpoint_without_checksums_is_one_line(tmp_path: Path, capsys, how: str) -> None:
    run = _copy(OLD / "digits", tmp_path, "digits")
    bad = run / "checkpoints" / "best" / "G_ema.safetensors"
    _damage(bad, how)
    assert str(bad) in cli_error(capsys, ["sample", str(run), "-n", "2"])
    capsys.readouterr()
    assert main(["evaluate", str(run), "--n", "50"]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # after the extractor's log lines, when it trains
    assert "Traceback" not in "".join(err) and [line for line in err if "error" in line] == err[-1:]
    assert str(bad) in err[-1]


def test_an_old_checkpoint_without_checksums_still_loads(tmp_path: Path) -> None:
    run = _copy(OLD / "digits", tmp_path, "digits")
    assert "files" not in ckpt.read_state(run / "checkpoints" / "best")
    assert main(["sample", str(run), "-n", "3", "--out", str(tmp_path / "s.npz")]) == 0


# ---- writing: a full disk, fsync, modes, stale folders -----------------------------------
def _nets() -> tuple[dict[str, torch.nn.Module], dict[str, torch.optim.Optimizer]]:
    torch.manual_seed(0)
    G, D = torch.nn.Linear(4, 3), torch.nn.Linear(3, 1)
    opt = torch.optim.Adam(G.parameters())
    G(torch.randn(2, 4)).sum().backward()
    opt.step()
    return {"G": G, "D": D}, {"G": opt}


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """Let ``files`` checkpoint files be written, then fail the next one half way (ENOSPC)."""
    real = ckpt._write_file
    written = []

    def write(path: Path, data: bytes) -> None:
        if len(written) >= files:
            with open(path, "wb") as fh:
                fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        written.append(path)
        real(path, data)

    monkeypatch.setattr(ckpt, "_write_file", write)


@pytest.mark.parametrize("files", [0, 1, 3])
def test_a_full_disk_keeps_the_previous_checkpoint(tmp_path: Path, monkeypatch, files: int) -> None:
    modules, optimizers = _nets()
    root = tmp_path / "checkpoints"
    for name in ("00000010", "best"):
        ckpt.save_checkpoint(root / name, modules, optimizers, {"step": 10})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    _full_disk_after(monkeypatch, files)
    for name in ("00000020", "best"):  # a new name, and one that replaces an existing one
        with pytest.raises(ScienceError) as err:
            ckpt.save_checkpoint(root / name, modules, optimizers, {"step": 20})
        message = str(err.value)
        assert "\n" not in message and "No space left on device" in message and str(root / name) in message
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in root.iterdir()) == ["00000010", "best"]
    for name in ("00000010", "best"):
        ckpt.verify(root / name)


def test_a_full_disk_during_training_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    run = tmp_path / "run"
    real = ckpt._write_file

    def write(path: Path, data: bytes) -> None:
        if ".tmp-00000020" in str(path) and path.name == "optim_G.safetensors":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(ckpt, "_write_file", write)
    line = cli_error(capsys, ["train", "digits", "--steps", "20", "--out", str(run), *TINY])
    assert "No space left on device" in line and "00000020" in line
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["00000010"]
    ckpt.verify(run / "checkpoints" / "00000010")
    monkeypatch.undo()
    assert main(["sample", str(run), "-n", "2"]) == 0


def test_files_and_folders_are_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    modules, optimizers = _nets()
    folder = ckpt.save_checkpoint(tmp_path / "checkpoints" / "00000010", modules, optimizers, {"step": 10})
    tmp_files = {Path(p).name for p in synced if ".tmp-00000010" in p and Path(p).parent.name.startswith(".tmp")}
    assert tmp_files == {p.name for p in folder.iterdir()}  # every file, before the rename
    assert any(Path(p).name.startswith(".tmp-00000010") for p in synced)  # the folder itself
    assert synced[-1] == str(tmp_path / "checkpoints")  # the parent, after the rename


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_every_file_has_the_same_mode_under_the_umask(tmp_path: Path, mask: int) -> None:
    modules, optimizers = _nets()
    old = os.umask(mask)
    try:
        folder = ckpt.save_checkpoint(tmp_path / "c" / "00000001", modules, optimizers, {"step": 1})
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
    assert set(modes.values()) == {0o666 & ~mask}, modes
    assert folder.stat().st_mode & 0o777 == 0o777 & ~mask


def test_stale_folders_are_pruned_and_a_lost_checkpoint_restored(tmp_path: Path) -> None:
    modules, optimizers = _nets()
    run = tmp_path / "run"
    root = run / "checkpoints"
    ckpt.save_checkpoint(root / "00000010", modules, optimizers, {"step": 10})
    ckpt.save_checkpoint(root / "best", modules, optimizers, {"step": 10})
    # a run killed between the two renames of a replacement: the old folder is all there is
    (root / "best").rename(root / ".old-best-4242")
    shutil.copytree(root / "00000010", root / ".old-00000010-4243")  # killed before its rmtree
    (root / ".tmp-00000030-4244").mkdir()  # killed while writing
    ckpt.save_checkpoint(root / "00000020", modules, optimizers, {"step": 20})
    assert sorted(p.name for p in root.iterdir()) == ["00000010", "00000020", "best"]
    ckpt.verify(root / "best")
    (root / ".old-00000020-1").mkdir()
    ckpt.prune(run, keep=1)
    assert sorted(p.name for p in root.iterdir()) == ["00000020", "best"]


def test_loading_verifies_every_file(tmp_path: Path) -> None:
    modules, optimizers = _nets()
    folder = ckpt.save_checkpoint(tmp_path / "00000001", modules, optimizers, {"step": 1})
    fresh, fresh_opt = _nets()
    ckpt.load_checkpoint(folder, fresh, fresh_opt)
    _damage(folder / "optim_G.safetensors", "flipped")
    with pytest.raises(ckpt.DamagedCheckpoint, match=r"optim_G\.safetensors"):
        ckpt.load_checkpoint(folder, fresh, fresh_opt)
    with pytest.raises(ckpt.DamagedCheckpoint, match="checksum"):
        ckpt.verify(folder)
