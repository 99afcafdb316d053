"""Data-Juicer's dialog detectors (intent, sentiment, sentiment intensity, topic) over a DataFrame
(the pure half: ``sparkops.ops.llm.dialog_detection``), one round of the common LLM step
(``sparkops.spark.llm.asked``) per dialog turn.

Every row comes out, kept, with the op's values in the ``meta`` struct (where Data-Juicer writes
them) and, with the raw answers, the reason and the usage, in ``stats``.
"""

from __future__ import annotations

import json

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import _parse_datatype_string

from sparkops.core import BoundOp
from sparkops.core.row import RECORD
from sparkops.spark.llm import ROW, USAGE_COLUMNS, asked, record_fields, with_stats
from sparkops.spark.llm_dialog_quality import _existing, _kept
from sparkops.spark.llm_extract import _with_meta

STATE = "_dialog_state"  # a row's dialog state (JSON) between the rounds of a detection op


def detection_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    """Every row of ``df`` with the detector's lists in ``meta``: one round of the common LLM step
    per turn (a turn's prompt shows the answers to the turns before it), the state of each row
    carried between rounds in a JSON column."""
    from dataclasses import replace

    from sparkops.ops.llm import dialog_detection as k

    p = bound.prepared
    prefix = k.stat_prefix(bound.name)
    wanted = [c for c in dict.fromkeys([text_col, RECORD, *p["read_keys"]]) if c in df.columns]

    def begin(row):
        state = k.start(record_fields(row.asDict(recursive=True), text_col), p)
        return (None, 0) if state is None else (json.dumps(state, ensure_ascii=False), len(state["turns"]))

    started = F.udf(begin, "state string, turns int")(F.struct(*[F.col(f"`{c}`") for c in wanted]))
    current = df.withColumn("_begun", started).withColumn(STATE, F.col("_begun.state"))
    current = current.withColumn("_turns", F.col("_begun.turns")).drop("_begun").localCheckpoint(eager=True)
    rounds = current.agg(F.max("_turns")).first()[0] or 0
    # asked reads the state as a record field of the row
    step = replace(bound, prepared={**p, "read_keys": [STATE]})

    def request_of(fields):
        raw = fields.get(STATE)
        return None if raw is None else k.request(json.loads(raw), p)

    def parse_of(content):
        analysis, _, ok = k.read(content, p)
        return (content,), None if k.done(analysis, ok) else "no analysis in the answer", k.done(analysis, ok)

    def advanced(raw_state, last, pt, ct, n, cached):
        if raw_state is None or last is None:
            return raw_state
        state = k.advance(json.loads(raw_state), last["content"], p, last["error"])
        usage = state.get("usage", {"pt": 0, "ct": 0, "n": 0, "cached": True})
        state["usage"] = {"pt": usage["pt"] + (pt or 0), "ct": usage["ct"] + (ct or 0), "n": usage["n"] + (n or 0),
                          "cached": bool(usage["cached"] and cached)}
        return json.dumps(state, ensure_ascii=False)

    advance = F.udf(advanced, "string")
    for _ in range(rounds):
        rows, final = asked(current, step, text_col, request_of, parse_of, "answer string")
        current = (rows.join(final, ROW, "left")
                   .withColumn(STATE, advance(STATE, "_last", "_pt", "_ct", "_n", "_cached"))
                   .drop(ROW, "_last", *USAGE_COLUMNS).localCheckpoint(eager=True))

    values_key, analysis_key = p["meta_keys"]
    item = "bigint" if p["intensity"] else "string"
    result_type = (f"struct<values:array<{item}>,analysis:array<string>,raw:array<string>,reason:string,"
                   "pt:bigint,ct:bigint,n:bigint,cached:boolean>")

    def ended(raw_state):
        if raw_state is None:
            return None
        state = json.loads(raw_state)
        meta, usage = k.finish(state, p), state.get("usage") or {}
        return {"values": meta[values_key], "analysis": meta[analysis_key], "raw": state["raw"],
                "reason": k.reason(state), "pt": usage.get("pt"), "ct": usage.get("ct"), "n": usage.get("n", 0),
                "cached": usage.get("cached")}

    out = current.withColumn("_result", F.udf(ended, result_type)(STATE))
    written = {values_key: F.col("_result.values"), analysis_key: F.col("_result.analysis")}
    for key in written:
        before = _existing(df, key, _parse_datatype_string(f"array<{item if key == values_key else 'string'}>"))
        if before is not None:  # a row already labelled keeps its lists (Data-Juicer skips it)
            written[key] = F.when(F.col(STATE).isNull(), before).otherwise(written[key])
    out = _with_meta(out, written, f"op '{bound.name}'")
    out = with_stats(out, df, [F.col("_result.raw").alias(f"{prefix}_raw"),
                                F.col("_result.reason").alias(f"{prefix}_reason"),
                                F.col("_result.pt").alias("llm_prompt_tokens"),
                                F.col("_result.ct").alias("llm_completion_tokens"),
                                F.coalesce(F.col("_result.n"), F.lit(0)).cast("long").alias("llm_requests"),
                                F.col("_result.cached").alias("llm_cached")])
    return _kept(out).drop(STATE, "_turns", "_result")
