"""Provenance of generated files: what made a file, and saying so in the file itself.

Every writer marks its files synthetic in the form its ecosystem reads (PNG text chunks,
a TIFF description, an ``.npz`` array, h5ad ``uns``, Parquet key-value metadata, a CSV
sidecar, FASTA headers, SDF properties: :func:`scigan.runs.provenance` builds the marks).
:mod:`.reader` reads any of them back (``scigan provenance FILE...``); images may also
carry signed C2PA Content Credentials (:mod:`.credentials`) and an invisible watermark
(:mod:`.watermark`).
"""
