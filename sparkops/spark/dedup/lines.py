"""``line_deduplicator`` in Spark: corpus-wide line/paragraph dedup (kernels: sparkops.ops.dedup.lines).

1. Every document's distinct span keys, exploded to (key, document) rows.
2. Per key, documents ranked in input order; those after the first ``max_occurrences`` get
   the key to delete. A key in a million documents is one group sorted by one task.
3. Only the documents with something to delete are rewritten (their delete sets joined back);
   the others pass through untouched.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.core.row import DROPPED_BY, KEEP
from sparkops.spark.dedup.near import DOC, doc_ids
from sparkops.ops.dedup.lines import remove_spans, span_keys
from sparkops.core import BoundOp


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df``, text with repeated spans removed, with ``_keep`` and ``_dropped_by``."""
    p = bound.prepared

    @pandas_udf("array<bigint>")
    def keys(texts: pd.Series) -> pd.Series:
        return pd.Series([None if t is None else span_keys(t, p) for t in texts])

    @pandas_udf("string")
    def rewrite(texts: pd.Series, drops: pd.Series) -> pd.Series:
        return pd.Series([t if t is None or d is None else remove_spans(t, set(d.tolist()), p)
                          for t, d in zip(texts, drops)], dtype="string")

    ided, _ = doc_ids(df, order_cols)
    pairs = ided.select(DOC, F.explode(keys(F.col(text_col))).alias("_ln_key"))
    first = Window.partitionBy("_ln_key").orderBy(DOC)
    drops = (pairs.withColumn("_ln_rank", F.row_number().over(first))
             .where(F.col("_ln_rank") > p["max_occurrences"])
             .groupBy(DOC).agg(F.collect_list("_ln_key").alias("_ln_drop")))
    out = (ided.join(drops, DOC, "left")
           .withColumn(text_col, F.when(F.col("_ln_drop").isNull(), F.col(text_col))
                       .otherwise(rewrite(F.col(text_col), F.col("_ln_drop")))))
    blank = F.col("_ln_drop").isNotNull() & (F.trim(F.col(text_col)) == "")
    return (out.withColumn(KEEP, ~blank)
            .withColumn(DROPPED_BY, F.when(blank, F.lit(bound.name)))
            .drop(DOC, "_ln_drop"))
