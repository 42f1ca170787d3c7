"""The image kind: grayscale or colour images, stored as uint8 N×C×H×W.

The kind's code is in :mod:`.modality` (the Modality and its codec), :mod:`.options`,
:mod:`.catalogue` (built-ins) and the readers and writers beside them.
"""

from scigan.modalities import DataKind
from scigan.modalities.images.catalogue import BUILTINS
from scigan.modalities.images.options import ImageOptions

KIND = DataKind(
    name="images",
    pictures=True,
    modality="scigan.modalities.images.modality:ImageModality",
    options=ImageOptions,
    fallback=True,
    builtins=BUILTINS,
    data_copy="data.npz",
    augmenter="scigan.modalities.images.augment:ImageAugmenter",
    summary="images: a folder of PNG/JPEG/TIFF (sub-folders are classes) or an .npz",
)
