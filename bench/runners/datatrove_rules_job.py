"""One datatrove 0.10.1 run of FineWeb's heuristic rule sets (the ``rulesets`` scenario).

Run by bench/run.py with the datatrove venv (``.peers/datatrove``; never import this from sparkops):

    .peers/datatrove/bin/python bench/runners/datatrove_rules_job.py --corpus C.jsonl --out DIR/data \
        --removed DIR/removed --work DIR/work --result R.json [--tasks 2] [--workers 2]

The filters are ``recipe.RULESETS`` (bench/runners/recipe.py, the list sparkops runs too), each built
as its datatrove class (``recipe.RULESETS_DATATROVE``) with the same keyword arguments:
``GopherRepetitionFilter()``, ``GopherQualityFilter()``,
``C4QualityFilter(filter_no_terminal_punct=False)``, ``FineWebQualityFilter()``, in that order
(FineWeb's). The English word and sentence tokenizer is spaCy's blank ``en`` (with its
rule-based sentencizer; no model download).

0. *split*: datatrove parallelises over input **files**, so the corpus is cut into ``--tasks``
   contiguous pieces at line boundaries (``datatrove_job.split_corpus``, timed: ``split_s``);
1. one ``LocalPipelineExecutor`` (``--tasks`` tasks, at most ``--workers`` at once):
   ``JsonlReader`` -> the four filters, each with an ``exclusion_writer`` (a ``JsonlWriter``
   to ``--removed/<op>/part-<rank>.jsonl``: the documents it removed, with datatrove's
   ``metadata.filter_reason``) -> ``JsonlWriter`` of the kept documents to
   ``--out/part-<rank>.jsonl`` (uncompressed; ``{"text", "id", "media", "metadata": {the
   other input fields, file_path}}``; C4's filter has rewritten their text to its kept lines).

The output and work folders are deleted first, so no task is skipped as "completed".
Offline: HF offline variables; nothing here downloads. After the timing (not in
``process_s``), the result JSON gets the kept and removed counts and datatrove's own merged
statistics per step (``logs/stats.json``: documents dropped per reason, time per step).
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
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import recipe  # noqa: E402  (stdlib only)
from datatrove_job import split_corpus  # noqa: E402  (stdlib only at import time)


def count_lines(folder: Path) -> int:
    return sum(1 for f in sorted(folder.glob("*.jsonl")) for _ in open(f, "rb"))


def step_stats(stats_json: Path, extra: tuple[str, ...] = ()) -> list[dict]:
    """datatrove's merged statistics (one entry per pipeline step): its name, its total time, the
    reader's ``documents`` (read, with text) and a filter's total, forwarded, dropped and
    dropped_<reason> counters, and the counters named in `extra`."""
    if not stats_json.is_file():
        return []
    out = []
    for step in json.loads(stats_json.read_text()):
        counters = {}
        for k, v in (step.get("stats") or {}).items():
            # a counter is {"total": n} (a plain count) or a metric dict with mean/total
            n = v.get("total") if isinstance(v, dict) else v
            if isinstance(n, (int, float)) and (k in ("total", "forwarded", "dropped", "documents", *extra)
                                                or k.startswith("dropped_")):
                counters[k] = n
        out.append({"name": step.get("name"), "time_s": (step.get("time_stats") or {}).get("total"),
                    **counters})
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path, help="folder of the kept documents (part-<rank>.jsonl)")
    ap.add_argument("--removed", required=True, type=Path,
                    help="folder of the removed documents, one sub-folder per filter (its exclusion_writer)")
    ap.add_argument("--work", required=True, type=Path, help="scratch folder: input pieces, datatrove's logs")
    ap.add_argument("--result", required=True, type=Path)
    ap.add_argument("--tasks", type=int, default=2, help="input pieces = tasks")
    ap.add_argument("--workers", type=int, default=2, help="tasks running at once")
    args = ap.parse_args()

    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    for p in (args.work, args.out, args.removed):
        shutil.rmtree(p, ignore_errors=True)
    args.work.mkdir(parents=True)

    t0 = time.time()
    import datatrove.pipeline.filters as filters
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    t_import = time.time()

    def jsonl_writer(folder: Path):
        return JsonlWriter(str(folder), output_filename="part-${rank}.jsonl", compression=None)

    s = time.time()
    shards = split_corpus(args.corpus, args.work / "input", args.tasks)
    split_s = time.time() - s

    steps = []
    for entry in recipe.RULESETS:
        (name, params), = entry.items()
        cls = getattr(filters, recipe.RULESETS_DATATROVE[name])
        steps.append(cls(**params, exclusion_writer=jsonl_writer(args.removed / name)))
    pipeline = [JsonlReader(str(args.work / "input")), *steps, jsonl_writer(args.out)]
    s = time.time()
    LocalPipelineExecutor(pipeline=pipeline, tasks=args.tasks, workers=min(args.workers, args.tasks),
                          logging_dir=str(args.work / "logs")).run()
    pipeline_s = time.time() - s
    t_done = time.time()

    result = {
        "tool": "datatrove",
        "datatrove": version("datatrove"),
        "spacy": version("spacy"),
        "filters": [{"op": next(iter(e)), "class": recipe.RULESETS_DATATROVE[next(iter(e))],
                     "params": next(iter(e.values()))} for e in recipe.RULESETS],
        "tasks": args.tasks, "workers": args.workers, "input_shards": shards,
        "import_s": t_import - t0,
        "process_s": t_done - t_import,  # split + read, 4 filters, write kept and removed documents
        "split_s": split_s,
        "pipeline_s": pipeline_s,
        "kept": count_lines(args.out),
        "removed_by_filter": {name: count_lines(args.removed / name) for name in recipe.rulesets_names()},
        "step_stats": step_stats(args.work / "logs" / "stats.json"),
        "in_process_wall_s": time.time() - T_START,
    }
    args.result.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
