"""One datatrove 0.10.1 run of FineWeb's WARC processing (the ``web`` scenario).

Run by bench/run.py with the datatrove venv (``.peers/datatrove``; never import this from sparkops):

    .peers/datatrove/bin/python bench/runners/datatrove_web_job.py --warc DIR --out OUT/data \
        --removed OUT/removed --work OUT/work --lid sparkops/assets/lid.176.ftz --result R.json \
        [--tasks 2] [--workers 2] [--limit N]

The pipeline is FineWeb's first stage as datatrove's ``examples/fineweb.py`` publishes it, with
its steps and settings: ``WarcReader`` -> ``URLFilter`` -> ``Trafilatura(favour_precision=True)``
-> ``LanguageFilter`` -> ``GopherRepetitionFilter`` -> ``GopherQualityFilter`` ->
``C4QualityFilter(filter_no_terminal_punct=False)`` -> ``FineWebQualityFilter`` -> ``JsonlWriter``,
every filter with its exclusion writer (a ``JsonlWriter`` of what it removed, as FineWeb keeps
them; datatrove's default gzip output, as FineWeb writes it). Two settings differ from the
example, both because of where this runs:

- ``LanguageFilter(languages=["en"])``: the example calls ``LanguageFilter()``, whose default in
  datatrove 0.10.1 is *any* language above 0.65 (FineWeb is English); the threshold stays
  datatrove's 0.65 (``score > 0.65``);
- its fastText model: datatrove downloads ``lid.176.bin`` on first use; offline, the model file
  is ``--lid`` (sparkops' ``lid.176.ftz``, the quantised lid.176 that sparkops and the other
  scenarios use), placed in a private HF assets cache (``HF_ASSETS_CACHE``) under the name and
  with the ``.completed`` marker datatrove's downloader looks for, so it never downloads.

datatrove parallelises over files: ``--tasks`` tasks share the WARC files (``LocalPipelineExecutor``,
at most ``--workers`` at once). Trafilatura runs in datatrove's extractor sandbox (a child
process per task, 1 s timeout per page: a page that times out is dropped, counted as
``timeout`` in the step statistics). Offline (HF offline variables). The output, removed and
work folders are deleted first, so no task is skipped as "completed". After the timing (not in
``process_s``), the result JSON gets the kept and removed counts and datatrove's merged
statistics per step (its ``stats.json``).
"""

from __future__ import annotations

import argparse
import gzip
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

from datatrove_rules_job import step_stats  # noqa: E402  (stdlib only at import time)

# the step names of the report and of --removed/<name>/, in pipeline order (after the reader)
STEPS = ["url_filter", "trafilatura", "language_filter", "gopher_repetition_filter", "gopher_quality_filter",
         "c4_quality_filter", "fineweb_quality_filter"]
FILTERS = [s for s in STEPS if s != "trafilatura"]  # the steps with an exclusion writer
# datatrove's downloader stores lid.176.bin as <HF_ASSETS_CACHE>/datatrove/lid/ft176/<the URL, / -> _>
# (its strip_protocol leaves an https URL whole)
FT176_URL = "https://dl.fbaipublicfiles.com/fasttext/supervised-models/lid.176.bin"
# the extractor's counters beyond a filter's (datatrove's BaseExtractor.run)
EXTRACTOR_COUNTERS = ("extracted", "timeout", "clean_error", "broken_process")


def stage_lid(model: Path, assets: Path) -> Path:
    """Put the local fastText model where datatrove's cached_asset_path_or_download finds it."""
    folder = assets / "datatrove" / "lid" / "ft176"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FT176_URL.replace("/", "_")
    if target.exists() or target.is_symlink():
        target.unlink()
    target.symlink_to(model.resolve())
    Path(f"{target}.completed").touch()
    return target


def count_docs(folder: Path) -> int:
    n = 0
    for f in sorted(folder.rglob("*.jsonl*")):
        opener = gzip.open if f.name.endswith(".gz") else open
        with opener(f, "rb") as fh:
            n += sum(1 for _ in fh)
    return n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warc", required=True, type=Path, help="folder of *.warc.gz files")
    ap.add_argument("--out", required=True, type=Path, help="folder of the kept documents")
    ap.add_argument("--removed", required=True, type=Path, help="one sub-folder per filter: what it removed")
    ap.add_argument("--work", required=True, type=Path, help="scratch: datatrove's logs, the model cache")
    ap.add_argument("--lid", required=True, type=Path, help="fastText lid.176 model file (.bin or .ftz)")
    ap.add_argument("--result", required=True, type=Path)
    ap.add_argument("--tasks", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=-1, help="WarcReader's limit per task (a smoke test)")
    args = ap.parse_args()

    for p in (args.work, args.out, args.removed):
        shutil.rmtree(p, ignore_errors=True)
    args.work.mkdir(parents=True)
    # before importing datatrove: huggingface_hub reads its cache location at import
    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                      HF_ASSETS_CACHE=str(args.work / "hf_assets"))
    stage_lid(args.lid, args.work / "hf_assets")

    t0 = time.time()
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter, LanguageFilter, URLFilter)
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    t_import = time.time()

    def removed(name: str):
        return JsonlWriter(str(args.removed / name))

    pipeline = [
        WarcReader(str(args.warc), glob_pattern="*.warc.gz", limit=args.limit),
        URLFilter(exclusion_writer=removed("url_filter")),
        Trafilatura(favour_precision=True),
        LanguageFilter(languages=["en"], exclusion_writer=removed("language_filter")),
        GopherRepetitionFilter(exclusion_writer=removed("gopher_repetition_filter")),
        GopherQualityFilter(exclusion_writer=removed("gopher_quality_filter")),
        C4QualityFilter(filter_no_terminal_punct=False, exclusion_writer=removed("c4_quality_filter")),
        FineWebQualityFilter(exclusion_writer=removed("fineweb_quality_filter")),
        JsonlWriter(str(args.out)),
    ]
    LocalPipelineExecutor(pipeline=pipeline, tasks=args.tasks, workers=min(args.workers, args.tasks),
                          logging_dir=str(args.work / "logs")).run()
    t_done = time.time()

    steps = step_stats(args.work / "logs" / "stats.json", EXTRACTOR_COUNTERS)
    reader = steps[0] if steps else {}
    extractor = steps[2] if len(steps) > 2 else {}
    result = {
        "tool": "datatrove",
        "datatrove": version("datatrove"), "trafilatura": version("trafilatura"), "warcio": version("warcio"),
        "tasks": args.tasks, "workers": args.workers,
        "warc_files": len(list(args.warc.glob("*.warc.gz"))),
        "import_s": t_import - t0,
        "process_s": t_done - t_import,  # read, the 7 steps, write kept and removed documents
        "html_read": reader.get("documents"),
        "extract_failed": {k: extractor.get(k, 0) for k in ("dropped", "timeout", "clean_error", "broken_process")},
        "kept": count_docs(args.out),
        "removed_by_filter": {name: count_docs(args.removed / name) for name in FILTERS},
        "step_stats": steps,
        "in_process_wall_s": time.time() - T_START,
    }
    args.result.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
