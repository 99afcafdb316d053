"""Row order as data: the ``_order`` column, and global ranks computed without a single partition.

A DataFrame has no order of its own; Data-Juicer's datasets do, and some operators depend on
it or define it: a generator's chunk rows follow their input row, a selector's output is in
its own order (``range_specified_field_selector`` gives descending values), a grouper's groups
are in first-appearance order. ``_order`` (``sparkops.core.row.ORDER``, ``array<bigint>``,
compared element by element) carries that order with each row; sorting by it gives the
dataset's order (a job's export does).

It is created where it is first needed, from the order columns (a job's ``_source``,
``_line``: the input order) or, without any, from the DataFrame's own row order at that point
(``monotonically_increasing_id``). Operators then extend it (a chunk appends its index) or
replace it (a selector's rank).

``ranked`` gives the consecutive 0-based rank of every row in a sort (what "the first k" of
a selector needs) the way ``zipWithIndex`` does: a range-partitioned sort, then each
partition's row count (one number per partition reaches the driver) turned into offsets; no
window without a partition (which would move the whole table into one task).
"""

from __future__ import annotations

from typing import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sparkops.core.row import ORDER
from sparkops.spark import caching

_PART, _MONO = "_rank_part", "_rank_mono"


def with_order(df: DataFrame, order_cols: Sequence[str] = ()) -> DataFrame:
    """``df`` with ``_order``: kept if present, else the order of ``order_cols`` (ascending,
    nulls last), else the DataFrame's current row order."""
    if ORDER in df.columns:
        return df
    if order_cols:
        df = df.orderBy(*[F.col(c).asc_nulls_last() for c in order_cols])
    # after a sort the ids grow with the sort order: partition p holds the p-th range of it
    return df.withColumn(ORDER, F.array(F.monotonically_increasing_id()))


def ranked(df: DataFrame, order: Sequence[Column], name: str) -> DataFrame:
    """``df`` with column ``name``: each row's 0-based position in ``order``, which must be a
    total order (end it with a unique column, e.g. ``_order``). The sorted rows are persisted
    (``caching.persist``): their partition counts and their ranks must come from one sort."""
    rows = (df.orderBy(*order)
            .withColumn(_PART, F.spark_partition_id())
            .withColumn(_MONO, F.monotonically_increasing_id()))
    rows = caching.persist(rows)
    counts = dict(rows.groupBy(_PART).count().collect())
    offsets, total = [], 0
    for p in range(max(counts, default=-1) + 1):
        offsets.append(total)
        total += counts.get(p, 0)
    if not offsets:
        return rows.withColumn(name, F.lit(None).cast("long")).drop(_PART, _MONO)
    start = F.element_at(F.array(*[F.lit(o).cast("long") for o in offsets]), F.col(_PART) + 1)
    # monotonically_increasing_id is (partition << 33) + the row's index inside the partition
    local = F.col(_MONO) - F.shiftleft(F.col(_PART).cast("long"), 33)
    return rows.withColumn(name, start + local).drop(_PART, _MONO)
