"""One text-dedup 0.4.0 ``text_dedup.minhash`` run (its HF datasets path) on the benchmark corpus.

Run by bench/run.py with the text-dedup venv (``.peers/textdedup``; never import this from sparkops):

    .peers/textdedup/bin/python bench/runners/textdedup_job.py --corpus C.jsonl --out DIR/data \
        --work DIR/work --result R.json [--num-proc 2]

What runs is the command ``python -m text_dedup.minhash --path json --data_files C.jsonl
--split train --column text --num_perm 256 --threshold 0.7 --num_proc 2 --output ...``
(its click ``main``, called in this process), every other option at its default: 5-word
n-grams (``--ngram 5``) of the lower-cased text split on ``\\W``, ``--min_length 5`` (documents
with fewer tokens are **dropped** from the output by its first filter), sha1 hashes,
64-bit mode, bands/rows from its ``optimal_param`` (false positives and negatives weighted
0.5 each), a private ``--cache_dir`` (fresh each run), ``--clean_cache`` on. It loads the
JSONL with ``datasets.load_dataset("json")``, fingerprints with ``num_proc`` processes
(``fork``), clusters with a union-find in the main process, filters and saves the kept
rows with ``save_to_disk`` (Arrow). The Arrow output is then exported as JSONL
(``part-00000.jsonl`` under ``--out``, all input fields: what the other tools write; timed,
reported as ``export_s``).

Offline: ``HF_HUB_OFFLINE``/``HF_DATASETS_OFFLINE`` (the ``json`` builder is part of
``datasets``), a private datasets cache under ``--work``, deleted first.
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
NUM_PERM, THRESHOLD = 256, 0.7


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path, help="folder of the kept rows (part-00000.jsonl)")
    ap.add_argument("--work", required=True, type=Path, help="scratch folder: HF cache, Arrow output (deleted first)")
    ap.add_argument("--result", required=True, type=Path)
    ap.add_argument("--num-proc", type=int, default=2)
    args = ap.parse_args()

    for p in (args.work, args.out):
        shutil.rmtree(p, ignore_errors=True)
    args.work.mkdir(parents=True)
    args.out.mkdir(parents=True)
    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                      HF_DATASETS_CACHE=str(args.work / "hf_datasets"), HF_HOME=str(args.work / "hf_home"))

    t0 = time.time()
    import datasets
    import text_dedup
    import text_dedup.minhash as td

    # keep text-dedup's own phase timings (its Timer lives inside main()): record every instance
    timers = []

    class RecordingTimer(td.Timer):
        def __init__(self):
            super().__init__()
            timers.append(self)

    td.Timer = RecordingTimer
    t_import = time.time()

    hf_out = args.work / "dedup_arrow"
    cli = ["--path", "json", "--data_files", str(args.corpus), "--split", "train",
           "--cache_dir", str(args.work / "cache"), "--output", str(hf_out), "--column", "text",
           "--num_proc", str(args.num_proc), "--num_perm", str(NUM_PERM), "--threshold", str(THRESHOLD)]
    td.main.main(args=cli, standalone_mode=False)
    t_dedup = time.time()

    kept_ds = datasets.load_from_disk(str(hf_out))
    kept_ds.to_json(str(args.out / "part-00000.jsonl"), lines=True, force_ascii=False)
    t_done = time.time()

    inner = timers[-1].elapsed_times if timers else {}
    result = {
        "tool": "text-dedup",
        "text_dedup": version("text-dedup"),
        "datasets": datasets.__version__,
        "command": "python -m text_dedup.minhash " + " ".join(cli),
        "num_perm": NUM_PERM, "threshold": THRESHOLD, "ngram": 5, "min_length": 5,
        "num_proc": args.num_proc,
        "import_s": t_import - t0,
        "process_s": t_done - t_import,  # its main() (load .. save_to_disk) + the JSONL export
        "dedup_s": t_dedup - t_import,
        "export_s": t_done - t_dedup,
        "text_dedup_timer_s": inner,  # its own phases: Loading, MinHashing, Clustering, Filtering, Saving, ...
        "kept": len(kept_ds),
        "in_process_wall_s": time.time() - T_START,
        "text_dedup_path": os.path.dirname(text_dedup.__file__),
    }
    args.result.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
