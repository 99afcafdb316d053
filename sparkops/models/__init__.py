"""Models the operators run: one per-worker cache, and a loader per model kind.

A model is loaded lazily, the first time a kernel asks for it, once per Python process
(a Spark Python worker is reused across tasks, ``spark.python.worker.reuse``), and kept
under a key of its kind and parameters: ``cache.get("fasttext", path, load)``. Nothing
is downloaded at run time; model files come from packages or from the project's own
training commands (``sparkops.assets``).

- ``cache``: ``ModelCache`` and the process-wide ``models`` instance;
- ``fasttext_lid``: fastText's ``lid.176`` language-id model;
- ``spacy_blank``: spaCy's blank (rule-based) pipelines per language;
- ``spacy_trained``: spaCy's trained pipelines that ship as pip packages (English: en_core_web_sm);
- ``arpa``: an exact numpy scorer of ARPA back-off n-gram models (kenlm's ``score``);
- ``kneser_ney``: the modified Kneser-Ney estimate that writes those models (training only).

Pure Python: no pyspark import.
"""
