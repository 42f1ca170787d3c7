"""Run folders and output files: --overwrite deletes only what scigan wrote, a folder
counts as scigan's only when it carries scigan's marker (or is a run written before the
marker), and broken configs and output paths are one line and exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import TINY, cli_error
from scigan.cli import main
from scigan.errors import ScienceError
from scigan.runs import MARKER, is_run_folder, prepare_run_folder, read_marker

OLD = Path(__file__).parent / "data" / "runs_v0"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny digits run of 3 steps, written by this scigan (so it carries the marker)."""
    run = tmp_path_factory.mktemp("safety") / "run"
    assert main(["train", "digits", "--steps", "3", "--out", str(run), *TINY]) == 0
    return run


def _copy(run: Path, tmp_path: Path, name: str = "run") -> Path:
    shutil.copytree(run, tmp_path / name)
    return tmp_path / name


def _users_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("keep")
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "mine.csv").write_text("a,b\n1,2\n")


def _users_files_survive(folder: Path) -> None:
    assert (folder / "notes.txt").read_text() == "keep"
    assert (folder / "data" / "mine.csv").read_text() == "a,b\n1,2\n"


# ---- item 1: the marker, and --overwrite deletes only what the run wrote ----------------
def test_the_issue_reproducer_keeps_every_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "u"
    _users_files(folder)
    (folder / "config.toml").write_text('title="x"\n')
    line = cli_error(capsys, ["train", "digits", "--steps", "3", "--out", str(folder), "--overwrite", *TINY])
    assert "not a scigan run folder" in line and str(folder) in line
    _users_files_survive(folder)
    assert (folder / "config.toml").read_text() == 'title="x"\n'
    # not even a config.toml with a [train] table makes it a run folder: checkpoints/ is missing
    (folder / "config.toml").write_text('[train]\ndata = "digits"\n')
    assert not is_run_folder(folder)
    assert "not a scigan run folder" in cli_error(
        capsys, ["train", "digits", "--steps", "3", "--out", str(folder), "--overwrite", *TINY]
    )
    assert "not a scigan run folder" in cli_error(
        capsys, ["train", "digits", "--steps", "3", "--out", str(folder), "--resume", *TINY]
    )
    _users_files_survive(folder)


def test_a_run_folder_carries_a_marker_with_a_run_id(trained: Path) -> None:
    marker = read_marker(trained)
    assert marker is not None and marker["folder"] == "run" and len(marker["id"]) == 32
    assert is_run_folder(trained)
    assert oct((trained / MARKER).stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_overwrite_of_a_run_keeps_the_users_files(trained: Path, tmp_path: Path) -> None:
    run = _copy(trained, tmp_path)
    _users_files(run)
    before = read_marker(run)
    assert main(["train", "digits", "--steps", "2", "--out", str(run), "--overwrite", *TINY]) == 0
    _users_files_survive(run)
    after = read_marker(run)
    assert before is not None and after is not None and after["id"] != before["id"]
    # what the first run wrote is gone: its step-3 checkpoint and step-3 preview
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["00000002"]
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["00000002.png"]


def test_overwrite_deletes_only_scigans_names(tmp_path: Path) -> None:
    run = tmp_path / "run"
    prepare_run_folder(run, resume=False, overwrite=False)
    scigans = ["config.toml", "metrics.jsonl", "codec.json", "evaluation.json", "report.html", "data.npz"]
    for name in scigans:
        (run / name).write_text("x")
    for name in ("checkpoints/00000010", "samples", "report"):
        (run / name).mkdir(parents=True)
    _users_files(run)
    (run / "checkpoints.bak").mkdir()  # a name next to scigan's is the user's
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "precious").write_text("keep")
    (run / "link").symlink_to(tmp_path / "elsewhere")
    prepare_run_folder(run, resume=False, overwrite=True)
    _users_files_survive(run)
    assert (run / "checkpoints.bak").is_dir() and (tmp_path / "elsewhere" / "precious").is_file()
    assert sorted(p.name for p in run.iterdir()) == sorted([MARKER, "notes.txt", "data", "checkpoints.bak", "link"])


def test_a_symlink_named_like_a_product_is_unlinked_not_followed(tmp_path: Path) -> None:
    run = tmp_path / "run"
    prepare_run_folder(run, resume=False, overwrite=False)
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "precious").write_text("keep")
    (run / "checkpoints").symlink_to(tmp_path / "theirs")
    prepare_run_folder(run, resume=False, overwrite=True)
    assert not (run / "checkpoints").exists() and (tmp_path / "theirs" / "precious").read_text() == "keep"


def test_a_folder_with_another_kind_of_marker_is_not_a_run(tmp_path: Path) -> None:
    folder = tmp_path / "aug"
    folder.mkdir()
    (folder / MARKER).write_text(json.dumps({"folder": "augment", "id": "0" * 32}))
    (folder / "config.toml").write_text("x")
    with pytest.raises(ScienceError, match="not a scigan run folder"):
        prepare_run_folder(folder, resume=False, overwrite=True)
    (folder / MARKER).write_text("garbage, written by the user")
    with pytest.raises(ScienceError, match="not a scigan run folder"):
        prepare_run_folder(folder, resume=False, overwrite=True)
    assert (folder / "config.toml").read_text() == "x"


# ---- run folders written before the marker ---------------------------------------------
def _unmarked(trained: Path, tmp_path: Path) -> Path:
    run = _copy(trained, tmp_path, "old")
    (run / MARKER).unlink()
    return run


def test_an_unmarked_run_resumes_samples_and_is_adopted(trained: Path, tmp_path: Path) -> None:
    run = _unmarked(trained, tmp_path)
    assert is_run_folder(run)
    assert main(["sample", str(run), "-n", "4", "--out", str(tmp_path / "s.npz")]) == 0
    assert main(["train", "digits", "--steps", "5", "--out", str(run), "--resume", *TINY]) == 0
    assert (run / "checkpoints" / "00000005").is_dir()
    marker = read_marker(run)
    assert marker is not None and marker["folder"] == "run"


def test_overwrite_of_an_unmarked_run_deletes_only_scigans_names(trained: Path, tmp_path: Path) -> None:
    run = _unmarked(trained, tmp_path)
    _users_files(run)
    (run / "mine.toml").write_text("keep")
    assert main(["train", "digits", "--steps", "2", "--out", str(run), "--overwrite", *TINY]) == 0
    _users_files_survive(run)
    assert (run / "mine.toml").read_text() == "keep"
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["00000002"]


def test_an_old_run_fixture_is_a_run_folder(tmp_path: Path) -> None:
    run = _copy(OLD / "digits", tmp_path, "digits")
    assert is_run_folder(run) and read_marker(run) is None
    _users_files(run)
    prepare_run_folder(run, resume=False, overwrite=True)
    _users_files_survive(run)
    assert not (run / "config.toml").exists() and not (run / "checkpoints").exists()


# ---- the augment output folder: the same mechanism --------------------------------------
def test_augment_overwrite_keeps_the_users_files(tmp_path: Path) -> None:
    from scigan.augment.config import prepare_output

    out = tmp_path / "aug"
    prepare_output(out, overwrite=False)
    assert (read_marker(out) or {}).get("folder") == "augment"
    for name in ("results.json", "table.md", "accuracy.png", "splits.npz", "config.toml"):
        (out / name).write_text("x")
    (out / "gan" / "seed-0").mkdir(parents=True)
    _users_files(out)
    with pytest.raises(ScienceError, match="already exists; pass --overwrite"):
        prepare_output(out, overwrite=False)
    prepare_output(out, overwrite=True)
    _users_files_survive(out)
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "notes.txt", "data"])
    # a training run folder is not an augment output folder, nor the other way round
    with pytest.raises(ScienceError, match="not a scigan run folder"):
        prepare_run_folder(out, resume=False, overwrite=True)
    _users_files_survive(out)


def test_augment_refuses_a_folder_with_only_a_users_config(tmp_path: Path) -> None:
    from scigan.augment.config import prepare_output

    out = tmp_path / "mine"
    _users_files(out)
    (out / "config.toml").write_text('[augment]\ndata = "digits"\n')  # the user's own, given to --config
    with pytest.raises(ScienceError, match="is not an augment output folder"):
        prepare_output(out, overwrite=True)
    _users_files_survive(out)
    assert (out / "config.toml").read_text() == '[augment]\ndata = "digits"\n'


def test_an_augment_folder_written_before_the_marker_is_overwritten_safely(tmp_path: Path) -> None:
    from scigan.augment.config import prepare_output

    out = tmp_path / "old"
    _users_files(out)
    (out / "config.toml").write_text('[augment]\ndata = "digits"\n')
    (out / "results.json").write_text("{}")
    (out / "gan" / "seed-0").mkdir(parents=True)
    prepare_output(out, overwrite=True)
    _users_files_survive(out)
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "notes.txt", "data"])


# ---- item 5: a run's config.toml that is not TOML, or not scigan's ----------------------
@pytest.mark.parametrize(
    "text",
    [
        b"[train\nsteps = 3\n",  # not TOML
        b"\xff\xfe garbage",  # not UTF-8
        b"",  # empty
        b"train = 3\n",  # [train] not a table
        b'[train]\nsteps = "many"\n[data]\nmodality = "images"\n',  # a value of the wrong type
        b'[train]\nsteps = 3\ndata = "digits"\n',  # no [data]
        b'[train]\ndata = "digits"\ndata = "x"\n',  # a key twice
        b'[train]\ndata = "digits"\nmodality = "images"\n[images]\nsize = "x"\n[data]\n',
        b'[train]\ndata = "digits"\nmodality = "images"\n[data]\n[[images]]\nsize = 3\n',
        b'[train]\ndata = "digits"\nmodality = "images"\ndata_options = 3\n[data]\n',
        b'data = 3\n[train]\ndata = "digits"\nmodality = "images"\n',
        b'[train]\ndata = "digits"\nmodality = "images"\n[data]\nmodality = "nonsense"\n',  # an unknown kind
        b'[train]\ndata = "digits"\nmodality = "images"\n[data]\nmodality = "images"\n',  # no num_classes
        b'[train]\ndata = "digits"\nmodality = "images"\n[data]\nmodality = "images"\nnum_classes = 0\n'
        b"class_names = []\nn_train = 9\n",  # no n_holdout
    ],
)
def test_a_broken_run_config_is_one_line(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture, text: bytes
) -> None:
    run = _copy(trained, tmp_path)
    (run / "config.toml").write_bytes(text)
    for argv in (["sample", str(run), "-n", "2"], ["evaluate", str(run)], ["report", str(run)]):
        line = cli_error(capsys, argv)
        assert str(run / "config.toml") in line, line


@pytest.mark.parametrize("entries", ["", 'size = "x"\nchannels = 1\n', "size = 8\nchannels = [1]\n"])
def test_a_data_table_without_the_kinds_entries_is_one_line(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture, entries: str
) -> None:
    run = _copy(trained, tmp_path)
    common = 'modality = "images"\nnum_classes = 10\nclass_names = []\nn_train = 9\nn_holdout = 1\n'
    (run / "config.toml").write_text(f'[train]\ndata = "digits"\nmodality = "images"\n[data]\n{common}{entries}')
    line = cli_error(capsys, ["sample", str(run), "-n", "2"])
    assert str(run / "config.toml") in line and "[data]" in line, line


def test_a_config_toml_that_is_a_folder_is_one_line(trained: Path, tmp_path: Path, capsys) -> None:
    run = _copy(trained, tmp_path)
    (run / "config.toml").unlink()
    (run / "config.toml").mkdir()
    assert str(run / "config.toml") in cli_error(capsys, ["sample", str(run), "-n", "2"])


# ---- item 7: --config that is a folder, unreadable or not text --------------------------
def test_config_that_is_a_folder_or_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch) -> None:
    argv = ["train", "digits", "--steps", "1", "--out", str(tmp_path / "r"), *TINY, "--config"]
    line = cli_error(capsys, [*argv, str(tmp_path)])
    assert str(tmp_path) in line and "folder" in line
    binary = tmp_path / "c.toml"
    binary.write_bytes(b"\x00\xff\xfe\x80 garbage")
    assert str(binary) in cli_error(capsys, [*argv, str(binary)])
    missing = tmp_path / "missing.toml"
    assert "does not exist" in cli_error(capsys, [*argv, str(missing)])
    locked = tmp_path / "locked.toml"
    locked.write_text("steps = 2\n")
    real_open = open

    def refuse(path, *args, **kwargs):  # root reads any file: deny it the way a mode 000 file is
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    line = cli_error(capsys, [*argv, str(locked)])
    assert str(locked) in line and "Permission denied" in line
    assert not (tmp_path / "r").exists()


# ---- item 9: sample --out paths ---------------------------------------------------------
def test_sample_out_under_a_file_is_one_line(trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "file.csv").write_text("a\n1\n")
    for out in ("file.csv/x.png", "file.csv/deeper/x.npz", "file.csv/folder"):
        line = cli_error(capsys, ["sample", str(trained), "-n", "2", "--out", str(tmp_path / out)])
        assert str(tmp_path / "file.csv") in line and "is a file" in line, line
        line = cli_error(capsys, ["sample", str(trained), "-n", "2", "--out", str(tmp_path / out), "--overwrite"])
        assert "is a file" in line
    assert (tmp_path / "file.csv").read_text() == "a\n1\n"


def test_sample_into_a_run_folder_says_it_is_a_run_folder(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = _copy(trained, tmp_path)
    (run / "evaluation.json").write_text("{}")
    before = sorted(p.name for p in run.rglob("*"))
    for target in (run, trained):
        line = cli_error(capsys, ["sample", str(run), "-n", "2", "--out", str(target), "--overwrite"])
        assert "did not write" not in line and "run folder" in line, line
    old = _copy(OLD / "digits", tmp_path, "old")
    line = cli_error(capsys, ["sample", str(old), "-n", "2", "--out", str(old), "--overwrite"])
    assert "run folder" in line
    assert sorted(p.name for p in run.rglob("*")) == before
    # a folder inside the run that scigan does not own is the user's to fill
    assert main(["sample", str(run), "-n", "2", "--out", str(run / "drawn")]) == 0


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
