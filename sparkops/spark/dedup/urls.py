"""``url_deduplicator`` in Spark: the exact-dedup window keyed on the normalised URL."""

from __future__ import annotations

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql.functions import pandas_udf

from sparkops.spark.dedup.document import key_column, keep_first_per_key
from sparkops.spark.dedup.near import read_table
from sparkops.spark.dedup.survivor import ranking, sort_order
from sparkops.ops.dedup.urls import url_key
from sparkops.core import BoundOp


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.params

    @pandas_udf("string")
    def key(urls: pd.Series) -> pd.Series:
        return pd.Series([url_key(u, p["normalize"]) for u in urls.tolist()], dtype="string")

    seen = None
    if p["reference"]:
        table = read_table(df.sparkSession, p["reference"])
        seen = table.select(key(key_column(table, p["url_key"], bound.name)).alias("_dedup_key"))
    keyed = df.withColumn("_dedup_key", key(key_column(df, p["url_key"], bound.name)))
    rank = sort_order(ranking(df, p, text_col, bound.name))
    return keep_first_per_key(keyed, bound.name, order_cols, seen, rank)

