"""The expression kind: single-cell or bulk expression, cells × genes.

The kind's code is in :mod:`.modality`, :mod:`.options`, :mod:`.catalogue` (built-ins),
:mod:`.io`, :mod:`.codec`, :mod:`.networks`, :mod:`.metrics` and :mod:`.scores`.
"""

from scigan.modalities import DataKind
from scigan.modalities.expression.catalogue import BUILTINS
from scigan.modalities.expression.options import ExpressionOptions
from scigan.modalities.expression.scores import SCORES

KIND = DataKind(
    name="expression",
    modality="scigan.modalities.expression.modality:ExpressionModality",
    options=ExpressionOptions,
    suffixes=(".h5ad",),
    builtins=BUILTINS,
    data_copy="data.h5ad",
    augmenter="scigan.modalities.expression.augment:ExpressionAugmenter",
    scores=SCORES,
    selects="fd_copy_penalised",
    validation=0.0,  # scored against the training cells
    summary="gene expression: .h5ad (or a cells × genes CSV with --modality expression)",
)
