"""Data-Juicer's LLM agent ops over a DataFrame (the pure halves: ``sparkops.ops.llm.agent_judges``,
``agent_insight``, ``pii_suspect``; their protocol: ``sparkops.ops.llm.agent``), built on
the common LLM step (``sparkops.spark.llm.asked``: cache, spool, retries, usage).

Every row comes out, kept, with the op's values in the ``meta`` struct (where Data-Juicer writes
them) and, as JSON with the raw answer, the reason and the usage, in ``stats``. The records the
kernels see are the job's records with the meta / stats columns laid over their own.
"""

from __future__ import annotations

import json
from dataclasses import replace

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, _parse_datatype_string

from sparkops.core import BoundOp
from sparkops.core.row import META, RECORD, STATS
from sparkops.ops.llm.agent import META_COL, STATS_COL, answered, merged
from sparkops.spark.llm import ROW, USAGE_COLUMNS, asked, pd_frame, record_fields, usage_columns, with_stats
from sparkops.spark.llm_dialog_quality import _existing, _kept
from sparkops.spark.llm_extract import _with_meta


def meta_mapper(df: DataFrame, bound: BoundOp, text_col: str, order_cols: list[str]) -> DataFrame:
    """Every row of ``df`` with the op's ``meta`` values (see the module doc); with the kernel's
    ``redacted`` (``prepared["rewrites"]``) the record fields it rewrites too."""
    import importlib

    p = bound.prepared
    k = importlib.import_module(p["kernel"])
    types, prefix = p["meta_types"], p["stat_prefix"]
    src = df
    for name, col in ((META, META_COL), (STATS, STATS_COL)):
        if name in df.columns:
            src = src.withColumn(col, F.col(name))
    step = replace(bound, prepared={**p, "read_keys": [*p["read_keys"], META_COL, STATS_COL]})

    def parse_of(content):
        done = answered(content)
        return (content,), None if done else "empty answer", done

    rows, final = asked(src, step, text_col, lambda fields: k.messages(merged(fields), p), parse_of,
                        "answer string")
    out = rows.join(final, ROW, "left")
    wanted = [c for c in dict.fromkeys([text_col, RECORD, *step.prepared["read_keys"]]) if c in out.columns]
    rewrites = bool(p.get("rewrites"))
    # the fields a verdict may rewrite: the record, the pass's text, same-named string columns
    touched = [c for c in dict.fromkeys([text_col, RECORD, *p["read_keys"]])
               if rewrites and c in out.columns and c != "meta"
               and (c == RECORD or isinstance(out.schema[c].dataType, StringType))]

    def values(batches):
        for pdf in batches:
            metas, keys, reasons = [], [], []
            cols = {c: list(pdf[c]) for c in touched}
            for i, row in enumerate(pdf[wanted].to_dict("records")):
                fields = merged(record_fields(row, text_col))
                error = pdf["_error"].iloc[i]
                # a failed request is Data-Juicer's API model's '' answer
                raw = None if not pdf["_asked"].iloc[i] else "" if error is not None else pdf["_content"].iloc[i] or ""
                got = k.outcome(fields, raw, p)
                metas.append(None if got is None else json.dumps(got, ensure_ascii=False))
                keys.append(sorted(got) if got else [])
                reasons.append(k.why(got, raw, error, p))
                if rewrites and got:
                    _rewrite(cols, i, k.redacted(fields, got, p), text_col)
            yield pd_frame({ROW: pdf[ROW], "_json": metas, "_keys": keys, "_why": reasons,
                            **{f"_new{j}": cols[c] for j, c in enumerate(touched)}})

    flat = out.select(ROW, *wanted, F.col("_last").isNotNull().alias("_asked"),
                      F.col("_last.content").alias("_content"), F.col("_last.error").alias("_error"))
    schema = ", ".join([f"{ROW} long, _json string, _keys array<string>, _why string",
                        *[f"_new{j} {out.schema[c].dataType.simpleString()}" for j, c in enumerate(touched)]])
    out = out.join(flat.mapInPandas(values, schema), ROW)
    for j, c in enumerate(touched):
        out = out.withColumn(c, F.col(f"_new{j}")).drop(f"_new{j}")
    whole = _parse_datatype_string("struct<" + ",".join(f"`{n}`:{t}" for n, t in types.items()) + ">")
    parsed = F.from_json(F.col("_json"), whole)
    written = {}
    for name, dtype in types.items():
        before = _existing(df, name, _parse_datatype_string(dtype))
        # a key the op did not write keeps the row's value (Data-Juicer leaves it in meta)
        written[name] = F.when(F.array_contains(F.col("_keys"), name), parsed[name]).otherwise(
            before if before is not None else F.lit(None).cast(dtype))
    out = _with_meta(out, written, f"op '{bound.name}'")
    out = with_stats(out, df, [F.col("_json").alias(f"{prefix}_json"), F.col("_last.content").alias(f"{prefix}_raw"),
                                F.col("_why").alias(f"{prefix}_reason"), *usage_columns()])
    drop = [ROW, "_last", "_json", "_keys", "_why", META_COL, STATS_COL, *USAGE_COLUMNS]
    return _kept(out).drop(*[c for c in drop if c in out.columns])


def _rewrite(cols: dict, i: int, new: dict, text_col: str) -> None:
    """A row's rewritten fields into its record (JSON) and its columns; ``text`` is the pass's text."""
    if not new:
        return
    record = None
    if RECORD in cols and isinstance(cols[RECORD][i], str):
        record = json.loads(cols[RECORD][i])
    for key, value in new.items():
        col = text_col if key == "text" else key
        if col in cols and col != RECORD and (isinstance(value, str) or value is None):
            cols[col][i] = value
        if isinstance(record, dict) and (key in record or key != "text"):
            record[key] = value
    if isinstance(record, dict):
        cols[RECORD][i] = json.dumps(record, ensure_ascii=False)
