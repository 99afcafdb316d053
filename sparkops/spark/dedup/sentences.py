"""``sentence_deduplicator`` in Spark (kernels: sparkops.ops.dedup.sentences).

1. Every document's windows (n consecutive normalised sentences), one Arrow pass, as
   (document, sentence, key) rows: the text never leaves its partition.
2. Per key, the windows ranked by (document, sentence): all but the first are duplicates, each
   with its first copy's document and sentence. A key in a million documents is one group
   sorted by one task, linear in its size.
3. Per document its duplicate windows (sentence indices; few per document), joined back; only
   documents with one are rewritten and judged (the word and sentence minimums), the others
   pass through untouched (an empty one is dropped, as datatrove does).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import StringType

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, DUPLICATE_OF, KEEP, NULL_TEXT, STATS, problem
from sparkops.ops.dedup.sentences import dedup_document, windows
from sparkops.spark.dedup.near import DOC, doc_ids, with_doc_name

SENT, KEY, FIRST, FIRST_SENT, FIRST_ID = "_sd_sent", "_sd_key", "_sd_first", "_sd_first_sent", "_sd_first_id"
DUPS, RESULT, ERR = "_sd_dups", "_sd_result", "_sd_error"
WINDOW_ROWS = 100_000  # (document, sentence, key) rows per Arrow batch handed back to Spark


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df``: kept ones with repeated spans cut from their text; ``_keep``,
    ``_dropped_by``, ``_duplicate_of`` and the op's statistics."""
    p, name = bound.prepared, bound.name
    if not isinstance(df.schema[text_col].dataType, StringType):
        return _wrong_type(df, name, text_col)
    ided, files = doc_ids(df, order_cols)
    text = F.col(text_col)

    def window_rows(batches):
        return window_batches(batches, p, name)

    pairs = ided.select(DOC, text_col).mapInArrow(window_rows, f"{DOC} long, {SENT} int, {KEY} long, {ERR} string")
    first = Window.partitionBy(KEY).orderBy(DOC, SENT)
    # a document the kernel failed on has one row, sentence -1 and no key: all of them land in
    # the null key's group, where they are kept as they are (rank 1 or not)
    dups = (pairs.withColumn("_sd_rank", F.row_number().over(first))
            .withColumn(FIRST, F.first(DOC).over(first))
            .withColumn(FIRST_SENT, F.first(SENT).over(first))
            .where((F.col("_sd_rank") > 1) | F.col(ERR).isNotNull()))
    dups = with_doc_name(dups, FIRST, FIRST_ID, files)
    per_doc = dups.groupBy(DOC).agg(
        F.array_sort(F.collect_list(F.struct(SENT, FIRST_ID, FIRST_SENT, ERR))).alias(DUPS))

    @pandas_udf("struct<text:string,rule:string,starts:array<int>,ends:array<int>,error:string>")
    def rewrite(texts: pd.Series, starts: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(rewrite_rows(texts.tolist(), starts.tolist(), p, name),
                            columns=["text", "rule", "starts", "ends", "error"])

    out = ided.join(per_doc, DOC, "left")
    sents = F.col(DUPS).getField(SENT)
    failed = F.when(F.col(DUPS)[0].getField(SENT) < 0, F.col(DUPS)[0].getField(ERR))
    out = (out.withColumn(ERR, failed)
           .withColumn(RESULT, F.when(F.col(DUPS).isNotNull() & text.isNotNull() & F.col(ERR).isNull(),
                                      rewrite(text, sents)))
           .withColumn(ERR, F.coalesce(F.col(ERR), F.col(RESULT).getField("error"))))
    res, err = F.col(RESULT), F.col(ERR)
    rule = (F.when(text.isNull() | err.isNotNull(), F.lit(None))
            .when(res.isNotNull(), res.getField("rule"))
            .when(text == "", F.lit("empty")))
    dropped = (F.when(text.isNull(), F.lit(NULL_TEXT))
               .when(err.isNotNull(), err)
               .when(rule.isNotNull(), F.concat(F.lit(f"{name}:"), rule)))
    windows_stat = F.when(res.isNull(), F.array().cast(
        "array<struct<sentence:int,start:int,end:int,first_of:string,first_sentence:int>>")).otherwise(
        F.transform(F.col(DUPS), lambda d, i: F.struct(
            d.getField(SENT).alias("sentence"), res.getField("starts")[i].alias("start"),
            res.getField("ends")[i].alias("end"), d.getField(FIRST_ID).alias("first_of"),
            d.getField(FIRST_SENT).alias("first_sentence"))))
    new_text = F.coalesce(res.getField("text"), text)
    no_stats = text.isNull() | err.isNotNull()
    mine = [F.when(no_stats, F.lit(None)).otherwise(F.length(text) - F.length(new_text)).cast("long")
            .alias("sentence_dup_chars"),
            F.when(no_stats, F.lit(None)).otherwise(windows_stat).alias("sentence_dup_windows")]
    kept = [F.col(f"{STATS}.`{f.name}`") for f in df.schema[STATS].dataType.fields] if STATS in df.columns else []
    return (out.withColumn(DROPPED_BY, dropped)
            .withColumn(KEEP, F.col(DROPPED_BY).isNull())
            .withColumn(STATS, F.struct(*kept, *mine))
            .withColumn(DUPLICATE_OF, F.when(~F.col(KEEP) & F.col(DUPS).isNotNull() & err.isNull(),
                                             F.col(DUPS)[0].getField(FIRST_ID)))
            .withColumn(text_col, F.when(F.col(KEEP), new_text).otherwise(text))
            .drop(DOC, DUPS, RESULT, ERR))


def window_batches(batches, p: dict, name: str):
    """(document, sentence, key, null) rows of the windows of each (document, text) row of the
    Arrow batches; a text the kernel fails on gives one (document, -1, null, reason) row."""
    for batch in batches:
        rows: list[tuple] = []
        for doc, t in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
            if t is None:
                continue
            try:
                starts, keys = windows(t, p)
            except Exception as exc:  # noqa: BLE001 - one bad document never fails the batch
                rows.append((doc, -1, None, problem("error", name, f"{type(exc).__name__}: {exc}")))
                continue
            rows.extend((doc, s, k, None) for s, k in zip(starts, keys))
            if len(rows) >= WINDOW_ROWS:
                yield _batch(rows)
                rows = []
        if rows:
            yield _batch(rows)


def rewrite_rows(texts: list, starts: list, p: dict, name: str) -> list[tuple]:
    """(new text, rule, window starts, window ends, error) per document with duplicate windows."""
    out = []
    for t, s in zip(texts, starts):
        if t is None or s is None:
            out.append((None, None, None, None, None))
            continue
        try:
            new, rule, offsets = dedup_document(t, [int(i) for i in s], p)
        except Exception as exc:  # noqa: BLE001 - one bad document never fails the batch
            out.append((None, None, None, None, problem("error", name, f"{type(exc).__name__}: {exc}")))
            continue
        out.append((new, rule, [a for a, _ in offsets], [b for _, b in offsets], None))
    return out


def _batch(rows: list[tuple]) -> pa.RecordBatch:
    docs, sents, keys, errors = zip(*rows)
    return pa.RecordBatch.from_arrays([pa.array(docs, pa.int64()), pa.array(sents, pa.int32()),
                                       pa.array(keys, pa.int64()), pa.array(errors, pa.string())],
                                      names=[DOC, SENT, KEY, ERR])


def _wrong_type(df: DataFrame, name: str, text_col: str) -> DataFrame:
    """A text column of another type holds no text: every row is rejected (nulls as null_text)."""
    kind = df.schema[text_col].dataType.simpleString()
    reason = problem("wrong_type", name, f"field '{text_col}' is {kind}, not a string")
    dropped = F.when(F.col(text_col).isNull(), F.lit(NULL_TEXT)).otherwise(F.lit(reason))
    return (df.withColumn(DROPPED_BY, dropped).withColumn(KEEP, F.lit(False))
            .withColumn(DUPLICATE_OF, F.lit(None).cast("string")))
