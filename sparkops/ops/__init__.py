"""Pure operator kernels (Arrow/pandas/numpy in, out). No pyspark import anywhere below here.

Importing this package declares every operator in ``sparkops.registry.REGISTRY``.
"""

from sparkops.ops import cleaning, dedup_keys, language, line_keys, minhash, simhash, text_stats, url_keys, web_rules  # noqa: F401  (declarations)
