"""``scigan augment``: does synthetic data make a downstream classifier better?

One reproducible experiment. A fixed test split (the source's own, else a stratified
``test_fraction`` drawn with ``seed``) is set aside and never seen by the GAN, by the
classifiers' training or by any choice the experiment makes. For each of ``repeats``
seeds, a training subset is drawn from the rest (K per class, and/or one class made
rare); a conditional GAN is trained on that subset alone (its own splits come from the
subset); and a downstream classifier with a fixed recipe is trained under five
conditions on the same subset:

``real``             the subset
``real+classic``     the subset with the kind's classic augmentation (e.g. crops, flips
                     where valid, small affine; SMOTE or class re-weighting)
``real+gan``         the subset plus GAN samples
``real+classic+gan`` both
``gan``              GAN samples only (train on synthetic, test on real)

Scores on the test split (accuracy, macro-F1, recall per class) are reported per seed,
as mean ± std, and as paired differences to ``real`` and ``real+classic`` with a 95 %
t-interval over the seeds.

The modules: :mod:`.config` (the options, their config.toml, the output folder),
:mod:`.subsets` (test split, subsets, imbalance), :mod:`.gans` (each seed's GAN: its
config, its reuse, the samples drawn from it), :mod:`.seed_gan` (the GAN as the
conditions use it, with the class-consistency weight chosen on its holdout),
:mod:`.shares`, :mod:`.selection` and :mod:`.unlabeled` (synthetic shares; DRS, the
filter and the per-class cap; an unlabeled pool),
:mod:`.executors` (where the seeds run), :mod:`.stats` (scores and paired intervals),
:mod:`.table` (the Markdown table and the plot), :mod:`.protocol` (the
:class:`~scigan.augment.protocol.Augmenter` a data kind implements and declares as
``DataKind.augmenter``) and :mod:`.experiment` (:func:`~scigan.augment.experiment.augment`).
"""
