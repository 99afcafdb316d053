"""``frequency_specified_field_selector`` in Spark: values counted and ranked as groups, their
rows selected by a join back."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import ORDER
from sparkops.ops.select.values import ratio_count
from sparkops.spark.order import ranked, with_order
from sparkops.spark.select.values import SEL, check_kinds, described, finish, kinds, unchanged


def select(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.params
    n = df.count()
    if n <= 1 or not p["field_key"]:
        return unchanged(df)
    df = described(with_order(df, order_cols), bound, True)
    check_kinds(kinds(df), bound, ("list", "object"), None)  # Data-Juicer checks every value first
    groups = (df.groupBy(F.col(f"{SEL}.grp").alias("_grp"))
              .agg(F.count(F.lit(1)).alias("_size"), F.min(ORDER).alias("_first")))
    count = ratio_count(groups.count(), p["top_ratio"], p["topk"])
    if count is None:
        return unchanged(df.drop(SEL))
    size = F.col("_size").desc() if p["reverse"] else F.col("_size").asc()
    chosen = (ranked(groups, [size, F.col("_first").asc()], "_rank_group")
              .where(F.col("_rank_group") < count).select("_grp", "_rank_group"))
    out = df.join(chosen, F.col(f"{SEL}.grp") == F.col("_grp"), "left").drop("_grp")
    return finish(out, F.col("_rank_group").isNotNull(), bound,
                  F.concat(F.array(F.col("_rank_group")), F.col(ORDER)))
