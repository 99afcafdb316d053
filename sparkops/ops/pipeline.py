"""The fused pass: a list of per-row operators over one batch, each document touched once.

Operators run in recipe order, column-wise over the batch (so a kernel can batch its work,
e.g. fastText predicts the whole batch at once), on ``Doc`` objects that cache the shared
work (word split, line split, code points) for every operator after the first that needs it.
A mapper that changes a document gives it a fresh ``Doc``; one that leaves it unchanged keeps
the caches.

A filter that rewrites text (C4's line removal) passes the rows it keeps on with their new
text, like a mapper.

Semantics follow a Data-Juicer pipeline: a row dropped by a filter is not seen by later
operators (``short_circuit=True``, its later stats stay null). With ``short_circuit=False``
every filter computes its statistics on every row (for the analyzer and what-if thresholds);
the keep decision is the same either way.

Rows are never lost here: every input row comes out with its mapped text, its stats, a keep
flag and, when dropped, the operator that dropped it (``dropped_by``). Null text is dropped
by ``NULL_TEXT`` with null stats. A kernel that raises on one document drops that document
with ``error:<op>: <message>`` and the rest of the batch goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Sequence

from sparkops.ops.doc import Doc
from sparkops.registry import BoundOp, Stat

NULL_TEXT = "null_text"


@dataclass(frozen=True)
class StatColumn:
    name: str  # column name in the stats struct (the stat key, suffixed on collisions)
    stat: Stat
    op_index: int


@dataclass
class BatchResult:
    texts: list[str | None]
    stats: dict[str, list]  # StatColumn.name -> value per row (None when not computed)
    keep: list[bool]
    dropped_by: list[str | None]


class Pipeline:
    """Bound operators in order, with the layout of their statistics."""

    def __init__(self, ops: Sequence[BoundOp], short_circuit: bool = True):
        self.ops = list(ops)
        for bound in self.ops:
            if bound.op.kind not in ("mapper", "filter"):
                raise ValueError(f"{bound.name} is a {bound.op.kind}: it needs the whole DataFrame, not a "
                                 "per-row pass (sparkops.spark.fusion.stage_pass runs it)")
        self.short_circuit = short_circuit
        self.columns: list[StatColumn] = []
        taken: set[str] = set()
        for i, bound in enumerate(self.ops):
            for stat in bound.op.stats:
                # Data-Juicer silently reuses a stat computed by an earlier op with other
                # params (e.g. two char-repetition filters); we keep both, the second as key_2
                name, n = stat.key, 1
                while name in taken:
                    n += 1
                    name = f"{stat.key}_{n}"
                taken.add(name)
                self.columns.append(StatColumn(name, stat, i))

    def run(self, texts: Sequence[str | None], timings: dict | None = None) -> BatchResult:
        """``timings``, when given, gets ``[seconds, rows]`` added per op name: the time of the
        op's step over this batch and the rows it received."""
        n = len(texts)
        out_texts = list(texts)
        keep = [t is not None for t in texts]
        dropped_by: list[str | None] = [None if t is not None else NULL_TEXT for t in texts]
        stats = {c.name: [None] * n for c in self.columns}
        docs: dict[int, Doc] = {i: Doc(t) for i, t in enumerate(texts) if t is not None}
        alive = list(docs)
        columns_of = {}
        for c in self.columns:
            columns_of.setdefault(c.op_index, []).append(c)

        for i, bound in enumerate(self.ops):
            if not alive:
                break
            t0, rows = perf_counter(), len(alive)
            if bound.op.kind == "mapper":
                mapped, failed = _guarded_apply(bound, [docs[r].text for r in alive])
                for r, new in zip(alive, mapped):
                    if new is None:
                        continue
                    if new != docs[r].text:
                        docs[r] = Doc(new)
                        out_texts[r] = new
                alive = _without(alive, failed, set(), keep, dropped_by, bound.name)
            else:
                values, failed = _guarded_compute(bound, [docs[r] for r in alive])
                cols = columns_of.get(i, [])
                rejected = []
                for j, r in enumerate(alive):
                    if j in failed:
                        continue
                    row_stats = {c.stat.key: values[c.stat.key][j] for c in cols}
                    for c in cols:
                        stats[c.name][r] = row_stats[c.stat.key]
                    if not bound.keep(row_stats):
                        rejected.append(j)
                for j in rejected:
                    r = alive[j]
                    if keep[r]:  # the first filter that rejects a row is its reason
                        keep[r] = False
                        dropped_by[r] = bound.name
                if bound.op.rewrites_text:  # kept rows go on with the text the filter made
                    gone_now = set(rejected) | set(failed)
                    for j, r in enumerate(alive):
                        new = values["text"][j]
                        if j not in gone_now and new is not None and new != docs[r].text:
                            docs[r] = Doc(new)
                            out_texts[r] = new
                gone = set(rejected) if self.short_circuit else set()
                alive = _without(alive, failed, gone, keep, dropped_by, bound.name)
            if timings is not None:
                tally = timings.setdefault(bound.name, [0.0, 0])
                tally[0] += perf_counter() - t0
                tally[1] += rows
        return BatchResult(out_texts, stats, keep, dropped_by)


def _without(alive, failed, rejected, keep, dropped_by, op_name):
    """Rows still to process: minus kernel failures (recorded as errors) and rejections."""
    if not failed and not rejected:
        return alive
    for j, message in failed.items():
        r = alive[j]
        keep[r] = False
        dropped_by[r] = f"error:{op_name}: {message}"
    return [r for j, r in enumerate(alive) if j not in failed and j not in rejected]


def _describe(err: BaseException) -> str:
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {text}"[:500]


def _guarded_apply(bound: BoundOp, texts: list[str]):
    try:
        return bound.apply(texts), {}
    except Exception:  # find the culprit(s), keep the rest of the batch
        out, failed = [], {}
        for j, t in enumerate(texts):
            try:
                out.append(bound.apply([t])[0])
            except Exception as err:
                out.append(None)
                failed[j] = _describe(err)
        return out, failed


def _guarded_compute(bound: BoundOp, docs: list[Doc]):
    try:
        return bound.compute(docs), {}
    except Exception:
        keys = [s.key for s in bound.op.stats] + (["text"] if bound.op.rewrites_text else [])
        values = {k: [] for k in keys}
        failed = {}
        for j, d in enumerate(docs):
            try:
                one = bound.compute([d])
                for k in keys:
                    values[k].append(one[k][0])
            except Exception as err:
                for k in keys:
                    values[k].append(None)
                failed[j] = _describe(err)
        return values, failed
