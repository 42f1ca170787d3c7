"""The molecules kind: small molecules as SMILES (files, CSV columns, SDF) for MolGAN and
LatentGAN, measured with the MOSES metrics.

The kind's code is in :mod:`.modality`, :mod:`.options`, :mod:`.catalogue` (built-ins),
:mod:`.chem` (RDKit), :mod:`.io` and :mod:`.builtins` (reading and writing),
:mod:`.graph` and :mod:`.codec` (molecules as graphs, or as autoencoder latents),
:mod:`.networks` and :mod:`.reward` (MolGAN's), :mod:`.smiles_vocab` and
:mod:`.autoencoder` with :mod:`.autoencoder_training` and :mod:`.autoencoder_files`
(LatentGAN's), :mod:`.metrics` (with :mod:`.moses`, :mod:`.fcd`,
:mod:`.properties`), :mod:`.ngram` (the baseline), :mod:`.plots` and :mod:`.scores`.
RDKit is imported only when the kind is used.
"""

from scigan.modalities import DataKind
from scigan.modalities.molecules.catalogue import BUILTINS
from scigan.modalities.molecules.options import MoleculeOptions
from scigan.modalities.molecules.scores import SCORES

#: File endings that name molecules (CSV/TSV and .txt need --modality molecules).
SUFFIXES = (".smi", ".smiles", ".sdf", ".smi.gz", ".sdf.gz")

KIND = DataKind(
    name="molecules",
    modality="scigan.modalities.molecules.modality:MoleculeModality",
    options=MoleculeOptions,
    suffixes=SUFFIXES,
    builtins=BUILTINS,
    data_copy="data.smi",
    scores=SCORES,
    selects="fcd",
    validation=0.1,
    summary="molecules: SMILES files (.smi), SDF, or a CSV column with --modality molecules",
)
