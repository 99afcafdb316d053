"""The stats table: the input read as a job reads it, every statistic of the plan computed on
every row (``short_circuit=False``: a filter computes, it does not drop), written as a Delta
table.

Columns: ``_source``, ``_line`` (where the row came from), ``text_preview`` (the first
``PREVIEW_CHARS`` characters of the text the filters saw), ``text_chars`` (its length),
``stats`` (one field per statistic, as in a job's stage tables, plus the token counts of the
plan's near-dedup ops), ``_keep`` / ``_dropped_by`` (what the spec as configured would do with
the row: every filter's decision, the first that drops it named).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.analysis.plan import Plan, TokenProbe
from sparkops.core.row import DROPPED_BY, KEEP, STATS
from sparkops.jobs import reader
from sparkops.spark.fusion import fused

PREVIEW_CHARS = 600
SAMPLE_SEED = 42


@dataclass
class InputCounts:
    records: int = 0  # readable records
    unreadable: int = 0  # quarantined: not UTF-8, not JSON, no text ...
    reasons: dict[str, int] = field(default_factory=dict)  # the most frequent unreadable reasons
    examples: list[str] = field(default_factory=list)  # "file:line: reason" of a few of them
    skipped: int = 0  # not documents by design (WARC requests ...)


def read_input(spark: SparkSession, plan: Plan) -> tuple[DataFrame, InputCounts, DataFrame]:
    """The readable records (``text``, ``_record``, ``_source``, ``_line``), the counts of what
    could not be read, and the persisted rows both come from (the caller unpersists them)."""
    rows = reader.read(spark, plan.input).persist(StorageLevel.MEMORY_AND_DISK)
    tally = F.col("_skipped").isNotNull()
    counts = (rows.groupBy(F.col("_reason").isNull().alias("ok"), F.when(tally, F.lit(True)).alias("tally"),
                           F.when(~tally, F.col("_reason")).alias("reason"))
              .agg(F.count(F.lit(1)).alias("n"), F.sum("_skipped").alias("skipped")).collect())
    out = InputCounts()
    for r in counts:
        if r.ok:
            out.records += r.n
        elif r.tally:
            out.skipped += int(r.skipped or 0)
        else:
            out.unreadable += r.n
            out.reasons[r.reason] = out.reasons.get(r.reason, 0) + r.n
    out.reasons = dict(sorted(out.reasons.items(), key=lambda kv: -kv[1])[:5])
    if out.unreadable:
        bad = (rows.where(F.col("_reason").isNotNull() & ~tally).select("_source", "_line", "_reason")
               .orderBy("_source", "_line").limit(3).collect())
        out.examples = [f"{r._source}:{r._line}: {r._reason}" for r in bad]
    good = rows.where(F.col("_reason").isNull()).select("text", "_record", "_source", "_line")
    return good, out, rows


def stats_frame(good: DataFrame, plan: Plan, sample: int | None, total: int) -> DataFrame:
    """Every row (or a seeded uniform sample of ``sample`` rows) with the plan's statistics."""
    if sample is not None and sample < total:
        # the rows with the smallest seeded random keys: a top-k per partition, no full sort
        good = good.withColumn("_pick", F.rand(SAMPLE_SEED)).orderBy("_pick").limit(sample).drop("_pick")
    if plan.ops:
        out = fused(good, plan.entries, text_col="text", short_circuit=False, where=plan.source,
                    record_text_key=plan.input.text_key)
    else:
        out = good.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
    if plan.probes:
        probes = [_token_column(p).alias(p.column) for p in plan.probes]
        stats = [F.col(f"{STATS}.`{c}`").alias(c) for c in out.schema[STATS].dataType.fieldNames()] \
            if STATS in out.columns else []
        out = out.withColumn(STATS, F.struct(*stats, *probes))
    if STATS not in out.columns:
        raise ValueError("nothing to analyse: the plan has no statistic")
    return out.select("_source", "_line", F.substring("text", 1, PREVIEW_CHARS).alias("text_preview"),
                      F.length("text").alias("text_chars"), STATS, KEEP, DROPPED_BY)


def _token_column(probe: TokenProbe):
    from sparkops.analysis.tokens import token_counts

    tokenization, lowercase, ignore = probe.tokenization, probe.lowercase, probe.ignore_pattern

    @pandas_udf("long")
    def tokens(texts: pd.Series) -> pd.Series:
        values = [t if isinstance(t, str) else None for t in texts]
        return pd.Series(token_counts(values, tokenization, lowercase, ignore), dtype="Int64")

    return tokens(F.col("text"))


def write(df: DataFrame, path: str, metadata: str) -> None:
    (df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
     .option("userMetadata", metadata).save(path))
