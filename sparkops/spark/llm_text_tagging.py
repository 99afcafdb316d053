"""text_tagging_by_prompt_mapper's DataFrame half (``sparkops.ops.llm.text_tagging``): one request
per row through the common LLM step, the tags into a ``__dj__text_tags__`` column and the job's record."""

from __future__ import annotations

import json

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, RECORD
from sparkops.ops.llm import text_tagging as T
from sparkops.spark.llm import ROW, USAGE_COLUMNS, asked, usage_columns, with_stats


def tagging(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
            record_text_key: str | None = None) -> DataFrame:
    p = bound.prepared
    key = p["text_key"]

    def request_of(fields):
        text = fields.get(key) if key else fields.get("text")
        return None if text is None else T.messages(text, p)

    def parse_of(content):
        return (json.dumps(T.parse(content), ensure_ascii=False),), None, True

    rows, final = asked(df, bound, text_col, request_of, parse_of, "tags string")
    out = rows.join(final, ROW, "left").withColumn(T.TEXT_TAGS, F.from_json(F.col("_last.tags"), "array<string>"))
    if RECORD in out.columns:
        @F.pandas_udf("string")
        def put(records, tags):
            new = []
            for record, value in zip(records, tags):
                parsed = json.loads(record) if isinstance(record, str) else None
                if isinstance(parsed, dict) and value is not None:
                    parsed[T.TEXT_TAGS] = json.loads(value)
                    record = json.dumps(parsed, ensure_ascii=False)
                new.append(record)
            return __import__("pandas").Series(new, dtype="object")

        out = out.withColumn(RECORD, put(F.col(RECORD), F.col("_last.tags")))
    reason = F.when(F.col("_last").isNull(), F.lit("no text")).otherwise(F.col("_last.reason"))
    out = with_stats(out, df, [F.col("_last.content").alias("text_tagging_raw"), reason.alias("text_tagging_reason"),
                               *usage_columns()])
    return (out.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
            .drop(ROW, "_last", *USAGE_COLUMNS))
