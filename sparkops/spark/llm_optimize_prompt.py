"""Data-Juicer's ``optimize_prompt_mapper`` over a DataFrame (the pure half:
``sparkops.ops.llm.optimize_prompt``), on ``sparkops.spark.llm``'s ``ask`` (cache, spool, usage).

Data-Juicer runs it per batch of ``batch_size`` rows: pick examples among the batch's prompts,
then ``gen_num`` generations one after the other, each new prompt joining the examples. Here the
rows are numbered in the data's order (``_order``) and cut into batches of ``batch_size``; the
generations run as rounds: round k asks one request per batch, every batch at once (retried with
the next attempt number while the parsed prompt is empty, up to ``retry_num`` requests), and its
answers advance each batch's examples for round k+1. The cache key of a request carries its
round and attempt, so a round that repeats an earlier one's question (it gave no prompt) asks the
model again, as Data-Juicer does, and a re-run finds every answer cached.

A new prompt is a new row: the batch's first row with the prompt replaced, placed after the
batch's last row (its ``_order`` extended by the round). A round that gives no prompt is a
rejected row with the raw answer and the reason: nothing the model said is lost.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, MISSING, ORDER, RECORD, assign, lookup, problem, rejected_by
from sparkops.llm.client import endpoint_from
from sparkops.spark import caching
from sparkops.spark.llm import (ANSWER_FIELDS, KEY, REQUEST, ROW, SUMMARIES, ask, cache_location, log,
                                record_fields, with_stats)
from sparkops.spark.order import ranked, with_order

BATCH, PROMPT, HAS = "_op_batch", "_op_prompt", "_op_has"
NO_PROMPT = "no_prompt"


def _prompts(rank_col: str, text_col: str, key: str, wanted: list[str]):
    """mapInPandas: each row's prompt (a string, else null) and whether it has the field at all."""

    def run(batches):
        import pandas as pd

        for pdf in batches:
            prompts, has = [], []
            for row in pdf[[rank_col, *wanted]].to_dict("records"):
                value = lookup(record_fields(row, text_col), key, MISSING)
                prompts.append(value if isinstance(value, str) else None)
                has.append(value is not MISSING)
            yield pd.DataFrame({rank_col: pdf[rank_col], BATCH: pdf[BATCH], PROMPT: prompts, HAS: has})

    return run


def _rewrite(touched: list[str], key: str, text_col: str, record_text_key: str | None, text_cols: set[str]):
    """mapInPandas: the new rows' prompt field set (the record, a string column of that name, and
    the pass's text when it holds the prompt)."""

    def run(batches):
        import pandas as pd

        for pdf in batches:
            cols = {c: list(pdf[c]) for c in touched}
            for i, new in enumerate(pdf["_new"]):
                if not isinstance(new, str):
                    continue
                raw = cols[RECORD][i] if RECORD in cols else None
                record = json.loads(raw) if isinstance(raw, str) else None
                if isinstance(record, dict):
                    if key == record_text_key or (record_text_key is None
                                                  and lookup(record, key, MISSING) == cols[text_col][i]):
                        cols[text_col][i] = new  # the pass's text is this field: it follows
                    assign(record, key, new)
                    cols[RECORD][i] = json.dumps(record, ensure_ascii=False)
                elif key == "text":
                    cols[text_col][i] = new
                if key in text_cols:
                    cols[key][i] = new
            yield pd.DataFrame({"_gen": pdf["_gen"], **cols})

    return run


def optimize_prompt(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
                    record_text_key: str | None = None) -> DataFrame:
    """The rows of ``df`` and the new ones (see the module doc); every row comes out."""
    from sparkops.llm.keys import request_key
    from sparkops.ops.llm import optimize_prompt as kernel

    spark, p, t0 = df.sparkSession, bound.prepared, time.time()
    key, size, tries = p["prompt_key"], p["batch_size"], kernel.attempts(p)
    model, sampling = p["client"]["api_model"], p["sampling_params"]
    endpoint, cache = endpoint_from(**p["client"]), cache_location(spark, bound)

    base = with_order(df.drop(KEEP, DROPPED_BY), order_cols)
    rows = ranked(base, [F.col(ORDER)], ROW).withColumn(BATCH, F.floor(F.col(ROW) / size).cast("long"))
    rows = caching.persist(rows)
    wanted = [c for c in dict.fromkeys([text_col, RECORD, key.split(".")[0]]) if c in rows.columns]
    prompts = rows.select(ROW, BATCH, *wanted).mapInPandas(
        _prompts(ROW, text_col, key, wanted), f"{ROW} long, {BATCH} long, {PROMPT} string, {HAS} boolean")
    batches = caching.persist(prompts.groupBy(BATCH).agg(
        F.sort_array(F.collect_list(F.struct(ROW, PROMPT))).alias("_items"), F.min(ROW).alias("_first"),
        F.max(ROW).alias("_lastrow"), F.max(F.col(HAS).cast("int")).cast("boolean").alias(HAS)))

    def first_examples(parts):
        import pandas as pd

        for pdf in parts:
            out_b, out_e = [], []
            for b, items in zip(pdf[BATCH], pdf["_items"]):
                texts = [it[PROMPT] for it in items if isinstance(it[PROMPT], str)]
                if texts:
                    out_b.append(int(b))
                    out_e.append(kernel.pick(texts, p, int(b)))
            yield pd.DataFrame({BATCH: pd.array(out_b, dtype="int64"), "_ex": pd.Series(out_e, dtype=object)})

    state = batches.where(F.col(HAS)).select(BATCH, "_items").mapInPandas(
        first_examples, f"{BATCH} long, _ex array<string>").localCheckpoint(eager=True)

    def requests(attempt: int):
        def build(parts):
            for pdf in parts:
                reqs, keys = [], []
                for ex in pdf["_ex"]:
                    msgs = kernel.messages(list(ex), p)
                    reqs.append(json.dumps({"messages": msgs, "sampling": sampling}, ensure_ascii=False))
                    keys.append(request_key(model, msgs, sampling, attempt))
                pdf[REQUEST], pdf[KEY], pdf["_attempt"] = reqs, keys, attempt
                yield pdf
        return build

    def parsed(parts):
        for pdf in parts:
            pdf["_new"] = [kernel.parse(c, p) or None if e is None else None
                           for c, e in zip(pdf["content"], pdf["error"])]
            pdf["reason"] = [None if n else (f"endpoint: {e}" if e is not None else "no prompt in the answer")
                             for n, e in zip(pdf["_new"], pdf["error"])]
            yield pdf

    req_schema = f"{BATCH} long, _ex array<string>, {REQUEST} string, {KEY} string, _attempt int"
    got_schema = f"{req_schema}, {ANSWER_FIELDS}, cached boolean, _new string, reason string"
    tally: dict = {}
    generations = []
    for k in range(p["gen_num"]):
        pending, tried = state, []
        for a in range(tries):
            # the round and the attempt in the key: each question of the chain is its own request
            reqs = caching.persist(pending.select(BATCH, "_ex").mapInPandas(requests(k * tries + a), req_schema))
            if reqs.count() == 0:
                break
            answers = ask(spark, reqs, endpoint, model, cache, p["num_partitions"], tally)
            got = caching.persist(reqs.join(answers, KEY, "left").mapInPandas(parsed, got_schema))
            tried.append(got)
            pending = got.where(F.col("_new").isNull()).select(BATCH, "_ex")
        if not tried:
            break
        every = tried[0]
        for t in tried[1:]:
            every = every.unionByName(t)
        last = F.max_by(F.struct("_new", "content", "reason", "error"), F.col("_attempt"))
        done = caching.persist(every.groupBy(BATCH).agg(
            last.alias("_last"), F.sum("prompt_tokens").alias("_pt"), F.sum("completion_tokens").alias("_ct"),
            F.count(F.lit(1)).alias("_n"), F.min(F.col("cached").cast("int")).cast("boolean").alias("_cached"))
            .withColumn("_round", F.lit(k).cast("long")))
        generations.append(done)
        grown = F.concat(F.col("_ex"), F.array(F.col("_last._new")))
        state = (state.join(done.select(BATCH, "_last"), BATCH, "left")
                 .select(BATCH, F.when(F.col("_last._new").isNull(), F.col("_ex"))
                         .when(F.size(grown) > p["max_example_num"], F.slice(grown, 2, p["max_example_num"]))
                         .otherwise(grown).alias("_ex"))
                 .localCheckpoint(eager=True))  # round k+1's plan does not carry round k's

    op = bound.name
    has = batches.select(BATCH, HAS)
    originals = rows.join(has, BATCH, "left")
    # a batch where no row has the field is left as it is (Data-Juicer: `prompt_key not in samples`)
    kept = F.lit(True) if p["keep_original_sample"] else ~F.coalesce(F.col(HAS), F.lit(False))
    originals = (originals.withColumn(KEEP, kept)
                 .withColumn(DROPPED_BY, F.when(F.col(KEEP), F.lit(None)).otherwise(F.lit(rejected_by(op))))
                 .withColumn("_gen_flag", F.lit(False)).withColumn("_round", F.lit(None).cast("long"))
                 .withColumn("_raw", F.lit(None).cast("string")).withColumn("_reason", F.lit(None).cast("string"))
                 .withColumn("_pt", F.lit(None).cast("long")).withColumn("_ct", F.lit(None).cast("long"))
                 .withColumn("_n", F.lit(0).cast("long")).withColumn("_cached", F.lit(None).cast("boolean"))
                 .drop(HAS))
    out = originals
    if generations:
        made = generations[0]
        for g in generations[1:]:
            made = made.unionByName(g)
        ends = batches.select(BATCH, "_first", "_lastrow")
        last_order = rows.select(F.col(ROW).alias("_lastrow"), F.col(ORDER).alias("_after"))
        firsts = rows.withColumnRenamed(ROW, "_first").drop(BATCH)
        gen = (made.join(ends, BATCH).join(last_order, "_lastrow").join(firsts, "_first")
               .withColumn(ORDER, F.concat(F.col("_after"), F.array(F.col("_round"))))
               .withColumn("_new", F.col("_last._new"))
               .withColumn("_gen", F.monotonically_increasing_id()))
        gen = caching.persist(gen)
        touched = [c for c in dict.fromkeys([text_col, RECORD, key]) if c in gen.columns]
        text_cols = {c for c in touched if c != RECORD and gen.schema[c].dataType.simpleString() == "string"}
        schema = ", ".join(["_gen long"] + [f"`{c}` {gen.schema[c].dataType.simpleString()}" for c in touched])
        rewritten = gen.select("_gen", "_new", *touched).mapInPandas(
            _rewrite(touched, key, text_col, record_text_key, text_cols), schema)
        error = F.col("_last.error")
        gen = (gen.drop(*touched).join(rewritten, "_gen")
               .withColumn(KEEP, F.col("_new").isNotNull())
               .withColumn(DROPPED_BY, F.when(F.col(KEEP), F.lit(None))
                           .when(error.isNotNull(), F.substring(F.concat(F.lit(problem("error", op, "endpoint: ")),
                                                                         error), 1, 500))
                           .otherwise(F.lit(rejected_by(op, NO_PROMPT))))
               .withColumn("_gen_flag", F.lit(True)).withColumn("_raw", F.col("_last.content"))
               .withColumn("_reason", F.col("_last.reason"))
               .withColumn(ROW, F.lit(None).cast("long")))
        out = out.unionByName(gen.select(*originals.columns))

    summary_of(bound, model, endpoint.url, cache, tally, generations, t0)
    out = with_stats(out, df, [
        F.col("_gen_flag").alias("optimize_prompt_generated"), F.col(BATCH).alias("optimize_prompt_batch"),
        F.col("_round").alias("optimize_prompt_round"), F.col("_raw").alias("optimize_prompt_raw"),
        F.col("_reason").alias("optimize_prompt_reason"), F.col("_pt").alias("llm_prompt_tokens"),
        F.col("_ct").alias("llm_completion_tokens"), F.col("_n").alias("llm_requests"),
        F.col("_cached").alias("llm_cached")])
    out = out.drop(ROW, BATCH, "_gen_flag", "_round", "_raw", "_reason", "_pt", "_ct", "_n", "_cached")
    # its plan holds every round's: computed once here, so the stage's count and its two writes
    # neither recompute nor re-plan it
    return out.localCheckpoint(eager=True)


def summary_of(bound: BoundOp, model, url, cache, tally: dict, generations: list, t0: float) -> dict:
    """The step's summary, as ``sparkops.spark.llm.asked`` records one (logged, kept, written)."""
    totals = [0, 0, 0]
    for g in generations:
        row = g.agg(F.sum("_pt"), F.sum("_ct"), F.count(F.lit(1))).first()
        totals = [t + (v or 0) for t, v in zip(totals, row)]
    summary = {"op": bound.name, "model": model, "url": url, "cache": cache, "rows_asked": totals[2],
               "requests_sent": tally.get("sent", 0), "answers_cached": tally.get("cached", 0),
               "prompt_tokens": totals[0], "completion_tokens": totals[1], "rounds": len(generations),
               "seconds": round(time.time() - t0, 3)}
    SUMMARIES.append(summary)
    log.info("%s: %d request(s) sent, %d answered from the cache, %d prompt + %d completion tokens", bound.name,
             summary["requests_sent"], summary["answers_cached"], summary["prompt_tokens"],
             summary["completion_tokens"])
    if cache:
        runs = Path(cache) / "_runs"
        runs.mkdir(parents=True, exist_ok=True)
        (runs / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}.json").write_text(json.dumps(summary))
    return summary
