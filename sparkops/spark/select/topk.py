"""``topk_specified_field_selector`` in Spark: a global rank by value, the first k selected."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.ops.select.values import ratio_count
from sparkops.spark.order import ranked, with_order
from sparkops.spark.select.values import SEL, check_kinds, described, finish, kinds, position, unchanged


def select(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.params
    n = df.count()
    count = ratio_count(n, p["top_ratio"], p["topk"])
    if n <= 1 or not p["field_key"] or count is None:
        return unchanged(df)
    df = described(with_order(df, order_cols), bound, p["reverse"])
    nested = "." in p["field_key"]
    counts = kinds(df)
    check_kinds(counts, bound, () if nested else ("list", "object"), None)
    if nested:  # Data-Juicer's stats_to_number: the sentinel puts odd values last either way
        value = [F.col(f"{SEL}.number").desc() if p["reverse"] else F.col(f"{SEL}.number").asc()]
    else:  # raw values: numbers or strings (not both); nulls last (Data-Juicer cannot compare them)
        if counts.get("number") and counts.get("string"):
            raise _mixed(bound, counts)
        raw = F.col(f"{SEL}.raw_string") if counts.get("string") else F.col(f"{SEL}.raw_number")
        value = [raw.desc_nulls_last() if p["reverse"] else raw.asc_nulls_last()]
    out = ranked(df, [*value, position()], "_rank_topk")
    return finish(out, F.col("_rank_topk") < count, bound, F.array(F.col("_rank_topk")))


def _mixed(bound: BoundOp, counts: dict):
    from sparkops.core import OpError

    return OpError(f"op '{bound.name}': field '{bound.params['field_key']}' holds numbers in {counts['number']:,} "
                   f"row(s) and strings in {counts['string']:,}: a top-level field's values are compared as they "
                   "are, and a number does not compare with a string (a nested field's are compared as numbers)")
