"""Data kinds. Each module implements :class:`scigan.modalities.base.Modality`."""
