"""The generator segment: one row in, a row per generated text out, in one Arrow pass.

``generate(df, bound, text_col, order_cols)`` reads the op's field (its ``text_key``: a
column, a nested struct field, or a field of a job's ``_record``), runs the op's ``expand``
kernel over each Arrow batch and writes, per input row, one output row per text it gave: the
input row's other columns repeated (Arrow ``take``), the field replaced by the new text (in
``_record`` too, when the field lives there), ``_order`` extended by the text's index, so the
rows keep input order and each row's texts keep theirs. Output rows are kept (``_keep``).

A generator that ``writes`` fields (``latex_figure_context_extractor_mapper``: a row per figure
with its caption, images, ...) gives a dict per output row; its fields go into the job's
``_record`` and into the columns of the same names, added (typed as declared) where the
DataFrame has neither. A row whose value does not fit its column's type is rejected
(``error:<op>: ...``), as a record op's would be.

An input row is never lost: one whose field is missing, null or not a string, one that gives
no text at all (``<op>:no_chunks``, or the op's one ``rejects`` rule) and one whose kernel call raised (``error:<op>: ...``)
comes out once, as it came in, with ``_keep`` false and the reason in ``_dropped_by``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Iterable, Sequence

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql.pandas.types import to_arrow_type
from pyspark.sql.types import BooleanType, StringType, StructField, StructType, _parse_datatype_string

from sparkops.core import BoundOp, bind
from sparkops.core.row import (
    DROPPED_BY, KEEP, MISSING, NO_CHUNKS, NULL_TEXT, ORDER, RECORD, assign, lookup, problem, rejected_by,
)
from sparkops.spark.fields import field_sources, parse_record, restore_nested
from sparkops.spark.fusion import recipe_entries, resource_profile
from sparkops.spark.order import with_order


OUT_ROWS = 10_000  # rows per Arrow batch handed back to Spark


@lru_cache(maxsize=16)
def _bound(entry_json: str) -> BoundOp:
    return bind(json.loads(entry_json))


def generate(df: DataFrame, bound: BoundOp, text_col: str, order_cols: Sequence[str], where: str | None = None,
             record_text_key: str | None = None) -> DataFrame:
    """Every row of ``df`` expanded (see the module doc). ``record_text_key``: the field of a
    job's ``_record`` the text column came from; a new row's text is written there too (a chunk
    row would otherwise carry its whole document in ``_record``)."""
    (entry,) = recipe_entries([bound])
    entry_json = json.dumps(entry, sort_keys=True)
    name = bound.params.get("text_key") or text_col
    df = with_order(df.drop(KEEP, DROPPED_BY), order_cols)
    df, sources = field_sources(df, [name], where)
    kind, col, path = sources[name]
    # a column of another type holds no string: all its rows are wrong_type rows, left as they are
    rewrite = kind == "record" or isinstance(df.schema[col].dataType, StringType)
    index = {c: i for i, c in enumerate(df.columns)}
    writes = [w.key for w in bound.op.writes_for(bound.params)]
    # written fields go into same-named columns; without a _record to hold them, new columns
    added = [] if RECORD in index else [StructField(w.key, _parse_datatype_string(w.dtype))
                                        for w in bound.op.writes_for(bound.params) if w.key not in index]
    schema = StructType(list(df.schema.fields) + added + [StructField(KEEP, BooleanType(), False),
                                                          StructField(DROPPED_BY, StringType())])
    added_types = [to_arrow_type(f.dataType) for f in added]
    field_index, order_index = index[col], index[ORDER]
    record_index = index.get(RECORD)
    op_name = bound.name
    empty_rule = bound.op.rejects[0] if bound.op.rejects else NO_CHUNKS
    is_text = name == text_col
    # the record's own copy of the text column's field, rewritten with it
    mirror = record_text_key if kind == "column" and is_text and record_index is not None else None

    def run(batches: Iterable[pa.RecordBatch]) -> Iterable[pa.RecordBatch]:
        op = _bound(entry_json)
        for batch in batches:
            records = None
            if kind == "record":
                records = [parse_record(r) for r in batch.column(record_index).to_pylist()]
                values = [lookup(r, name, MISSING) if r is not None else MISSING for r in records]
            else:
                values = batch.column(field_index).to_pylist()
            reasons: list[str | None] = [None] * len(values)
            live = []
            for r, v in enumerate(values):
                if isinstance(v, str):
                    live.append(r)
                elif v is None and is_text and kind == "column":
                    reasons[r] = NULL_TEXT
                elif v is MISSING:
                    reasons[r] = problem("missing_field", op_name, f"no field '{name}'")
                else:
                    what = "null" if v is None else type(v).__name__
                    reasons[r] = problem("wrong_type", op_name, f"field '{name}' is {what}, not a string")
            outputs = _guarded_expand(op, [values[r] for r in live])
            texts: list[list[str]] = [[] for _ in values]
            for r, out in zip(live, outputs):
                if isinstance(out, str):  # the kernel raised on this row
                    reasons[r] = problem("error", op_name, out)
                elif not out:
                    reasons[r] = rejected_by(op_name, empty_rule)
                else:
                    texts[r] = out
            take, new_text, new_order, keep, dropped = [], [], [], [], []
            new_fields: list[dict | None] = []  # per output row, the fields the generator set
            orders = batch.column(order_index).to_pylist()
            for r in range(len(values)):
                if reasons[r] is not None:
                    take.append(r)
                    new_text.append(None)
                    new_order.append(orders[r])
                    keep.append(False)
                    dropped.append(reasons[r])
                    new_fields.append(None)
                    continue
                for k, t in enumerate(texts[r]):
                    take.append(r)
                    if isinstance(t, dict):
                        new_fields.append({key: t[key] for key in writes if key in t})
                        t = t["text"]
                    else:
                        new_fields.append(None)
                    new_text.append(t)
                    new_order.append((orders[r] or []) + [k])
                    keep.append(True)
                    dropped.append(None)
            out = batch.take(pa.array(take, pa.int64()))
            columns = list(out.columns)
            columns[order_index] = pa.array(new_order, batch.schema.field(order_index).type)
            if kind == "column" and rewrite:
                old = columns[field_index].to_pylist()
                columns[field_index] = pa.array([old[j] if t is None else t for j, t in enumerate(new_text)],
                                                columns[field_index].type)
            if writes:
                _put_fields(columns, index, writes, new_fields, keep, dropped, op_name)
            with_fields = writes and record_index is not None
            if records is None and (mirror is not None or with_fields):
                records = [parse_record(r) for r in batch.column(record_index).to_pylist()]
            if kind == "record" or mirror is not None or with_fields:
                raw_records = batch.column(record_index).to_pylist()
                rewritten = []
                for r, t, fields in zip(take, new_text, new_fields):
                    if t is None or records[r] is None:
                        rewritten.append(raw_records[r])
                    else:  # the record's field becomes the chunk (one dict, re-serialised per chunk)
                        if kind == "record" or mirror is not None:
                            assign(records[r], mirror or name, t)
                        for key, value in (fields or {}).items():
                            records[r][key] = value  # Data-Juicer sets top-level keys
                        rewritten.append(json.dumps(records[r], ensure_ascii=False))
                columns[record_index] = pa.array(rewritten, pa.string())
            columns += [pa.array([None if f is None else f.get(a.name) for f in new_fields], t)
                        for a, t in zip(added, added_types)]
            columns += [pa.array(keep, pa.bool_()), pa.array(dropped, pa.string())]
            expanded = pa.RecordBatch.from_arrays(columns, names=[f.name for f in schema.fields])
            # a batch of long texts may make many times its rows: handed on in slices
            for start in range(0, max(expanded.num_rows, 1), OUT_ROWS):
                yield expanded.slice(start, OUT_ROWS)

    out = df.mapInArrow(run, schema, profile=resource_profile(df.sparkSession, [bound]))
    return restore_nested(out, sources)


def _put_fields(columns: list, index: dict, writes: list[str], new_fields: list, keep: list, dropped: list,
                op_name: str) -> None:
    """The written fields into the columns of the same names (in place); a row whose value does
    not fit its column's type keeps the old value and is rejected."""
    for key in writes:
        if key not in index:
            continue
        old = columns[index[key]]
        before = old.to_pylist()
        after = [before[j] if f is None or key not in f else f[key] for j, f in enumerate(new_fields)]
        try:
            columns[index[key]] = pa.array(after, old.type)
            continue
        except (pa.ArrowException, TypeError, ValueError):
            pass
        for j, value in enumerate(after):
            try:
                pa.array([value], old.type)
            except (pa.ArrowException, TypeError, ValueError) as err:
                after[j] = before[j]
                if keep[j]:
                    keep[j] = False
                    dropped[j] = problem("error", op_name, f"field '{key}' does not fit its column's type "
                                         f"{old.type}: {str(err).splitlines()[0][:200]}")
        columns[index[key]] = pa.array(after, old.type)


def _guarded_expand(op: BoundOp, texts: list[str]) -> list:
    """The kernel's output per text; where it raises, the message (a str) for that text alone."""
    if not texts:
        return []
    try:
        return op.expand(texts)
    except Exception:  # find the culprit(s), keep the rest of the batch
        out = []
        for t in texts:
            try:
                out.append(op.expand([t])[0])
            except Exception as err:
                first = str(err).splitlines()[0] if str(err) else ""
                out.append(f"{type(err).__name__}: {first}")
        return out
