"""Data-Juicer's ``llm_condition_filter`` over a DataFrame (the pure half:
``sparkops.ops.llm.condition``), built on the common LLM step (``sparkops.spark.llm.asked``:
cache, spool, retries, usage).

Every row comes out with its verdict in ``stats``; a row is kept on a yes. A row with an empty
text (false) or an op without a condition (true) is not asked; a row whose requests all failed
is dropped as an error and asked again by the next run.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, RECORD, STATS, problem
from sparkops.spark.llm import ROW, USAGE_COLUMNS, asked, pd_frame, record_fields, usage_columns, with_stats

def _semantic_usage():
    """Data-Juicer's ``llm_semantic_usage`` of this op: the row's tokens, cost 0; null when the row
    was not asked (Data-Juicer writes none)."""
    from sparkops.ops.llm.condition import SEMANTIC_USAGE

    pt, ct = F.coalesce(F.col("_pt"), F.lit(0)), F.coalesce(F.col("_ct"), F.lit(0))
    usage = F.struct(pt.cast("long").alias("prompt_tokens"), ct.cast("long").alias("completion_tokens"),
                     (pt + ct).cast("long").alias("total_tokens"), F.lit(0.0).alias("cost_estimate"))
    return F.when(F.col("_last").isNotNull(), usage).alias(SEMANTIC_USAGE)


def condition_filter(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    """Every row of ``df`` with the model's verdict (see the module doc)."""
    from sparkops.ops.llm import condition

    p = bound.prepared

    def request_of(fields):
        return condition.messages(fields, p)

    def parse_of(content):
        result, reason = condition.verdict(content)
        return (result,), reason, condition.answered(content)

    rows, final = asked(df, bound, text_col, request_of, parse_of, "result boolean")
    out = rows.join(final, ROW, "left")
    wanted = [c for c in dict.fromkeys([text_col, RECORD, *p["read_keys"]]) if c in out.columns]

    def unasked(batches):
        """What a row gets without asking: Data-Juicer's result and sparkops' reason."""
        for pdf in batches:
            results, reasons = [], []
            for row in pdf[wanted].to_dict("records"):
                got = condition.unasked(record_fields(row, text_col), p)
                results.append(got)
                reasons.append(None if got is None else condition.EMPTY_TEXT if got is False else
                               condition.NO_CONDITION)
            yield pd_frame({ROW: pdf[ROW], "_fixed": results, "_fixed_why": reasons})

    fixed = out.select(ROW, *wanted).mapInPandas(unasked, f"{ROW} long, _fixed boolean, _fixed_why string")
    out = out.join(fixed, ROW, "left")
    answered = F.col("_last").isNotNull()
    error = F.col("_last.error")
    result = (F.when(answered, F.coalesce(F.col("_last.result"), F.lit(False)))
              .otherwise(F.coalesce(F.col("_fixed"), F.lit(False))))
    reason = (F.when(answered & error.isNotNull(), F.concat(F.lit("endpoint: "), error))
              .when(answered, F.col("_last.reason")).otherwise(F.col("_fixed_why")))
    out = with_stats(out, df, [result.alias(condition.RESULT), _semantic_usage(),
                                F.col("_last.content").alias("llm_condition_filter_raw"),
                                reason.alias("llm_condition_filter_reason"), *usage_columns()])
    dropped = (F.when(answered & error.isNotNull(),
                      F.concat(F.lit(problem("error", bound.name, "endpoint: ")), error))
               .when(~F.col(f"{STATS}.{condition.RESULT}"), F.lit(bound.name)))
    return (out.withColumn(DROPPED_BY, F.substring(dropped, 1, 500)).withColumn(KEEP, F.col(DROPPED_BY).isNull())
            .drop(ROW, "_last", "_fixed", "_fixed_why", *USAGE_COLUMNS))
