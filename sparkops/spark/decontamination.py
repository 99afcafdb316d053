"""``task_decontamination_mapper`` over a whole table: NeMo's two passes, with a join in front.

Kernels: ``sparkops.text.decontamination`` (the facts) and
``sparkops.ops.decontamination.task_decontamination`` (the op).

1. Candidates by a join: every document's word windows of the shortest task n-gram length
   (its first ``min(lengths)`` words are a prefix of any hit), hashed to 64 bits and exploded,
   joined with the same prefixes of the task n-grams. A document with no such window cannot
   hit; only candidates reach the Python scans below (a hash collision only adds a candidate).
2. NeMo's counting pass over the candidates: hits per n-gram across the corpus; those hit at
   most ``max_matches`` times are the removable n-grams (few: collected, then broadcast).
3. NeMo's removal pass over the candidates with the removable n-grams, one row per piece
   (``_order`` extended by the piece's index, as a generator's rows); a dropped document
   stays one row with ``_keep`` false and ``task_decontamination_mapper:no_pieces`` or
   ``:too_many_splits``. Other documents pass unchanged (``_order`` + [0]).

Every row gets ``task_matches`` (``array<struct<task, ngram>>``, null where nothing hit).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Iterable, Sequence

import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import (ArrayType, BooleanType, StringType, StructField, StructType)

from sparkops.core import BoundOp, bind
from sparkops.core.row import DROPPED_BY, KEEP, NULL_TEXT, ORDER, RECORD, assign, problem, rejected_by
from sparkops.ops.decontamination.task_decontamination import clean
from sparkops.spark import caching
from sparkops.spark.dedup.near import DOC, doc_ids
from sparkops.spark.fields import parse_record
from sparkops.spark.fusion import recipe_entries
from sparkops.spark.order import with_order
from sparkops.text.decontamination import TaskTable, hits, verdict, words
from sparkops.text.hashing import string_hashes

MATCHES = "task_matches"
MATCH_TYPE = ArrayType(StructType([StructField("task", StringType()), StructField("ngram", StringType())]))
_CAND, _KEY, _GRAM = "_dc_cand", "_dc_key", "_dc_gram"
BROADCAST_KEYS = 2_000_000  # task prefixes up to this many are broadcast to the join


@lru_cache(maxsize=4)
def _bound(entry_json: str) -> BoundOp:
    return bind(json.loads(entry_json))


@lru_cache(maxsize=4)
def _restricted(entry_json: str, removable: frozenset) -> TaskTable:
    return _bound(entry_json).prepared["table"].restricted(removable)


def prefix_keys(table: TaskTable) -> list[int]:
    """The signed 64-bit keys of the task n-grams' first ``min(lengths)`` words."""
    if not table.lengths:
        return []
    first = table.lengths[0]
    prefixes = sorted({" ".join(g.split(" ")[:first]) for g in table.ngrams})
    return string_hashes(prefixes).view("int64").tolist()


def window_keys(text: str, table: TaskTable, n: int) -> list[int]:
    """The keys of a document's word windows of the shortest task length (none under ``n`` words:
    NeMo never searches such a text)."""
    ws, _ = words(text)
    if not table.lengths or len(ws) < n:
        return []
    first = table.lengths[0]
    grams = {" ".join(ws[i:i + first]) for i in range(len(ws) - first + 1)}
    return string_hashes(sorted(grams)).view("int64").tolist() if grams else []


def decontaminate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
                  record_text_key: str | None = None) -> DataFrame:
    """Every row of ``df`` decontaminated (see the module doc), with ``_keep`` and ``_dropped_by``."""
    p = bound.prepared
    name = bound.params.get("text_key") or text_col
    if name not in df.columns or not isinstance(df.schema[name].dataType, StringType):
        # a nested or record field: the per-row generator (no corpus counts, see the op's notes)
        from sparkops.spark.generate import generate

        return generate(df, bound, text_col, order_cols, record_text_key=record_text_key)
    (entry,) = recipe_entries([bound])
    entry_json = json.dumps(entry, sort_keys=True)
    n, exact = p["max_ngram_size"], p["exact_offsets"]
    spark = df.sparkSession

    @pandas_udf("array<bigint>")
    def doc_keys(texts: pd.Series) -> pd.Series:
        table = _bound(entry_json).prepared["table"]
        return pd.Series([[] if t is None else window_keys(t, table, n) for t in texts])

    @pandas_udf("array<string>")
    def doc_hits(texts: pd.Series) -> pd.Series:
        table = _bound(entry_json).prepared["table"]
        return pd.Series([[] if t is None else hits(t, table, n, exact) for t in texts])

    ided, _ = doc_ids(with_order(df.drop(KEEP, DROPPED_BY), order_cols), list(order_cols))
    keys = spark.createDataFrame([(k,) for k in prefix_keys(p["table"])], f"{_KEY} long")
    if len(p["table"].ngrams) <= BROADCAST_KEYS:
        keys = F.broadcast(keys)
    candidates = (ided.select(DOC, F.explode(doc_keys(F.col(name))).alias(_KEY))
                  .join(keys, _KEY).select(DOC).distinct().withColumn(_CAND, F.lit(True)))
    marked = caching.persist(ided.join(candidates, DOC, "left"))
    counts = (marked.where(F.col(_CAND)).select(F.explode(doc_hits(F.col(name))).alias(_GRAM))
              .groupBy(_GRAM).count().where(F.col("count") <= p["max_matches"]))
    removable = spark.sparkContext.broadcast(frozenset(r[0] for r in counts.collect()))
    return _split(marked, bound, entry_json, name, removable, record_text_key or text_col).drop(DOC, _CAND)


def _split(marked: DataFrame, bound: BoundOp, entry_json: str, name: str, removable,
           record_key: str) -> DataFrame:
    """One row per piece of each candidate document; the others as they are."""
    schema = StructType(list(marked.schema.fields) + [StructField(MATCHES, MATCH_TYPE),
                                                      StructField(KEEP, BooleanType(), False),
                                                      StructField(DROPPED_BY, StringType())])
    index = {c: i for i, c in enumerate(marked.columns)}
    text_i, order_i, cand_i = index[name], index[ORDER], index[_CAND]
    record_i = index.get(RECORD)
    op_name = bound.name

    def run(batches: Iterable[pa.RecordBatch]) -> Iterable[pa.RecordBatch]:
        op = _bound(entry_json)
        p = op.prepared
        table = _restricted(entry_json, removable.value)
        for batch in batches:
            texts = batch.column(text_i).to_pylist()
            orders = batch.column(order_i).to_pylist()
            cands = batch.column(cand_i).to_pylist()
            take, new_text, new_order, matches, keep, dropped = [], [], [], [], [], []

            def row(r, text, order, matched, reason):
                take.append(r)
                new_text.append(text)
                new_order.append(order)
                matches.append(matched)
                keep.append(reason is None)
                dropped.append(reason)

            for r, text in enumerate(texts):
                base = orders[r] or []
                if text is None:
                    row(r, None, orders[r], None, NULL_TEXT)
                    continue
                if not cands[r]:
                    row(r, text, base + [0], None, None)
                    continue
                try:
                    cleaned = clean(text, table, p)
                except Exception as err:  # one document's failure is its own row's reason
                    row(r, text, orders[r], None, problem("error", op_name, f"{type(err).__name__}: {err}"))
                    continue
                matched = [{"task": table.ngrams[g], "ngram": g} for g in cleaned.matched] or None
                why = verdict(cleaned, p["max_splits"])
                if why:
                    row(r, text, orders[r], matched, rejected_by(op_name, why))
                    continue
                for k, piece in enumerate(cleaned.pieces):
                    row(r, piece, base + [k], matched, None)
            out = batch.take(pa.array(take, pa.int64()))
            columns = list(out.columns)
            columns[text_i] = pa.array(new_text, pa.string())
            columns[order_i] = pa.array(new_order, batch.schema.field(order_i).type)
            if record_i is not None:
                columns[record_i] = pa.array(_records(batch.column(record_i).to_pylist(), take, new_text,
                                                      texts, record_key), pa.string())
            columns += [pa.array(matches, _arrow(MATCH_TYPE)), pa.array(keep, pa.bool_()),
                        pa.array(dropped, pa.string())]
            yield pa.RecordBatch.from_arrays(columns, names=[f.name for f in schema.fields])

    return marked.mapInArrow(run, schema)


def _records(raw: list, take: Sequence[int], new_text: list, texts: list, key: str) -> list:
    """A job's ``_record`` of each output row: a piece's record holds the piece, not the document."""
    out = []
    for r, t in zip(take, new_text):
        record = parse_record(raw[r]) if raw[r] is not None and t is not None and t != texts[r] else None
        if record is None:
            out.append(raw[r])
        else:
            assign(record, key, t)
            out.append(json.dumps(record, ensure_ascii=False))
    return out


def _arrow(_: ArrayType) -> pa.DataType:
    return pa.list_(pa.struct([("task", pa.string()), ("ngram", pa.string())]))
