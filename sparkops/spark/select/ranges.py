"""``range_specified_field_selector`` in Spark: two global ranks, as Data-Juicer's two sorts.

Data-Juicer takes the ``upper`` smallest rows (ascending value, ties in input order), then the
``upper - lower`` largest of those (descending, ties in input order again). Here: the rank in
(value ascending, position) picks the ``upper`` smallest; among them, the rank in (value
ascending, position descending) drops the ``lower`` first, which are exactly the rows the
descending pick leaves out; the selected rows are ordered by that rank reversed, i.e. by
(value descending, position): Data-Juicer's output order.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import ORDER
from sparkops.ops.select.ranges import bounds
from sparkops.spark.order import ranked, with_order
from sparkops.spark.select.values import SEL, check_kinds, described, finish, kinds, position, unchanged


def select(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.params
    n = df.count()
    cut = bounds(n, p)
    if n <= 1 or not p["field_key"] or cut is None:
        return unchanged(df)
    lower, upper = cut
    df = described(with_order(df, order_cols), bound, True)
    check_kinds(kinds(df), bound, (), None)
    value = F.col(f"{SEL}.number")
    first = ranked(df, [value.asc(), position()], "_rank_up")
    smallest = first.where(F.col("_rank_up") < upper)
    second = ranked(smallest, [value.asc(), F.col(ORDER).desc()], "_rank_low")
    rest = first.where(F.col("_rank_up") >= upper).withColumn("_rank_low", F.lit(None).cast("long"))
    out = second.unionByName(rest)
    return finish(out, F.col("_rank_low") >= lower, bound, F.array(F.lit(upper - 1) - F.col("_rank_low")))
