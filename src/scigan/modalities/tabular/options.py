"""The table kind's options: the ``[tabular]`` section of a run's config.toml."""

from __future__ import annotations

from dataclasses import dataclass

from scigan.options import Interval, OneOf, option


@dataclass(frozen=True)
class TableOptions:
    """How a table is read and how CTGAN conditions on it."""

    label_column: str = option(
        "",
        "The column holding the label to condition on; empty takes the built-in's "
        "own label, or none for the user's files.",
    )
    drop_columns: str = option(
        "",
        "Comma-separated columns to leave out of the table, e.g. a follow-up time that "
        "gives the label away; the label column cannot be dropped.",
    )
    group_column: str = option(
        "",
        "The discrete column whose values are the groups of the fairness scores (each "
        "score per group, representation ratios, equalized odds) and of sample --balance; "
        "empty takes the label column.",
        resumable=True,
    )
    column_types: str = option(
        "",
        "Type overrides as name=type,..., each type one of numeric, integer, "
        "categorical, boolean, datetime; other columns are inferred.",
    )
    pac: int = option(
        0,
        "PacGAN pack size, rows the critic judges together; 0 = auto (4 when it divides the batch size, else 1).",
        Interval(0),
    )
    condition_columns: str = option(
        "all",
        "The columns of CTGAN's conditional vector with training-by-sampling: "
        "all (every discrete column, and the label) or label (the label only, "
        "rows resampled by the log of its class frequencies).",
        OneOf(("all", "label")),
    )
    dp_bounds: str = option(
        "",
        "With --dp-epsilon: a JSON file of public bounds, column -> [low, high] or [categories...]; "
        "empty takes a built-in's published ones.",
    )
