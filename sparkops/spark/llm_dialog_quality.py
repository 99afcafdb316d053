"""Data-Juicer's dialog turn-quality judges over a DataFrame (the pure half:
``sparkops.ops.llm.dialog_quality``; the detectors' half, ``llm_dialog_detection``, shares the helpers
here), built on the common LLM step (``sparkops.spark.llm.asked``:
cache, spool, retries, usage).

Every row comes out, kept, with the op's values in the ``meta`` struct (where Data-Juicer writes
them) and, with the raw answers, the reason and the usage, in ``stats``.
"""

from __future__ import annotations

import json

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType, _parse_datatype_string

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, META, RECORD
from sparkops.spark.llm import ROW, USAGE_COLUMNS, asked, record_fields, usage_columns, with_stats
from sparkops.spark.llm_extract import _with_meta


def _kept(out: DataFrame) -> DataFrame:
    return out.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))


def _existing(df: DataFrame, key: str, dtype) -> F.Column | None:
    """``meta.<key>`` of the data when it has that field with the op's type, else None."""
    if META not in df.columns or not isinstance(df.schema[META].dataType, StructType):
        return None
    found = [f for f in df.schema[META].dataType.fields if f.name == key]
    return F.col(f"{META}.`{key}`") if found and found[0].dataType == dtype else None

def quality_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    """Every row of ``df`` with the judge's ``meta.<axis>`` (see the module doc)."""
    import pandas as pd

    from sparkops.ops.llm import dialog_quality as k

    p = bound.prepared
    key = p["meta_key"]

    def parse_of(content):
        done = k.answered(content)
        return (content,), None if done else "empty answer", done

    rows, final = asked(df, bound, text_col, lambda fields: k.messages(fields, p), parse_of, "answer string")
    out = rows.join(final, ROW, "left")
    wanted = [c for c in dict.fromkeys([text_col, RECORD, *p["read_keys"]]) if c in out.columns]

    def values(batches):
        for pdf in batches:
            metas, reasons = [], []
            for i, row in enumerate(pdf[wanted].to_dict("records")):
                error = pdf["_error"].iloc[i]
                if pdf["_asked"].iloc[i]:
                    meta = k.outcome(None if error is not None else pdf["_content"].iloc[i])
                else:  # not asked: no dialog, or the record keeps the value it has
                    meta = None if k.already_scored(record_fields(row, text_col), p) else dict(k.SKIPPED)
                metas.append(None if meta is None else json.dumps(meta, ensure_ascii=False))
                reasons.append(k.why(meta, error))
            yield pd.DataFrame({ROW: pdf[ROW], "_json": metas, "_why": reasons})

    flat = out.select(ROW, *wanted, F.col("_last").isNotNull().alias("_asked"),
                      F.col("_last.content").alias("_content"), F.col("_last.error").alias("_error"))
    out = out.join(flat.mapInPandas(values, f"{ROW} long, _json string, _why string"), ROW)
    dtype = _parse_datatype_string(k.META_TYPE)
    value = F.from_json(F.col("_json"), dtype)
    before = _existing(df, key, dtype)
    if before is not None:  # a row already scored keeps its value (Data-Juicer's overwrite=False)
        value = F.when(F.col("_json").isNull(), before).otherwise(value)
    out = _with_meta(out.withColumn("_value", value), {key: F.col("_value")}, f"op '{bound.name}'")
    out = with_stats(out, df, [F.col("_value").alias(key), F.col("_json").alias(f"{key}_json"),
                                F.col("_last.content").alias(f"{key}_raw"), F.col("_why").alias(f"{key}_reason"),
                                *usage_columns()])
    return _kept(out).drop(ROW, "_last", "_json", "_why", "_value", *USAGE_COLUMNS)
