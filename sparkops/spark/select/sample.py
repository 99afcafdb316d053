"""``random_selector`` in Spark: rows ranked by a seeded hash of their position, the first k
selected; a count above the row count repeats rows as Data-Juicer does."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, ORDER
from sparkops.ops.select.sample import sample_count
from sparkops.spark.order import ranked, with_order
from sparkops.spark.select.values import finish, position, unchanged


def select(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    n = df.count()
    count = sample_count(n, bound.params)
    if count is None:
        return unchanged(df)
    df = with_order(df, order_cols)
    shuffle = F.xxhash64(F.lit(bound.params["seed"]), F.col(ORDER))
    out = ranked(df, [shuffle.asc(), position()], "_rank_sample")
    if count < n:
        return finish(out, F.col("_rank_sample") < count, bound, F.array(F.col("_rank_sample")))
    # every row count // n times, the first count % n of the sample once more
    copies = F.lit(count // n) + F.when(F.col("_rank_sample") < count % n, 1).otherwise(0)
    out = out.select("*", F.posexplode(F.array_repeat(F.lit(0), copies.cast("int"))).alias("_copy", "_unused"))
    out = out.withColumn(ORDER, F.array(F.col("_copy").cast("long"), F.col("_rank_sample")))
    return (out.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
            .drop("_copy", "_unused", "_rank_sample"))
