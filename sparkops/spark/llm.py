"""LLM steps as DataFrame algorithms, with a Delta response cache that survives a killed job.

An LLM op's step (``analysis_filter`` for Data-Juicer's LLM analysis filters):

1. each row's request (messages, sampling params) is built by the op's pure kernel;
2. its cache key is sha256(model, messages, sampling params[, retry number])
   (``sparkops.llm.keys.request_key``); identical requests are asked once;
3. keys already in the cache table are answered from it (a left-anti join finds the misses);
4. only the misses go to the endpoint: ``mapInPandas`` tasks, each with the client
   (``sparkops.llm.client``: ``concurrency`` requests in flight per Python worker, retries,
   timeout, rate limit);
5. the new answers are appended to the cache table, joined back to the rows, and parsed by the
   op's pure kernel; a row whose answer cannot be parsed (or whose request failed) is asked
   again with the next retry number, up to Data-Juicer's ``try_num`` requests.

Where the cache lives: the op's ``cache_path``, else ``_llm_cache`` in the job's output folder
(the runner names it in the Spark local property ``sparkops.job.output``); a job re-run with
``--fresh`` recomputes its stages but keeps the cache, so it asks nothing already answered.
Outside a job, without ``cache_path``, nothing is cached.

Resume after a kill: every task appends each answer to a spool file
(``<cache>/_spool/<run>/<task>.jsonl``, one JSON line, flushed, as the answer arrives), so the
answers a killed job got are on disk. The driver merges the spool into the Delta table (answers
not yet in it; a torn last line is skipped) and deletes the merged files, at the start of every
LLM step and at its end. Only answers are cached: a failed request is asked again next time.
The spool needs the cache folder on a file system the executors write (local, NFS); the Delta
table itself may live anywhere Delta writes.

Per row the op's stats carry the usage: ``llm_prompt_tokens``, ``llm_completion_tokens`` (as
recorded when the answer was cached), ``llm_requests`` and ``llm_cached``; each step logs a
summary (requests sent, answered from the cache, tokens) to the ``sparkops.llm`` logger, keeps
it in ``SUMMARIES`` and writes it to ``<cache>/_runs/``.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
import uuid
from pathlib import Path

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from sparkops.core import BoundOp
from sparkops.core.row import DROPPED_BY, KEEP, NULL_TEXT, RECORD, STATS, problem
from sparkops.llm.client import Endpoint, endpoint_from
from sparkops.spark.delta_log import latest_version
from sparkops.spark.sources import empty_frame

log = logging.getLogger("sparkops.llm")

CACHE_DIR = "_llm_cache"
OUTPUT_PROPERTY = "sparkops.job.output"  # a Spark local property the job runner sets
SUMMARIES: list[dict] = []  # one per LLM step run by this driver (newest last)

ROW, REQUEST, KEY = "_llm_row", "_llm_request", "_llm_key"
ANSWER_FIELDS = ("content string, finish_reason string, prompt_tokens long, completion_tokens long, error string")
ANSWER_SCHEMA = f"{KEY} string, {ANSWER_FIELDS}"
SPOOL_SCHEMA = f"{KEY} string, model string, request string, {ANSWER_FIELDS}, created double"
CACHE_COLUMNS = (KEY, "model", "request", "content", "finish_reason", "prompt_tokens", "completion_tokens", "created")


def cache_location(spark: SparkSession, bound: BoundOp) -> str | None:
    """The op's ``cache_path``, else ``_llm_cache`` in the running job's output folder, else None."""
    if bound.params.get("cache_path"):
        return bound.params["cache_path"]
    out = spark.sparkContext.getLocalProperty(OUTPUT_PROPERTY)
    return str(Path(out) / CACHE_DIR) if out else None


def _is_table(cache: str) -> bool:
    return (Path(cache) / "_delta_log").is_dir()


def _version(spark: SparkSession, cache: str) -> int:
    """The table's latest version, from its log's files when it is local, else Delta's history."""
    version = latest_version(cache)
    if version is not None:
        return version
    from delta.tables import DeltaTable

    return DeltaTable.forPath(spark, cache).history(1).select("version").first()[0]


def merge_spool(spark: SparkSession, cache: str) -> int:
    """Append the spooled answers the cache table lacks, then delete the merged spool files.
    Returns how many answers it appended. Safe to repeat: a crash between the append and the
    deletes leaves files whose answers the next merge finds already cached."""
    spool = Path(cache) / "_spool"
    files = sorted(str(f) for f in spool.rglob("*.jsonl") if f.stat().st_size) if spool.is_dir() else []
    added = 0
    if files:
        # PERMISSIVE: a line torn by a kill reads as nulls and is dropped by the filter
        rows = (spark.read.schema(SPOOL_SCHEMA).json(files)
                .where(F.col(KEY).isNotNull() & F.col("content").isNotNull() & F.col("error").isNull())
                .dropDuplicates([KEY]).select(*CACHE_COLUMNS))
        if _is_table(cache):
            rows = rows.join(spark.read.format("delta").load(cache).select(KEY), KEY, "left_anti")
        rows = rows.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            added = rows.count()
            if added:
                rows.write.format("delta").mode("append").save(cache)
        finally:
            rows.unpersist()
    if spool.is_dir():
        for f in files:
            Path(f).unlink(missing_ok=True)
        for d in sorted(spool.iterdir()):  # run folders emptied above
            if d.is_dir() and not any(d.iterdir()):
                shutil.rmtree(d, ignore_errors=True)
    return added


def _cache_answers(new: DataFrame, model: str | None, cache: str, run_spool: Path) -> None:
    """Append this round's good answers to the cache table straight from the asked rows, then
    delete the round's spool (it only matters when the process dies before this append)."""
    good = new.where(F.col("error").isNull() & F.col("content").isNotNull())
    # the literals made nullable through a condition on a column (a bare literal is NOT NULL, and
    # would make the table refuse the spool's rows when this append creates it)
    some = F.col(KEY).isNotNull()
    rows = good.select(KEY, F.when(some, F.lit(model)).cast("string").alias("model"),
                       F.col(REQUEST).alias("request"), "content", "finish_reason", "prompt_tokens",
                       "completion_tokens", F.when(some, F.lit(time.time())).alias("created"))
    if rows.limit(1).count():
        rows.write.format("delta").mode("append").save(cache)
    shutil.rmtree(run_spool, ignore_errors=True)


def _caller(endpoint: Endpoint, model: str | None, spool: str | None):
    """The mapInPandas function that asks the endpoint for each (key, request) row."""

    def call(batches):
        import pandas as pd

        from sparkops.llm.client import Client

        client = Client(endpoint)
        out_file, lock = None, threading.Lock()
        if spool:
            Path(spool).mkdir(parents=True, exist_ok=True)
            out_file = open(Path(spool) / f"{uuid.uuid4().hex}.jsonl", "a", encoding="utf-8")
        try:
            for pdf in batches:
                keys, requests = list(pdf[KEY]), list(pdf[REQUEST])
                asks = [(r["messages"], r["sampling"]) for r in map(json.loads, requests)]

                def spooled(i, a):
                    if out_file is None or a.error is not None:
                        return
                    line = json.dumps({KEY: keys[i], "model": model, "request": requests[i], "content": a.content,
                                       "finish_reason": a.finish_reason, "prompt_tokens": a.prompt_tokens,
                                       "completion_tokens": a.completion_tokens, "error": None,
                                       "created": time.time()}, ensure_ascii=False)
                    with lock:  # answers arrive on the client's threads
                        out_file.write(line + "\n")
                        out_file.flush()

                answers = client.chat_many(asks, on_answer=spooled)
                yield pd.DataFrame({KEY: keys, REQUEST: requests, "content": [a.content for a in answers],
                                    "finish_reason": [a.finish_reason for a in answers],
                                    "prompt_tokens": pd.array([a.prompt_tokens for a in answers], dtype="Int64"),
                                    "completion_tokens": pd.array([a.completion_tokens for a in answers], dtype="Int64"),
                                    "error": [a.error for a in answers]})
        finally:
            if out_file is not None:
                out_file.close()

    return call


def ask(spark: SparkSession, requests: DataFrame, endpoint: Endpoint, model: str | None, cache: str | None,
        num_partitions: int | None = None, tally: dict | None = None) -> DataFrame:
    """Answers to ``requests`` (columns ``_llm_key``, ``_llm_request``), one row per distinct key:
    the answer columns and ``cached``. Only keys missing from the cache are sent."""
    if cache:
        merge_spool(spark, cache)  # answers a killed run got
    distinct = requests.select(KEY, REQUEST).dropDuplicates([KEY])
    known = None
    if cache and _is_table(cache):
        # pinned to the version read now: a plan re-run later (a cache eviction, a second action)
        # must not see the answers this step appends below as hits
        known = (spark.read.format("delta").option("versionAsOf", _version(spark, cache)).load(cache)
                 .select(KEY, "content", "finish_reason", "prompt_tokens", "completion_tokens").dropDuplicates([KEY]))
    empty = empty_frame(spark, f"{ANSWER_SCHEMA}, cached boolean")
    hits = empty
    if known is not None:
        # one pass sorts the requests into hits and misses; checkpointed before the new answers
        # are appended, so they do not show up as hits too
        both = distinct.join(known.withColumn("_hit", F.lit(True)), KEY, "left").localCheckpoint(eager=True)
        hits = (both.where(F.col("_hit")).drop(REQUEST, "_hit").withColumn("error", F.lit(None).cast("string"))
                .withColumn("cached", F.lit(True)))
        misses = both.where(F.col("_hit").isNull()).select(KEY, REQUEST)
        n_hits, n_all = both.agg(F.count("_hit"), F.count(F.lit(1))).first()
        n_miss = n_all - n_hits
    else:
        misses = distinct.localCheckpoint(eager=True)
        n_hits, n_miss = 0, misses.count()
    new = empty
    if n_miss:
        parts = min(n_miss, num_partitions or spark.sparkContext.defaultParallelism)
        run_spool = Path(cache) / "_spool" / uuid.uuid4().hex if cache else None
        # every request is made here, once
        new = (misses.repartition(parts)
               .mapInPandas(_caller(endpoint, model, str(run_spool) if run_spool else None),
                            f"{KEY} string, {REQUEST} string, {ANSWER_FIELDS}")
               .withColumn("cached", F.lit(False)).localCheckpoint(eager=True))
        if cache:
            _cache_answers(new, model, cache, run_spool)
    if tally is not None:
        tally["sent"] = tally.get("sent", 0) + n_miss
        tally["cached"] = tally.get("cached", 0) + n_hits
    return hits.select(KEY, "content", "finish_reason", "prompt_tokens", "completion_tokens", "error", "cached") \
        .unionByName(new.select(KEY, "content", "finish_reason", "prompt_tokens", "completion_tokens", "error", "cached"))


def record_fields(row: dict, text_col: str) -> dict:
    """The record fields a prompt may show: the job's input record, else the row's columns; the
    key ``text`` is the pass's text field (what earlier mappers made of it)."""
    raw = row.get(RECORD)
    fields = {}
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
            fields = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            fields = {}
    else:
        fields = {k: v for k, v in row.items() if k != ROW}
    fields = {**fields, **{k: v for k, v in row.items() if k not in (ROW, RECORD, text_col) and k not in fields}}
    if row.get(text_col) is not None:
        fields["text"] = row[text_col]
    else:
        fields.pop("text", None)
    return fields


def asked(df: DataFrame, bound: BoundOp, text_col: str, request_of, parse_of, result_schema: str):
    """The common LLM step: each row's request, asked (cache first), parsed, retried up to
    ``try_num`` times while unparsed. ``request_of(fields) -> messages | None`` (None: nothing to
    ask; the row gets no result), ``parse_of(content) -> (result values (tuple), reason | None,
    parsed: bool)``; ``result_schema``: the Spark DDL of the result values.

    Returns ``(rows, final)``: ``rows`` is ``df`` with a row id (``_llm_row``, persisted);
    ``final`` per asked row id: ``_last`` (the last attempt: the result values, ``content``,
    ``reason``, ``error``, ``parsed``), ``_pt``/``_ct`` (tokens), ``_n`` (requests) and ``_cached``.
    Logs and records the step's summary."""
    from sparkops.llm.keys import request_key

    spark = df.sparkSession
    p = bound.prepared
    cache = cache_location(spark, bound)
    endpoint = endpoint_from(**p["client"])  # the driver's environment (OPENAI_BASE_URL, OPENAI_API_KEY)
    model, sampling = p["client"]["api_model"], p["sampling_params"]
    t0 = time.time()
    names = [c.split()[0] for c in result_schema.split(", ")]

    wanted = [c for c in dict.fromkeys([text_col, RECORD, *p.get("read_keys", [])]) if c in df.columns]
    # checkpointed, not only persisted: the step's plan joins its input back twice, so an input
    # that is itself an LLM step's output would carry that plan four times, the next one sixteen
    # (two LLM ops in one stage ran the driver out of heap planning it); it also fixes the row ids
    rows = df.withColumn(ROW, F.monotonically_increasing_id()).localCheckpoint(eager=True)

    def build(batches):
        import pandas as pd

        for pdf in batches:
            reqs = []
            for row in pdf.to_dict("records"):
                msgs = request_of(record_fields(row, text_col))
                reqs.append(None if msgs is None else json.dumps({"messages": msgs, "sampling": sampling},
                                                                 ensure_ascii=False, default=str))
            yield pd.DataFrame({ROW: pdf[ROW], REQUEST: reqs})

    requests = rows.select(ROW, *wanted).mapInPandas(build, f"{ROW} long, {REQUEST} string").localCheckpoint(eager=True)

    def keyed(batches):
        for pdf in batches:
            attempt = int(pdf["_attempt"].iloc[0]) if len(pdf) else 0
            pdf[KEY] = [request_key(model, (r := json.loads(s))["messages"], r["sampling"], attempt)
                        for s in pdf[REQUEST]]
            yield pdf

    def parsed(batches):
        for pdf in batches:
            outs = [parse_of(c) if e is None else (None, f"endpoint: {e}", False)
                    for c, e in zip(pdf["content"], pdf["error"])]
            for k, name in enumerate(names):
                pdf[name] = [o[0][k] if o[0] is not None else None for o in outs]
            pdf["reason"] = [o[1] for o in outs]
            pdf["parsed"] = [bool(o[2]) for o in outs]
            yield pdf

    round_schema = f"{ROW} long, {REQUEST} string, _attempt int, {KEY} string, {ANSWER_FIELDS}, cached boolean"
    parsed_schema = f"{round_schema}, {result_schema}, reason string, parsed boolean"
    tally: dict = {}
    pending, rounds = requests.where(F.col(REQUEST).isNotNull()), []
    for attempt in range(p["try_num"]):
        # each round checkpointed: a round's plan would otherwise hold every earlier round's, and
        # Spark spent longer planning three rounds of 8 rows than the model took to answer them
        keys = (pending.withColumn("_attempt", F.lit(attempt))
                .mapInPandas(keyed, f"{ROW} long, {REQUEST} string, _attempt int, {KEY} string")
                .localCheckpoint(eager=True))
        if keys.count() == 0:
            break
        answers = ask(spark, keys, endpoint, model, cache, p["num_partitions"], tally)
        got = (keys.join(answers, KEY, "left").select(*[c.split()[0] for c in round_schema.split(", ")])
               .mapInPandas(parsed, parsed_schema).localCheckpoint(eager=True))
        rounds.append(got)
        pending = got.where(~F.col("parsed")).select(ROW, REQUEST)

    last_type = f"struct<{','.join(f'{c.split()[0]}:{c.split()[1]}' for c in result_schema.split(', '))}," \
                "content:string,reason:string,error:string,parsed:boolean>"
    if rounds:
        everything = rounds[0]
        for r in rounds[1:]:
            everything = everything.unionByName(r)
        last = F.max_by(F.struct(*names, "content", "reason", "error", "parsed"), F.col("_attempt"))
        final = everything.groupBy(ROW).agg(
            last.alias("_last"), F.sum("prompt_tokens").alias("_pt"), F.sum("completion_tokens").alias("_ct"),
            F.count(F.lit(1)).alias("_n"), F.min(F.col("cached").cast("int")).cast("boolean").alias("_cached"))
    else:
        final = empty_frame(spark, f"{ROW} long, _last {last_type}, _pt long, _ct long, _n long, _cached boolean")
    final = final.localCheckpoint(eager=True)
    totals = final.agg(F.sum("_pt"), F.sum("_ct"), F.count(F.lit(1))).first()
    summary = {"op": bound.name, "model": model, "url": endpoint.url, "cache": cache, "rows_asked": totals[2] or 0,
               "requests_sent": tally.get("sent", 0), "answers_cached": tally.get("cached", 0),
               "prompt_tokens": totals[0] or 0, "completion_tokens": totals[1] or 0, "rounds": len(rounds),
               "seconds": round(time.time() - t0, 3)}
    SUMMARIES.append(summary)
    log.info("%s: %d request(s) sent, %d answered from the cache, %d prompt + %d completion tokens",
             bound.name, summary["requests_sent"], summary["answers_cached"], summary["prompt_tokens"],
             summary["completion_tokens"])
    if cache:
        runs = Path(cache) / "_runs"
        runs.mkdir(parents=True, exist_ok=True)
        (runs / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}.json").write_text(json.dumps(summary))
    return rows, final


USAGE_COLUMNS = ("_pt", "_ct", "_n", "_cached")


def usage_columns() -> list:
    return [F.col("_pt").alias("llm_prompt_tokens"), F.col("_ct").alias("llm_completion_tokens"),
            F.coalesce(F.col("_n"), F.lit(0)).alias("llm_requests"), F.col("_cached").alias("llm_cached")]


def with_stats(df: DataFrame, before: DataFrame, mine: list) -> DataFrame:
    """``stats``: the fields the rows had (a DataFrame with stats), then this op's. A field of an
    earlier op of the stage with one of this op's names (every LLM op writes ``llm_requests``,
    ``llm_prompt_tokens`` ...) gives way: a struct with two fields of one name answers the first."""
    names = set(df.select(*mine).columns)  # analysis only, no job
    kept = ([F.col(f"{STATS}.`{f.name}`") for f in before.schema[STATS].dataType.fields if f.name not in names]
            if STATS in before.columns else [])
    return df.withColumn(STATS, F.struct(*kept, *mine))


def analysis_filter(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
                    record_text_key: str | None = None) -> DataFrame:
    """Data-Juicer's LLM analysis filters (``sparkops.ops.llm.analysis``) over ``df``: every row
    comes out, with its score, record, tags, raw answer, reason and usage in ``stats``."""
    import importlib

    p = bound.prepared
    # an op whose prompt differs (llm_task_relevance_filter) names its kernel module and its stats' prefix
    analysis = importlib.import_module(p.get("kernel", "sparkops.ops.llm.analysis"))
    score_key = bound.op.range[0]
    prefix = p.get("stat_prefix") or score_key.rsplit("_", 1)[0]  # llm_quality_score -> llm_quality

    def request_of(fields):
        if "text" in p["input_keys"] and "text" not in fields:
            return None  # no text: dropped as null_text, never asked
        return analysis.messages(fields, p)

    def parse_of(content):
        out = analysis.parse(content, p)
        return (out.score, out.record, out.tags), out.reason, out.record is not None

    rows, final = asked(df, bound, text_col, request_of, parse_of, "score double, record string, tags string")
    out = rows.join(final, ROW, "left")
    stat = {"score": score_key, **{k: f"{prefix}_{k}" for k in ("record", "tags", "raw", "reason")}}
    out = with_stats(out, df, [
        F.coalesce(F.col("_last.score"), F.lit(0.0)).alias(stat["score"]),
        F.coalesce(F.col("_last.record"), F.lit("")).alias(stat["record"]),
        F.coalesce(F.col("_last.tags"), F.lit("")).alias(stat["tags"]),
        F.col("_last.content").alias(stat["raw"]), F.col("_last.reason").alias(stat["reason"]), *usage_columns()])

    keep_udf = F.udf(lambda s: bool(bound.keep({score_key: s})), "boolean")
    dropped = (F.when(F.col("_last").isNull(), F.lit(NULL_TEXT))
               .when(F.col("_last.error").isNotNull(),
                     F.concat(F.lit(problem("error", bound.name, "endpoint: ")), F.col("_last.error")))
               .when(~keep_udf(F.col(f"{STATS}.`{score_key}`")), F.lit(bound.name)))
    return (out.withColumn(DROPPED_BY, F.substring(dropped, 1, 500)).withColumn(KEEP, F.col(DROPPED_BY).isNull())
            .drop(ROW, "_last", *USAGE_COLUMNS))


def pd_frame(columns: dict):
    import pandas as pd

    return pd.DataFrame(columns)


def field_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str],
                 record_text_key: str | None = None) -> DataFrame:
    """Data-Juicer's LLM mappers that rewrite or add record fields (optimize_* / calibrate_* on the
    query and response, pair_preference_mapper's rejected answer and reason) over ``df``. The op's
    kernel module (``prepared["kernel"]``) builds the request (``request(fields, p)``) and reads the
    answer (``answer(raw, p) -> (fields to write, done)``; not done: asked again, up to ``try_num``);
    ``prepared["write_keys"]`` names the fields it may write, ``prepared["no_answer"]`` what a row
    gets when no answer came (Data-Juicer's initial values). Every row is kept, with the raw answer
    and the reason in ``stats`` (``<stat_prefix>_raw``, ``<stat_prefix>_reason``).

    The fields go into the job's record (``_record``) and into same-named string columns; the pass's
    text (``text_col``) follows a field it was read from: ``record_text_key`` when the pass names
    it, else a field whose value it held."""
    import importlib

    p = bound.prepared
    kernel = importlib.import_module(p["kernel"])
    keys, no_answer, prefix = list(p["write_keys"]), dict(p.get("no_answer") or {}), p["stat_prefix"]

    def request_of(fields):
        return kernel.request(fields, p)

    def parse_of(content):
        new, done = kernel.answer(content, p)
        return (json.dumps(new, ensure_ascii=False),), None if done else "unparsable answer", done

    rows, final = asked(df, bound, text_col, request_of, parse_of, "fields string")
    out = rows.join(final, ROW, "left")
    has_record = RECORD in out.columns
    touched = [c for c in dict.fromkeys([text_col, *((RECORD,) if has_record else ()), *keys]) if c in out.columns]
    # a field's column takes the new value only where it holds strings (the record always does)
    text_cols = {c for c in touched if out.schema[c].dataType.simpleString() == "string" and c != RECORD}

    def rewrite(batches):
        for pdf in batches:
            cols = {c: list(pdf[c]) for c in touched}
            for i, (got, asked_row) in enumerate(zip(pdf["_f"], pdf["_asked"])):
                if got is not None:
                    new = json.loads(got)
                elif asked_row:
                    new = dict(no_answer)
                else:
                    continue  # never asked (a missing field): left as it came
                if not new:
                    continue
                record = json.loads(cols[RECORD][i]) if has_record and isinstance(cols[RECORD][i], str) else None
                for key, value in new.items():
                    if record is not None:
                        # the pass's text holds this field: it follows (the export writes the text back)
                        if key == record_text_key or (record_text_key is None and key in record
                                                      and record.get(key) == cols[text_col][i]):
                            cols[text_col][i] = value
                        record[key] = value
                    elif key == "text":
                        cols[text_col][i] = value
                    if key in text_cols:
                        cols[key][i] = value
                if record is not None:
                    cols[RECORD][i] = json.dumps(record, ensure_ascii=False)
            yield pd_frame({ROW: pdf[ROW], **cols})

    flat = out.select(ROW, *touched, F.col("_last.fields").alias("_f"), F.col("_last").isNotNull().alias("_asked"))
    schema = ", ".join([f"{ROW} long"] + [f"`{c}` {out.schema[c].dataType.simpleString()}" for c in touched])
    rewritten = flat.mapInPandas(rewrite, schema)
    out = out.drop(*touched).join(rewritten, ROW)
    missing = f"missing field: {' or '.join(p.get('read_keys') or keys)}"
    reason = F.when(F.col("_last").isNull(), F.lit(missing)).otherwise(F.col("_last.reason"))
    out = with_stats(out, df, [F.col("_last.content").alias(f"{prefix}_raw"), reason.alias(f"{prefix}_reason"),
                                *usage_columns()])
    return (out.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
            .drop(ROW, "_last", *USAGE_COLUMNS))
