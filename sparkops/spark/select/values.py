"""A selector's field values as columns, and the ending every selector shares.

``described(df, key, ...)`` adds ``_sel``: per row, ``sparkops.ops.select.values.describe`` of
its field value (kind, number, raw number, raw string, group), computed in a pandas UDF from
the field's JSON: a column or a nested struct field of ``df`` (``to_json``), or a field of a
job's original record (``_record``). The kinds are counted (one small aggregation) and checked
before any selection: a field no record has, or values a selector cannot compare, stop the
selector with an error that names the field and counts the rows.
"""

from __future__ import annotations

import json
from typing import Sequence

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.core import BoundOp, OpError
from sparkops.core.row import DROPPED_BY, KEEP, MISSING, ORDER, lookup
from sparkops.ops.select.values import describe
from sparkops.spark import caching
from sparkops.spark.fields import field_sources

SEL = "_sel"
_SCHEMA = "kind string, number double, raw_number double, raw_string string, grp string"


def described(df: DataFrame, bound: BoundOp, reverse: bool = True, where: str | None = None) -> DataFrame:
    """``df`` with ``_sel`` describing each row's ``field_key`` value (persisted: a selector reads
    it for its counts and again for its ranks)."""
    key = bound.params["field_key"]
    at = f"{where + ': ' if where else ''}op '{bound.name}'"
    try:
        df, sources = field_sources(df, [key], at)
    except OpError:
        columns = ", ".join(c for c in df.columns if c != ORDER)
        raise OpError(f"{at}: field '{key}' (field_key) is not in the data (columns: {columns})") from None
    kind, col, path = sources[key]
    if kind == "column":
        source, look = F.to_json(F.struct(F.col(col).alias("v"))), "v"
    else:
        source, look = F.col(col), key
    typed = kind == "column"  # a typed column has no "missing": an absent struct field is null

    @pandas_udf(_SCHEMA)
    def describe_all(raw: pd.Series) -> pd.DataFrame:
        rows = []
        for text in raw.tolist():
            record = _parse(text)
            value = MISSING if record is None else lookup(record, look, MISSING)
            if typed and value is MISSING:
                value = None
            rows.append(describe(value, reverse))
        return pd.DataFrame(rows, columns=["kind", "number", "raw_number", "raw_string", "grp"])

    out = df.withColumn(SEL, describe_all(source))
    if kind == "column" and col != key:
        out = out.drop(col)  # the temporary copy of a nested field
    return caching.persist(out)


def kinds(df: DataFrame) -> dict[str, int]:
    """How many rows hold each kind of value (``missing``, ``null``, ``number``, ...)."""
    return {r["kind"]: r["count"] for r in df.groupBy(F.col(f"{SEL}.kind").alias("kind")).count().collect()}


def check_kinds(counts: dict[str, int], bound: BoundOp, refuse: Sequence[str], where: str | None) -> None:
    """Stop where the field is in no record, or holds values of a kind in ``refuse``."""
    at = f"{where + ': ' if where else ''}op '{bound.name}'"
    key = bound.params["field_key"]
    if counts and set(counts) == {"missing"}:
        raise OpError(f"{at}: no record has the field '{key}' (field_key)")
    bad = {k: counts[k] for k in refuse if counts.get(k)}
    if bad:
        found = ", ".join(f"{n:,} row(s) hold {'an ' if k == 'object' else 'a '}{k}" for k, n in sorted(bad.items()))
        raise OpError(f"{at}: field '{key}': {found}; this selector compares single values (strings, numbers, "
                      "null)")


def position() -> Column:
    return F.col(ORDER).asc()


def finish(df: DataFrame, selected: Column, bound: BoundOp, order: Column | None = None) -> DataFrame:
    """The selector's output: every row, ``_keep`` = ``selected``; a selected row's ``_order``
    becomes ``order`` (when the selector defines one), an unselected row names the selector."""
    out = df.withColumn(KEEP, F.coalesce(selected, F.lit(False)))
    if order is not None:
        out = out.withColumn(ORDER, F.when(F.col(KEEP), order).otherwise(F.col(ORDER)))
    return (out.withColumn(DROPPED_BY, F.when(~F.col(KEEP), F.lit(bound.name)))
            .drop(SEL, *[c for c in out.columns if c.startswith("_rank_")]))


def unchanged(df: DataFrame) -> DataFrame:
    """Every row selected, in the order it has."""
    return df.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))


def _parse(text: str | None):
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
