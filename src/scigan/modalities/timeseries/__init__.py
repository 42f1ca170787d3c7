"""The time-series kind: multivariate series (prices, physiological signals, sensor traces)
cut into windows, for TimeGAN and a recurrent conditional GAN, measured with TimeGAN's
discriminative and predictive scores.

The kind's code is in :mod:`.modality`, :mod:`.options`, :mod:`.catalogue` (built-ins),
:mod:`.io` and :mod:`.builtins` (reading and writing), :mod:`.codec` (scaling or returns),
:mod:`.networks` and :mod:`.timegan` (TimeGAN's phases), :mod:`.scorer` with
:mod:`.metrics` (the scores), :mod:`.plots` and :mod:`.scores`. pandas, torch and the
built-ins' packages are imported only when the kind is used.
"""

from scigan.modalities import DataKind
from scigan.modalities.timeseries.catalogue import BUILTINS
from scigan.modalities.timeseries.options import TimeSeriesOptions
from scigan.modalities.timeseries.scores import SCORES

KIND = DataKind(
    name="timeseries",
    modality="scigan.modalities.timeseries.modality:TimeSeriesModality",
    options=TimeSeriesOptions,
    builtins=BUILTINS,
    data_copy="data.npz",
    scores=SCORES,
    selects="fd",
    validation=0.1,
    summary="time series: CSV/Parquet with a time column, or .npz windows, with --modality timeseries",
)
