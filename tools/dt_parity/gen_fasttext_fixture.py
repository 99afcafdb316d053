"""datatrove 0.10.1's FastTextClassifierFilter over the parity corpus with sparkops' fastText
quality model, for ``fasttext_quality_filter``: ``tests/fixtures/datatrove_fasttext_quality.json.gz``.

Run in a venv with datatrove 0.10.1 and fasttext-numpy2-wheel 0.9.2 (bench/constraints/datatrove.txt; offline: the model is a local path):

    <venv>/bin/python tools/dt_parity/gen_fasttext_fixture.py

Recorded per case (datatrove's parameters) and document: kept or not, and datatrove's metadata
(every label's score under its ``__label__`` name). No texts: the documents' sha256 pins the corpus.
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
OUT_FILE = ROOT / "tests" / "fixtures" / "datatrove_fasttext_quality.json.gz"
MODEL = ROOT / "sparkops" / "assets" / "quality_fasttext_en.ftz"
CASES = [{"keep_labels": ["hq", 0.5]}, {"keep_labels": [["hq", 0.9], ["lq", 0.99]]},
         {"remove_labels": ["lq", 0.3]}, {"keep_labels": ["hq", 0.5], "newline_replacement": " "}]
# Not a case: neither keep_labels nor remove_labels. datatrove 0.10.1 raises TypeError at its first
# document (``self.keep_labels or [] + self.remove_labels or []`` evaluates ``[] + None``), although
# its docstring says it then only annotates; sparkops keeps every non-empty row there.


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tuples(value):
    if not value:
        return value
    return tuple(value) if isinstance(value[0], str) else [tuple(v) for v in value]


def main() -> int:
    corpus = _load(ROOT / "tests" / "parity_corpus.py", "parity_corpus")
    docs = corpus.documents() + [("blank", "  \n "), ("empty", "")]
    # datatrove copies a model into its asset cache keyed by the path and never looks at the
    # file again: a fresh cache, or a retrained model would be scored by its stale copy
    os.environ["HF_ASSETS_CACHE"] = tempfile.mkdtemp(prefix="dt-assets-")
    from datatrove.data import Document
    from datatrove.pipeline.filters import FastTextClassifierFilter

    cases = []
    for params in CASES:
        args = {k: _tuples(v) if k.endswith("labels") else v for k, v in params.items()}
        flt = FastTextClassifierFilter(str(MODEL), **args)
        kept, meta = [], []
        for doc_id, text in docs:
            doc = Document(text=text, id=doc_id)
            kept.append(bool(flt.filter(doc)))
            meta.append({k: v for k, v in doc.metadata.items() if k.startswith("__label__")})
        cases.append({"params": params, "kept": kept, "scores": meta})
    out = {"datatrove": version("datatrove"), "fasttext": version("fasttext-numpy2-wheel"), "model": MODEL.name,
           "model_sha256": hashlib.sha256(MODEL.read_bytes()).hexdigest(),
           "doc_ids": [d for d, _ in docs],
           "doc_sha256": [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs],
           "cases": cases}
    OUT_FILE.write_bytes(gzip.compress(json.dumps(out, sort_keys=True).encode(), mtime=0))
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes): {len(docs)} docs x {len(cases)} cases",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
