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
from sparkops.spark.dedup.near import DOC, FILE_SHIFT, doc_ids

SENT, KEY, FIRST, FIRST_SENT, FIRST_ID = "_sd_sent", "_sd_key", "_sd_first", "_sd_first_sent", "_sd_first_id"
DUPS, RESULT = "_sd_dups", "_sd_result"
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
        for batch in batches:
            docs, sents, keys = [], [], []
            for doc, t in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
                if t is None:
                    continue
                starts, hashes = windows(t, p)
                docs.extend([doc] * len(starts))
                sents.extend(starts)
                keys.extend(hashes)
                if len(docs) >= WINDOW_ROWS:
                    yield _batch(docs, sents, keys)
                    docs, sents, keys = [], [], []
            if docs:
                yield _batch(docs, sents, keys)

    pairs = ided.select(DOC, text_col).mapInArrow(window_rows, f"{DOC} long, {SENT} int, {KEY} long")
    first = Window.partitionBy(KEY).orderBy(DOC, SENT)
    dups = (pairs.withColumn("_sd_rank", F.row_number().over(first))
            .withColumn(FIRST, F.first(DOC).over(first))
            .withColumn(FIRST_SENT, F.first(SENT).over(first))
            .where(F.col("_sd_rank") > 1))
    dups = _with_first_id(dups, files)
    per_doc = dups.groupBy(DOC).agg(F.array_sort(F.collect_list(F.struct(SENT, FIRST_ID, FIRST_SENT))).alias(DUPS))

    @pandas_udf("struct<text:string,rule:string,starts:array<int>,ends:array<int>>")
    def rewrite(texts: pd.Series, starts: pd.Series) -> pd.DataFrame:
        rows = []
        for t, s in zip(texts, starts):
            if t is None or s is None:
                rows.append((None, None, None, None))
                continue
            new, rule, offsets = dedup_document(t, [int(i) for i in s], p)
            rows.append((new, rule, [a for a, _ in offsets], [b for _, b in offsets]))
        return pd.DataFrame(rows, columns=["text", "rule", "starts", "ends"])

    out = ided.join(per_doc, DOC, "left")
    sents = F.col(DUPS).getField(SENT)
    out = out.withColumn(RESULT, F.when(F.col(DUPS).isNotNull() & text.isNotNull(), rewrite(text, sents)))
    res = F.col(RESULT)
    rule = (F.when(text.isNull(), F.lit(None))
            .when(res.isNotNull(), res.getField("rule"))
            .when(text == "", F.lit("empty")))
    dropped = (F.when(text.isNull(), F.lit(NULL_TEXT))
               .when(rule.isNotNull(), F.concat(F.lit(f"{name}:"), rule)))
    windows_stat = F.when(res.isNull(), F.array().cast(
        "array<struct<sentence:int,start:int,end:int,first_of:string,first_sentence:int>>")).otherwise(
        F.transform(F.col(DUPS), lambda d, i: F.struct(
            d.getField(SENT).alias("sentence"), res.getField("starts")[i].alias("start"),
            res.getField("ends")[i].alias("end"), d.getField(FIRST_ID).alias("first_of"),
            d.getField(FIRST_SENT).alias("first_sentence"))))
    new_text = F.coalesce(res.getField("text"), text)
    mine = [F.when(text.isNull(), F.lit(None)).otherwise(F.length(text) - F.length(new_text)).cast("long")
            .alias("sentence_dup_chars"),
            F.when(text.isNull(), F.lit(None)).otherwise(windows_stat).alias("sentence_dup_windows")]
    kept = [F.col(f"{STATS}.`{f.name}`") for f in df.schema[STATS].dataType.fields] if STATS in df.columns else []
    return (out.withColumn(DROPPED_BY, dropped)
            .withColumn(KEEP, F.col(DROPPED_BY).isNull())
            .withColumn(STATS, F.struct(*kept, *mine))
            .withColumn(DUPLICATE_OF, F.when(~F.col(KEEP) & F.col(DUPS).isNotNull(),
                                             F.col(DUPS)[0].getField(FIRST_ID)))
            .withColumn(text_col, F.when(F.col(KEEP), new_text).otherwise(text))
            .drop(DOC, DUPS, RESULT))


def _batch(docs, sents, keys) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(docs, pa.int64()), pa.array(sents, pa.int32()),
                                       pa.array(keys, pa.int64())], names=[DOC, SENT, KEY])


def _with_first_id(dups: DataFrame, files: DataFrame | None) -> DataFrame:
    """``FIRST_ID``: the first copy's document as ``_duplicate_of`` names documents: file:line
    in a job (the file's number is the id's high bits), else its row id."""
    first = F.col(FIRST)
    if files is None:
        return dups.withColumn(FIRST_ID, first.cast("string"))
    line = first.bitwiseAND(F.lit((1 << FILE_SHIFT) - 1)).cast("string")
    return (dups.withColumn("_mh_file", F.shiftright(first, FILE_SHIFT))
            .join(F.broadcast(files.withColumnRenamed("_source", "_sd_source")), "_mh_file", "left")
            .withColumn(FIRST_ID, F.concat_ws(":", F.col("_sd_source"), line))
            .drop("_mh_file", "_sd_source"))


def _wrong_type(df: DataFrame, name: str, text_col: str) -> DataFrame:
    """A text column of another type holds no text: every row is rejected (nulls as null_text)."""
    kind = df.schema[text_col].dataType.simpleString()
    reason = problem("wrong_type", name, f"field '{text_col}' is {kind}, not a string")
    dropped = F.when(F.col(text_col).isNull(), F.lit(NULL_TEXT)).otherwise(F.lit(reason))
    return (df.withColumn(DROPPED_BY, dropped).withColumn(KEEP, F.lit(False))
            .withColumn(DUPLICATE_OF, F.lit(None).cast("string")))
