"""What "the user's input is wrong" and "the user should know" are: the one exception
type and the one warning category scigan raises for the user."""


class ScienceError(ValueError):
    """Bad input or usage: the message names the problem and the fix.

    The command line turns it into one line on stderr and exit code 2.
    """


def brief(exc: BaseException) -> str:
    """An exception as one short line (at most 200 characters), for messages that name a
    damaged file: "ValueError: what it said"."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:200]


class ScienceWarning(UserWarning):
    """Something the user should know that does not stop the work (e.g. a constant
    column kept as is): one sentence, no source line.

    The command line shows it as ``scigan <command>: warning: <message>``
    (:func:`scigan.warn.one_line_warnings`); raise it with :func:`scigan.warn.warn`.
    """
