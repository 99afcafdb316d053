"""Scoring throughput of the model ops: docs/s of each in sparkops' fused Arrow pass (Spark,
``local[2]``) against the same model called in a plain Python loop, and semantic dedup end to end.

For each op, on the same documents:

- **loop**: one process, the op's kernel called on one document at a time (what a per-sample
  tool does: Data-Juicer calls its filters per sample), models loaded before the clock starts;
- **batched**: one process, the kernel over the op's batch size;
- **fused**: ``sparkops.fused(df, [op])`` over a DataFrame of the documents (read from a JSON-lines
  file, two partitions per core), forced with a ``noop`` write; the time includes Spark's planning,
  reading the file, and the Python workers loading the model. Best of ``--repeat``.

The documents: web/c4_sample.jsonl (300 real English documents, ../shared/data) repeated
``--copies`` times (the ops cache nothing, so a repeat costs what a new document costs).
``semantic_deduplicator`` is timed the same way (embeddings, Spark ML k-means, cosines inside
the clusters) with ``n_clusters`` = docs / 50.

    PYTHONPATH=. .venv/bin/python bench/model_scoring.py

Prints a markdown table and writes ``bench/results_model_scoring.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
C4 = DATA / "web" / "c4_sample.jsonl"

OPS = (
    ("language_id_score_filter", {}),
    ("quality_classifier_filter", {}),
    ("fasttext_quality_filter", {}),
    ("perplexity_filter", {"lang": "en"}),
    ("toxicity_filter", {}),
    ("text_embd_similarity_filter", {"api_or_hf_model": "wordllama", "valid_file": str(ROOT / "data" / "c4_sample.jsonl")}),
)


def _kernel_times(name: str, params: dict, texts: list[str], repeat: int) -> dict:
    from sparkops.core import bind
    from sparkops.text.doc import Doc

    bound = bind({name: params})
    bound.compute([Doc(t) for t in texts[:8]])  # models loaded outside the clock
    size = bound.op.batch_size or 1000
    loop = batched = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for t in texts:
            bound.compute([Doc(t)])
        loop = min(loop, time.perf_counter() - started)
        started = time.perf_counter()
        for i in range(0, len(texts), size):
            bound.compute([Doc(t) for t in texts[i:i + size]])
        batched = min(batched, time.perf_counter() - started)
    return {"loop_docs_per_s": len(texts) / loop, "batched_docs_per_s": len(texts) / batched, "batch": size}


def _fused_seconds(spark, path: str, process: list, repeat: int, parts: int) -> float:
    import sparkops

    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        df = spark.read.json(path).repartition(parts)
        sparkops.fused(df, process).write.format("noop").mode("overwrite").save()
        best = min(best, time.perf_counter() - started)
    return best


def _semantic_seconds(spark, path: str, n: int, repeat: int, parts: int) -> tuple[float, int]:
    from pyspark.sql import functions as F

    from sparkops.spark.fusion import stage_pass

    best, removed = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        df = spark.read.json(path).repartition(parts).withColumn("_line", F.monotonically_increasing_id())
        out = stage_pass(df, [{"semantic_deduplicator": {"n_clusters": max(2, n // 50)}}])
        removed = out.where(~F.col("_keep")).count()
        best = min(best, time.perf_counter() - started)
    return best, removed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="times the 300 C4 documents are repeated")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results_model_scoring.json")
    args = parser.parse_args(argv)
    base = [json.loads(line)["text"] for line in C4.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = base * args.copies
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import sparkops

    spark = sparkops.session(master="local[2]", conf={"spark.ui.enabled": "false", "spark.eventLog.enabled": "false"})
    parts = 2 * spark.sparkContext.defaultParallelism
    rows = []
    with tempfile.TemporaryDirectory(prefix="sparkops-model-scoring-") as tmp:
        path = str(Path(tmp) / "docs.jsonl")
        Path(path).write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        for name, params in OPS:
            kernel = _kernel_times(name, params, texts, args.repeat)
            fused = _fused_seconds(spark, path, [{name: params}], args.repeat, parts)
            rows.append({"op": name, "params": params, **kernel, "fused_docs_per_s": len(texts) / fused})
            print(f"{name}: {rows[-1]}", file=sys.stderr)
        seconds, removed = _semantic_seconds(spark, path, len(texts), args.repeat, parts)
    spark.stop()
    result = {"command": " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
              "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count()},
              "docs": len(texts), "source": f"web/c4_sample.jsonl x {args.copies}", "spark_master": "local[2]",
              "repeat": args.repeat, "ops": rows,
              "semantic_dedup": {"docs": len(texts), "n_clusters": max(2, len(texts) // 50), "seconds": seconds,
                                 "docs_per_s": len(texts) / seconds, "removed": removed}}
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("\n".join(section(result)))
    return 0


SECTION_TITLE = "Model ops: scoring throughput in the fused pass against a plain Python loop"


def section(record: dict) -> list[str]:
    """The RESULTS.md section of a recorded run (bench/results_model_scoring.json)."""
    m, sd = record["machine"], record["semantic_dedup"]
    L = [f"## {SECTION_TITLE}", "",
         f"{record['date']}, {m['cpus']} CPUs, Python {m['python']}; {record['docs']:,} documents "
         f"({record['source']}); best of {record['repeat']}. `{record['command']}`", "",
         "*loop*: the op's kernel on one document per call, one process (how a per-sample tool calls a model); "
         "*batched*: the kernel over the op's batch size, one process; *fused*: `sparkops.fused` on Spark "
         f"{record['spark_master']} over a JSON-lines file, forced by a `noop` write (planning, reading and the "
         "workers' model loading included).", "",
         "| op | loop docs/s | batched docs/s | fused docs/s | fused / loop |", "|---|---|---|---|---|"]
    for r in record["ops"]:
        L.append(f"| `{r['op']}` | {r['loop_docs_per_s']:,.0f} | {r['batched_docs_per_s']:,.0f} | "
                 f"{r['fused_docs_per_s']:,.0f} | {r['fused_docs_per_s'] / r['loop_docs_per_s']:.1f}x |")
    L += ["", f"`semantic_deduplicator` end to end (WordLlama embeddings, Spark ML k-means with k = "
          f"{sd['n_clusters']:,}, cosines inside each cluster): {sd['seconds']:.1f} s for {sd['docs']:,} documents "
          f"({sd['docs_per_s']:,.0f} docs/s), {sd['removed']:,} removed (the corpus repeats each document "
          f"{record['docs'] // 300} times: all but one copy of each should go).", ""]
    return L


if __name__ == "__main__":
    sys.exit(main())
