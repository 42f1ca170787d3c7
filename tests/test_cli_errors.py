"""The command line's refusals: argparse errors, bad option values and an absent GPU are
each one line on stderr and exit 2, before any data is read; and the few things it says
instead of staying silent (a --holdout it cannot use, a resume with nothing to do)."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from helpers import TINY, cli_error
from scigan import options as opt
from scigan.cli import main
from scigan.config import TrainConfig
from scigan.modalities.images.options import ImageOptions


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A conditional DCGAN trained on digits for 10 steps."""
    run = tmp_path_factory.mktemp("runs") / "digits"
    assert main(["train", "digits", "--steps", "10", "--out", str(run), *TINY]) == 0
    return run


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading image data is an error: a refusal must come before it."""
    from scigan.modalities.images.modality import ImageModality

    def read(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the data was read before the refusal")

    monkeypatch.setattr(ImageModality, "read", read)


# ---- item 13: argparse's own errors ---------------------------------------------------
@pytest.mark.parametrize(
    "argv,command,phrase",
    [
        (["train", "digits", "--steps", "abc"], "train", "argument --steps: invalid int value: 'abc'"),
        (["train", "digits", "--g-lr", "fast"], "train", "argument --g-lr: invalid float value: 'fast'"),
        (["train", "digits", "--no-such-flag"], "train", "unrecognized arguments: --no-such-flag"),
        (["train", "digits", "--steps"], "train", "argument --steps: expected one argument"),
        (["train"], "train", "the following arguments are required: data"),
        (["train", "digits", "--conditional", "--unconditional"], "train", "not allowed with argument"),
        (["train", "digits", "--loss", "ns", "extra"], "train", "unrecognized arguments: extra"),
        (["sample", "runs/x"], "sample", "the following arguments are required: -n"),
        (["sample", "runs/x", "-n", "many"], "sample", "argument -n: invalid int value: 'many'"),
        (["evaluate", "runs/x", "--n", "ten"], "evaluate", "argument --n: invalid int value: 'ten'"),
        (["edit", "runs/x", "zoom", "--out", "a.png"], "edit", "argument kind: invalid choice: 'zoom'"),
        (["enhance", "runs/x"], "enhance", "the following arguments are required: input, --out"),
        (["augment", "digits", "--repeats", "two"], "augment", "argument --repeats: invalid int value: 'two'"),
        (["datasets", "--yaml"], "datasets", "unrecognized arguments: --yaml"),
        (["frobnicate"], "", "argument COMMAND: invalid choice: 'frobnicate'"),
        ([], "", "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_are_one_line(argv: list[str], command: str, phrase: str, capsys: pytest.CaptureFixture) -> None:
    """Every argparse error: one line naming the command, argparse's message and where
    the help is; exit 2, no usage block."""
    prog = f"scigan {command}".strip()
    line = cli_error(capsys, argv)
    assert line.startswith(f"{prog}: error: ") and line.endswith(f"; see {prog} --help"), line
    assert phrase in line and "usage:" not in line


def test_help_is_unchanged(capsys: pytest.CaptureFixture) -> None:
    """--help still prints the usage block and the examples, exit 0."""
    with pytest.raises(SystemExit) as done:
        main(["train", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: scigan train") and "--g-lr X" in out and "examples:" in out


# ---- item 6: every declared constraint of the core and the image options -------------
def _bad_values() -> list[tuple[str, str]]:
    """(flag, value) pairs that break a declared constraint of a core or image option,
    one beyond each bound of every Interval and an unknown choice of every OneOf, plus
    not-a-number and infinity for every float option."""
    cases = []
    for section in (TrainConfig, ImageOptions):
        for f in fields(section):
            check, kind = f.metadata.get("check"), type(f.default)
            if f.metadata.get("flags") or kind not in (int, float, str):
                continue  # constant flags (--conditional) cannot carry a bad value
            flag = opt.flag_name(f.name)
            if isinstance(check, opt.OneOf):
                cases.append((flag, "bogus"))
            if isinstance(check, opt.Interval):
                if check.low is not None:
                    low = check.low if check.low_open else check.low - (1 if kind is int else 0.5)
                    cases.append((flag, str(kind(low))))
                if check.high is not None:
                    high = check.high if check.high_open else check.high + (1 if kind is int else 0.5)
                    cases.append((flag, str(kind(high))))
            if kind is float:
                cases += [(flag, "nan"), (flag, "inf")]
    return [*cases, ("--g-lr", "-1"), ("--d-lr", "-1")]  # item 6 as the issue wrote it


@pytest.mark.parametrize("flag,value", _bad_values())
def test_every_bad_option_value_is_refused_before_reading(
    flag: str, value: str, no_reading: None, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A value outside its declared range (e.g. --g-lr -1, item 6) is one line naming the
    flag, exit 2, before the data is read and before the run folder is made."""
    out = tmp_path / "run"
    line = cli_error(capsys, ["train", "digits", "--out", str(out), *TINY, flag, value])
    assert flag in line and "internal error" not in line, line
    assert not out.exists()


def test_the_bad_value_list_covers_the_learning_rates() -> None:
    cases = _bad_values()
    assert ("--g-lr", "0.0") in cases and ("--d-lr", "nan") in cases and ("--holdout", "inf") in cases
    assert len(cases) > 40 and not any(math.isfinite(float(v)) for f, v in cases if f == "--minutes" and v != "-0.5")


# ---- item 8: a GPU asked for where there is none -------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "{run}", "--device", "cuda"],
        ["sample", "{run}", "-n", "4", "--device", "cuda"],
        ["edit", "{run}", "interpolate", "--out", "{tmp}/strip.png", "--device", "cuda"],
        ["enhance", "{run}", "{tmp}", "--out", "{tmp}/out", "--device", "cuda"],
        ["translate", "{run}", "{tmp}", "--out", "{tmp}/out", "--device", "cuda"],
        ["train", "digits", "--out", "{tmp}/r", "--device", "cuda"],
    ],
)
def test_cuda_without_a_gpu_is_refused_first(
    command: list[str], trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """--device cuda on a machine without one: one line, exit 2, before the run or the
    data is read (no "cache unreadable; retraining", no AssertionError)."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = [a.format(run=trained, tmp=tmp_path) for a in command]
    line = cli_error(capsys, argv)
    assert "no CUDA GPU" in line and "--device cpu" in line
    assert not (trained / "evaluation.json").exists() and not list(tmp_path.iterdir())


def test_an_unknown_device_is_refused(trained: Path, capsys: pytest.CaptureFixture) -> None:
    line = cli_error(capsys, ["evaluate", str(trained), "--device", "gpu"])
    assert "unknown device 'gpu'" in line


def test_the_python_api_checks_the_device_first(trained: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from scigan.errors import ScienceError
    from scigan.workflows.edit import edit
    from scigan.workflows.evaluate import evaluate

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ScienceError, match="no CUDA GPU"):
        evaluate(trained, device="cuda", log=lambda s: pytest.fail(f"logged {s!r} before refusing"))
    with pytest.raises(ScienceError, match="no CUDA GPU"):
        edit(trained, "interpolate", trained / "strip.png", device="cuda")


# ---- also seen -----------------------------------------------------------------------
def test_holdout_on_a_source_with_a_test_split_is_said(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """digits has its own test split, so --holdout has no effect: one line says so."""
    flags = ["--steps", "2", *[f for f in TINY if f != "--quiet"], "--no-progress"]
    assert main(["train", "digits", "--holdout", "0.3", "--out", str(tmp_path / "a"), *flags]) == 0
    err = capsys.readouterr().err
    said = [ln for ln in err.splitlines() if "--holdout" in ln]
    assert len(said) == 1 and "test split" in said[0] and "0.3" in said[0], err
    assert main(["train", "digits", "--out", str(tmp_path / "b"), *flags]) == 0
    assert "--holdout" not in capsys.readouterr().err  # the default is not worth a word


def test_a_refused_resume_leaves_the_run_as_it_was(trained: Path, capsys: pytest.CaptureFixture) -> None:
    """--resume with another --width is refused before config.toml is rewritten (else
    the run's own config would name a network its checkpoints do not hold)."""
    config = (trained / "config.toml").read_text()
    line = cli_error(
        capsys, ["train", "digits", "--steps", "20", "--out", str(trained), "--resume", *TINY, "--width", "16"]
    )
    assert "cannot resume" in line and "width" in line
    assert (trained / "config.toml").read_text() == config


def test_resume_with_nothing_to_do_says_so(trained: Path, capsys: pytest.CaptureFixture) -> None:
    """--resume --steps 5 on a run at step 10: says so, exit 0, nothing written."""
    before = {p: p.stat().st_mtime_ns for p in trained.rglob("*")}
    flags = [f for f in TINY if f != "--quiet"]
    capsys.readouterr()
    assert main(["train", "digits", "--steps", "5", "--out", str(trained), "--resume", *flags]) == 0
    err = capsys.readouterr().err
    assert "already at step 10 ≥ --steps 5; nothing to do" in err, err
    assert {p: p.stat().st_mtime_ns for p in trained.rglob("*")} == before


def test_the_summary_counts_real_samples_not_images(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The last line names no kind (tables and expression runs have no images)."""
    flags = [f for f in TINY if f != "--quiet"]
    assert main(["train", "digits", "--steps", "2", "--out", str(tmp_path / "r"), *flags]) == 0
    err = capsys.readouterr().err
    assert "trained 2 steps (64 real samples)" in err and "real images" not in err
