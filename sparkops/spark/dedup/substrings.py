"""``substring_deduplicator`` in Spark (kernels: sparkops.ops.dedup.substrings).

0. Candidates: each document's winnowed fingerprints (about 2 / (w + 1) of its positions, w =
   K - ceil(K/2) + 1: 8 % of the token positions at K = 50, 4 % of the byte positions at
   K = 100), one Arrow pass; the documents sharing one with another (document, position) are
   the only ones that can hold a duplicate window or the first occurrence of one
   (``substrings.fingerprints`` says why), checkpointed and, up to BROADCAST_REMOVED of them,
   broadcast, so the other documents' text is not shuffled and their windows never listed.
1. Every candidate's windows (K consecutive tokens or bytes), one Arrow pass, as (document,
   position, character offset, key) rows built from numpy blocks: the text never leaves its
   partition, and a huge document never becomes Python tuples.
2. Per key, the windows ranked by (document, position): all but the first are duplicates, each
   with its first copy's document, position and offset. A key in a million documents is one
   group sorted by one task, linear in its size.
3. Per document, its consecutive duplicate positions folded into runs (a copied paragraph of
   1,000 windows is one row), collected and joined back; only documents with a run are
   rewritten and judged, the others pass through untouched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import StringType

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, DUPLICATE_OF, KEEP, NULL_TEXT, STATS, problem
from sparkops.ops.dedup.substrings import dedup_document, fingerprints, window_blocks
from sparkops.spark.dedup.components import checkpoint, checkpointed_count
from sparkops.spark.dedup.near import BROADCAST_REMOVED, DOC, doc_ids, with_doc_name

POS, CHAR, KEY, ERR = "_ss_pos", "_ss_char", "_ss_key", "_ss_error"
FIRST, FIRST_POS, FIRST_CHAR, FIRST_ID = "_ss_first", "_ss_first_pos", "_ss_first_char", "_ss_first_id"
LO, HI, RUNS, RESULT = "_ss_lo", "_ss_hi", "_ss_runs", "_ss_result"
WINDOW_ROWS = 100_000  # window rows per Arrow batch handed back to Spark
SPANS = "array<struct<start:int,end:int,first_of:string,first_unit:long,first_start:int>>"


def deduplicate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str], say=None) -> DataFrame:
    """Every row of ``df``: kept ones with repeated substrings cut from their text; ``_keep``,
    ``_dropped_by``, ``_duplicate_of`` and the op's statistics."""
    p, name = bound.prepared, bound.name
    if not isinstance(df.schema[text_col].dataType, StringType):
        return _wrong_type(df, name, text_col)
    ided, files = doc_ids(df, order_cols)
    text = F.col(text_col)

    def window_rows(batches):
        return window_batches(batches, p, name)

    docs = ided.select(DOC, text_col)
    candidates = candidate_docs(docs, p, name)
    if checkpointed_count(candidates) <= BROADCAST_REMOVED:
        candidates = F.broadcast(candidates)
    rows = docs.join(candidates, DOC, "left_semi").mapInArrow(
        window_rows, f"{DOC} long, {POS} long, {CHAR} int, {KEY} long, {ERR} string")
    first = Window.partitionBy(KEY).orderBy(DOC, POS)
    # a document the kernel failed on has one row, position -1 and no key: all of them land in
    # the null key's group and are kept whatever their rank, their reason carried to the end
    dups = (rows.withColumn("_ss_rank", F.row_number().over(first))
            .withColumn(FIRST, F.first(DOC).over(first))
            .withColumn(FIRST_POS, F.first(POS).over(first))
            .withColumn(FIRST_CHAR, F.first(CHAR).over(first))
            .where((F.col("_ss_rank") > 1) | F.col(ERR).isNotNull()))
    # runs of consecutive duplicate positions: position - its rank in the document is constant
    by_pos = Window.partitionBy(DOC).orderBy(POS)
    runs = (dups.withColumn("_ss_run", F.col(POS) - F.row_number().over(by_pos))
            .groupBy(DOC, "_ss_run")
            .agg(F.min(POS).alias(LO), F.max(POS).alias(HI), F.max(ERR).alias(ERR),
                 F.min_by(F.struct(FIRST, FIRST_POS, FIRST_CHAR), F.col(POS)).alias("_ss_f"))
            .select(DOC, LO, HI, ERR, "_ss_f.*"))
    runs = with_doc_name(runs, FIRST, FIRST_ID, files)
    run = F.struct(LO, HI, FIRST_ID, FIRST_POS, FIRST_CHAR)
    per_doc = runs.groupBy(DOC).agg(
        F.array_sort(F.collect_list(F.when(F.col(ERR).isNull(), run))).alias(RUNS), F.max(ERR).alias(ERR))

    @pandas_udf(f"struct<text:string,rule:string,spans:{SPANS},error:string>")
    def rewrite(texts: pd.Series, found: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(rewrite_rows(texts.tolist(), found.tolist(), p, name),
                            columns=["text", "rule", "spans", "error"])

    out = ided.join(per_doc, DOC, "left")
    out = (out.withColumn(RESULT, F.when(F.col(RUNS).isNotNull() & text.isNotNull() & F.col(ERR).isNull(),
                                         rewrite(text, F.col(RUNS))))
           .withColumn(ERR, F.coalesce(F.col(ERR), F.col(RESULT).getField("error"))))
    res, err = F.col(RESULT), F.col(ERR)
    rule = F.when(text.isNull() | err.isNotNull(), F.lit(None)).otherwise(res.getField("rule"))
    dropped = (F.when(text.isNull(), F.lit(NULL_TEXT))
               .when(err.isNotNull(), err)
               .when(rule.isNotNull(), F.concat(F.lit(f"{name}:"), rule)))
    new_text = F.coalesce(res.getField("text"), text)
    no_stats = text.isNull() | err.isNotNull()
    spans = F.coalesce(res.getField("spans"), F.array().cast(SPANS))
    mine = [F.when(no_stats, F.lit(None)).otherwise(F.length(text) - F.length(new_text)).cast("long")
            .alias("substring_dup_chars"),
            F.when(no_stats, F.lit(None)).otherwise(spans).alias("substring_dup_spans")]
    kept = [F.col(f"{STATS}.`{f.name}`") for f in df.schema[STATS].dataType.fields] if STATS in df.columns else []
    return (out.withColumn(DROPPED_BY, dropped)
            .withColumn(KEEP, F.col(DROPPED_BY).isNull())
            .withColumn(STATS, F.struct(*kept, *mine))
            .withColumn(DUPLICATE_OF, F.when(~F.col(KEEP) & err.isNull() & text.isNotNull(),
                                             spans[0].getField("first_of")))
            .withColumn(text_col, F.when(F.col(KEEP), new_text).otherwise(text))
            .drop(DOC, RUNS, RESULT, ERR))


def candidate_docs(docs: DataFrame, p: dict, name: str) -> DataFrame:
    """(document) of every document that can hold a duplicate window or a first occurrence of
    one: it shares a winnowed fingerprint with another (document, position)
    (``substrings.fingerprints``), or the kernel failed on it; checkpointed."""

    def fingerprint_rows(batches):
        return fingerprint_batches(batches, p, name)

    fps = docs.mapInArrow(fingerprint_rows, f"{DOC} long, {KEY} long, {POS} long")
    per_key = Window.partitionBy(KEY)
    shared = (fps.distinct().withColumn("_ss_n", F.count(F.lit(1)).over(per_key))
              .where((F.col("_ss_n") > 1) | F.col(KEY).isNull()).select(DOC).distinct())
    return checkpoint(shared)


def fingerprint_batches(batches, p: dict, name: str):
    """(document, key, position) rows of each document's fingerprints; a document the kernel
    fails on gives (document, null, -1): a candidate, so the window pass records its error."""
    for batch in batches:
        docs, keys, pos = [], [], []
        for doc, t in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
            if t is None:
                continue
            try:
                blocks = list(fingerprints(t, p))
            except Exception:  # noqa: BLE001 - recorded by the window pass
                docs.append(np.array([doc], dtype=np.int64))
                keys.append(None)
                pos.append(np.array([-1], dtype=np.int64))
                continue
            for k, at in blocks:
                docs.append(np.full(len(k), doc, dtype=np.int64))
                keys.append(k)
                pos.append(at)
        if docs:
            failed = np.concatenate([np.full(len(d), k is None) for d, k in zip(docs, keys)])
            values = np.concatenate([np.zeros(len(d), np.int64) if k is None else k for d, k in zip(docs, keys)])
            yield pa.RecordBatch.from_arrays(
                [pa.array(np.concatenate(docs), pa.int64()), pa.array(values, pa.int64(), mask=failed),
                 pa.array(np.concatenate(pos), pa.int64())], names=[DOC, KEY, POS])


def window_batches(batches, p: dict, name: str):
    """(document, position, character offset, key, null) rows of the windows of each (document,
    text) row of the Arrow batches; a text the kernel fails on gives one (document, -1, -1, null,
    reason) row."""
    for batch in batches:
        parts: list[tuple] = []
        size = 0
        for doc, t in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
            if t is None:
                continue
            try:
                blocks = list(window_blocks(t, p))
            except Exception as exc:  # noqa: BLE001 - one bad document never fails the batch
                parts.append((np.array([doc], dtype=np.int64), np.array([-1]), np.array([-1]), np.array([0]),
                              [problem("error", name, f"{type(exc).__name__}: {exc}")]))
                size += 1
                continue
            for pos, chars, keys in blocks:
                parts.append((np.full(len(pos), doc, dtype=np.int64), pos, chars, keys, None))
                size += len(pos)
            if size >= WINDOW_ROWS:
                yield from _batches(parts)
                parts, size = [], 0
        if parts:
            yield from _batches(parts)


def _batches(parts: list[tuple]):
    """One Arrow batch of the parts' rows (an error part: a null key and its reason)."""
    docs, pos, chars, keys, errors = zip(*parts)
    failed = np.concatenate([np.full(len(d), e is not None) for d, e in zip(docs, errors)])
    reasons = [r for d, e in zip(docs, errors) for r in (e if e is not None else [None] * len(d))] \
        if failed.any() else pa.nulls(len(failed), pa.string())
    yield pa.RecordBatch.from_arrays(
        [pa.array(np.concatenate(docs), pa.int64()), pa.array(np.concatenate(pos), pa.int64()),
         pa.array(np.concatenate(chars), pa.int32()), pa.array(np.concatenate(keys), pa.int64(), mask=failed),
         pa.array(reasons, pa.string())],
        names=[DOC, POS, CHAR, KEY, ERR])


def rewrite_rows(texts: list, found: list, p: dict, name: str) -> list[tuple]:
    """(new text, rule, spans, error) per document with runs of duplicate windows."""
    out = []
    for t, runs in zip(texts, found):
        if t is None or runs is None:
            out.append((None, None, None, None))
            continue
        try:
            runs = [(int(r[LO]), int(r[HI]), (r[FIRST_ID], int(r[FIRST_POS]), int(r[FIRST_CHAR]))) for r in runs]
            new, rule, spans = dedup_document(t, runs, p)
        except Exception as exc:  # noqa: BLE001 - one bad document never fails the batch
            out.append((None, None, None, problem("error", name, f"{type(exc).__name__}: {exc}")))
            continue
        out.append((new, rule, [{"start": s, "end": e, "first_of": f[0], "first_unit": f[1], "first_start": f[2]}
                                for s, e, f in spans], None))
    return out


def _wrong_type(df: DataFrame, name: str, text_col: str) -> DataFrame:
    """A text column of another type holds no text: every row is rejected (nulls as null_text)."""
    kind = df.schema[text_col].dataType.simpleString()
    reason = problem("wrong_type", name, f"field '{text_col}' is {kind}, not a string")
    dropped = F.when(F.col(text_col).isNull(), F.lit(NULL_TEXT)).otherwise(F.lit(reason))
    return (df.withColumn(DROPPED_BY, dropped).withColumn(KEEP, F.lit(False))
            .withColumn(DUPLICATE_OF, F.lit(None).cast("string")))
