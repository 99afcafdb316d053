"""Groupers: Data-Juicer's ``naive_grouper``, ``key_value_grouper`` and ``naive_reverse_grouper``
(rows -> grouped rows, every field a list, and back). Declarations and pure rules here; the
DataFrame halves have the same file names under ``sparkops.spark.group``."""
