"""Constants and checks shared by the tests."""

import pytest

from scigan.cli import main

#: CLI flags of a tiny, quick run on the digits built-in.
TINY = ["--width", "8", "--batch-size", "32", "--z-dim", "16", "--eval-every", "0",
        "--sample-every", "10", "--checkpoint-every", "10", "--log-every", "5", "--quiet"]


def cli_error(capsys: pytest.CaptureFixture, argv: list[str]) -> str:
    """Run the CLI with ``argv``, expect exit code 2, and return the single line it
    wrote on stderr (no traceback)."""
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]
