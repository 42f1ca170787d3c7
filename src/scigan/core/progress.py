"""Training progress: a tqdm bar on a terminal, a plain line every half minute elsewhere.

A bar redraws itself with carriage returns several times a second, which a log file or
a batch system's output keeps as one endless line; when the stream is not a terminal
(nor a notebook, which draws the bar as a widget) the trainer's progress is instead one
ordinary line every :data:`EVERY_SECONDS`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

#: Seconds between plain progress lines.
EVERY_SECONDS = 30.0


def _value(v: Any) -> str:
    """A logged value, short: 4 significant digits for a float."""
    return f"{v:.4g}" if isinstance(v, float) else str(v)


class Progress:
    """How far training is, shown on ``stream`` (default stderr).

    Args:
        total: the step limit (None: no limit, e.g. a --minutes budget).
        initial: the step training starts (or resumes) from.
        enabled: False shows nothing (``--quiet``, ``progress = false``).
        log: where the plain lines go when ``stream`` is not a terminal.
        stream: the stream a bar draws on; only asked whether it is a terminal
            otherwise.
        every_seconds: seconds between plain lines (default :data:`EVERY_SECONDS`).
        clock: seconds, monotonic (a test's fake clock).
    """

    def __init__(
        self,
        total: int | None,
        initial: int,
        *,
        enabled: bool,
        log: Callable[[str], None],
        stream: IO[str] | None = None,
        every_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        stream = stream if stream is not None else sys.stderr
        # a notebook's output is no terminal but draws tqdm's bar as a widget
        drawn = bool(getattr(stream, "isatty", lambda: False)()) or "ipykernel" in sys.modules
        terminal = enabled and drawn
        self.total, self.step, self.log, self.clock = total, initial, log, clock
        self.lines = enabled and not terminal
        self.every = EVERY_SECONDS if every_seconds is None else every_seconds
        self.started = self.last = clock()
        self.first = initial
        self.shown: dict[str, Any] = {}
        self.bar: Any = None
        if terminal:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True, file=stream)

    def update(self, step: int) -> None:
        """Training reached ``step``; a plain line when ``every_seconds`` have passed."""
        if self.bar is not None:
            self.bar.update(step - self.step)
        self.step = step
        if self.lines and self.clock() - self.last >= self.every:
            self.last = self.clock()
            self.log(self.line())

    def show(self, values: dict[str, Any]) -> None:
        """The latest logged values (losses, the quick score) to show beside the step."""
        self.shown = dict(values)
        if self.bar is not None:
            self.bar.set_postfix(self.shown)

    def reset(self, step: int) -> None:
        """Training went back to ``step`` (a rollback)."""
        if self.bar is not None:
            self.bar.n = step
            self.bar.refresh()
        self.step = self.first = step
        self.started = self.clock()

    def line(self) -> str:
        """The plain progress line: step, share of the total, speed, time left, values."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = (self.step - self.first) / elapsed
        where = f"step {self.step}"
        if self.total:
            where += f"/{self.total} ({100 * self.step / self.total:.0f}%)"
        parts = [where, f"{rate:.3g} steps/s"]
        if self.total and rate > 0:
            parts.append(f"about {max(self.total - self.step, 0) / rate / 60:.1f} min left")
        values = " ".join(f"{k}={_value(v)}" for k, v in self.shown.items())
        return ", ".join(parts) + (f"; {values}" if values else "")

    def close(self) -> None:
        """Finish the bar (nothing for plain lines)."""
        if self.bar is not None:
            self.bar.close()
