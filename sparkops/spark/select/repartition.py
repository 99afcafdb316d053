"""``ray_repartition_pipeline`` in Spark: every row selected, in ``num_blocks`` partitions."""

from __future__ import annotations

from pyspark.sql import DataFrame

from sparkops.core import BoundOp
from sparkops.spark.select.values import unchanged


def select(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    n, shuffle = bound.params["num_blocks"], bound.params["shuffle"]
    if shuffle or n > df.rdd.getNumPartitions():
        return unchanged(df.repartition(n))
    # no shuffle: neighbouring partitions merged, as Ray's split-based repartition keeps adjacent blocks
    return unchanged(df.coalesce(n))
