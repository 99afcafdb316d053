"""Data-Juicer's LLM extraction mappers over a DataFrame (pure halves:
``sparkops.ops.llm.extraction``), on the common LLM step (``sparkops.spark.llm``: Delta response
cache, spool, retries, usage, summary).

Every op writes its values into the ``meta`` struct (``meta.<key>``, typed: lists and structs
as Data-Juicer's values are) and keeps the last answer, the reason no answer parsed and the usage
in ``stats``. Before asking, each row gets ``_xo_why``: why it is not asked (its meta already
holds the op's keys: Data-Juicer's 'generated already', kept as they are; no text; for the
support-text op no summary), or null.

- one request per row, retried while unparsable (keyword, nickname, support text, relation
  identity): ``asked`` as it is;
- ``extract_event_mapper``: the same, then a row per event (``_order`` extended by its index); a
  row without an event stays one row, rejected with the reason;
- ``extract_entity_attribute_mapper``: one question per (entity, attribute): an ``asked`` step
  per attribute over (row, entity) pairs, gathered back per row in Data-Juicer's order;
- ``extract_entity_relation_mapper``: Data-Juicer's conversation (the prompt, gleaning rounds, the
  YES/NO question) stepped as rounds of ``ask`` over every row still talking; a whole attempt
  is repeated for rows whose answers give no entity, the attempt number in each request's key.
"""

from __future__ import annotations

import json
import time

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType, _parse_datatype_string

from sparkops.core import BoundOp, OpError
from sparkops.core.row import DROPPED_BY, KEEP, META, NULL_TEXT, ORDER, RECORD, problem, rejected_by
from sparkops.ops.llm import extraction as X
from sparkops.ops.llm.extraction_ops import ENTITY_ITEM, RELATION_ITEM
from sparkops.spark.llm import (ANSWER_FIELDS, KEY, REQUEST, ROW, USAGE_COLUMNS, ask, asked, cache_location,
                                usage_columns, with_stats)
from sparkops.spark.llm_extract import _with_meta
from sparkops.spark.order import with_order
from sparkops.spark.sources import empty_frame

WHY, PARENT, SUMMARY = "_xo_why", "_xo_parent", "_xo_summary"
UNPARSABLE = "unparsable answer"
NO_EVENTS = "no_events"
_INTERNAL = (WHY, PARENT, SUMMARY, "_xo_value", "_xo_raw", "_xo_reason")


# the Spark type of each meta value an op writes, in the order of its output keys
META_TYPES = {
    "extract_keyword_mapper": ("array<string>",),
    "extract_nickname_mapper": (f"array<{RELATION_ITEM}>",),
    "extract_event_mapper": ("string", "array<string>"),
    "extract_entity_attribute_mapper": ("array<string>", "array<string>", "array<string>", "array<array<string>>"),
    "extract_entity_relation_mapper": (f"array<{ENTITY_ITEM}>", f"array<{RELATION_ITEM}>"),
    "extract_support_text_mapper": ("string",),
    "relation_identity_mapper": ("string",),
}


def meta_types(op: str, p: dict) -> dict[str, str]:
    """``{meta key: Spark type}`` of the values the op writes."""
    return dict(zip(p["out_keys"], META_TYPES[op], strict=True))


def _meta_fields(df: DataFrame) -> dict[str, str]:
    kind = df.schema[META].dataType if META in df.columns else None
    return {f.name: f.dataType.simpleString() for f in kind.fields} if isinstance(kind, StructType) else {}


def _decoded(json_col: Column, ddl: str) -> Column:
    """A JSON value as a column of the Spark type ``ddl``."""
    return F.from_json(F.concat(F.lit('{"v":'), json_col, F.lit("}")), f"v {ddl}")["v"]


def _why_not_asked(df: DataFrame, bound: BoundOp, text_col: str, extra: Column | None = None) -> DataFrame:
    """``df`` with ``_xo_why`` (see the module doc). A meta field of the op's key but another type is
    refused: the op would replace it."""
    types, have = meta_types(bound.name, bound.prepared), _meta_fields(df)
    for key, ddl in types.items():
        want = _parse_datatype_string(ddl).simpleString()
        if key in have and have[key] != want:
            raise OpError(f"op '{bound.name}': the data's meta.{key} is {have[key]}, this op writes {want} there: "
                          f"name another output key (its *_key parameter)")
    keys = list(types)
    done = F.lit(False)
    if all(k in have for k in keys):
        done = F.lit(True)
        for k in keys:
            done = done & F.col(f"{META}.`{k}`").isNotNull()
    why = F.when(done, F.lit(f"generated already: meta.{', meta.'.join(keys)}")) \
        .when(F.col(text_col).isNull(), F.lit(NULL_TEXT))
    if extra is not None:
        why = why.otherwise(extra)
    return df.withColumn(WHY, why)


def _with_reads(bound: BoundOp, *keys: str) -> BoundOp:
    return BoundOp(bound.op, bound.params, {**bound.prepared, "read_keys": list(keys)})


def _finish(out: DataFrame, before: DataFrame, bound: BoundOp, values: dict[str, Column], prefix: str,
            raw: Column, reason: Column, extra_stats: tuple = (), keep: Column | None = None) -> DataFrame:
    """The values into ``meta`` (a row generated already keeps its own), the stats, the flags."""
    done = F.coalesce(F.col(WHY).startswith("generated already"), F.lit(False))
    have = _meta_fields(before)
    written = {k: F.when(done, F.col(f"{META}.`{k}`") if k in have else F.lit(None)).otherwise(c)
               for k, c in values.items()}
    out = _with_meta(out, written, f"op '{bound.name}'")
    out = with_stats(out, before, [*extra_stats, raw.alias(f"{prefix}_raw"), reason.alias(f"{prefix}_reason"),
                                   *usage_columns()])
    if keep is None:
        out = out.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
    return out.drop(ROW, "_last", *USAGE_COLUMNS, *_INTERNAL)


def _one_request(df: DataFrame, bound: BoundOp, text_col: str, request, parse, reads: tuple = ()):
    """``asked`` for the ops that ask one question per row; ``request(fields)`` (None: not
    asked), ``parse(raw) -> (value, done)``. Returns the rows joined with their last attempt."""
    def request_of(fields):
        return None if fields.get(WHY) is not None else request(fields)

    def parse_of(content):
        value, ok = parse(content)
        return (json.dumps(value, ensure_ascii=False),), None if ok else UNPARSABLE, ok

    rows, final = asked(df, _with_reads(bound, WHY, *reads), text_col, request_of, parse_of, "value string")
    return rows.join(final, ROW, "left")


def _answered(empty) -> Column:
    """The last attempt's value when it parsed, else Data-Juicer's value for no answer (JSON)."""
    return F.when(F.col("_last.parsed"), F.col("_last.value")).otherwise(F.lit(json.dumps(empty, ensure_ascii=False)))


def _reason() -> Column:
    return F.when(F.col("_last").isNull(), F.col(WHY)).otherwise(F.col("_last.reason"))


def _simple(df: DataFrame, bound: BoundOp, text_col: str, prefix: str, request, parse) -> DataFrame:
    p = bound.prepared
    (key, ddl), = meta_types(bound.name, p).items()
    empty = X.no_answer(bound.name, p)
    ready = _why_not_asked(df, bound, text_col)
    out = _one_request(ready, bound, text_col, lambda f: request(f.get("text"), p), lambda raw: parse(raw, p))
    value = _decoded(F.coalesce(_answered(empty), F.lit(json.dumps(empty, ensure_ascii=False))), ddl)
    return _finish(out, df, bound, {key: value}, prefix, F.col("_last.content"), _reason())


def keyword_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    return _simple(df, bound, text_col, "extract_keyword", X.keyword_messages, X.parse_keywords)


def nickname_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    return _simple(df, bound, text_col, "extract_nickname", X.nickname_messages, X.parse_nicknames)


def identity_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.prepared
    if p["source_entity"] is None or p["target_entity"] is None:
        # Data-Juicer writes '' without asking
        (key, _), = meta_types(bound.name, p).items()
        ready = _why_not_asked(df, bound, text_col, F.lit("source_entity or target_entity not set"))
        out = ready.withColumn("_last", F.lit(None).cast("struct<content:string>"))
        for c in USAGE_COLUMNS:
            out = out.withColumn(c, F.lit(None).cast("long" if c != "_cached" else "boolean"))
        out = out.withColumn(ROW, F.lit(None))
        return _finish(out, df, bound, {key: F.lit("")}, "relation_identity", F.lit(None).cast("string"),
                       F.col(WHY))
    return _simple(df, bound, text_col, "relation_identity", X.identity_messages, X.parse_identity)


# -- extract_support_text_mapper ----------------------------------------------------------------------

def _summary_of(df: DataFrame, key: str) -> tuple[DataFrame, Column]:
    """``df`` with ``_xo_summary`` (the row's summary, a string) and the reason a row has none:
    the meta column's ``key``, else the input record's ``meta.<key>``."""
    have = _meta_fields(df)
    if key in have:
        col = F.col(f"{META}.`{key}`")
        if have[key] == "string":
            return df.withColumn(SUMMARY, col), F.when(col.isNull(), F.lit(f"no summary: meta.{key} is null"))
        return (df.withColumn(SUMMARY, F.lit(None).cast("string")),
                F.lit(f"invalid summary: meta.{key} is {have[key]}, not a string"))
    if RECORD not in df.columns:
        return df.withColumn(SUMMARY, F.lit(None).cast("string")), F.lit(f"no summary: meta.{key} does not exist")

    def from_record(raw):
        try:
            meta = json.loads(raw).get("meta") if isinstance(raw, str) else None
        except ValueError:
            meta = None
        if not isinstance(meta, dict) or key not in meta:
            return (None, f"no summary: meta.{key} does not exist")
        value = meta[key]
        return (value, None) if isinstance(value, str) else (None, f"invalid summary: meta.{key} is not a string")

    got = F.udf(from_record, "value string, why string")(F.col(RECORD))
    return df.withColumn("_xo_s", got).withColumn(SUMMARY, F.col("_xo_s.value")), F.col("_xo_s.why")


def support_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.prepared
    (key, _), = meta_types(bound.name, p).items()
    with_summary, why = _summary_of(df, p["summary_key"])
    ready = _why_not_asked(with_summary, bound, text_col, why)
    if "_xo_s" in ready.columns:
        ready = ready.drop("_xo_s")
    out = _one_request(ready, bound, text_col, lambda f: X.support_messages(f.get("text"), f[SUMMARY], p),
                       lambda raw: X.parse_support(raw, p), reads=(SUMMARY,))
    # no answer after try_num requests: the summary itself, as Data-Juicer
    value = F.when(F.col("_last").isNull(), F.lit(None).cast("string")) \
        .when(F.col("_last.parsed"), F.from_json(F.concat(F.lit('{"v":'), F.col("_last.value"), F.lit("}")),
                                                  "v string")["v"]) \
        .otherwise(F.col(SUMMARY))
    return _finish(out, df, bound, {key: value}, "extract_support_text", F.col("_last.content"), _reason())


# -- extract_event_mapper ------------------------------------------------------------------------------

def event_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p, op = bound.prepared, bound.name
    desc_key, chars_key = p["out_keys"]
    ready = _why_not_asked(with_order(df.drop(KEEP, DROPPED_BY), order_cols), bound, text_col)

    def parse(raw):
        events, ok = X.parse_events(raw, p)
        return [{"d": d, "c": c} for d, c in events], ok

    out = _one_request(ready, bound, text_col, lambda f: X.event_messages(f.get("text"), p), parse)
    events = _decoded(F.col("_last.value"), "array<struct<d:string,c:array<string>>>")
    done = F.coalesce(F.col(WHY).startswith("generated already"), F.lit(False))
    failed = F.col("_last.error").isNotNull()
    why = (F.when(done, F.lit(None))
           .when(F.col("_last").isNull(), F.col(WHY))
           .when(~F.col("_last.parsed") & failed,
                 F.substring(F.concat(F.lit(problem("error", op, "")), F.col("_last.reason")), 1, 500))
           .when(~F.col("_last.parsed"), F.lit(rejected_by(op, NO_EVENTS))))
    out = (out.withColumn("_xo_reject", why)
           .withColumn("_xo_events", F.when(F.col("_xo_reject").isNull() & ~done, events)
                       .otherwise(F.array(F.lit(None).cast("struct<d:string,c:array<string>>"))))
           .select("*", F.posexplode("_xo_events").alias("_xo_k", "_xo_event")))
    is_event = F.col("_xo_event").isNotNull()
    out = out.withColumn(ORDER, F.when(is_event, F.concat(F.col(ORDER), F.array(F.col("_xo_k").cast("long"))))
                         .otherwise(F.col(ORDER)))
    values = {desc_key: F.col("_xo_event.d"), chars_key: F.col("_xo_event.c")}
    out = _finish(out, df, bound, values, "extract_event", F.col("_last.content"), _reason(),
                  extra_stats=(F.when(is_event, F.col("_xo_k").cast("long")).alias("extract_event_index"),),
                  keep=F.lit(False))
    rejected = F.col("_xo_reject")
    return (out.withColumn(DROPPED_BY, rejected).withColumn(KEEP, rejected.isNull())
            .drop("_xo_reject", "_xo_events", "_xo_k", "_xo_event"))


# -- extract_entity_attribute_mapper -------------------------------------------------------------------

# one question's outcome; ``q`` first: sorted, the questions are in Data-Juicer's order
ITEM = ("struct<q:long,entity:string,attribute:string,parsed:boolean,d:string,s:array<string>,content:string,"
        "reason:string,pt:long,ct:long,n:long,cached:boolean>")

def attribute_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    p = bound.prepared
    keys = p["out_keys"]
    ready = _why_not_asked(df, bound, text_col).withColumn(PARENT, F.monotonically_increasing_id())
    ready = ready.localCheckpoint(eager=True)  # the ids are joined back: fixed once
    entities, attributes = p["query_entities"], p["query_attributes"]
    parts = []
    talking = ready.where(F.col(WHY).isNull()).select(PARENT, F.col(text_col).alias("text"))
    for ai, attribute in enumerate(attributes if entities else []):
        sub = talking.select(PARENT, "text", F.posexplode(F.array(*[F.lit(e) for e in entities]))
                             .alias("_xo_e", "_xo_entity"))

        def request_of(fields, attribute=attribute):
            return X.attribute_messages(fields.get("text"), fields["_xo_entity"], attribute, p)

        def parse_of(content, attribute=attribute):
            (desc, demos), ok = X.parse_attribute(content, attribute, p)
            return (json.dumps({"d": desc, "s": demos}, ensure_ascii=False),), None if ok else UNPARSABLE, ok

        rows, final = asked(sub, _with_reads(bound, PARENT, "_xo_e", "_xo_entity"), "text", request_of, parse_of,
                            "value string")
        got = _decoded(F.col("_last.value"), "struct<d:string,s:array<string>>")
        parts.append(rows.join(final, ROW).select(PARENT, F.struct(
            (F.col("_xo_e") * len(attributes) + ai).cast("long").alias("q"), F.col("_xo_entity").alias("entity"),
            F.lit(attribute).alias("attribute"), F.col("_last.parsed").alias("parsed"), got["d"].alias("d"),
            got["s"].alias("s"), F.col("_last.content").alias("content"), F.col("_last.reason").alias("reason"),
            F.col("_pt").alias("pt"), F.col("_ct").alias("ct"), F.col("_n").alias("n"),
            F.col("_cached").alias("cached")).alias("_xo_item")))
    if parts:
        every = parts[0]
        for part in parts[1:]:
            every = every.unionByName(part)
        gathered = every.groupBy(PARENT).agg(
            F.sort_array(F.collect_list("_xo_item")).alias("_xo_items"), F.sum("_xo_item.pt").alias("_pt"),
            F.sum("_xo_item.ct").alias("_ct"), F.sum("_xo_item.n").alias("_n"),
            F.min(F.col("_xo_item.cached").cast("int")).cast("boolean").alias("_cached"))
    else:
        gathered = ready.sparkSession.createDataFrame(
            [], f"{PARENT} long, _xo_items array<{ITEM}>, _pt long, _ct long, _n long, _cached boolean")
    out = ready.join(gathered, PARENT, "left")
    items = F.coalesce(F.col("_xo_items"), F.array().cast(f"array<{ITEM}>"))
    asked_row = F.col(WHY).isNull()
    lists = [F.transform(items, lambda x: x["entity"]), F.transform(items, lambda x: x["attribute"]),
             F.transform(items, lambda x: F.when(x["parsed"], x["d"]).otherwise(F.lit(""))),
             F.transform(items, lambda x: F.when(x["parsed"], x["s"]).otherwise(F.array().cast("array<string>")))]
    values = {k: F.when(asked_row | (F.col(WHY) == NULL_TEXT), c) for k, c in zip(keys, lists)}
    raw = F.when(F.size(items) > 0, F.to_json(F.transform(items, lambda x: x["content"])))
    why_items = F.filter(F.transform(items, lambda x: F.when(~x["parsed"], F.concat_ws(
        "", x["entity"], F.lit("/"), x["attribute"], F.lit(": "), x["reason"]))), lambda s: s.isNotNull())
    reason = F.when(~asked_row, F.col(WHY)).when(F.size(why_items) > 0, F.concat_ws("; ", why_items))
    out = out.withColumn("_n", F.when(asked_row, F.coalesce(F.col("_n"), F.lit(0))))
    return _finish(out, df, bound, values, "extract_entity_attribute", raw, reason).drop("_xo_items")


# -- extract_entity_relation_mapper --------------------------------------------------------------------

STATE_SCHEMA = f"{PARENT} long, text string, _xo_state string"


def relation_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    from sparkops.llm.client import endpoint_from
    from sparkops.llm.keys import request_key
    from sparkops.spark.llm_optimize_prompt import summary_of

    spark, p, t0 = df.sparkSession, bound.prepared, time.time()
    keys = p["out_keys"]
    model, sampling = p["client"]["api_model"], p["sampling_params"]
    endpoint, cache = endpoint_from(**p["client"]), cache_location(spark, bound)
    ready = _why_not_asked(df, bound, text_col).withColumn(PARENT, F.monotonically_increasing_id())
    ready = ready.localCheckpoint(eager=True)

    def fresh(parts):
        """A new attempt's conversation per row, with the usage of its earlier attempts."""
        import pandas as pd

        for pdf in parts:
            states = []
            for text, old in zip(pdf["text"], pdf["_xo_state"]):
                usage = json.loads(old)["usage"] if isinstance(old, str) else {"pt": 0, "ct": 0, "n": 0,
                                                                                 "cached": True}
                states.append(json.dumps({"conv": X.conversation(text, p), "usage": {**usage, "error": None}},
                                         ensure_ascii=False))
            yield pd.DataFrame({PARENT: pdf[PARENT], "text": pdf["text"], "_xo_state": states})

    def requests(attempt: int):
        def build(parts):
            for pdf in parts:
                reqs, ks = [], []
                for s in pdf["_xo_state"]:
                    msgs = X.next_messages(json.loads(s)["conv"], p)
                    reqs.append(json.dumps({"messages": msgs, "sampling": sampling}, ensure_ascii=False))
                    # the attempt in the key: a repeated attempt asks the model again, as Data-Juicer
                    ks.append(request_key(model, msgs, sampling, attempt))
                pdf[REQUEST], pdf[KEY] = reqs, ks
                yield pdf
        return build

    def advanced(parts):
        import pandas as pd

        for pdf in parts:
            states, dones = [], []
            for s, content, error, pt, ct, cached in zip(pdf["_xo_state"], pdf["content"], pdf["error"],
                                                         pdf["prompt_tokens"], pdf["completion_tokens"],
                                                         pdf["cached"]):
                state = json.loads(s)
                u = state["usage"]
                conv = X.advance(state["conv"], content if isinstance(error, float) or error is None else "", p)
                failed = error if isinstance(error, str) else None
                u = {"pt": u["pt"] + (0 if pd.isna(pt) else int(pt)), "ct": u["ct"] + (0 if pd.isna(ct) else int(ct)),
                     "n": u["n"] + 1, "cached": bool(u["cached"] and not pd.isna(cached) and bool(cached)),
                     "error": failed or u["error"]}
                states.append(json.dumps({"conv": conv, "usage": u}, ensure_ascii=False))
                dones.append(conv["next"] == "done")
            yield pd.DataFrame({PARENT: pdf[PARENT], "text": pdf["text"], "_xo_state": states, "_xo_done": dones})

    def parsed(parts):
        import pandas as pd

        for pdf in parts:
            out = {PARENT: list(pdf[PARENT]), "text": list(pdf["text"]), "_xo_state": list(pdf["_xo_state"]),
                   "_xo_value": [], "_xo_ok": [], "_xo_raw": [], "_xo_reason": []}
            for s in pdf["_xo_state"]:
                state = json.loads(s)
                value, ok = X.parse_relations(state["conv"]["result"], p)
                out["_xo_value"].append(json.dumps(value, ensure_ascii=False))
                out["_xo_ok"].append(ok)
                out["_xo_raw"].append(state["conv"]["result"])
                error = state["usage"]["error"]
                out["_xo_reason"].append(None if ok else (f"endpoint: {error}" if error else
                                                          f"{UNPARSABLE}: no entity"))
            yield pd.DataFrame(out)

    tally: dict = {}
    results = []
    pending = ready.where(F.col(WHY).isNull()).select(PARENT, F.col(text_col).alias("text"),
                                                      F.lit(None).cast("string").alias("_xo_state"))
    res_schema = f"{STATE_SCHEMA}, _xo_value string, _xo_ok boolean, _xo_raw string, _xo_reason string"
    for attempt in range(p["try_num"]):
        talking = pending.mapInPandas(fresh, STATE_SCHEMA).localCheckpoint(eager=True)
        finished = []
        while True:
            reqs = talking.mapInPandas(requests(attempt), f"{STATE_SCHEMA}, {REQUEST} string, {KEY} string") \
                .localCheckpoint(eager=True)
            if reqs.count() == 0:
                break
            answers = ask(spark, reqs.select(KEY, REQUEST), endpoint, model, cache, p["num_partitions"], tally)
            step = (reqs.join(answers, KEY, "left")
                    .select(PARENT, "text", "_xo_state", *[c.split()[0] for c in ANSWER_FIELDS.split(", ")], "cached")
                    .mapInPandas(advanced, f"{STATE_SCHEMA}, _xo_done boolean").localCheckpoint(eager=True))
            finished.append(step.where(F.col("_xo_done")).drop("_xo_done"))
            talking = step.where(~F.col("_xo_done")).drop("_xo_done")
        if not finished:
            break
        ended = finished[0]
        for f in finished[1:]:
            ended = ended.unionByName(f)
        judged = ended.mapInPandas(parsed, res_schema).localCheckpoint(eager=True)
        last = attempt == p["try_num"] - 1
        results.append(judged if last else judged.where(F.col("_xo_ok")))
        pending = judged.where(~F.col("_xo_ok")).select(PARENT, "text", "_xo_state")

    usage = "struct<pt:long,ct:long,n:long,cached:boolean>"
    if results:
        every = results[0]
        for r in results[1:]:
            every = every.unionByName(r)
        every = every.select(PARENT, "_xo_value", "_xo_ok", "_xo_raw", "_xo_reason",
                             F.from_json(F.get_json_object("_xo_state", "$.usage"), usage).alias("_xo_u"))
    else:
        every = empty_frame(spark, f"{PARENT} long, _xo_value string, _xo_ok boolean, _xo_raw string, "
                                    f"_xo_reason string, _xo_u {usage}")
    every = every.select(PARENT, "_xo_value", "_xo_ok", "_xo_raw", "_xo_reason", F.col("_xo_u.pt").alias("_pt"),
                         F.col("_xo_u.ct").alias("_ct"), F.col("_xo_u.n").alias("_n"),
                         F.col("_xo_u.cached").alias("_cached")).localCheckpoint(eager=True)
    summary_of(bound, model, endpoint.url, cache, tally, [every], t0)
    out = ready.join(every, PARENT, "left")
    empty = json.dumps(X.no_answer(bound.name, p), ensure_ascii=False)
    value = F.coalesce(F.col("_xo_value"), F.lit(empty))
    values = {keys[0]: _decoded(F.get_json_object(value, "$[0]"), f"array<{ENTITY_ITEM}>"),
              keys[1]: _decoded(F.get_json_object(value, "$[1]"), f"array<{RELATION_ITEM}>")}
    reason = F.when(F.col("_xo_value").isNull(), F.col(WHY)).otherwise(F.col("_xo_reason"))
    out = out.withColumn("_n", F.when(F.col(WHY).isNull(), F.coalesce(F.col("_n"), F.lit(0))))
    return _finish(out, df, bound, values, "extract_entity_relation", F.col("_xo_raw"), reason).drop("_xo_ok")
