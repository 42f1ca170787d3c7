"""Downstream classifiers and classic augmentations for ``scigan augment``.

:mod:`.images`: a small CNN with a fixed recipe and classic image augmentation (random
crops, optional flips, small affine). :mod:`.tables`: scikit-learn models (logistic
regression, gradient boosting) with SMOTE or class re-weighting. :mod:`.rows`: the
:class:`~scigan.augment.protocol.Augmenter` shared by the kinds whose samples become
feature rows (tables, expression matrices); each kind adds only its row map.
"""
