"""Stopping training cleanly on Ctrl-C (SIGINT) or SIGTERM.

While :class:`StopRequests` is active the first of these signals only sets
``requested``; the trainer finishes the step it is in, writes a checkpoint at that step
(atomically, as every checkpoint) and raises :class:`Interrupted`, which the command
line turns into one line with the resume command and exit code 128 + the signal number
(130 for SIGINT, 143 for SIGTERM). A second signal stops at once (KeyboardInterrupt),
leaving the previous checkpoint as it was. Standard library only.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

#: The signals that ask training to stop.
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """Training stopped on ``signum`` at ``step`` after writing ``checkpoint``.

    ``resume`` is the command that continues the run (the command line fills it in);
    ``exit_code`` is 128 + the signal number, as a shell reports a signal.
    """

    def __init__(self, signum: int, step: int, checkpoint: Path):
        super().__init__(signum, step, checkpoint)
        self.signum, self.step, self.checkpoint = signum, step, checkpoint
        self.resume = ""

    @property
    def exit_code(self) -> int:
        """128 + the signal number (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        line = f"interrupted ({name}) at step {self.step}; checkpoint written to {self.checkpoint}"
        return line + (f"; resume with: {self.resume}" if self.resume else "")


class StopRequests:
    """A context in which SIGINT and SIGTERM ask to stop instead of stopping.

    ``requested`` is the first such signal's number (None until one comes). Handlers are
    installed only in the main thread, and not for a signal the process ignores (a job
    started with ``nohup`` or in the background); the previous ones come back on exit.
    """

    def __init__(self) -> None:
        self.requested: int | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested is not None:  # asked twice: stop now, without a checkpoint
            raise KeyboardInterrupt
        self.requested = signum

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
