"""Training machinery that knows no modality: objectives, regularizers, EMA,
augmentation, checkpoints and the trainer."""
