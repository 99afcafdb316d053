"""Selectors: Data-Juicer's field selectors and ``random_selector``, a subset of the whole table in
an order of their own. Declarations and pure rules here; the DataFrame halves have the same
file names under ``sparkops.spark.select``."""
