"""Regenerate tests/fixtures/dt_sentence_dedup.json with datatrove 0.10.1's sentence dedup itself.

    HF_HUB_OFFLINE=1 .peers/datatrove/bin/python tools/dt_parity/gen_sentence_dedup_fixture.py

For every case of ``tests/sentence_dedup_corpus.CASES`` (a SentDedupConfig), datatrove's three
steps (SentenceDedupSignature -> SentenceFindDedups -> SentenceDedupFilter, English) run with a
LocalPipelineExecutor of one task over ``tests/sentence_dedup_corpus.documents()`` in order.
Recorded per case and document: the windows stage 2 marked duplicate (their sentence indices),
whether stage 3 kept the document, and for a kept document whose text changed the sha256 and
length of its new text. Offline: spaCy's blank English pipeline needs no download.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_fixture import ROOT, _load, sha256_text  # noqa: E402  (the other datatrove fixture's helpers)

OUT_FILE = ROOT / "tests" / "fixtures" / "dt_sentence_dedup.json"


def run_case(docs: list[tuple[str, str]], params: dict, work: Path) -> dict:
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.sentence_dedup import (SentDedupConfig, SentenceDedupFilter,
                                                          SentenceDedupSignature, SentenceFindDedups)

    config = SentDedupConfig(**params)
    sigs, dups = work / "sigs", work / "dups"
    # the Signature step needs the config passed: with config=None its __init__ reads
    # config.hash_config before defaulting it (AttributeError)
    LocalPipelineExecutor(pipeline=[[Document(text=t, id=i) for i, t in docs],
                                    SentenceDedupSignature(output_folder=str(sigs), config=config)],
                          tasks=1, workers=1, logging_dir=str(work / "logs_sig")).run()
    LocalPipelineExecutor(pipeline=[SentenceFindDedups(data_folder=str(sigs), output_folder=str(dups),
                                                       config=config)],
                          tasks=1, workers=1, logging_dir=str(work / "logs_find")).run()
    out: dict[str, str] = {}

    def collect(data, rank=0, world_size=1):
        for doc in data:
            out[doc.id] = doc.text
            yield doc

    LocalPipelineExecutor(pipeline=[[Document(text=t, id=i) for i, t in docs],
                                    SentenceDedupFilter(data_folder=str(dups), config=config), collect],
                          tasks=1, workers=1, logging_dir=str(work / "logs_filter")).run()
    marked: dict[int, list[int]] = {}
    for f in sorted(dups.rglob("*.c4_dup")):
        pairs = np.fromfile(f, dtype=np.dtype([("doc", "<u4"), ("sent", "<u2")]))
        for d, s in pairs.tolist():
            marked.setdefault(int(d), []).append(int(s))
    results = {}
    for idx, (doc_id, text) in enumerate(docs):
        row = {"keep": doc_id in out, "dup_windows": sorted(marked.get(idx, []))}
        if doc_id in out and out[doc_id] != text:
            row["text_sha256"], row["text_len"] = sha256_text(out[doc_id]), len(out[doc_id])
        results[doc_id] = row
    return results


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    corpus = _load("sentence_dedup_corpus")
    docs = corpus.documents()
    t0 = time.time()
    cases = []
    for params in corpus.CASES:
        with tempfile.TemporaryDirectory(prefix="dt_sentdedup_") as tmp:
            results = run_case(docs, params, Path(tmp))
        kept = sum(r["keep"] for r in results.values())
        changed = sum("text_sha256" in r for r in results.values())
        print(f"{corpus.case_id(params)}: kept {kept}/{len(docs)}, rewritten {changed}", flush=True)
        cases.append({"id": corpus.case_id(params), "params": params, "results": results})
    fixture = {
        "datatrove": version("datatrove"), "spacy": version("spacy"),
        "generator": "tools/dt_parity/gen_sentence_dedup_fixture.py", "language": "en",
        "doc_ids": [d for d, _ in docs], "doc_sha256": [sha256_text(t) for _, t in docs],
        "cases": cases,
    }
    OUT_FILE.write_text(json.dumps(fixture, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
