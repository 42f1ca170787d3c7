"""``scigan forecast``: next-day forecasting of a series with a GAN (Zhang et al. 2018: an
LSTM generator and an MLP discriminator) beside persistence, ARIMA and the same LSTM
trained on MSE alone, evaluated walk-forward on the last years.

:mod:`.options` (the flags), :mod:`.data` (windows, time split, scaling), :mod:`.networks`,
:mod:`.training` (the GAN and MSE loops), :mod:`.baselines` (persistence, ARIMA),
:mod:`.scores` (MAE, RMSE, MAPE, direction, strategy), :mod:`.run` (the command: table,
files, plot). Standard library only here.
"""
