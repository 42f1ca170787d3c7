"""Downstream classifiers and classic augmentations for ``scigan augment``.

:mod:`.images`: a small CNN with a fixed recipe and classic image augmentation (random
crops, optional flips, small affine). :mod:`.tables`: scikit-learn models (logistic
regression, gradient boosting) with SMOTE or class re-weighting, for tables and
expression matrices.
"""
