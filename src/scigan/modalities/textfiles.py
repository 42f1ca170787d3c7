"""Text tables on disk, for every data kind that reads them (tables, expression
matrices, sequence tables): which delimiter a file uses, and the message for a file
that is not UTF-8."""

from __future__ import annotations

from pathlib import Path

#: Delimiters a text table may use whatever its ending, tried when the ending's does not
#: split the header; and how much of the file is looked at to tell.
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES, SNIFF_LINES = 65_536, 50


def sniff_delimiter(path: Path, expected: str) -> str:
    """The delimiter of the text table at ``path``: ``expected`` (its ending's) when it
    splits the header, else the one of :data:`DELIMITERS` that splits the header into
    the most fields and every sampled row into as many (quotes respected); ``expected``
    when none does. Reads at most :data:`SNIFF_BYTES` bytes."""
    import csv

    with open(path, "rb") as f:
        raw = f.read(SNIFF_BYTES)
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if len(raw) == SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut
    lines = [line for line in lines if line.strip()][:SNIFF_LINES]

    def widths(sep: str) -> list[int]:
        try:
            return [len(row) for row in csv.reader(lines, delimiter=sep)]
        except csv.Error:
            return [0]

    if not lines or widths(expected)[0] > 1:
        return expected
    best, most = expected, 1
    for sep in DELIMITERS:
        counts = widths(sep)
        if counts[0] > most and all(c == counts[0] for c in counts[1:]):
            best, most = sep, counts[0]
    return best


def not_utf8(path: Path, err: UnicodeDecodeError) -> str:
    """The message for a text table that is not UTF-8 (e.g. a spreadsheet's own encoding)."""
    byte = err.object[err.start : err.start + 1].hex()
    return (
        f"{path} is not UTF-8 text (byte 0x{byte} at position {err.start}); save it as UTF-8 "
        "(in a spreadsheet: CSV UTF-8), or it is not a text table"
    )
