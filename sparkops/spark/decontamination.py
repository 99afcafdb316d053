"""``task_decontamination_mapper`` over a whole table: NeMo's two passes, with a join in front.

Kernels: ``sparkops.text.decontamination`` (the facts) and
``sparkops.ops.decontamination.task_decontamination`` (the op).

1. Candidates by a join: every document's word windows of the shortest task n-gram length
   *k* (a hit's first *k* words are one), hashed (``xxhash64``) and exploded, joined with the
   first *k* words of every task n-gram. A document with no such window cannot hit; only
   candidates reach the Python scans below (a hash collision only adds a candidate). An ASCII
   document is cut into NeMo's words by Spark SQL itself (lower-case, ``\p{Punct}`` deleted
   -- Java's ``\p{Punct}`` is exactly Python's ``string.punctuation`` -- split at spaces, each
   word stripped of the other ASCII whitespace Python strips); any other by the Python kernel.
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


def prefixes(table: TaskTable) -> list[str]:
    """The task n-grams' first ``min(lengths)`` words."""
    if not table.lengths:
        return []
    first = table.lengths[0]
    return sorted({" ".join(g.split(" ")[:first]) for g in table.ngrams})


def windows(text: str, table: TaskTable, n: int) -> list[str]:
    """A document's distinct word windows of the shortest task length (none under ``n`` words:
    NeMo never searches such a text)."""
    ws, _ = words(text)
    if not table.lengths or len(ws) < max(n, table.lengths[0]):
        return []
    first = table.lengths[0]
    return sorted({" ".join(ws[i:i + first]) for i in range(len(ws) - first + 1)})


# Python's str.strip() whitespace among ASCII characters other than the space
_ASCII_WS = r"[\\t\\n\\r\\x0B\\f\\x1C-\\x1F]"


def sql_windows(text_col: str, n: int, k: int):
    """``windows`` in Spark SQL, for an ASCII text (where Java's and Python's lower-casing,
    punctuation and whitespace agree): NeMo's words, then their distinct windows of ``k``."""
    norm = f"regexp_replace(lower(`{text_col}`), '\\\\p{{Punct}}', '')"
    toks = (f"transform(filter(split({norm}, ' '), x -> x != ''), "
            f"x -> regexp_replace(x, '^{_ASCII_WS}+|{_ASCII_WS}+$', ''))")
    # NeMo drops an empty first word when the normalised text does not start with a space
    ws = (f"(CASE WHEN size(t) > 0 AND t[0] = '' AND substr({norm}, 1, 1) != ' ' "
          f"THEN slice(t, 2, size(t)) ELSE t END)")
    wins = (f"CASE WHEN size(w) < {max(n, k)} THEN array() ELSE array_distinct(transform("
            f"sequence(1, size(w) - {k} + 1), i -> concat_ws(' ', slice(w, i, {k})))) END")
    return F.expr(f"aggregate(array({toks}), cast(NULL AS array<string>), (acc, t) -> "
                  f"aggregate(array({ws}), cast(NULL AS array<string>), (a2, w) -> {wins}))")


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

    @pandas_udf("array<string>")
    def doc_windows(texts: pd.Series) -> pd.Series:
        table = _bound(entry_json).prepared["table"]
        return pd.Series([[] if t is None else windows(t, table, n) for t in texts])

    @pandas_udf("array<string>")
    def doc_hits(texts: pd.Series) -> pd.Series:
        table = _bound(entry_json).prepared["table"]
        return pd.Series([[] if t is None else hits(t, table, n, exact) for t in texts])

    ided, _ = doc_ids(with_order(df.drop(KEEP, DROPPED_BY), order_cols), list(order_cols))
    table = p["table"]
    keys = spark.createDataFrame([(g,) for g in prefixes(table)], f"{_KEY} string")
    keys = keys.select(F.xxhash64(_KEY).alias(_KEY))
    if len(table.ngrams) <= BROADCAST_KEYS:
        keys = F.broadcast(keys)
    text = F.col(name)
    ascii_text = F.length(text) == F.octet_length(text)  # UTF-8: as many bytes as characters
    k = table.lengths[0] if table.lengths else n
    wins = F.when(text.isNull(), F.array().cast("array<string>")).when(ascii_text, sql_windows(name, n, k)) \
        .otherwise(doc_windows(text))
    candidates = (ided.select(DOC, F.explode(wins).alias(_KEY)).select(DOC, F.xxhash64(_KEY).alias(_KEY))
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
