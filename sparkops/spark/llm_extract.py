"""Data-Juicer's ``llm_extract_mapper`` over a DataFrame (the pure half: ``sparkops.ops.llm.extract``),
built on the common LLM step (``sparkops.spark.llm.asked``: cache, spool, retries, usage).

Every row comes out, kept. The values go into the ``meta`` struct, where the other ops put meta
values (a later op reads them as ``meta.llm_extract.<key>``, e.g. ``specified_field_filter``'s
``field_key``): ``meta.<meta_output_key>`` is a struct with one string field per schema key, or,
without a ``meta_output_key``, ``meta.<key>`` per key. ``stats`` carries the same struct
(``llm_extract``), the values with their JSON types (``llm_extract_json``), the raw answer, the
reason and the usage.
"""

from __future__ import annotations

import json

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from sparkops.core import BoundOp, OpError
from sparkops.core.row import DROPPED_BY, KEEP, META
from sparkops.spark.llm import ROW, USAGE_COLUMNS, usage_columns, with_stats, asked

NO_INPUT = "empty input: no input key holds a value"


def _with_meta(df: DataFrame, fields: dict[str, Column], where: str) -> DataFrame:
    """``fields`` set in the ``meta`` struct (created when the data has none; a field of the same
    name is replaced, as Data-Juicer's meta keys are)."""
    if META not in df.columns:
        return df.withColumn(META, F.struct(*[c.alias(k) for k, c in fields.items()]))
    kind = df.schema[META].dataType
    if not isinstance(kind, StructType):
        raise OpError(f"{where}: the data's column '{META}' is {kind.simpleString()}, not a struct: it cannot take "
                      f"meta.{', meta.'.join(fields)}")
    if not kind.fields:
        return df.withColumn(META, F.struct(*[c.alias(k) for k, c in fields.items()]))
    # withField on a null struct stays null: a row without meta starts from one of null fields
    merged = F.coalesce(F.col(META), F.struct(*[F.lit(None).cast(f.dataType).alias(f.name) for f in kind.fields]))
    for k, c in fields.items():
        merged = merged.withField(f"`{k}`" if "." in k else k, c)
    return df.withColumn(META, merged)


def extract_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    """Every row of ``df`` with the values the model extracted (see the module doc)."""
    from sparkops.ops.llm import extract

    p = bound.prepared
    keys = p["output_keys"]

    def request_of(fields):
        return extract.messages(fields, p)

    def parse_of(content):
        out = extract.parse(content, keys)
        return ((json.dumps(out.values, ensure_ascii=False),
                 json.dumps({k: extract.shown(v) for k, v in out.values.items()}, ensure_ascii=False)),
                out.reason, out.parsed)

    rows, final = asked(df, bound, text_col, request_of, parse_of, "record string, flat string")
    out = rows.join(final, ROW, "left")
    nothing = json.dumps({k: None for k in keys})
    # an unparsed last answer gives every key null, as Data-Juicer writes it
    good = F.col("_last.parsed").isNotNull() & F.col("_last.parsed")
    record = F.when(good, F.col("_last.record")).otherwise(F.lit(nothing))
    flat = F.when(good, F.col("_last.flat")).otherwise(F.lit(nothing))
    values = F.from_json(flat, StructType([StructField(k, StringType()) for k in keys]))
    reason = F.when(F.col("_last").isNull(), F.lit(NO_INPUT)).otherwise(F.col("_last.reason"))
    out = out.withColumn("_values", values)
    meta_key = p["meta_output_key"]
    written = {meta_key: F.col("_values")} if meta_key else {k: F.col(f"_values.`{k}`") for k in keys}
    out = _with_meta(out, written, f"op '{bound.name}'")
    out = with_stats(out, df, [F.col("_values").alias("llm_extract"), record.alias("llm_extract_json"),
                                F.col("_last.content").alias("llm_extract_raw"), reason.alias("llm_extract_reason"),
                                *usage_columns()])
    return (out.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
            .drop(ROW, "_last", "_values", *USAGE_COLUMNS))
