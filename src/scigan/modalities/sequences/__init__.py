"""The sequences kind: DNA, RNA and protein sequences (FASTA, or a table column).

The kind's code is in :mod:`.modality`, :mod:`.options`, :mod:`.catalogue` (built-ins),
:mod:`.alphabet`, :mod:`.io` and :mod:`.builtins` (reading and writing), :mod:`.codec`,
:mod:`.networks`, :mod:`.metrics` (with :mod:`.kmers`, :mod:`.properties`,
:mod:`.similarity`, :mod:`.extractor`), :mod:`.markov` (the baseline), :mod:`.plots`
and :mod:`.scores`.
"""

from scigan.modalities import DataKind
from scigan.modalities.sequences.catalogue import BUILTINS
from scigan.modalities.sequences.options import SequenceOptions
from scigan.modalities.sequences.scores import SCORES

#: FASTA file endings (each also gzipped, ``.fa.gz``).
FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".faa", ".ffn", ".frn")

KIND = DataKind(
    name="sequences",
    modality="scigan.modalities.sequences.modality:SequenceModality",
    options=SequenceOptions,
    suffixes=FASTA_SUFFIXES + tuple(s + ".gz" for s in FASTA_SUFFIXES),
    builtins=BUILTINS,
    data_copy="data.fasta",
    scores=SCORES,
    augmenter="scigan.modalities.sequences.augment:SequenceAugmenter",
    selects="fd",
    validation=0.1,
    summary="sequences: FASTA files of DNA, RNA or protein (or a CSV column with --modality sequences)",
)
