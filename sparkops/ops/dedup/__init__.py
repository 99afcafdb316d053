"""Deduplicators: their declarations and the pure per-row halves (keys, sketches); the DataFrame halves
have the same file names under ``sparkops.spark.dedup``."""
