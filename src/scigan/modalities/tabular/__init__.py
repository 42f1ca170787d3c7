"""The table kind: clinical and other tables (CSV, TSV, Parquet or a DataFrame).

The kind's code is in :mod:`.modality`, :mod:`.options`, :mod:`.catalogue` (built-ins),
:mod:`.io`, :mod:`.codec`, :mod:`.networks`, :mod:`.conditions` and :mod:`.metrics`.
"""

from scigan.modalities import DataKind
from scigan.modalities.tabular.catalogue import BUILTINS
from scigan.modalities.tabular.options import TableOptions

KIND = DataKind(
    name="tabular", modality="scigan.modalities.tabular.modality:TabularModality", options=TableOptions,
    suffixes=(".csv", ".tsv", ".parquet", ".pq"), builtins=BUILTINS, data_copy="data.parquet",
    augmenter="scigan.modalities.tabular.augment:TableAugmenter",
    summary="tables: .csv, .tsv or .parquet",
)
