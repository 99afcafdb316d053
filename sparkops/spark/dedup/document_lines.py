"""``document_line_deduplicator`` in Spark (kernels: sparkops.ops.dedup.document_lines).

1. Every document's distinct line keys, exploded to (key, document) rows.
2. Per key, the number of documents; keys above ``frequency_threshold`` are frequent.
3. Per document, its frequent keys (a join on the key), collected; only documents with one
   are rewritten, the others pass through untouched.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP
from sparkops.ops.dedup.document_lines import distinct_keys, remove_lines
from sparkops.spark.dedup.near import DOC, doc_ids


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df`` (all kept), frequent lines removed from its text."""
    p = bound.prepared

    @pandas_udf("array<string>")
    def keys(texts: pd.Series) -> pd.Series:
        return pd.Series([None if t is None else distinct_keys(t, p) for t in texts])

    @pandas_udf("string")
    def rewrite(texts: pd.Series, drops: pd.Series) -> pd.Series:
        return pd.Series([t if t is None or d is None else remove_lines(t, set(d.tolist()), p)
                          for t, d in zip(texts, drops)], dtype="string")

    out = df.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
    # Data-Juicer leaves a dataset of at most one document unchanged (only threshold 0 would differ)
    if p["frequency_threshold"] < 1 and df.limit(2).count() <= 1:
        return out
    ided, _ = doc_ids(df, order_cols)
    pairs = ided.select(DOC, F.explode(keys(F.col(text_col))).alias("_dl_key"))
    frequent = (pairs.groupBy("_dl_key").agg(F.count(F.lit(1)).alias("_dl_n"))
                .where(F.col("_dl_n") > p["frequency_threshold"]).select("_dl_key"))
    drops = pairs.join(frequent, "_dl_key").groupBy(DOC).agg(F.collect_list("_dl_key").alias("_dl_drop"))
    return (ided.join(drops, DOC, "left")
            .withColumn(text_col, F.when(F.col("_dl_drop").isNull(), F.col(text_col))
                        .otherwise(rewrite(F.col(text_col), F.col("_dl_drop"))))
            .withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
            .drop(DOC, "_dl_drop"))
