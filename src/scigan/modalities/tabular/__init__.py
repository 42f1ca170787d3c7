"""The table kind: clinical and other tables (CSV, TSV, Parquet or a DataFrame).

The kind's code is in :mod:`.modality`, :mod:`.options`, :mod:`.catalogue` (built-ins),
:mod:`.io`, :mod:`.codec`, :mod:`.networks`, :mod:`.conditions`, :mod:`.metrics` and
:mod:`.scores` (its declared scores).
"""

from scigan.modalities import DataKind
from scigan.modalities.tabular.catalogue import BUILTINS
from scigan.modalities.tabular.options import TableOptions
from scigan.modalities.tabular.scores import SCORES

KIND = DataKind(
    name="tabular",
    modality="scigan.modalities.tabular.modality:TabularModality",
    options=TableOptions,
    suffixes=(".csv", ".tsv", ".parquet", ".pq"),
    builtins=BUILTINS,
    data_copy="data.parquet",
    copy_applied=("drop_columns",),
    augmenter="scigan.modalities.tabular.augment:TableAugmenter",
    scores=SCORES,
    validation=0.0,  # the quick FD compares with the training rows
    summary="tables: .csv, .tsv or .parquet",
)
