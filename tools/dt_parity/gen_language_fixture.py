"""datatrove 0.10.1's LanguageFilter decisions over the parity corpus, for sparkops'
``language_filter``: ``tests/fixtures/datatrove_language.json.gz``.

Run in datatrove's venv (offline; the fastText model is sparkops' ``lid.176.ftz``, put where
datatrove's downloader looks, as the web benchmark does):

    .peers/datatrove/bin/python tools/dt_parity/gen_language_fixture.py

Recorded per case (parameters) and document: kept or not; per document datatrove's metadata
``language`` and ``language_score``. No texts: the documents' sha256 pins the corpus.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_FILE = ROOT / "tests" / "fixtures" / "datatrove_language.json.gz"
MODEL = ROOT / "sparkops" / "assets" / "lid.176.ftz"
CASES = [{}, {"languages": ["en"]}, {"languages": ["de", "fr"]}, {"languages": ["zh"], "language_threshold": 0.3},
         {"language_threshold": 0.9}, {"languages": ["en"], "label_only": True}]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    corpus = _load(ROOT / "tests" / "parity_corpus.py", "parity_corpus")
    runner = _load(ROOT / "bench" / "runners" / "datatrove_web_job.py", "datatrove_web_job")
    docs = corpus.documents()
    with tempfile.TemporaryDirectory() as assets:
        # before datatrove's import: huggingface_hub reads its cache location then
        os.environ.update(HF_HUB_OFFLINE="1", HF_ASSETS_CACHE=assets)
        runner.stage_lid(MODEL, Path(assets))
        from datatrove.data import Document
        from datatrove.pipeline.filters import LanguageFilter

        cases, meta = [], {}
        for params in CASES:
            flt = LanguageFilter(**params)
            kept = []
            for doc_id, text in docs:
                doc = Document(text=text, id=doc_id)
                kept.append(bool(flt.filter(doc)))
                meta[doc_id] = (doc.metadata["language"], doc.metadata["language_score"])
            cases.append({"params": params, "kept": kept})
    out = {"datatrove": version("datatrove"), "fasttext": version("fasttext-numpy2-wheel"), "model": MODEL.name,
           "doc_ids": [d for d, _ in docs],
           "doc_sha256": [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs],
           "language": [meta[d][0] for d, _ in docs], "language_score": [meta[d][1] for d, _ in docs],
           "cases": cases}
    OUT_FILE.write_bytes(gzip.compress(json.dumps(out, sort_keys=True).encode(), mtime=0))
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes): {len(docs)} docs x {len(cases)} cases",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
