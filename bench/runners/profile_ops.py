"""Untimed diagnostic: the fused pipeline's pure-Python cost per operator, without Spark.

    .venv/bin/python bench/runners/profile_ops.py --corpus C.jsonl --result R.json [--docs N]

Runs ``sparkops.core.pipeline.Pipeline`` (what each Spark Python worker runs per Arrow
batch) in one process on batches of 2,000 documents (sparkops's Arrow batch size), with a
timer around each operator's ``compute``. Compared with the fused Spark run's CPU seconds
this shows how much of the run is the operators themselves and how much is Spark (JSON
parsing, JVM<->Python Arrow transfer, writing, JIT, session).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import recipe  # noqa: E402


class Timed:
    """A BoundOp whose compute() is timed; everything else is delegated."""

    def __init__(self, bound, acc: dict):
        self._bound = bound
        self._acc = acc

    def __getattr__(self, name):
        return getattr(self._bound, name)

    def compute(self, docs, *args, **kwargs):
        t = time.perf_counter()
        try:
            return self._bound.compute(docs, *args, **kwargs)
        finally:
            a = self._acc.setdefault(self._bound.name, {"s": 0.0, "docs": 0})
            a["s"] += time.perf_counter() - t
            a["docs"] += len(docs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--batch", type=int, default=2000)
    args = ap.parse_args()

    from sparkops.core.pipeline import Pipeline
    from sparkops.core import bind

    t0 = time.perf_counter()
    texts = []
    with open(args.corpus, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if args.docs is not None and i >= args.docs:
                break
            texts.append(json.loads(line)["text"])
    t_read = time.perf_counter() - t0

    acc: dict = {}
    t0 = time.perf_counter()
    pipe = Pipeline([Timed(bind(e), acc) for e in recipe.RECIPE], short_circuit=True)
    t_bind = time.perf_counter() - t0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    kept = 0
    for i in range(0, len(texts), args.batch):
        res = pipe.run(texts[i:i + args.batch])
        kept += sum(res.keep)
        failed = [d for d in res.dropped_by if d and d.startswith("error:")]
        if failed:  # a profile of operators that raised would time nothing
            sys.exit(f"profile: {len(failed)} document(s) failed, e.g. {failed[0]}")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    out = {
        "docs": len(texts),
        "kept": kept,
        "read_json_s": t_read,
        "bind_s": t_bind,  # includes loading the fastText model
        "pipeline_wall_s": wall,
        "pipeline_cpu_s": cpu,
        "per_op": [{"op": n, **acc.get(n, {"s": 0.0, "docs": 0})} for n in recipe.op_names()],
    }
    Path(args.result).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
