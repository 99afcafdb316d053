"""Data-Juicer's QA synthesis ops over a DataFrame, on the common LLM step
(``sparkops.spark.llm.asked``: Delta response cache, spool, retries, usage, summary). Kernels:
``sparkops.ops.llm.generate_qa``.

- ``qa_from_text`` (``generate_qa_from_text_mapper``): each document asked alone; a row per pair
  its answer gives (at most ``max_num``), ``_order`` extended by the pair's index as a generator's
  rows; the pair goes into the job's record (``_record``) under ``query_key`` / ``response_key``
  (on a DataFrame without a record: into columns of those names). A document that gives no row
  stays one row with ``_keep`` false: ``<op>:no_pairs``, ``error:<op>: endpoint: ...``,
  ``null_text`` / ``missing_field:<op>: <text_key>``.
- ``qa_from_examples`` (``generate_qa_from_examples_mapper``): per row, ``example_num`` seed
  samples chosen by an RNG seeded with (``seed``, the row's key), the model's new sample judged by
  ROUGE-L against them; query / response / history written as Data-Juicer does (empty where the
  answer is unparsable or too similar). A row whose requests failed is rejected
  (``error:<op>: endpoint: ...``), asked again by the next run.
"""

from __future__ import annotations

import json

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, NULL_TEXT, ORDER, RECORD, assign, lookup, problem, rejected_by
from sparkops.ops.llm import generate_qa as kernels
from sparkops.spark.fields import parse_record
from sparkops.spark.llm import ROW, USAGE_COLUMNS, usage_columns, with_stats, asked
from sparkops.spark.order import with_order

SEEDS = "_qa_seeds"  # a row's chosen seed samples (indices), made before it is asked


def _with_record_pairs(qk: str, rk: str, hk: str | None = None):
    """A pandas UDF: the record with the new query / response (and history, as JSON) written in;
    the record as it was where there is no query."""
    def write(records: pd.Series, queries: pd.Series, responses: pd.Series, histories: pd.Series) -> pd.Series:
        out = []
        for raw, q, a, h in zip(records, queries, responses, histories):
            record = parse_record(raw) if q is not None else None
            if record is None:
                out.append(raw)
                continue
            assign(record, qk, q)
            assign(record, rk, a)
            if hk is not None:
                assign(record, hk, json.loads(h) if h is not None else [])
            out.append(json.dumps(record, ensure_ascii=False))
        return pd.Series(out, dtype=object)

    return pandas_udf(write, "string")


def _failed(op: str) -> F.Column:
    return F.concat(F.lit(problem("error", op, "endpoint: ")), F.col("_last.error"))


def _text_follows(out: DataFrame, text_col: str, record_text_key: str | None, new: dict) -> DataFrame:
    """A job's export writes the pass's text into the record's text field: where the op wrote
    that field, the text column takes the new value."""
    for key, column in new.items():
        if key == record_text_key:
            out = out.withColumn(text_col, F.coalesce(column, F.col(text_col)))
    return out


def qa_from_text(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
                 record_text_key: str | None = None) -> DataFrame:
    """``generate_qa_from_text_mapper`` over ``df`` (see the module doc)."""
    p = bound.prepared
    op, tk, qk, rk = bound.name, p["text_key"], p["query_key"], p["response_key"]
    own_field = bool(tk) and tk != record_text_key  # else the pass's text is the document

    def request_of(fields):
        text = lookup(fields, tk, None) if own_field else fields.get("text")
        return kernels.text_messages(text) if isinstance(text, str) else None

    def parse_of(content):
        found = kernels.parse_pairs(content, p["pattern"])
        kept = found if p["max_num"] is None else found[:p["max_num"]]
        return (json.dumps(kept, ensure_ascii=False), len(found)), None if kept else "no pairs in the answer", bool(kept)

    rows, final = asked(with_order(df, order_cols), bound, text_col, request_of, parse_of, "pairs string, found long")
    out = rows.join(final, ROW, "left")
    pairs = F.from_json(F.col("_last.pairs"), "array<array<string>>")
    unasked = problem("missing_field", op, f"{tk} (missing, null or not a string)") if own_field else NULL_TEXT
    reason = (F.when(F.col("_last").isNull(), F.lit(unasked))
              .when(F.col("_last.error").isNotNull(), _failed(op))
              .when(F.coalesce(F.size(pairs), F.lit(0)) <= 0, F.lit(rejected_by(op, kernels.NO_PAIRS))))
    out = (out.withColumn("_why", F.substring(reason, 1, 500))
           # a rejected document stays one row: one null "pair"
           .withColumn("_pairs", F.when(F.col("_why").isNull(), pairs)
                       .otherwise(F.array(F.lit(None).cast("array<string>"))))
           .select("*", F.posexplode("_pairs").alias("_k", "_pair")))
    good = F.col("_why").isNull()
    query = F.when(good, F.col("_pair")[0])
    response = F.when(good, F.col("_pair")[1])
    out = out.withColumn(ORDER, F.when(good, F.concat(F.col(ORDER), F.array(F.col("_k").cast("long"))))
                         .otherwise(F.col(ORDER)))
    if RECORD in out.columns:
        write = _with_record_pairs(qk, rk)
        out = out.withColumn(RECORD, write(F.col(RECORD), query, response, F.lit(None).cast("string")))
        out = _text_follows(out, text_col, record_text_key, {qk: query, rk: response})
    else:
        out = out.withColumn(qk, query).withColumn(rk, response)
    out = with_stats(out, df, [
        F.col("_last.found").alias("qa_pairs"), F.when(good, F.col("_k").cast("long")).alias("qa_index"),
        F.col("_last.content").alias("qa_raw"), F.coalesce(F.col("_last.reason"), F.col("_why")).alias("qa_reason"),
        *usage_columns()])
    return (out.withColumn(DROPPED_BY, F.col("_why")).withColumn(KEEP, F.col("_why").isNull())
            .drop(ROW, "_last", "_why", "_pairs", "_k", "_pair", *USAGE_COLUMNS))


def _seed_picker(n_seeds: int, k: int, seed: int):
    def pick(keys: pd.Series) -> pd.Series:
        return pd.Series([kernels.pick(n_seeds, k, seed, key or "") for key in keys], dtype=object)

    return pandas_udf(pick, "array<int>")


def qa_from_examples(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
                     record_text_key: str | None = None) -> DataFrame:
    """``generate_qa_from_examples_mapper`` over ``df`` (see the module doc)."""
    p = bound.prepared
    op, qk, rk, hk = bound.name, p["query_key"], p["response_key"], p["history_key"]
    seeds = p["seeds"]
    # the row's key: where it comes from in the job's input (and an earlier op's order), so a
    # re-run picks the same examples; without those, its text
    keys = [c for c in ("_source", "_line", ORDER) if c in df.columns]
    key = F.to_json(F.struct(*keys)) if keys else F.col(text_col).cast("string")
    df = df.withColumn(SEEDS, _seed_picker(len(seeds), p["example_num"], p["seed"])(key))

    def request_of(fields):
        return kernels.examples_messages([seeds[int(i)] for i in fields[SEEDS]], p)

    def parse_of(content):
        found = kernels.parse_pairs(content, p["pattern"])
        return (len(found),), None if found else kernels.UNPARSABLE, bool(found)

    # the chosen seeds reach the prompt builder as a field it reads
    with_seeds = BoundOp(bound.op, bound.params, {**p, "read_keys": [SEEDS]})
    rows, final = asked(df, with_seeds, text_col, request_of, parse_of, "found long")
    out = rows.join(final, ROW, "left")

    def judge(batches):
        for pdf in batches:
            verdicts = []
            for chosen, content, error in zip(pdf[SEEDS], pdf["_content"], pdf["_error"]):
                if error is not None or content is None:
                    verdicts.append(None)
                    continue
                verdicts.append(kernels.examples_verdict(content, [seeds[int(i)] for i in chosen], p))
            yield pd.DataFrame({
                ROW: pdf[ROW],
                "_q": [v and v["query"] for v in verdicts], "_a": [v and v["response"] for v in verdicts],
                "_h": [v and json.dumps(v["history"], ensure_ascii=False) for v in verdicts],
                "_sim": pd.array([v and v["similarity"] for v in verdicts], dtype="Float64"),
                "_why": [v and v["reason"] for v in verdicts]})

    judged = out.select(ROW, SEEDS, F.col("_last.content").alias("_content"), F.col("_last.error").alias("_error")) \
        .mapInPandas(judge, f"{ROW} long, _q string, _a string, _h string, _sim double, _why string")
    out = out.join(judged, ROW, "left")
    history = F.from_json(F.col("_h"), "array<array<string>>")
    if RECORD in out.columns:
        write = _with_record_pairs(qk, rk, hk)
        out = out.withColumn(RECORD, write(F.col(RECORD), F.col("_q"), F.col("_a"), F.col("_h")))
        out = _text_follows(out, text_col, record_text_key, {qk: F.col("_q"), rk: F.col("_a")})
    else:
        out = out.withColumn(qk, F.col("_q")).withColumn(rk, F.col("_a")).withColumn(hk, history)
    failed = F.col("_last.error").isNotNull()
    out = with_stats(out, df, [
        F.col("_last.found").alias("qa_pairs"), F.col("_sim").alias("qa_similarity"),
        F.to_json(F.col(SEEDS)).alias("qa_seed_indices"), F.col("_last.content").alias("qa_raw"),
        F.coalesce(F.col("_why"), F.col("_last.reason")).alias("qa_reason"), *usage_columns()])
    dropped = F.when(failed, F.substring(_failed(op), 1, 500))
    return (out.withColumn(DROPPED_BY, dropped).withColumn(KEEP, dropped.isNull())
            .drop(ROW, "_last", SEEDS, "_q", "_a", "_h", "_sim", "_why", *USAGE_COLUMNS))
