"""The ``scigan`` command line: parse, call the workflows, map errors to exit codes.

Exit codes: 0 ok, 2 bad input or usage (one line on stderr), 1 internal error (and
``scigan provenance``'s answer for a file without marks), 130 and
143 training stopped by SIGINT or SIGTERM (a checkpoint written, the resume command said).
Nothing heavy is imported until a command needs it, so ``scigan --help`` and
``scigan datasets`` answer at once. The parser is :mod:`.parser` (``train``'s flags are
built in :mod:`.flags` from the option sections), the handlers :mod:`.commands`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from scigan.cli.commands import COMMANDS
from scigan.cli.parser import UsageError, build_parser
from scigan.core.interrupt import Interrupted
from scigan.errors import ScienceError
from scigan.warn import one_line_warnings


def rank() -> str:
    """This process's rank in a torchrun run ("0" outside one): only rank 0 prints the
    line for bad input or an interruption, since every rank reads the same input."""
    return os.environ.get("RANK", "0")


def lost_peer(err: Exception) -> bool:
    """Whether ``err`` is a multi-process run's collective failing because a peer process
    ended (gloo: the connection closed or reset)."""
    text = str(err)
    return int(os.environ.get("WORLD_SIZE", "1")) > 1 and ("Connection reset" in text or "Connection closed" in text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:  # one line, no usage block
        print(err, file=sys.stderr)
        return 2
    args.argv = argv  # as typed: an interrupted run's resume command repeats it

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    shown = one_line_warnings(f"scigan {args.command}")  # warnings as one line each
    try:
        with shown:
            if getattr(args, "device", None) is not None:  # a device is checked before anything else
                from scigan.core.device import resolve_device

                resolve_device(args.device)
            code = COMMANDS[args.command](args, say)
    except ScienceError as err:
        if rank() == "0":
            print(f"scigan {args.command}: error: {err}", file=sys.stderr)
        return 2
    except Interrupted as stop:  # a checkpoint was written; the line says how to resume
        if rank() == "0":
            print(f"scigan {args.command}: {stop}", file=sys.stderr)
        return stop.exit_code
    except KeyboardInterrupt:
        print(f"scigan {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # an internal error: one line, the traceback on request
        if os.environ.get("SCIGAN_DEBUG"):
            raise
        if lost_peer(err):
            print(f"scigan {args.command}: rank {rank()}: another rank of the run went away; stopping", file=sys.stderr)
            return 1
        print(
            f"scigan {args.command}: internal error: {type(err).__name__}: {err} "
            "(set SCIGAN_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return 1
    shown.summarise()
    return code or 0
