"""Exact deduplication as a Spark window: one kept row per key, no driver collect.

Document dedup keys on the text (``sparkops.ops.dedup.document``, md5 from a vectorised UDF),
URL dedup on the normalised URL (``sparkops.ops.dedup.urls``). Rows are ranked inside their
key by the ``keep`` / ``order_by`` ranking (``sparkops.spark.dedup.survivor``), then by the order
columns (input file and line in a job, so by default the first occurrence wins, as in
Data-Juicer), and every row after the first is marked a duplicate of the first. A key
with many copies sorts within one task: linear in its size, never quadratic. With a
``reference`` table, a row whose key occurs there is removed as a duplicate of ``reference``.
"""

from __future__ import annotations

import pandas as pd
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.spark.dedup.survivor import ranking, sort_order
from sparkops.ops.dedup.document import exact_keys
from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, DUPLICATE_OF, KEEP


def keep_first_per_key(keyed: DataFrame, name: str, order_cols: list[str], seen: DataFrame | None,
                       rank: list[Column] = ()) -> DataFrame:
    """``keyed`` (with ``_dedup_key``; null = never a duplicate) with ``_keep``, ``_dropped_by``
    and ``_duplicate_of``; ``seen`` holds the keys of a reference table (``_dedup_key``);
    ``rank``: sort expressions that pick the survivor before the input order."""
    if seen is not None:
        keyed = keyed.join(seen.where(F.col("_dedup_key").isNotNull()).distinct()
                           .withColumn("_dedup_ref", F.lit(True)), "_dedup_key", "left")
    else:
        keyed = keyed.withColumn("_dedup_ref", F.lit(None).cast("boolean"))
    order = [*rank, *([F.col(c).asc_nulls_last() for c in order_cols] or [F.monotonically_increasing_id()])]
    ident = (F.concat_ws(":", *[F.col(c).cast("string") for c in order_cols]) if order_cols
             else F.lit(None).cast("string"))
    group = Window.partitionBy("_dedup_key").orderBy(*order)
    ranked = (keyed.withColumn("_dedup_rank", F.row_number().over(group))
              .withColumn("_dedup_first", F.first(ident).over(group)))
    first = F.col("_dedup_rank") == 1
    in_reference = F.coalesce(F.col("_dedup_ref"), F.lit(False))
    return (ranked
            .withColumn(KEEP, (first & ~in_reference) | F.col("_dedup_key").isNull())
            .withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(name)))
            .withColumn(DUPLICATE_OF, F.when(~F.col(KEEP) & in_reference, F.lit("reference"))
                        .when(~F.col(KEEP), F.col("_dedup_first")))
            .drop("_dedup_key", "_dedup_rank", "_dedup_first", "_dedup_ref"))


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    params = bound.params
    keying = bound.prepared  # the params, and what an op's prepare adds (ray_document_deduplicator's)

    @pandas_udf("binary")
    def key(texts: pd.Series) -> pd.Series:
        return pd.Series(exact_keys(texts.tolist(), keying))

    seen = None
    if params["reference"]:  # keys of the earlier documents: a match is removed, whatever its rank
        from sparkops.spark.dedup.near import read_reference

        ref = read_reference(df.sparkSession, params["reference"], text_col)
        seen = ref.select(key(F.col(text_col)).alias("_dedup_key"))
    rank = sort_order(ranking(df, params, text_col, bound.name))
    return keep_first_per_key(df.withColumn("_dedup_key", key(F.col(text_col))), bound.name, order_cols, seen, rank)


def key_column(df: DataFrame, field: str, op_name: str) -> Column:
    """A column of ``df``, or a field of the job's original record (``_record``, JSON)."""
    from sparkops.core import OpError

    if field in df.columns:
        return F.col(field).cast("string")
    if "_record" in df.columns:
        return F.get_json_object(F.col("_record"), f"$['{field}']")
    raise OpError(f"op '{op_name}': no column or record field '{field}' (columns: {', '.join(df.columns)})")
