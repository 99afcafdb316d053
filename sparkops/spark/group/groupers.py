"""The groupers in Spark: ``groupBy`` + ``collect_list`` sorted by position, and back with
``posexplode``.

A grouped row's columns are the lists of its members' values in input order (``_order``), its
``_order`` the first member's (so groups sort in order of first appearance). A job's
``_record`` (the original record, JSON) becomes one record of lists over every top-level field
of the input, in order of first appearance (a small aggregation finds those fields); reversed,
it becomes one record per element again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import ArrayType, StringType

from sparkops.core import BoundOp, OpError
from sparkops.core.row import DROPPED_BY, KEEP, ORDER, RECORD
from sparkops.ops.group.groupers import group_key, nested_value
from sparkops.spark.order import with_order

BATCH_META = "__dj__batch_meta__"
_SEGMENT_STATS = re.compile(r"_stats_\d+")  # sparkops.spark.fusion.stage_pass's per-segment statistics
_MEMBERS, _KEY = "_group_members", "_group_key"


def _data_columns(df: DataFrame) -> list[str]:
    return [c for c in df.columns if c not in (ORDER, KEEP, DROPPED_BY)]


def _kept(df: DataFrame) -> DataFrame:
    return df.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))


def naive(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    return _grouped(df, None, order_cols)


def key_value(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    keys = bound.params["group_by_keys"] or [text_col]
    return _grouped(df, keys, order_cols)


def _grouped(df: DataFrame, keys: list[str] | None, order_cols: list[str]) -> DataFrame:
    if df.isEmpty():
        return _kept(df)
    df = with_order(df, order_cols)
    cols = _data_columns(df)
    fields = _record_fields(df) if RECORD in df.columns else []
    if keys is None:
        df = df.withColumn(_KEY, F.lit(""))
    else:
        df = df.withColumn(_KEY, _key_column(df, keys))
    members = F.sort_array(F.collect_list(F.struct(F.col(ORDER).alias("_o"), *[F.col(f"`{c}`") for c in cols])))
    grouped = df.groupBy(_KEY).agg(members.alias(_MEMBERS))
    out = []
    for c in cols:
        values = F.transform(F.col(_MEMBERS), _field_of(c))
        out.append((_merge_records(fields)(values) if c == RECORD else values).alias(c))
    out.append(F.col(_MEMBERS)[0]["_o"].alias(ORDER))
    return _kept(grouped.select(*out))


def _field_of(name: str):
    return lambda member: member[name]  # one argument: transform passes (element, index) to two


def _key_column(df: DataFrame, keys: list[str]) -> Column:
    """Each row's group key: the sha256 of Data-Juicer's ``str(sorted({key: value}.items()))``,
    from the columns (to_json) or from the job's ``_record``."""
    from_columns = {k: k.split(".")[0] for k in keys if k.split(".")[0] in df.columns}
    parts = [F.to_json(F.struct(*[F.col(f"`{c}`") for c in sorted(set(from_columns.values()))]))
             if from_columns else F.lit("{}")]
    has_record = RECORD in df.columns
    parts.append(F.col(RECORD) if has_record else F.lit(None).cast("string"))
    missing = [k for k in keys if k not in from_columns and not has_record]
    if missing:
        raise OpError(f"op 'key_value_grouper': group_by_keys {missing} not in the data (columns: "
                      f"{', '.join(df.columns)})")

    @pandas_udf("string")
    def key(columns: pd.Series, records: pd.Series) -> pd.Series:
        out = []
        for cols_json, record_json in zip(columns.tolist(), records.tolist()):
            typed = json.loads(cols_json) if cols_json else {}
            record = json.loads(record_json) if record_json else None
            out.append(group_key({k: nested_value(typed if k in from_columns else record, k) for k in keys}))
        return pd.Series(out, dtype="string")

    return key(*parts)


def _record_fields(df: DataFrame) -> list[str]:
    """Every top-level field of the records, in order of first appearance (the columns of
    Data-Juicer's dataset)."""
    keys = df.select(ORDER, F.posexplode(F.json_object_keys(F.col(RECORD))).alias("_pos", "_field"))
    first = keys.groupBy("_field").agg(F.min(F.struct(ORDER, "_pos")).alias("_first"))
    return [r["_field"] for r in first.orderBy("_first").collect()]


def _merge_records(fields: list[str]):
    @pandas_udf("string")
    def merge(groups: pd.Series) -> pd.Series:
        out = []
        for members in groups.tolist():
            records = [json.loads(m) if m is not None else {} for m in members]
            out.append(json.dumps({f: [r.get(f) for r in records] for f in fields}, ensure_ascii=False))
        return pd.Series(out, dtype="string")

    return merge


def reverse(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    if df.isEmpty():
        return _kept(df)
    df = with_order(df, order_cols)
    meta_path = bound.params["batch_meta_export_path"]
    if meta_path is not None:
        _write_batch_meta(df, Path(meta_path))
    if BATCH_META in df.columns:
        df = df.drop(BATCH_META)
    if RECORD in df.columns:
        df = df.withColumn(RECORD, _split_records(F.col(RECORD)))
    # the statistics an earlier op of the stage computed on the grouped rows (an aggregator's: the
    # pass keeps them per segment as `_stats_<n>` until the stage ends) describe the group: each of
    # its rows repeats them
    carried = [c for c in df.columns if _SEGMENT_STATS.fullmatch(c)]
    cols = [c for c in _data_columns(df) if c not in carried]
    if not cols:
        return _kept(df)
    first = cols[0]
    types = {f.name: f.dataType for f in df.schema.fields}
    if not isinstance(types[first], ArrayType):
        raise OpError(f"op '{bound.name}': the first field '{first}' is a {types[first].simpleString()}, not a list: "
                      "the rows are not grouped")
    size = F.size(F.col(f"`{first}`"))
    n = F.when(F.col(f"`{first}`").isNull(),
               F.raise_error(F.lit(f"{bound.name}: field '{first}' is null in a grouped row"))).otherwise(size)
    exploded = df.select("*", F.posexplode(F.array_repeat(F.lit(0), n)).alias("_i", "_unused"))
    out = []
    for c in cols:
        col, kind = F.col(f"`{c}`"), types[c]
        if isinstance(kind, ArrayType):
            length, element = F.size(col), F.element_at(col, F.col("_i") + 1)
        elif isinstance(kind, StringType):  # Data-Juicer indexes a string
            length, element = F.length(col), F.substring(col, F.col("_i") + 1, 1)
        else:
            raise OpError(f"op '{bound.name}': field '{c}' is a {kind.simpleString()}, neither a list nor a string")
        short = F.raise_error(F.concat(F.lit(f"{bound.name}: field '{c}' has fewer values than '{first}' "
                                             "in a grouped row (element "), F.col("_i").cast("string"),
                                       F.lit(" is missing)")))
        out.append(F.when(F.col("_i") < length, element).otherwise(short).alias(c))
    order = F.concat(F.coalesce(F.col(ORDER), F.array().cast("array<bigint>")), F.array(F.col("_i").cast("long")))
    return _kept(exploded.select(*out, *carried, order.alias(ORDER)))


def _split_records(col: Column) -> Column:
    """A record of lists -> the list of its records (element i of every field; a field that is
    not a list is indexed as Data-Juicer does, or repeated when it cannot be)."""

    @pandas_udf("array<string>")
    def split(records: pd.Series) -> pd.Series:
        out = []
        for text in records.tolist():
            record = json.loads(text) if text is not None else None
            if not isinstance(record, dict) or not record:
                out.append(None)
                continue
            record.pop(BATCH_META, None)
            first = next(iter(record.values()))
            n = len(first) if isinstance(first, (list, str)) else 0
            out.append([json.dumps({k: (v[i] if isinstance(v, (list, str)) and i < len(v) else None)
                                    for k, v in record.items()}, ensure_ascii=False) for i in range(n)])
        return pd.Series(out)

    return split(col)


def _write_batch_meta(df: DataFrame, path: Path) -> None:
    """One JSON line per grouped row that has a batch meta (null included), in row order."""
    if BATCH_META in df.columns:
        values = [r[0] for r in df.orderBy(ORDER).select(F.to_json(F.struct(F.col(BATCH_META).alias("m"))))
                  .toLocalIterator()]
        lines = [json.loads(v).get("m") for v in values]
    elif RECORD in df.columns:
        rows = df.orderBy(ORDER).select(F.get_json_object(F.col(RECORD), f"$.{BATCH_META}")).toLocalIterator()
        lines = [json.loads(r[0]) if r[0] is not None else None for r in rows]
    else:
        lines = []
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for meta in lines:
            f.write(json.dumps(meta, ensure_ascii=False) + "\n")
