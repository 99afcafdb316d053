"""``tags_specified_field_selector`` in Spark: a filter on the value's group key; input order kept."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.spark.select.values import SEL, check_kinds, described, finish, kinds, unchanged


def select(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.params
    n = df.count()
    if n <= 1 or not p["field_key"]:
        return unchanged(df)
    df = described(df, bound, True)
    check_kinds(kinds(df), bound, ("list", "object"), None)
    return finish(df, F.col(f"{SEL}.grp").isin(bound.prepared["keys"]), bound)
