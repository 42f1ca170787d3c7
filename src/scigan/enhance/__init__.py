"""Image enhancement and translation, the tasks superres, denoise, translate and cyclegan
(:mod:`scigan.tasks` names their trainer and evaluator; ``scigan train`` picks them).

* :mod:`.options` — the ``[enhance]`` section (``config.task_options``); :mod:`.resolve`
  fills in its automatic values and checks them.
* :mod:`.pairs` and :mod:`.degrade` — training pairs from whole pictures (read from paired
  folders or made by a degradation), the held-out split, patch pools, the pair-making
  step hook; :mod:`.terms` — the L1, feature and CycleGAN loss terms on the core Trainer.
* :mod:`.networks` — the generator and discriminator of a run; :mod:`.train` —
  :func:`~scigan.enhance.train.train_enhancer`.
* :mod:`.apply` and :mod:`.tiling` — ``scigan enhance`` / ``scigan translate`` on images of
  any size; :mod:`.crops` — held-out inputs, baselines and side-by-side crops.
* :mod:`.evaluate` and :mod:`.quality` — PSNR and SSIM beside the baseline; :mod:`.scores`
  declares them in the metric registry.
"""
