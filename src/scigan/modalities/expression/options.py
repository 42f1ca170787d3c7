"""The expression kind's options: the ``[expression]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import OneOf, option


@dataclass(frozen=True)
class ExpressionOptions:
    """How an expression matrix is read."""

    label_column: str = option(
        "",
        "The obs key (or CSV column) holding the cell type to condition on; empty "
        "takes the built-in's own label, or none for the user's files.",
    )
    values: str = option(
        "auto",
        "What the matrix holds: counts (raw counts), log (log-normalised) or auto (detected).",
        OneOf(("auto", "counts", "log")),
    )
