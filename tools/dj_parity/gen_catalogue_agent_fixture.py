"""Regenerate tests/fixtures/dj_catalogue_agent.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_catalogue_agent_fixture.py

- ``general_field_filter``: every condition of ``catalogue_agent_corpus.GENERAL_FIELD_CASES``
  over ``field_filters_corpus.records()``, one record per call as ``Filter.run`` does
  (``compute_stats_single`` with ``__dj__stats__ = {"score_stat": score}`` and
  ``__dj__meta__`` = the record's ``meta``, then ``process_single``): per record the keep flag
  and the stored statistic, or the exception. Conditions Data-Juicer refuses at init are kept
  as ``init_error``.
- ``document_line_deduplicator``: every ``LINE_CASES`` configuration over
  ``parity_corpus.documents()`` + ``LINE_EXTRA`` (``compute_hash`` per document, then
  ``process`` over a ``datasets.Dataset`` of all of them), and the ``LINE_SMALL`` datasets:
  per document the digest of its line hashes and the output text (verbatim when short and
  changed, else ``[sha16, length]``, null when unchanged).
- ``python_lambda_mapper`` / ``python_file_mapper``: every ``PYTHON_CASES`` configuration run
  by the op's own ``run`` (``skip_op_error``: a failing row is dropped) over a dataset of
  ``python_records()`` (real alpaca records and odd texts): per surviving record id, the digest
  of its output record.
- the agent ops (``AGENT_CASES``, and ``AGENT_CHAIN`` run in order on one copy):
  ``process_single`` on a fresh copy of every ``agent_records()`` record (hand-written traces
  with tool calls, pii_corpus's agent records, real chat records), meta and stats under
  Data-Juicer's field names: the output record (verbatim for the hand-written traces, else a
  digest), or the exception.

The offline guards are those of ``gen_fixture.py``; no corpus text is stored.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402

sys.path.insert(0, str(base.ROOT / "tests"))
import catalogue_agent_corpus as cases  # noqa: E402
import field_filters_corpus  # noqa: E402
import parity_corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_catalogue_agent.json.gz"


def _err(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _out(before: str, after: str):
    if after == before:
        return None
    return after if len(after) <= 200 else [_digest(after), len(after)]


def general_field(records):
    from data_juicer.ops.filter.general_field_filter import GeneralFieldFilter
    from data_juicer.utils.constant import Fields

    out = []
    for cond in cases.GENERAL_FIELD_CASES:
        try:
            op = GeneralFieldFilter(filter_condition=cond)
        except Exception as e:  # noqa: BLE001
            out.append({"condition": cond, "init_error": _err(e)})
            continue
        keep, stats, errors = [], [], {}
        for rec in records:
            sample = json.loads(json.dumps(rec))
            sample[Fields.stats] = {"score_stat": rec.get("score")}
            sample[Fields.meta] = json.loads(json.dumps(rec.get("meta")))
            try:
                sample = op.compute_stats_single(sample)
                kept = op.process_single(sample)
            except Exception as e:  # noqa: BLE001
                errors[rec["id"]] = _err(e)
                keep.append(None)
                stats.append(None)
                continue
            keep.append(bool(kept))
            value = sample[Fields.stats].get("general_field_filter_condition", "<missing>")
            stats.append(value if isinstance(value, (bool, int, float, str, type(None))) else repr(value))
        out.append({"condition": cond, "keep": keep, "stats": stats, "errors": errors})
        base.log(f"general_field_filter {cond!r:70s} kept {sum(k is True for k in keep)}/{len(keep)} "
                 f"errors {len(errors)}")
    return out


def line_dedup(params, docs):
    from datasets import Dataset
    from data_juicer.ops.deduplicator.document_line_deduplicator import DocumentLineDeduplicator
    from data_juicer.utils.constant import HashKeys

    op = DocumentLineDeduplicator(**params)
    op.runtime_np = lambda: None  # in-process map (datasets 5.2 starts a Pool for any num_proc >= 1)
    hashed = [op.compute_hash({"text": t}) for _, t in docs]
    hash_digests = [_digest(json.dumps(h[HashKeys.line_hashes])) for h in hashed]
    ds = Dataset.from_list([{"text": h["text"], HashKeys.line_hashes: h[HashKeys.line_hashes]} for h in hashed])
    result, _ = op.process(ds)
    texts = result["text"]
    return {"params": params, "line_hashes": hash_digests,
            "out": [_out(t, o) for (_, t), o in zip(docs, texts)]}


def python_mappers(records):
    """Each case run by the op's own ``run`` over a dataset of the records (skip_op_error: a
    row the function fails on is dropped): per record id that survived, the digest of its
    output record."""
    import importlib
    import types

    from data_juicer.core.data import NestedDataset
    from data_juicer.utils import model_utils

    # Mapper.run ends with free_models() -> torch.cuda.empty_cache(): a no-op without torch
    model_utils.torch = types.SimpleNamespace(cuda=types.SimpleNamespace(empty_cache=lambda: None))
    out = []
    for name, params in cases.PYTHON_CASES:
        module = importlib.import_module(f"data_juicer.ops.mapper.{name}")
        cls = next(v for k, v in vars(module).items() if k.lower() == name.replace("_", ""))
        kwargs = dict(params)
        if "file_path" in kwargs:
            kwargs["file_path"] = str(base.ROOT / kwargs["file_path"])
        op = cls(**kwargs, skip_op_error=True)
        op.runtime_np = lambda: None  # in-process map
        ds = NestedDataset.from_list(json.loads(json.dumps(records)))
        rows = op.run(ds).to_list()
        got = {r["id"]: _digest(json.dumps(r, sort_keys=True, ensure_ascii=False)) for r in rows}
        out.append({"op": name, "params": params, "out": got,
                    "columns": sorted(rows[0]) if rows else []})
        base.log(f"{name} {params} kept {len(got)}/{len(records)}")
    return out


def _to_dj(record: dict) -> dict:
    """Our record as Data-Juicer holds it: meta and stats under its field names."""
    rec = json.loads(json.dumps(record))
    for ours, theirs in (("meta", "__dj__meta__"), ("stats", "__dj__stats__")):
        if ours in rec:
            rec[theirs] = rec.pop(ours)
    return rec


def _from_dj(sample: dict) -> dict:
    rec = json.loads(json.dumps(sample, ensure_ascii=False))  # tuples -> lists
    for ours, theirs in (("meta", "__dj__meta__"), ("stats", "__dj__stats__")):
        if theirs in rec:
            rec[ours] = rec.pop(theirs)
    return rec


def _stored(rid: str, record: dict):
    """The hand-written traces verbatim (up to 3,000 characters), other records as a digest."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return record if rid.startswith("agent:") and len(text) <= 3000 else {"sha16": _digest(text)}


def agent_ops(records):
    """Each case's ``process_single`` on a fresh copy of every record, and the chain of all five
    ops: the output record (our field names), or the exception."""
    import importlib

    def make(name, params):
        module = importlib.import_module(f"data_juicer.ops.mapper.{name}")
        cls = next(v for k, v in vars(module).items() if k.lower() == name.replace("_", ""))
        return cls(**params)

    def run(ops, rid, rec):
        try:
            sample = _to_dj(rec)
            for op in ops:
                sample = op.process_single(sample)
            return _stored(rid, _from_dj(sample))
        except Exception as e:  # noqa: BLE001
            return {"error": _err(e)}

    out = []
    for name, params in cases.AGENT_CASES:
        op = make(name, params)
        got = {rid: run([op], rid, rec) for rid, rec in records}
        out.append({"op": name, "params": params, "out": got})
        base.log(f"{name} {params} errors {sum('error' in v for v in got.values())}/{len(got)}")
    chain = [make(name, {}) for name in cases.AGENT_CHAIN]
    out.append({"op": "chain", "params": {}, "out": {rid: run(chain, rid, rec) for rid, rec in records}})
    return out


def main() -> int:
    t0 = time.perf_counter()
    base.setup_offline_env()
    data_juicer, _ = base.import_data_juicer()
    records = field_filters_corpus.records()
    docs = parity_corpus.documents() + cases.LINE_EXTRA
    py_records = cases.python_records(parity_corpus.SHARED_DATA)
    agent_recs = cases.agent_records()
    lines = []
    for params in cases.LINE_CASES:
        got = line_dedup(params, docs)
        lines.append(got)
        base.log(f"document_line_deduplicator {params} changed {sum(o is not None for o in got['out'])}/{len(docs)}")
    small = [{"name": name, "params": {"frequency_threshold": 0},
              "out": line_dedup({"frequency_threshold": 0}, ds)["out"]} for name, ds in cases.LINE_SMALL]
    fixture = {
        "generator": "tools/dj_parity/gen_catalogue_agent_fixture.py",
        "data_juicer": data_juicer.__version__,
        "records": {"ids": [r["id"] for r in records], "sha256": field_filters_corpus.sha256_records(records)},
        "docs": {"ids": [d for d, _ in docs], "sha256": _digest("".join(_digest(t) for _, t in docs))},
        "general_field_filter": general_field(records),
        "python_records": {"ids": [r["id"] for r in py_records],
                           "sha256": _digest(json.dumps(py_records, sort_keys=True))},
        "python_mappers": python_mappers(py_records),
        "agent_records": {"ids": [i for i, _ in agent_recs],
                          "sha256": _digest(json.dumps(agent_recs, sort_keys=True, ensure_ascii=True))},
        "agent_ops": agent_ops(agent_recs),
        "document_line_deduplicator": lines,
        "document_line_deduplicator_small": small,
    }
    data = json.dumps(fixture, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    blob = gzip.compress(data.encode("ascii") + b"\n", compresslevel=9, mtime=0)
    OUT_FILE.write_bytes(blob)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({len(blob):,} bytes) in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
