"""One datatrove 0.10.1 sentence dedup run (the ``dedup_levels`` scenario's peer).

Run by bench/run.py with the datatrove venv (``.peers/datatrove``; never import this from sparkops):

    .peers/datatrove/bin/python bench/runners/datatrove_sentence_job.py --corpus C.jsonl --out DIR/data \\
        --work DIR/work --result R.json [--tasks 2] [--workers 2]

datatrove's three steps, as its examples run them, with ``SentDedupConfig()``'s defaults (3-sentence
spans, English; the config passed explicitly: with ``config=None`` the signature step fails):

0. *split*: datatrove parallelises over input files, so the corpus is cut into ``--tasks``
   contiguous pieces (``datatrove_job.split_corpus``; timed);
1. ``JsonlReader`` -> ``SentenceDedupSignature`` (``--tasks`` tasks, ``--workers`` at once);
2. ``SentenceFindDedups`` (one task: the signature step writes for one finder);
3. ``JsonlReader`` -> ``SentenceDedupFilter`` -> ``JsonlWriter`` of the kept documents (their text
   with the duplicate spans cut) to ``--out/part-<rank>.jsonl``.

Pieces in corpus order and ranks in piece order make datatrove's first copy the one earliest in the
corpus, as sparkops' is. Offline: HF offline variables; nothing here downloads.
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

from datatrove_job import split_corpus  # noqa: E402  (stdlib only at import time)
from datatrove_rules_job import count_lines, step_stats  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path, help="folder of the kept documents (part-<rank>.jsonl)")
    ap.add_argument("--work", required=True, type=Path, help="scratch: input pieces, signatures, logs")
    ap.add_argument("--result", required=True, type=Path)
    ap.add_argument("--tasks", type=int, default=2, help="input pieces = tasks of steps 1 and 3")
    ap.add_argument("--workers", type=int, default=2, help="tasks running at once")
    args = ap.parse_args()

    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    for p in (args.work, args.out):
        shutil.rmtree(p, ignore_errors=True)
    args.work.mkdir(parents=True)

    t0 = time.time()
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.sentence_dedup import (SentDedupConfig, SentenceDedupFilter,
                                                          SentenceDedupSignature, SentenceFindDedups)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    t_import = time.time()
    config = SentDedupConfig()
    sigs, dups, logs = args.work / "sigs", args.work / "dups", args.work / "logs"
    workers = min(args.workers, args.tasks)

    s = time.time()
    shards = split_corpus(args.corpus, args.work / "input", args.tasks)
    split_s = time.time() - s
    times = {}
    s = time.time()
    LocalPipelineExecutor(pipeline=[JsonlReader(str(args.work / "input")),
                                    SentenceDedupSignature(output_folder=str(sigs), config=config)],
                          tasks=args.tasks, workers=workers, logging_dir=str(logs / "1_signature")).run()
    times["signature_s"] = time.time() - s
    s = time.time()
    LocalPipelineExecutor(pipeline=[SentenceFindDedups(data_folder=str(sigs), output_folder=str(dups), config=config)],
                          tasks=1, workers=1, logging_dir=str(logs / "2_find")).run()
    times["find_s"] = time.time() - s
    s = time.time()
    LocalPipelineExecutor(pipeline=[JsonlReader(str(args.work / "input")),
                                    SentenceDedupFilter(data_folder=str(dups), config=config),
                                    JsonlWriter(str(args.out), output_filename="part-${rank}.jsonl", compression=None)],
                          tasks=args.tasks, workers=workers, logging_dir=str(logs / "3_filter")).run()
    times["filter_s"] = time.time() - s
    t_done = time.time()

    result = {
        "tool": "datatrove_sentence",
        "datatrove": version("datatrove"),
        "config": {k: getattr(config, k) for k in ("n_sentences", "split_sentences", "min_doc_words",
                                                   "min_num_sentences", "min_words_to_remove_span")},
        "tasks": args.tasks, "workers": args.workers, "input_shards": shards,
        "import_s": t_import - t0,
        "process_s": t_done - t_import,  # split, the three steps, the kept documents written
        "split_s": split_s, **times,
        "kept": count_lines(args.out),
        "step_stats": step_stats(logs / "3_filter" / "stats.json"),
        "in_process_wall_s": time.time() - T_START,
    }
    args.result.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
