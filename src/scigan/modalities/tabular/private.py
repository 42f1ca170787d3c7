"""The table codec of a differentially private run: built from public bounds and
categories, never from the training rows (which only the DP-SGD discriminator reads).

The bounds come from ``--dp-bounds FILE``, a JSON object with one entry per column:
``[low, high]`` for a numeric or integer column, a list of its categories for a
categorical or boolean one (the label column too), or an object
``{"min": .., "max": ..}`` / ``{"categories": [..]}`` with ``"missing": true`` when the
column may be empty. The ``breast-cancer`` built-in takes the ranges published in its
documentation (scikit-learn's ``DESCR``; they describe the whole data set, so they are
public but not private). Each numeric column becomes one mode centred between its bounds
(the mixture of modes CTGAN fits would read the rows), its bounds at ±0.5 of the
generator's tanh range.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError
from scigan.modalities.tabular.codec import TableCodec
from scigan.modalities.tabular.columns import Continuous, Discrete
from scigan.modalities.tabular.io import TableData

#: DESCR's statistic names -> the column-name pattern of load_breast_cancer's frame.
_BREAST_CANCER_NAMES = {"mean": "mean {}", "standard error": "{} error", "worst": "worst {}"}


def breast_cancer_bounds() -> dict[str, Any]:
    """The per-feature (min, max) table of scikit-learn's breast-cancer ``DESCR``, keyed by
    the frame's column names, plus the label's published classes."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    bounds: dict[str, Any] = {}
    for feature, stat, low, high in re.findall(
        r"^(\w[\w ]*?) \((mean|standard error|worst)\):\s+(\S+)\s+(\S+)\s*$", bunch.DESCR, flags=re.M
    ):
        bounds[_BREAST_CANCER_NAMES[stat].format(feature)] = [float(low), float(high)]
    bounds["target"] = [str(name) for name in bunch.target_names]
    return bounds


#: Built-ins whose bounds are published with the data.
PUBLISHED = {"breast-cancer": breast_cancer_bounds}


def read_bounds(path: str, source: str) -> dict[str, Any]:
    """The bounds of ``--dp-bounds`` (a JSON file), or the built-in ``source``'s published ones."""
    if not path:
        if source in PUBLISHED:
            return PUBLISHED[source]()
        raise ScienceError(
            f"--dp-epsilon on a table needs public bounds: give --dp-bounds FILE (JSON: column -> [low, high] "
            f"or [categories...]); {source} has none published"
        )
    try:
        doc = json.loads(Path(path).read_text())
    except OSError as err:
        raise ScienceError(f"--dp-bounds {path}: cannot be read ({err.strerror or err})") from None
    except ValueError as err:
        raise ScienceError(f"--dp-bounds {path} is not valid JSON: {err}") from None
    if not isinstance(doc, dict):
        raise ScienceError(f"--dp-bounds {path} must hold a JSON object: column -> bounds")
    return doc


def _entry(bounds: dict[str, Any], column: str) -> tuple[Any, bool]:
    """A column's bounds (a [low, high] pair or a category list) and whether it may be missing."""
    if column not in bounds:
        raise ScienceError(f"--dp-bounds has no entry for column {column!r}; add its [low, high] or its categories")
    entry = bounds[column]
    if isinstance(entry, dict):
        missing = bool(entry.get("missing", False))
        value = entry.get("categories", [entry.get("min"), entry.get("max")])
        return value, missing
    return entry, False


#: A private column's bounds lie ±BOUND_SPREADS / 8 from its centre in model space (the
#: codec maps ±4 spreads to ±1), so ±0.5 of the generator's tanh: a value near a bound is
#: reached where the tanh's slope is still 0.75. With the bounds at ±1 (8 spreads) the
#: generator saturated under DP noise and piled whole columns on a bound (breast-cancer,
#: ε = 3, seed 0, non-saturating loss: column shapes 0.47 with the bounds at ±1, 0.76 at
#: ±0.5; benchmarks/privacy.py). At ε = 1 (noise multiplier ≈ 20) it still runs onto them.
BOUND_SPREADS = 4


def _continuous(name: str, kind: str, dtype: str, entry: Any, missing: bool) -> Continuous:
    """One mode between the public bounds ``entry`` = [low, high]."""
    try:
        low, high = (float(v) for v in entry)
    except (TypeError, ValueError):
        raise ScienceError(f"--dp-bounds: column {name!r} needs [low, high] numbers, got {entry!r}") from None
    if not low < high:
        raise ScienceError(f"--dp-bounds: column {name!r} needs low < high, got [{low:g}, {high:g}]")
    middle, spread = (low + high) / 2, (high - low) / BOUND_SPREADS
    return Continuous(name, kind, dtype, [middle], [spread], [1.0], low, high, missing, middle)


def _discrete(name: str, kind: str, dtype: str, entry: Any, missing: bool) -> Discrete:
    """The public categories ``entry`` (a list), missing last when allowed."""
    if not isinstance(entry, list) or not entry:
        raise ScienceError(f"--dp-bounds: column {name!r} needs a list of its categories, got {entry!r}")
    return Discrete(name, kind, dtype, list(entry) + ([None] if missing else []))


def _check_rows(train: TableData, transforms: list[Continuous | Discrete]) -> None:
    """Refuse (to the data's owner, nothing is released) training values the bounds do not admit."""
    for t in transforms:
        series = train.x[t.name]
        if isinstance(t, Discrete):
            t.index(series)  # unknown categories are refused there
        elif series.isna().any() and not t.missing:
            raise ScienceError(f'column {t.name!r} has missing values; mark it "missing": true in --dp-bounds')


def private_table_codec(train: TableData, config: Any) -> TableCodec:
    """The run's codec from public bounds (see the module): no statistic of the training
    rows enters it, so it spends no ε. Datetime columns are refused."""
    bounds = read_bounds(config.data_options.dp_bounds, train.source)
    schema, label_column = train.info["schema"], train.info.get("label_column", "")
    conditional = config.conditional == "yes"
    transforms: list[Continuous | Discrete] = []
    label: Discrete | None = None
    for column in train.x.columns:
        kind, dtype = schema[column], str(train.x[column].dtype)
        entry, missing = _entry(bounds, column)
        if kind == "datetime":
            raise ScienceError(f"--dp-epsilon: datetime column {column!r} has no private codec; drop the column")
        discrete = kind in ("categorical", "boolean") or column == label_column
        make = _discrete if discrete else _continuous
        transform = make(column, "categorical" if column == label_column else kind, dtype, entry, missing)
        if column == label_column:
            assert isinstance(transform, Discrete)
            if sorted(map(str, transform.categories)) != sorted(map(str, train.class_names)):
                raise ScienceError(
                    f"--dp-bounds: the label {column!r} lists {transform.categories}, the data has the classes "
                    f"{list(train.class_names)}; list those"
                )
            transform.categories = list(Discrete.fit(train.x[column], "categorical").categories)
            label = transform
        if not (conditional and column == label_column):
            transforms.append(transform)
    _check_rows(train, transforms)
    codec = TableCodec(list(train.x.columns), transforms, label, conditional, config.seed)
    width = [len(t.categories) for t in transforms if isinstance(t, Discrete) and t.blocks]
    groups = max(len(label.categories) if conditional and label else 1, 1)
    codec.condition_frequencies = [[float(v) for n in width for v in np.full(n, 1 / n)]] * groups
    return codec
