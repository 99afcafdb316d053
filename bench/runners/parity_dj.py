"""Data-Juicer's side of the parity pass (bench/runners/parity.py): each case's filter alone, called
directly, over the same documents. Run with the Data-Juicer venv, never from sparkops:

    .peers/dj/bin/python bench/runners/parity_dj.py --corpus C.jsonl --docs N --cases CASES.json --result OUT.json

CASES.json is ``[{"id", "op", "params"}]`` with Data-Juicer's parameters (word-list folders
included). Each op is built from Data-Juicer's OPERATORS registry and called the way its
executor calls it per batch: ``compute_stats_batched`` then ``process_batched`` (or the
``_single`` pair for an op that is not batched), on batches of ``--batch`` documents, so no
``datasets`` map, no process pool and no cache are involved. A batch that raises is re-run
one document at a time, so an exception is pinned to its document and recorded, not fatal.

The offline set-up is bench/runners/dj_job.py's (HF offline, private model cache holding sparkops'
lid.176.ftz as lid.176.bin, no sockets, no package installs, no Ray).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

import dj_job  # bench/runners/ is this script's folder, first on sys.path


def plain(v):
    """A Python scalar for JSON: numpy scalars (np.float64, np.bool_) have .item()."""
    return v.item() if hasattr(v, "item") else v


def run_batch(op, texts: list[str]) -> tuple[list[dict], list]:
    from data_juicer.utils.constant import Fields

    if op.is_batched_op():
        samples = {op.text_key: list(texts), Fields.stats: [{} for _ in texts]}
        samples = op.compute_stats_batched(samples)
        keep = list(op.process_batched(samples))
        stats = samples[Fields.stats]
    else:
        stats, keep = [], []
        for t in texts:
            s = op.compute_stats_single({op.text_key: t, Fields.stats: {}})
            stats.append(s[Fields.stats])
            keep.append(op.process_single(s))
    if len(keep) != len(texts):
        raise RuntimeError(f"{len(keep)} keep flags for {len(texts)} documents")
    return [{k: plain(v) for k, v in s.items()} for s in stats], [bool(k) for k in keep]


def run_case(operators, case: dict, texts: list[str], batch: int) -> dict:
    op = operators.modules[case["op"]](**case["params"])
    stats: list[dict | None] = []
    keep: list[bool | None] = []
    errors: dict[int, str] = {}
    t0 = time.perf_counter()
    for lo in range(0, len(texts), batch):
        chunk = texts[lo:lo + batch]
        try:
            s, k = run_batch(op, chunk)
        except Exception:  # noqa: BLE001 - find the document, record it
            s, k = [], []
            for i, t in enumerate(chunk):
                try:
                    s1, k1 = run_batch(op, [t])
                    s.append(s1[0])
                    k.append(k1[0])
                except Exception as e:  # noqa: BLE001
                    errors[lo + i] = f"{type(e).__name__}: {e}"[:300]
                    s.append(None)
                    k.append(None)
        stats += s
        keep += k
    return {"stats": stats, "keep": keep, "errors": errors, "s": time.perf_counter() - t0,
            "module": type(op).__module__}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="parity-dj-ds-") as ds_cache:
        dj_job.setup_offline_env(Path(ds_cache))
        data_juicer, _ = dj_job.import_default_executor()
        from data_juicer.ops.base_op import OPERATORS
        from loguru import logger

        logger.remove()
        logger.add(sys.stderr, level="WARNING")
        cases = json.loads(Path(args.cases).read_text())
        for c in cases:
            if c["op"] not in OPERATORS.modules:
                importlib.import_module(f"data_juicer.ops.filter.{c['op']}")
        ids, texts = [], []
        with open(args.corpus, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= args.docs:
                    break
                d = json.loads(line)
                ids.append(d["id"])
                texts.append(d.get("text") or "")
        out = {"data_juicer": data_juicer.__version__, "ids": ids, "cases": {},
               "refused_installs": dj_job.REFUSED}
        for c in cases:
            r = run_case(OPERATORS, c, texts, args.batch)
            out["cases"][c["id"]] = r
            print(f"{c['id']}: kept {sum(1 for k in r['keep'] if k)}/{len(texts)}, {len(r['errors'])} errors, "
                  f"{r['s']:.1f} s", flush=True)
    if any(m == "ray" or m.startswith("ray.") for m in sys.modules):
        raise RuntimeError("ray got imported")
    Path(args.result).write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
