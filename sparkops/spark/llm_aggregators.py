"""Data-Juicer's LLM aggregators over grouped rows (``sparkops.ops.llm.aggregators``), in rounds.

Each grouped row's work is a state (JSON): its members' meta docs, then the summaries of each
level. A round lists every row's current questions (one task row each), asks them all through the
common LLM step (``sparkops.spark.llm.asked``: cache, spool, retries until an answer parses,
usage), and advances each row with its answers; rows that are done ask nothing more. Every round
of an op asks one kind of question (``round_stage``), so one parser serves the whole round. The
number of rounds is the deepest row's: a nested summary at least halves its documents per level.

Outputs: the batch-meta ops set ``__dj__batch_meta__.<output_key>`` (a struct column) and the key
in the job's grouped record; ``meta_tags_aggregator`` rewrites each member's tag where it was read
(the grouped ``meta`` column, else the record's ``meta`` list).
"""

from __future__ import annotations

import json

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StructType

from sparkops.core import BoundOp, OpError
from sparkops.core.row import DROPPED_BY, KEEP, META, RECORD, STATS
from sparkops.ops.llm import aggregators as A
from sparkops.spark.llm import ROW, asked, with_stats

AGG_ROW, Q, MESSAGES, STATE = "_agg_row", "_agg_q", "_agg_messages", "_agg_state"
VALUE, NEW_TAGS = "_agg_value", "_agg_new_tags"


def _kept(df: DataFrame) -> DataFrame:
    return df.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))


def _value_type(op: str) -> str:
    return "array<string>" if op == A.RELEVANT else "string"


def _tag_field_type(df: DataFrame, key: str) -> str | None:
    """The Spark type of ``meta.<key>`` in the grouped meta column (string or array<string>), or None."""
    if META not in df.columns:
        return None
    kind = df.schema[META].dataType
    if not (isinstance(kind, ArrayType) and isinstance(kind.elementType, StructType)):
        raise OpError(f"op '{A.TAGS}': the rows' meta is {kind.simpleString()}, not the list of the members' meta "
                      "structs a grouper makes")
    field = next((f for f in kind.elementType.fields if f.name == key), None)
    if field is None:
        return None
    simple = field.dataType.simpleString()
    return simple if simple in ("string", "array<string>") else None


def _check_batch_meta(df: DataFrame, key: str, ddl: str, name: str) -> None:
    if A.BATCH_META not in df.columns:
        return
    kind = df.schema[A.BATCH_META].dataType
    if not isinstance(kind, StructType):
        raise OpError(f"op '{name}': the rows' {A.BATCH_META} is {kind.simpleString()}, not a struct")
    field = next((f for f in kind.fields if f.name == key), None)
    if field is not None and field.dataType.simpleString() != ddl:
        raise OpError(f"op '{name}': {A.BATCH_META}.{key} is {field.dataType.simpleString()}, this op writes {ddl}")


def _members(meta_json: str | None, record_json: str | None, batch_json: str | None):
    """The members' meta dicts (the column's non-null fields over the record's), the batch meta,
    the record, and per member whether its meta came from the column."""
    record = json.loads(record_json) if isinstance(record_json, str) else None
    record = record if isinstance(record, dict) else None
    from_record = record.get("meta") if record is not None else None
    from_record = from_record if isinstance(from_record, list) else None
    from_column = json.loads(meta_json) if isinstance(meta_json, str) else None
    from_column = from_column if isinstance(from_column, list) else None  # grouped: a list per member
    if from_record is None and from_column is None:
        metas = None
    else:
        n = max(len(from_record or []), len(from_column or []))
        metas = []
        for i in range(n):
            rec = from_record[i] if from_record is not None and i < len(from_record) else None
            col = from_column[i] if from_column is not None and i < len(from_column) else None
            merged = {**(rec if isinstance(rec, dict) else {}), **(col if isinstance(col, dict) else {})}
            metas.append(merged if (isinstance(rec, dict) or isinstance(col, dict)) else None)
    # an input record's own __dj__batch_meta__ field is a list once grouped: not a batch meta
    in_record = (record or {}).get(A.BATCH_META)
    batch = {**(in_record if isinstance(in_record, dict) else {}), **(json.loads(batch_json) if batch_json else {})}
    return metas, batch, record, from_column


def aggregator(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    op, p = bound.name, bound.prepared
    if op == A.TAGS:
        tag_type = _tag_field_type(df, p["meta_tag_key"])
    else:
        tag_type = None
        _check_batch_meta(df, p["output_key"], _value_type(op), op)
    rows = df.withColumn(AGG_ROW, F.monotonically_increasing_id()).localCheckpoint(eager=True)
    none = F.lit(None).cast("string")
    inputs = rows.select(
        AGG_ROW, (F.to_json(F.col(META)) if META in df.columns else none).alias("_m"),
        (F.col(RECORD) if RECORD in df.columns else none).alias("_r"),
        (F.to_json(F.col(A.BATCH_META)) if A.BATCH_META in df.columns else none).alias("_b"))

    def begin(batches):
        for pdf in batches:
            states = []
            for m, r, b in zip(pdf["_m"], pdf["_r"], pdf["_b"]):
                metas, batch, _, _ = _members(m, r, b)
                state = A.begin(op, metas, batch, p)
                states.append(json.dumps({**state, "pt": None, "ct": None, "n": 0, "cached": None},
                                         ensure_ascii=False))
            pdf[STATE] = states
            yield pdf[[AGG_ROW, STATE]]

    states = inputs.mapInPandas(begin, f"{AGG_ROW} long, {STATE} string").localCheckpoint(eager=True)
    for n_round in range(1_000):  # a nested summary at least halves its documents per level: far fewer
        stage = A.round_stage(op, n_round)
        q = A.stage_params({"stage": stage}, p)
        tasks = states.mapInPandas(_questions(p, stage), f"{AGG_ROW} long, {Q} int, {MESSAGES} string") \
            .localCheckpoint(eager=True)
        if tasks.isEmpty():
            break

        def parse_of(content, stage=stage, q=q):
            value, ok = A.parse(stage, content, q)
            return (json.dumps(value, ensure_ascii=False),), None if ok else "unparsable answer", ok

        task_rows, final = asked(tasks, bound, MESSAGES, lambda fields: json.loads(fields["text"]), parse_of,
                                 "value string")
        answers = (task_rows.join(final, ROW, "left")
                   .groupBy(AGG_ROW).agg(F.sort_array(F.collect_list(F.struct(
                       Q, F.col("_last.value").alias("value"), F.col("_last.content").alias("content"),
                       F.col("_last.reason").alias("reason"), F.col("_pt").alias("pt"), F.col("_ct").alias("ct"),
                       F.col("_n").alias("n"), F.col("_cached").alias("cached")))).alias("_answers")))
        states = (states.join(answers, AGG_ROW, "left")
                  .mapInPandas(_advance(p), f"{AGG_ROW} long, {STATE} string").localCheckpoint(eager=True))

    return _written(rows, states, bound, tag_type, df)


def _questions(p: dict, stage: str):
    def questions(batches):
        import pandas as pd

        for pdf in batches:
            out = {AGG_ROW: [], Q: [], MESSAGES: []}
            for row, text in zip(pdf[AGG_ROW], pdf[STATE]):
                state = json.loads(text)
                if state["stage"] in (A.DONE, A.SKIP):
                    continue
                assert state["stage"] == stage, (state["stage"], stage)  # rows advance in lockstep
                for i, messages in enumerate(A.questions(state, p)):
                    out[AGG_ROW].append(row)
                    out[Q].append(i)
                    out[MESSAGES].append(json.dumps(messages, ensure_ascii=False))
            if out[AGG_ROW]:  # an empty frame of object columns is no Arrow batch
                yield pd.DataFrame({AGG_ROW: pd.Series(out[AGG_ROW], dtype="int64"),
                                    Q: pd.Series(out[Q], dtype="int32"), MESSAGES: out[MESSAGES]})
    return questions


def _add(a, b):
    return b if a is None else a if b is None else a + b


def _advance(p: dict):
    def advance(batches):
        for pdf in batches:
            states = []
            for text, answers in zip(pdf[STATE], pdf["_answers"]):
                state = json.loads(text)
                if answers is not None and len(answers):
                    got = [(None if a["value"] is None else json.loads(a["value"]), a["content"], a["reason"])
                           for a in answers]
                    usage = {"pt": state["pt"], "ct": state["ct"], "n": state["n"], "cached": state["cached"]}
                    for a in answers:
                        usage["pt"], usage["ct"] = _add(usage["pt"], a["pt"]), _add(usage["ct"], a["ct"])
                        usage["n"] += int(a["n"] or 0)
                        if a["cached"] is not None:
                            usage["cached"] = bool(a["cached"]) and usage["cached"] is not False
                    state = {**A.advance(state, got, p), **usage}
                states.append(json.dumps(state, ensure_ascii=False))
            pdf[STATE] = states
            yield pdf[[AGG_ROW, STATE]]
    return advance


def _written(rows: DataFrame, states: DataFrame, bound: BoundOp, tag_type: str | None, before: DataFrame):
    """The rows with the values written, the stats and the flags."""
    op, p = bound.name, bound.prepared
    out = rows.join(states, AGG_ROW, "left")
    has_record, has_meta = RECORD in out.columns, META in out.columns
    none = F.lit(None).cast("string")
    # nested values travel as JSON text (Arrow would not take a column of null lists from pandas)
    schema = f"{AGG_ROW} long, `{RECORD}` string, {VALUE} string, {NEW_TAGS} string, _tag_map string"

    def write(batches):
        import pandas as pd

        for pdf in batches:
            cols = {AGG_ROW: list(pdf[AGG_ROW]), RECORD: [], VALUE: [], NEW_TAGS: [], "_tag_map": []}
            for m, r, b, text in zip(pdf["_m"], pdf["_r"], pdf["_b"], pdf[STATE]):
                state = json.loads(text)
                done = state["stage"] == A.DONE
                _, _, record, from_column = _members(m, r, b)
                new_tags, tag_map = None, None
                if op == A.TAGS:
                    tag_map = json.dumps(state.get("tag_map"), ensure_ascii=False) if done else None
                    if done:
                        new_tags = []
                        key = p["meta_tag_key"]
                        for i, tag in enumerate(state["value"]):
                            col = from_column[i] if from_column is not None and i < len(from_column) else None
                            if tag_type is not None and isinstance(col, dict) and col.get(key) is not None:
                                new_tags.append(tag)
                            else:
                                new_tags.append(None)
                                metas = record.get("meta") if record is not None else None
                                if isinstance(metas, list) and i < len(metas) and isinstance(metas[i], dict):
                                    metas[i][key] = tag
                elif done and record is not None:
                    batch = record.get(A.BATCH_META)
                    record[A.BATCH_META] = {**(batch if isinstance(batch, dict) else {}), p["output_key"]: state["value"]}
                cols[RECORD].append(json.dumps(record, ensure_ascii=False) if (done and record is not None) else r)
                value = state["value"] if done and op != A.TAGS else None
                cols[VALUE].append(json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value)
                cols[NEW_TAGS].append(None if new_tags is None else json.dumps(new_tags, ensure_ascii=False))
                cols["_tag_map"].append(tag_map)
            yield pd.DataFrame(cols)

    flat = out.select(AGG_ROW, STATE, (F.to_json(F.col(META)) if has_meta else none).alias("_m"),
                      (F.col(RECORD) if has_record else none).alias("_r"),
                      (F.to_json(F.col(A.BATCH_META)) if A.BATCH_META in out.columns else none).alias("_b"))
    values = flat.mapInPandas(write, schema)
    values = values.withColumn(NEW_TAGS, F.from_json(NEW_TAGS, f"array<{tag_type or 'string'}>"))
    if _value_type(op) != "string":
        values = values.withColumn(VALUE, F.from_json(VALUE, _value_type(op)))
    out = out.join(values.withColumnRenamed(RECORD, "_new_record"), AGG_ROW)
    if has_record:
        out = out.withColumn(RECORD, F.col("_new_record"))
    if op == A.TAGS:
        if tag_type is not None:
            key = p["meta_tag_key"]
            out = out.withColumn(META, F.transform(F.col(META), lambda m, i: m.withField(
                key, F.coalesce(F.element_at(F.col(NEW_TAGS), i + 1), m[key]))))
    else:
        key = p["output_key"]
        if A.BATCH_META in out.columns:
            current = F.col(A.BATCH_META)
            fields = [f.name for f in out.schema[A.BATCH_META].dataType.fields]
            empty = F.struct(*[F.lit(None).cast(f.dataType).alias(f.name)
                               for f in out.schema[A.BATCH_META].dataType.fields]) if fields else None
            if empty is not None:
                base = F.when(current.isNull() & F.col(VALUE).isNotNull(), empty).otherwise(current)
                old = current[key] if key in fields else F.lit(None).cast(_value_type(op))
                out = out.withColumn(A.BATCH_META, base.withField(key, F.coalesce(old, F.col(VALUE))))
            else:
                out = out.withColumn(A.BATCH_META, F.struct(F.col(VALUE).alias(key)))
        else:
            out = out.withColumn(A.BATCH_META, F.struct(F.col(VALUE).alias(key)))
    state = F.col(STATE)
    mine = [F.get_json_object(state, "$.raw").alias(f"{op}_raw"),
            F.get_json_object(state, "$.reason").alias(f"{op}_reason"),
            F.get_json_object(state, "$.rounds").cast("long").alias(f"{op}_rounds")]
    if op == A.TAGS:
        mine.append(F.col("_tag_map").alias(f"{op}_map"))
    mine += [F.get_json_object(state, "$.pt").cast("long").alias("llm_prompt_tokens"),
             F.get_json_object(state, "$.ct").cast("long").alias("llm_completion_tokens"),
             F.coalesce(F.get_json_object(state, "$.n").cast("long"), F.lit(0)).alias("llm_requests"),
             F.get_json_object(state, "$.cached").cast("boolean").alias("llm_cached")]
    out = with_stats(out, before, mine)
    return _kept(out.drop(AGG_ROW, STATE, VALUE, NEW_TAGS, "_tag_map", "_new_record", "_m", "_r", "_b")) \
        .select(*[c for c in before.columns if c not in (STATS, KEEP, DROPPED_BY)] +
                [c for c in (A.BATCH_META,) if c not in before.columns and op != A.TAGS] + [STATS, KEEP, DROPPED_BY])
