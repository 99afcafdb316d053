"""One datatrove 0.10.1 MinHash dedup run (its 4-stage pipeline) on the benchmark corpus.

Run by bench/run.py with the datatrove venv (``.peers/datatrove``; never import this from sparkops):

    .peers/datatrove/bin/python bench/runners/datatrove_job.py --corpus C.jsonl --out DIR/data \
        --work DIR/work --result R.json [--tasks 2] [--workers 2]

What runs is datatrove's own MinHash recipe on ``LocalPipelineExecutor``s, with
``MinhashConfig()``'s defaults (5-word n-grams of the normalised text: ``simplify_text``
with the default ``TextNormConfig``, words from the English word tokenizer (spaCy's blank
``en``, no model download), 14 buckets x 8 hashes, 64-bit xxhash):

0. *split*: datatrove parallelises a step over its input **files** (one task reads whole
   files), so the corpus is cut into ``--tasks`` contiguous pieces at line boundaries (a
   byte copy, timed, reported as ``split_s``); with one file, one task would do all the work;
1. ``JsonlReader`` -> ``MinhashDedupSignature`` (``--tasks`` tasks);
2. ``MinhashDedupBuckets`` (one task per bucket: 14);
3. ``MinhashDedupCluster`` (one task: union-find over the duplicate pairs);
4. ``JsonlReader`` -> ``MinhashDedupFilter`` -> ``JsonlWriter`` (``--tasks`` tasks), the kept
   documents as uncompressed JSONL, ``part-<rank>.jsonl`` under ``--out``
   (``{"text", "id", "media", "metadata": {the other input fields}}``).

Every step runs at most ``--workers`` tasks at once (datatrove's ``multiprocess`` pool, its
default ``forkserver`` start method). The work folders (signatures, buckets, removal
lists, datatrove's logs) are deleted first, so no task is skipped as "completed".
Offline: HF offline variables; nothing here downloads.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from importlib.metadata import version
from pathlib import Path

T_START = time.time()


def split_corpus(corpus: Path, folder: Path, parts: int) -> list[dict]:
    """`parts` contiguous pieces of the JSONL file, cut at line boundaries near equal byte sizes."""
    folder.mkdir(parents=True, exist_ok=True)
    size = corpus.stat().st_size
    out = []
    with open(corpus, "rb") as src:
        start = 0
        for p in range(parts):
            if p == parts - 1:
                end = size
            else:
                src.seek(max(start, size * (p + 1) // parts))
                src.readline()  # to the end of the line the cut falls into
                end = src.tell()
            src.seek(start)
            path = folder / f"{p:05d}.jsonl"
            with open(path, "wb") as dst:
                remaining = end - start
                while remaining > 0:
                    buf = src.read(min(remaining, 16 << 20))
                    if not buf:
                        break
                    dst.write(buf)
                    remaining -= len(buf)
            out.append({"file": path.name, "bytes": end - start})
            start = end
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path, help="folder of the kept rows (part-<rank>.jsonl)")
    ap.add_argument("--work", required=True, type=Path, help="scratch folder (deleted first)")
    ap.add_argument("--result", required=True, type=Path)
    ap.add_argument("--tasks", type=int, default=2, help="tasks of the signature and filter steps")
    ap.add_argument("--workers", type=int, default=2, help="tasks running at once in every step")
    args = ap.parse_args()

    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    for p in (args.work, args.out):
        shutil.rmtree(p, ignore_errors=True)
    args.work.mkdir(parents=True)

    t0 = time.time()
    import datatrove
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.typeshelper import Languages

    t_import = time.time()
    w = args.work
    config = MinhashConfig()  # 5-grams, 14 buckets x 8 hashes, default text normalisation and hashing
    t = {}

    s = time.time()
    shards = split_corpus(args.corpus, w / "input", args.tasks)
    t["split_s"] = time.time() - s

    stages = [
        ("signatures_s", [JsonlReader(str(w / "input")),
                          MinhashDedupSignature(output_folder=str(w / "signatures"), config=config,
                                                language=Languages.english)], args.tasks),
        ("buckets_s", [MinhashDedupBuckets(input_folder=str(w / "signatures"), output_folder=str(w / "buckets"),
                                           config=config)], config.num_buckets),
        ("cluster_s", [MinhashDedupCluster(input_folder=str(w / "buckets"), output_folder=str(w / "remove_ids"),
                                           config=config)], 1),
        ("filter_s", [JsonlReader(str(w / "input")),
                      MinhashDedupFilter(input_folder=str(w / "remove_ids")),
                      JsonlWriter(str(args.out), output_filename="part-${rank}.jsonl", compression=None)],
         args.tasks),
    ]
    for key, pipeline, tasks in stages:
        s = time.time()
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=min(args.workers, tasks),
                              logging_dir=str(w / "logs" / key.removesuffix("_s"))).run()
        t[key] = time.time() - s
    t_done = time.time()

    kept = sum(1 for f in sorted(args.out.glob("part-*.jsonl")) for _ in open(f, "rb"))
    removed = sum(f.stat().st_size // 4 for f in (w / "remove_ids").glob("*.remove"))  # uint32 per doc
    result = {
        "tool": "datatrove",
        "datatrove": version("datatrove"),
        "config": str(config),
        "n_grams": config.n_grams, "num_buckets": config.num_buckets,
        "hashes_per_bucket": config.hashes_per_bucket,
        "tasks": args.tasks, "workers": args.workers, "input_shards": shards,
        "import_s": t_import - t0,
        "process_s": t_done - t_import,  # split + the 4 steps (read, hash, sort, pairs, clusters, filter, write)
        **t,
        "kept": kept,
        "removed_by_cluster_step": removed,
        "in_process_wall_s": time.time() - T_START,
    }
    args.result.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
