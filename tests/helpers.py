"""Constants and checks shared by the tests."""

from pathlib import Path

import pytest

from scigan.cli import main

#: CLI flags of a tiny, quick run on the digits built-in.
TINY = [
    "--width",
    "8",
    "--batch-size",
    "32",
    "--z-dim",
    "16",
    "--eval-every",
    "0",
    "--sample-every",
    "10",
    "--checkpoint-every",
    "10",
    "--log-every",
    "5",
    "--quiet",
]


def cli_error(capsys: pytest.CaptureFixture, argv: list[str]) -> str:
    """Run the CLI with ``argv``, expect exit code 2, and return the single line it
    wrote on stderr (no traceback)."""
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def newest_weights(run: Path) -> dict:
    """Every tensor of ``run``'s newest step checkpoint, keyed by "file/name"."""
    from safetensors.torch import load_file

    newest = sorted(p for p in (run / "checkpoints").iterdir() if p.name.isdigit())[-1]
    return {f"{f.name}/{k}": v for f in sorted(newest.glob("*.safetensors")) for k, v in load_file(f).items()}


def assert_same_weights(a: Path, b: Path) -> None:
    """The newest checkpoints of runs ``a`` and ``b`` hold identical tensors (G, D, EMA,
    optimizers)."""
    wa, wb = newest_weights(a), newest_weights(b)
    assert wa.keys() == wb.keys()
    different = [k for k in wa if not (wa[k] == wb[k]).all()]
    assert not different, f"{len(different)} tensors differ, e.g. {different[:3]}"


def assert_resume_is_exact(tmp_path: Path, argv: list[str], steps: int, stop: int) -> tuple[Path, Path]:
    """Train ``scigan train *argv`` for ``steps`` straight, and again stopped at ``stop``
    then resumed to ``steps``; assert both end with identical weights. Returns the two
    run folders (straight, resumed) for further checks."""
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert main(["train", *argv, "--steps", str(steps), "--out", str(straight)]) == 0
    assert main(["train", *argv, "--steps", str(stop), "--out", str(resumed)]) == 0
    assert main(["train", *argv, "--steps", str(steps), "--out", str(resumed), "--resume"]) == 0
    assert_same_weights(straight, resumed)
    return straight, resumed
