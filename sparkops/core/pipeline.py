"""The fused pass: a list of per-row operators over one batch, each document touched once.

Operators run in recipe order, column-wise over the batch (so a kernel can batch its work,
e.g. fastText predicts the whole batch at once), on ``Doc`` objects that cache the shared
work (word split, line split, code points) for every operator after the first that needs it.
A mapper that changes a document gives it a fresh ``Doc``; one that leaves it unchanged keeps
the caches.

A filter that rewrites text (C4's line removal) passes the rows it keeps on with their new
text, like a mapper.

Records, not texts: each op reads one field of the record, its ``text_key`` (Data-Juicer's
base-op parameter; unset, the op's own default such as url_filter's ``url``, else the pass's
text field), and a mapper rewrites that field. A row whose field is absent or not a string is
dropped by that op with ``missing_field:<op>: ...`` or ``wrong_type:<op>: ...`` and never
reaches its kernel. An op may read further fields its parameters name (``Op.reads``: the
kernel gets their values, None where absent, any type; ``stats.<key>``: a statistic an earlier
op of the pass computed) and a mapper may write ``meta`` fields
(``Op.writes``; ``BatchResult.meta``). A record op (``Op.record``) gets each row's whole
record (``run(records=...)``, with the pass's current text and fields in it) and may rewrite
any of its fields; ``BatchResult.records`` holds the records such ops left.

Semantics follow a Data-Juicer pipeline: a row dropped by a filter is not seen by later
operators (``short_circuit=True``, its later stats stay null). With ``short_circuit=False``
every filter computes its statistics on every row (for the analyzer and what-if thresholds);
the keep decision is the same either way.

Rows are never lost here: every input row comes out with its mapped text, its stats, a keep
flag and, when dropped, why (``dropped_by``, the row contract of ``sparkops.core.row``: the
op, or ``<op>:<rule>`` for a rule set). Null text is dropped by ``NULL_TEXT`` with null
stats. A kernel that raises on one document drops that document with
``error:<op>: <message>`` and the rest of the batch goes on.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from time import perf_counter
from typing import Mapping, Sequence

from sparkops.core.declaration import ROW_KINDS, BoundOp, Stat
from sparkops.core.row import META, MISSING, NULL_TEXT, REJECT, STATS, assign, lookup, problem, rejected_by
from sparkops.text.doc import Doc


@dataclass(frozen=True)
class StatColumn:
    name: str  # column name in the stats struct (the stat key, suffixed on collisions)
    stat: Stat
    op_index: int


@dataclass
class BatchResult:
    texts: list[str | None]  # the pass's text field, mapped
    stats: dict[str, list]  # StatColumn.name -> value per row (None when not computed)
    keep: list[bool]
    dropped_by: list[str | None]
    # every other field an op read, as the ops left it (mappers rewrite their field)
    fields: dict[str, list] = field(default_factory=dict)
    # the meta fields mappers wrote (``Pipeline.writes``), None where no op wrote the row's
    meta: dict[str, list] = field(default_factory=dict)
    # per row, the record as record ops left it (None: no record op mapped the row)
    records: list[dict | None] | None = None


class Pipeline:
    """Bound operators in order, with the layout of their statistics and the record fields
    they read (``text_key``; unset: the pass's ``text_field``)."""

    def __init__(self, ops: Sequence[BoundOp], short_circuit: bool = True, text_field: str = "text",
                 record_key: str | None = None):
        self.ops = list(ops)
        # where a record holds the pass's text (a job's input text_key; else the text field)
        self.record_key = record_key or text_field
        self.has_record_ops = any(b.op.record for b in self.ops)
        for bound in self.ops:
            if bound.op.kind not in ROW_KINDS:
                raise ValueError(f"{bound.name} is a {bound.op.kind}: it needs the whole DataFrame, not a "
                                 "per-row pass (sparkops.spark.fusion.stage_pass runs it)")
        self.short_circuit = short_circuit
        self.text_field = text_field
        # an op reading the job's text key reads the pass's text: the record holds none (jobs.records)
        self.field_of = [text_field if key == self.record_key else key
                         for key in (bound.params.get("text_key") or text_field for bound in self.ops)]
        self.columns: list[StatColumn] = []
        taken: set[str] = set()
        # the further fields each op reads (param -> field); ``stats.<key>`` names a statistic an
        # earlier op of the pass computed (c4_badwords_filter reading language_id's ``stats.lang``)
        # (``meta.<key>``: a meta field an earlier mapper of the pass wrote, pii_redact_mapper's
        # ``meta.pii_count`` read by specified_numeric_field_filter)
        self.reads_of, self.stat_reads, self.meta_reads = [], [], []
        written: set[str] = set()
        for i, bound in enumerate(self.ops):
            reads, from_stats, from_meta = {}, {}, {}
            for param, name in bound.read_fields().items():
                earlier = name.startswith(f"{STATS}.") and next(
                    (c.name for c in self.columns if c.name == name[len(STATS) + 1:]), None)
                if earlier:
                    from_stats[param] = earlier
                elif name.startswith(f"{META}.") and name[len(META) + 1:] in written:
                    from_meta[param] = name[len(META) + 1:]
                else:
                    reads[param] = name
            self.reads_of.append(reads)
            self.stat_reads.append(from_stats)
            self.meta_reads.append(from_meta)
            written.update(w.key for w in bound.op.writes_for(bound.params))
            for stat in bound.op.stats:
                # Data-Juicer silently reuses a stat computed by an earlier op with other
                # params (e.g. two char-repetition filters); we keep both, the second as key_2
                name, n = stat.key, 1
                while name in taken:
                    n += 1
                    name = f"{stat.key}_{n}"
                taken.add(name)
                self.columns.append(StatColumn(name, stat, i))
        # the fields other than the text field, in the order ops first read them
        self.fields = list(dict.fromkeys(
            f for i, first in enumerate(self.field_of) for f in (first, *self.reads_of[i].values())
            if f != text_field))
        # the meta fields the mappers write, in order; two mappers writing one key must agree on its type
        self.writes: dict[str, Stat] = {}
        for bound in self.ops:
            for stat in bound.op.writes_for(bound.params):
                known = self.writes.setdefault(stat.key, stat)
                if known.dtype != stat.dtype:
                    raise ValueError(f"{bound.name} writes meta.{stat.key} as {stat.dtype}, an earlier op as "
                                     f"{known.dtype}")

    def run(self, texts: Sequence[str | None], fields: Mapping[str, Sequence] | None = None,
            timings: dict | None = None, records: Sequence[dict | None] | None = None) -> BatchResult:
        """One batch: ``texts`` (the text field) and, for every other field in ``self.fields``,
        its values (``MISSING`` where a record lacks it). ``timings``, when given, gets
        ``[seconds, rows]`` added per op name: the time of the op's step over this batch and
        the rows it received. ``records``: each row's whole record, for record ops (None, or
        a None item: the record is the fields the pass knows)."""
        n = len(texts)
        # a field not given is absent from every record: its readers reject the rows as missing_field
        fields = fields or {}
        values = {self.text_field: list(texts),
                  **{f: list(fields[f]) if f in fields else [MISSING] * n for f in self.fields}}
        keep = [t is not None for t in texts]
        dropped_by: list[str | None] = [None if t is not None else NULL_TEXT for t in texts]
        stats = {c.name: [None] * n for c in self.columns}
        meta = {key: [None] * n for key in self.writes}
        docs: dict[str, dict[int, Doc]] = {f: {} for f in values}
        alive = [i for i, t in enumerate(texts) if t is not None]
        out_records: list[dict | None] | None = [None] * n if self.has_record_ops else None
        columns_of = {}
        for c in self.columns:
            columns_of.setdefault(c.op_index, []).append(c)

        for i, bound in enumerate(self.ops):
            if not alive:
                break
            t0, rows = perf_counter(), len(alive)
            if bound.op.record:
                alive = self._run_record_op(bound, alive, values, docs, records, out_records, keep, dropped_by)
                if timings is not None:
                    tally = timings.setdefault(bound.name, [0.0, 0])
                    tally[0] += perf_counter() - t0
                    tally[1] += rows
                continue
            name, column, cache = self.field_of[i], values[self.field_of[i]], docs[self.field_of[i]]
            alive = _readable(alive, column, keep, dropped_by, bound.name, name)
            for r in alive:
                if r not in cache:
                    cache[r] = Doc(column[r])
            extra = {p: [_value(values[f][r]) for r in alive] for p, f in self.reads_of[i].items()}
            extra.update({p: [stats[c][r] for r in alive] for p, c in self.stat_reads[i].items()})
            extra.update({p: [meta[k][r] for r in alive] for p, k in self.meta_reads[i].items()})
            if alive and bound.op.kind == "mapper":
                keys = bound.op.result_keys(bound.params)
                mapped, failed = _guarded(bound, bound.apply, [cache[r].text for r in alive], extra, keys)
                refused = set()
                if keys:
                    for w in bound.op.writes_for(bound.params):
                        for j, r in enumerate(alive):
                            if j not in failed:
                                meta[w.key][r] = mapped[w.key][j]
                    for j, rule in enumerate(mapped.get(REJECT) or ()):
                        if rule is not None and j not in failed:  # a page with no text to extract
                            refused.add(j)
                            keep[alive[j]], dropped_by[alive[j]] = False, rejected_by(bound.name, rule)
                    mapped = mapped["text"]
                for j, (r, new) in enumerate(zip(alive, mapped)):
                    if new is None or j in refused:
                        continue
                    if new != cache[r].text:
                        cache[r] = Doc(new)
                        column[r] = new
                alive = _without(alive, failed, refused, keep, dropped_by, bound.name)
            elif alive:
                computed, failed = _guarded(bound, bound.compute, [cache[r] for r in alive], extra,
                                            [s.key for s in bound.op.stats] + (["text"] if bound.op.rewrites_text else []))
                cols = columns_of.get(i, [])
                rejected = []
                for j, r in enumerate(alive):
                    if j in failed:
                        continue
                    row_stats = {c.stat.key: computed[c.stat.key][j] for c in cols}
                    for c in cols:
                        stats[c.name][r] = row_stats[c.stat.key]
                    reason = bound.rejection(row_stats)
                    if reason is not None:
                        rejected.append(j)
                        if keep[r]:  # the first filter that rejects a row is its reason
                            keep[r] = False
                            dropped_by[r] = reason
                if bound.op.rewrites_text:  # kept rows go on with the text the filter made
                    gone_now = set(rejected) | set(failed)
                    for j, r in enumerate(alive):
                        new = computed["text"][j]
                        if j not in gone_now and new is not None and new != cache[r].text:
                            cache[r] = Doc(new)
                            column[r] = new
                gone = set(rejected) if self.short_circuit else set()
                alive = _without(alive, failed, gone, keep, dropped_by, bound.name)
            if timings is not None:
                tally = timings.setdefault(bound.name, [0.0, 0])
                tally[0] += perf_counter() - t0
                tally[1] += rows
        texts_out = values.pop(self.text_field)
        return BatchResult(texts_out, stats, keep, dropped_by, values, meta, out_records)

    def _run_record_op(self, bound, alive, values, docs, records, out_records, keep, dropped_by):
        """A record op over the rows still alive: each gets its record with the pass's current
        text and fields in it; what the op returns becomes the row's text and fields. A row whose
        text the op turns into a non-string is dropped (``wrong_type``), as any op's would be."""
        given = []
        for r in alive:
            base = out_records[r] if out_records[r] is not None else (records[r] if records else None)
            rec = deepcopy(base) if isinstance(base, dict) else {}
            rec[self.record_key] = values[self.text_field][r]
            for f in self.fields:
                if values[f][r] is not MISSING:
                    assign(rec, f, values[f][r])
            given.append(rec)
        mapped, failed = _guarded(bound, lambda items, _extra: bound.apply_records(items), given, {}, None)
        wrong = {}
        for j, r in enumerate(alive):
            if j in failed:
                continue
            new = mapped[j]
            text = new.get(self.record_key, MISSING)
            if not isinstance(text, str):
                kind = "absent" if text is MISSING else "null" if text is None else type(text).__name__
                wrong[j] = f"the record's '{self.record_key}' is {kind} after it, not a string"
                continue
            out_records[r] = new
            if text != values[self.text_field][r]:
                values[self.text_field][r] = text
                docs[self.text_field].pop(r, None)
            for f in self.fields:
                value = lookup(new, f, MISSING)
                if value is not values[f][r]:
                    values[f][r] = value
                    docs[f].pop(r, None)
        for j, message in wrong.items():
            keep[alive[j]], dropped_by[alive[j]] = False, problem("wrong_type", bound.name, message)
        return _without(alive, failed, set(wrong), keep, dropped_by, bound.name)


def _value(v):
    """A read field's value as a kernel sees it: None where the record lacks the field."""
    return None if v is MISSING else v


def _readable(alive, column, keep, dropped_by, op_name, field_name):
    """Rows whose field holds a string; the others are dropped with the row contract's reason
    (``missing_field`` / ``wrong_type``), never handed to a kernel."""
    bad = [r for r in alive if not isinstance(column[r], str)]
    if not bad:
        return alive
    for r in bad:
        value = column[r]
        keep[r] = False
        if value is MISSING:
            dropped_by[r] = problem("missing_field", op_name, f"no field '{field_name}'")
        else:
            kind = "null" if value is None else type(value).__name__
            dropped_by[r] = problem("wrong_type", op_name, f"field '{field_name}' is {kind}, not a string")
    gone = set(bad)
    return [r for r in alive if r not in gone]


def _without(alive, failed, rejected, keep, dropped_by, op_name):
    """Rows still to process: minus kernel failures (recorded as errors) and rejections."""
    if not failed and not rejected:
        return alive
    for j, message in failed.items():
        r = alive[j]
        keep[r] = False
        dropped_by[r] = problem("error", op_name, message)
    return [r for j, r in enumerate(alive) if j not in failed and j not in rejected]


def _describe(err: BaseException) -> str:
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {text}"


def _guarded(bound: BoundOp, run, items: list, extra: dict[str, list], keys: list[str] | None):
    """``run(items, extra)`` over the batch; when it raises, row by row, so that only the
    culprit(s) fail: (results, {position: message}). ``keys``: the result is a dict of these
    lists (stats, or a text and meta fields), else a list."""
    try:
        return run(items, extra), {}
    except Exception:  # find the culprit(s), keep the rest of the batch
        out = {k: [] for k in keys} if keys else []
        failed = {}
        for j, item in enumerate(items):
            try:
                one = run([item], {p: [v[j]] for p, v in extra.items()})
            except Exception as err:
                one, failed[j] = None, _describe(err)
            if keys:
                for k in keys:
                    out[k].append(None if one is None else one[k][0])
            else:
                out.append(None if one is None else one[0])
        return out, failed
