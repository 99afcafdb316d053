"""Which copy of a group of duplicates survives: the ``keep`` and ``order_by`` parameters
shared by the deduplicators (pure: declarations only; Spark side: ``sparkops.spark.dedup.survivor``).

Members are ranked by, in turn: the text length (``keep: longest`` / ``shortest``), the
``order_by`` value, the input order (file and line in a job). The first survives. Data-Juicer
keeps the first in input order, which is the default here.
"""

from __future__ import annotations

from sparkops.core import Param

KEEP = Param("keep", "str", "first", "sparkops: which copy survives: 'first' (by `order_by`, then input "
             "order), 'longest' or 'shortest' text (ties: as 'first').", choices=("first", "longest", "shortest"))

ORDER_BY = Param("order_by", "str", None, "sparkops: a column, or a field of the job's input record, that "
                 "ranks copies before input order: the smallest value survives, `-name` for the largest "
                 "(e.g. `-crawl_date` keeps the newest); nulls rank last. Record fields are compared as "
                 "numbers when they are numbers, else as text.", nullable=True,
                 check=lambda v: "must name a column or field" if not v.lstrip("-").strip() else None)
