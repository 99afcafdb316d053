"""Exact document deduplication as a Spark window: one kept row per key, no driver collect.

The key (``sparkops.ops.dedup_keys``) comes from a vectorised UDF; rows are ranked inside
their key by the order columns (input file and line in a job, so the first occurrence wins,
as in Data-Juicer) and every row after the first is marked a duplicate of the first. A key
with many copies sorts within one task: linear in its size, never quadratic.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.ops.dedup_keys import exact_keys
from sparkops.registry import BoundOp

KEEP, DROPPED_BY, DUPLICATE_OF = "_keep", "_dropped_by", "_duplicate_of"


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    params = bound.params

    @pandas_udf("binary")
    def key(texts: pd.Series) -> pd.Series:
        return pd.Series(exact_keys(texts.tolist(), params))

    order = [F.col(c).asc_nulls_last() for c in order_cols] or [F.monotonically_increasing_id()]
    ident = (F.concat_ws(":", *[F.col(c).cast("string") for c in order_cols]) if order_cols
             else F.lit(None).cast("string"))
    ranked = (df.withColumn("_dedup_key", key(F.col(text_col)))
              .withColumn("_dedup_id", ident)
              .withColumn("_dedup_rank", F.row_number().over(Window.partitionBy("_dedup_key").orderBy(*order)))
              .withColumn("_dedup_first",
                          F.first("_dedup_id").over(Window.partitionBy("_dedup_key").orderBy(*order))))
    first = F.col("_dedup_rank") == 1
    return (ranked
            .withColumn(KEEP, first | F.col("_dedup_key").isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(bound.name)))
            .withColumn(DUPLICATE_OF, F.when(~F.col(KEEP), F.col("_dedup_first")))
            .drop("_dedup_key", "_dedup_id", "_dedup_rank", "_dedup_first"))
