"""Measuring generated data: fidelity scores on feature arrays and the in-domain
feature extractor they are computed with.

Import the submodules directly (``scigan.metrics.fidelity``, ``scigan.metrics.features``);
this package imports nothing heavy on its own.
"""
