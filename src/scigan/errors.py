"""The one exception type that means "the user's input is wrong"."""


class ScienceError(ValueError):
    """Bad input or usage: the message names the problem and the fix.

    The command line turns it into one line on stderr and exit code 2.
    """
