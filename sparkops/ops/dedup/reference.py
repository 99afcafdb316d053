"""The ``reference`` parameter shared by the deduplicators (pure: declaration and checks).

Deduplicating new data against a reference table (yesterday's snapshot, an already-clean
corpus): documents of the input that duplicate a reference document are removed; the
reference documents themselves always survive and are not part of the output. Duplicates
among the input documents are handled as without a reference.
"""

from __future__ import annotations

import os

from sparkops.core import Param

REFERENCE = Param(
    "reference", "str", None,
    "sparkops: path (or URI) of a Delta table or Parquet folder of earlier documents with the same text "
    "column; input documents that duplicate one of them are removed as duplicates of `reference`.",
    nullable=True,
    check=lambda v: None if "://" in v or os.path.exists(v) else "must be an existing Delta table or "
                                                                  "Parquet folder")
