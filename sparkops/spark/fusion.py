"""The fused pass over a DataFrame: every per-row operator of a list in one Arrow pass.

``fused(df, process)`` sends each document from the JVM to Python once (``mapInArrow``),
runs ``sparkops.core.pipeline.Pipeline`` over each Arrow batch and returns every input row
with its mapped text, a ``stats`` struct (one field per filter statistic), ``_keep`` and
``_dropped_by`` (the op that dropped the row, ``null_text``, or ``error:<op>: <message>``).
A pass of mappers only has no ``stats`` column.
``apply(df, process)`` keeps only the rows every filter kept.

Operators travel to the executors as their recipe entries (name + params) and are bound
again there, once per Python worker; compiled regexes and word sets never get pickled.
"""

from __future__ import annotations

import inspect
import json
from functools import lru_cache
from typing import Any, Iterable, Sequence

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import (ArrayType, BooleanType, DoubleType, LongType, StringType, StructField, StructType,
                               _parse_datatype_string)

from sparkops.core.pipeline import Pipeline
from sparkops.core.row import (DEDUP_COLUMNS, DROPPED_BY, KEEP, META, MISSING, ORDER, PASS_COLUMNS, RECORD, STATS,
                                assign, lookup, problem)
from sparkops.core import BoundOp, OpError, bind
from sparkops.core.declaration import NO_REJECT_KINDS, ROW_KINDS, check_sequence
from sparkops.spark import caching
from sparkops.spark.ddl import data_type
from sparkops.spark.fields import field_sources, parse_record, restore_nested, with_record_text
from sparkops.spark.sources import map_batches
from sparkops.spark.worker_heap import release_freed_memory

_SPARK_TYPES = {"double": DoubleType(), "long": LongType(), "string": StringType()}
_ARROW_TYPES = {"double": pa.float64(), "long": pa.int64(), "string": pa.string()}


def _spark_type(dtype: str):
    """A statistic's Spark type: the common ones above, any other (``array<bigint>``) parsed."""
    return _SPARK_TYPES[dtype] if dtype in _SPARK_TYPES else data_type(dtype)


def _arrow_type(dtype: str):
    return _ARROW_TYPES[dtype] if dtype in _ARROW_TYPES else to_arrow_type(data_type(dtype))


def recipe_entries(process: Sequence[Any]) -> list[dict]:
    """Normalise Data-Juicer op entries (or BoundOps) to ``[{name: {params}}]``."""
    out = []
    for entry in process:
        if isinstance(entry, BoundOp):
            given = {k: v for k, v in entry.params.items() if v != entry.op.param(k).default}
            out.append({entry.name: given})
        elif isinstance(entry, str):
            out.append({entry: {}})
        else:
            (name, params), = dict(entry).items()
            out.append({name: dict(params or {})})
    return out


@lru_cache(maxsize=64)
def _pipeline(spec_json: str, short_circuit: bool, text_field: str, record_key: str | None = None) -> Pipeline:
    return Pipeline([bind(e) for e in json.loads(spec_json)], short_circuit, text_field, record_key)


def stats_schema(pipeline: Pipeline) -> StructType:
    return StructType([StructField(c.name, _spark_type(c.stat.dtype)) for c in pipeline.columns])


def fused(df: DataFrame, process: Sequence[Any], text_col: str = "text", short_circuit: bool = True,
          where: str | None = None, op_seconds=None, record_text_key: str | None = None) -> DataFrame:
    """All rows of ``df``, mapped, with ``stats``, ``_keep`` and ``_dropped_by`` columns.

    ``op_seconds``: a Spark accumulator (``sparkops.jobs.runner.OpTimes``) that each task adds
    its ``{op name: [seconds, rows]}`` to (``Pipeline.run``'s timings).

    Record ops (``Op.record``) get each row's record: a job's ``_record`` (its text under
    ``record_text_key``), else the row's columns. What they rewrite goes back to ``_record``,
    or to the columns (with their types; a key that is not a column is not kept)."""
    entries = recipe_entries(process)
    spec_json = json.dumps(entries, sort_keys=True)
    # bind on the driver first: a wrong op or parameter fails here, before any task runs
    pipeline = Pipeline([bind(e, where) for e in entries], short_circuit, text_col, record_text_key)
    if text_col not in df.columns:
        raise OpError(f"{where + ': ' if where else ''}text column '{text_col}' not in the data "
                      f"(columns: {', '.join(df.columns)})")
    if not isinstance(df.schema[text_col].dataType, StringType):
        df = df.withColumn(text_col, F.col(text_col).cast("string"))
    for name in (STATS, KEEP, DROPPED_BY):
        if name in df.columns:
            df = df.drop(name)  # recomputed below; a previous stage's stats are in its table
    df, sources = field_sources(df, pipeline.fields, where)
    # a mapper-only pass has no statistics; Delta and Parquet refuse an empty struct column
    has_stats = bool(pipeline.columns)
    meta_schema = meta_fields_schema(df, pipeline, where)
    extra = ([StructField(STATS, stats_schema(pipeline))] if has_stats else []) + [
        StructField(KEEP, BooleanType(), False), StructField(DROPPED_BY, StringType())] + (
        [StructField(_META_OUT, meta_schema)] if meta_schema else [])
    schema = StructType(list(df.schema.fields) + extra)
    index = {name: i for i, name in enumerate(df.columns)}
    text_index = index[text_col]
    arrow_stats = pa.struct([pa.field(c.name, _arrow_type(c.stat.dtype)) for c in pipeline.columns])
    arrow_meta = to_arrow_type(meta_schema) if meta_schema else None

    from_record = [name for name, (kind, _, _) in sources.items() if kind == "record"]
    # record ops read the job's _record, else the row's own columns
    whole = pipeline.has_record_ops
    record_json = whole and RECORD in index
    temps = {col for _, col, path in sources.values() if path is not None}
    record_cols = [c for c in df.columns if c not in (*_NOT_RECORD, *temps)] if whole and not record_json else []
    parse = bool(from_record) or record_json

    def run(batches: Iterable[pa.RecordBatch]) -> Iterable[pa.RecordBatch]:
        pipe = _pipeline(spec_json, short_circuit, text_col, record_text_key)
        tally = {} if op_seconds is not None else None
        for batch in batches:
            columns = list(batch.columns)
            raw = columns[index[RECORD]].to_pylist() if parse else None
            records = [parse_record(r) for r in raw] if parse else None
            fields = {name: ([lookup(r, name, MISSING) if r is not None else MISSING for r in records]
                             if kind == "record" else columns[index[col]].to_pylist())
                      for name, (kind, col, _) in sources.items()}
            given = records if record_json else _rows(columns, index, record_cols) if whole else None
            result = pipe.run(columns[text_index].to_pylist(), fields, tally, given)
            columns[text_index] = pa.array(result.texts, type=batch.schema.field(text_index).type)
            for name, (kind, col, _) in sources.items():
                if kind == "column" and pa.types.is_string(columns[index[col]].type):
                    columns[index[col]] = pa.array(result.fields[name], pa.string())
            if from_record:
                raw = _rewritten(raw, records, from_record, fields, result.fields)
            if record_json:
                raw = _records_json(raw, result, from_record, pipe.record_key)
            if from_record or record_json:
                columns[index[RECORD]] = pa.array(raw, pa.string())
            if record_cols:
                _put_columns(columns, index, record_cols, result, text_col, {c for _, c, _ in sources.values()})
            if has_stats:
                columns.append(pa.StructArray.from_arrays(
                    [pa.array(result.stats[c.name], type=_arrow_type(c.stat.dtype)) for c in pipe.columns],
                    fields=list(arrow_stats)))
            columns += [pa.array(result.keep, type=pa.bool_()), pa.array(result.dropped_by, pa.string())]
            if arrow_meta is not None:
                columns.append(pa.StructArray.from_arrays(
                    [pa.array(result.meta[f.name], type=f.type) for f in arrow_meta], fields=list(arrow_meta)))
            yield pa.RecordBatch.from_arrays(columns, names=[f.name for f in schema.fields])
        if tally:
            op_seconds.add(tally)
        release_freed_memory()  # the next pass in this worker gets a heap without this one's holes

    # the reader's generator, when df is its output unchanged, runs in this pass's worker
    out = map_batches(df, run, schema, profile=resource_profile(df.sparkSession, pipeline.ops))
    return _merge_meta(restore_nested(out, sources), meta_schema)


_META_OUT = "_meta_written"  # the pass's meta fields, merged into `meta` after it
# columns that are never part of a row's record (the pass's own, a job's bookkeeping)
_NOT_RECORD = (*PASS_COLUMNS, ORDER, RECORD, "_source", "_line")


def _rows(columns: list, index: dict, names: list[str]) -> list[dict]:
    """The batch's rows as records of the named columns."""
    values = [columns[index[c]].to_pylist() for c in names]
    return [dict(zip(names, row)) for row in zip(*values)] if names else [{} for _ in range(len(columns[0]))]


def _records_json(raw: list, result, from_record: list[str], record_key: str) -> list:
    """``_record`` strings with the records record ops left (with the pass's final text and
    the fields later mappers rewrote)."""
    out = list(raw)
    for r, rec in enumerate(result.records):
        if rec is None:
            continue
        if result.texts[r] is not None:
            rec[record_key] = result.texts[r]
        for name in from_record:
            if result.fields[name][r] is not MISSING:
                assign(rec, name, result.fields[name][r])
        out[r] = json.dumps(rec, ensure_ascii=False)
    return out


def _put_columns(columns: list, index: dict, names: list[str], result, text_col: str, read: set) -> None:
    """The columns record ops rewrote, with their Arrow types. A row whose new value does not
    fit its column's type keeps the old value and is dropped as an error (never a lost batch)."""
    for c in names:
        if c == text_col or c in read:  # the text and read fields come from the pass itself
            continue
        old = columns[index[c]]
        before = old.to_pylist()
        after = [before[r] if rec is None else rec.get(c) for r, rec in enumerate(result.records)]
        if after == before:
            continue
        try:
            columns[index[c]] = pa.array(after, type=old.type)
            continue
        except (pa.ArrowException, TypeError, ValueError):
            pass
        for r in range(len(after)):
            try:
                pa.array([after[r]], type=old.type)
            except (pa.ArrowException, TypeError, ValueError) as err:
                after[r] = before[r]
                if result.keep[r]:
                    result.keep[r] = False
                    result.dropped_by[r] = problem("error", "record", f"field '{c}' no longer fits its type "
                                                   f"{old.type}: {str(err).splitlines()[0][:200]}")
        columns[index[c]] = pa.array(after, type=old.type)


def meta_fields_schema(df: DataFrame, pipeline: Pipeline, where: str | None = None) -> StructType | None:
    """The struct of the meta fields the pass's mappers write (None: they write none); ``meta``
    of the data, if any, must be a struct to take them."""
    if not pipeline.writes:
        return None
    if META in df.columns and not isinstance(df.schema[META].dataType, StructType):
        raise OpError(f"{where + ': ' if where else ''}ops write meta.{', meta.'.join(pipeline.writes)}, but the "
                      f"data's column '{META}' is {df.schema[META].dataType.simpleString()}, not a struct")
    return StructType([StructField(k, _parse_datatype_string(stat.dtype)) for k, stat in pipeline.writes.items()])


def _merge_meta(out: DataFrame, meta_schema: StructType | None) -> DataFrame:
    """The written meta fields into ``meta``: a new struct column, or set beside the fields the
    data's ``meta`` struct has (one of the same name is replaced, as Data-Juicer's tagging ops
    overwrite a key)."""
    if meta_schema is None:
        return out
    if META not in out.columns or not out.schema[META].dataType.fields:
        return out.drop(META).withColumnRenamed(_META_OUT, META) if META in out.columns \
            else out.withColumnRenamed(_META_OUT, META)
    # withField on a null struct stays null: a row without meta starts from one of null fields
    empty = F.struct(*[F.lit(None).cast(f.dataType).alias(f.name) for f in out.schema[META].dataType.fields])
    merged = F.coalesce(F.col(META), empty)
    for f in meta_schema.fields:
        merged = merged.withField(f.name, F.col(f"{_META_OUT}.`{f.name}`"))
    return out.withColumn(META, merged).drop(_META_OUT)


def _rewritten(raw: list, records: list, names: list[str], before: dict, after: dict) -> list:
    """The ``_record`` strings of a batch with the fields mappers rewrote put back (rows no
    mapper changed keep their original string)."""
    out = list(raw)
    for name in names:
        for r, (old, new) in enumerate(zip(before[name], after[name])):
            if new != old:
                assign(records[r], name, new)
                out[r] = None  # re-serialised below
    return [json.dumps(records[r], ensure_ascii=False) if s is None and raw[r] is not None else s
            for r, s in enumerate(out)]


def resource_profile(spark, ops: Sequence[BoundOp]):
    """The Spark resource profile of a pass whose ops ask for task resources (a GPU model op),
    or None. A stage-level profile needs a cluster manager (standalone, YARN, Kubernetes); on a
    local master there is nothing to schedule, so none is asked for."""
    wanted: dict[str, float] = {}
    for bound in ops:
        for name, amount in bound.op.resources:
            wanted[name] = max(wanted.get(name, 0.0), amount)
    if not wanted or spark.sparkContext.master.startswith("local"):
        return None
    from pyspark.resource import ResourceProfileBuilder, TaskResourceRequests

    requests = TaskResourceRequests()
    for name, amount in wanted.items():
        requests = requests.cpus(int(amount)) if name == "cpus" else requests.resource(name, amount)
    return ResourceProfileBuilder().require(requests).build


def stage_pass(df: DataFrame, process: Sequence[Any], text_col: str = "text",
               order_cols: Sequence[str] = (), where: str | None = None, op_seconds=None,
               trace: list | None = None, record_text_key: str | None = None) -> DataFrame:
    """A whole ``process`` list, every kind of op included, over ``df``: every row comes out.

    Each kind runs as its own segment (``sparkops.core.declaration.KINDS``): consecutive
    per-row ops (filters, mappers) as one fused pass; a generator as one Arrow pass that
    writes a row per generated text (``sparkops.spark.generate``); a deduplicator, selector,
    grouper or aggregator as its DataFrame algorithm (``Op.frame``) over the rows still kept
    at its point of the list. A segment's kept rows feed the next one. The statistics of all
    segments are merged into one ``stats`` struct; ``_dropped_by`` names the op that removed
    a row (a selector names itself for the rows it did not select), ``_duplicate_of`` the kept
    copy of a removed duplicate; ``_order`` (``sparkops.spark.order``) carries the row order
    of the ops that make or define one (generators, selectors, groupers).

    The rows an op removed are those of its input; a generator's or grouper's kept rows are
    new rows. ``trace``, if given, receives per segment when there is more than one
    ``(first op index, last op index, rows it removed, rows it passed on)`` (persisted
    DataFrames: counting them is cheap), so a job can count each op's rows exactly.
    ``record_text_key``: the field of a job's ``_record`` that ``text_col`` was read from (a
    generator writes each new text there too, so a chunk row does not carry the whole document).

    With more than one segment, the rows between them are persisted on local disk
    (``caching.persist``): call it inside ``caching.released_after()`` and materialise the
    result there to release them when done, as a job stage does. ``op_seconds``: see ``fused``
    (the per-row ops' kernel seconds).
    """
    entries = recipe_entries(process)
    bound = [bind(e, where) for e in entries]
    grouped = isinstance(df.schema[text_col].dataType, ArrayType) if text_col in df.columns else None
    try:
        check_sequence(bound, grouped=grouped)
    except OpError as err:
        raise OpError(f"{where + ': ' if where else ''}{err}") from None
    segments = _segments(entries, bound)
    if all(kind == "rows" for kind, _, _ in segments):  # the common case: one Arrow pass
        return fused(df, entries, text_col, where=where, op_seconds=op_seconds, record_text_key=record_text_key)

    base = df.drop(STATS, KEEP, DROPPED_BY, *DEDUP_COLUMNS)
    if len(segments) == 1:
        # one op alone already returns every row with _keep: splitting its output by _keep and
        # taking the union again would read its input twice
        return _run_segment(base, segments[0][1][0], text_col, order_cols, where, record_text_key)
    current, done, stats_parts = base, [], []
    for n, (kind, items, first) in enumerate(segments):
        last = first + len(items) - 1
        if kind == "rows":
            out = fused(current, items, text_col, where=where, op_seconds=op_seconds,
                        record_text_key=record_text_key)
            if STATS in out.columns:
                out = out.withColumnRenamed(STATS, f"_stats_{n}")
                stats_parts.append(f"_stats_{n}")
        else:
            out = _run_segment(current, items[0], text_col, order_cols, where, record_text_key)
            if STATS in out.columns:  # a DataFrame algorithm that computes statistics (the LLM ops)
                out = out.withColumnRenamed(STATS, f"_stats_{n}")
                stats_parts.append(f"_stats_{n}")
        # read twice below (the rows it removed, and the next op's input or the kept rows):
        # persisted, so its Python pass or its deduplicator's shuffles run once (the next
        # deduplicator sees persisted rows and keeps no copy of its own)
        out = caching.persist(out)
        removed = out.where(~F.col(KEEP))
        if kind not in NO_REJECT_KINDS:  # groupers and aggregators remove nothing (their rows have another shape)
            done.append(removed)
        current = out.where(F.col(KEEP)).drop(KEEP, DROPPED_BY, *DEDUP_COLUMNS)
        if trace is not None:
            trace.append((first, last, None if kind == "grouper" else removed, current))
    final = current.withColumn(KEEP, F.lit(True)).withColumn(DROPPED_BY, F.lit(None).cast("string"))
    parts = done + [final]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.unionByName(part, allowMissingColumns=True)
    if stats_parts:
        fields, taken = [], set()
        for p in stats_parts:
            for f in merged.schema[p].dataType.fields:
                # the same statistic in two segments (a filter before and after a generator)
                # keeps both, the later one suffixed as the fused pass does (key_2)
                name, k = f.name, 1
                while name in taken:
                    k += 1
                    name = f"{f.name}_{k}"
                taken.add(name)
                fields.append(F.col(f"{p}.`{f.name}`").alias(name))
        merged = merged.withColumn(STATS, F.struct(*fields)).drop(*stats_parts)
    return merged


def _segments(entries: list[dict], bound: list[BoundOp]) -> list[tuple[str, list, int]]:
    """(kind, items, index of its first op) per segment: consecutive per-row ops as one "rows"
    segment (their recipe entries), every other op alone (its BoundOp)."""
    segments: list[tuple[str, list, int]] = []
    for i, (entry, b) in enumerate(zip(entries, bound)):
        if b.op.kind in ROW_KINDS and segments and segments[-1][0] == "rows":
            segments[-1][1].append(entry)
        elif b.op.kind in ROW_KINDS:
            segments.append(("rows", [entry], i))
        else:
            segments.append((b.op.kind, [b], i))
    return segments


def segment_plan(process: Sequence[Any]) -> list[tuple[str, list[str]]]:
    """How ``stage_pass`` runs a process list: (segment kind, op names) in order."""
    entries = recipe_entries(process)
    plan = _segments(entries, [bind(e) for e in entries])
    return [(kind, [next(iter(i)) if isinstance(i, dict) else i.name for i in items]) for kind, items, _ in plan]


def _run_segment(df: DataFrame, bound: BoundOp, text_col: str, order_cols: Sequence[str],
                 where: str | None, record_text_key: str | None = None) -> DataFrame:
    """One op that is not a per-row op, over ``df``: a generator's Arrow pass, or the
    DataFrame algorithm its declaration names (``Op.frame``, "module:function"). A generator
    with a frame (task_decontamination_mapper: corpus-wide n-gram counts decide what is cut)
    runs its frame."""
    if record_text_key is not None and RECORD in df.columns and text_col in df.columns \
            and bound.op.kind != "deduplicator":
        # a job's records hold their text null; this op reads whole records (a deduplicator reads none)
        df = with_record_text(df, text_col, record_text_key)
    if bound.op.kind == "generator" and not bound.op.frame:
        from sparkops.spark.generate import generate  # it builds on this module

        return generate(df, bound, text_col, order_cols, where, record_text_key)
    module, _, func = bound.op.frame.partition(":")
    algorithm = getattr(__import__(module, fromlist=[func]), func)
    # an algorithm that rewrites the job's record (a generator's pieces, an LLM's rewritten
    # query) takes the field of the record the text was read from
    extra = {"record_text_key": record_text_key} \
        if "record_text_key" in inspect.signature(algorithm).parameters else {}
    return algorithm(df, bound, text_col, list(order_cols), **extra)


def apply(df: DataFrame, process: Sequence[Any], text_col: str = "text") -> DataFrame:
    """The rows every filter (and deduplicator) kept, mapped, with their ``stats``."""
    return stage_pass(df, process, text_col).where(F.col(KEEP)).drop(KEEP, DROPPED_BY)
