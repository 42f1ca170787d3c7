"""The ``scigan`` command line: parse, call the workflows, map errors to exit codes.

Exit codes: 0 ok, 2 bad input or usage (one line on stderr), 1 internal error.
Nothing heavy is imported until a command needs it, so ``scigan --help`` and
``scigan datasets`` answer at once. The parser is :mod:`.parser` (``train``'s flags are
built in :mod:`.flags` from the option sections), the handlers :mod:`.commands`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from scigan.cli.commands import COMMANDS
from scigan.cli.parser import build_parser
from scigan.errors import ScienceError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        COMMANDS[args.command](args, say)
    except ScienceError as err:
        print(f"scigan {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scigan {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # an internal error: one line, the traceback on request
        if os.environ.get("SCIGAN_DEBUG"):
            raise
        print(
            f"scigan {args.command}: internal error: {type(err).__name__}: {err} "
            "(set SCIGAN_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return 1
    return 0
