"""Regenerate tests/fixtures/datatrove_parity.json.gz with datatrove 0.10.1 itself.

Run with the datatrove venv the benchmark builds (``bench/runners/dedup_peers.py``; constraints in
``bench/constraints/datatrove.txt``):

    .peers/datatrove/bin/python tools/dt_parity/gen_fixture.py

Every case of ``tests/datatrove_cases.CASES`` is run over every document of
``tests/parity_corpus.documents()`` by calling the datatrove filter's ``filter(doc)``
directly, one document at a time. Recorded per case and document: kept or not, datatrove's
reason, and for C4 (which rewrites the text of a kept document) the sha256 of the new text.
Also per document: the sha256 of datatrove's English word list (``split_into_words``, joined
by U+0000) and its length; and datatrove's two punctuation sets. No texts are stored.
Offline: nothing here downloads (spaCy's blank English needs no model).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_FILE = ROOT / "tests" / "fixtures" / "datatrove_parity.json.gz"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def main() -> int:
    from datatrove.data import Document
    from datatrove.pipeline import filters
    from datatrove.utils.text import PUNCTUATION, TERMINAL_PUNCTUATION, split_into_words

    corpus, cases = _load("parity_corpus"), _load("datatrove_cases")
    docs = corpus.documents()
    t0 = time.time()
    words = {}
    for doc_id, text in docs:
        try:
            w = split_into_words(text, "eng")
            words[doc_id] = {"n": len(w), "sha256": sha256_text("\x00".join(w))}
        except Exception as err:  # recorded, the fixture says which document datatrove fails on
            words[doc_id] = {"error": f"{type(err).__name__}: {err}"[:300]}
    out_cases = []
    for op, params in cases.CASES:
        cls = getattr(filters, cases.DATATROVE_CLASS[op])
        flt = cls(**cases.datatrove_kwargs(params))
        results = {}
        for doc_id, text in docs:
            doc = Document(text=text, id=doc_id)
            try:
                verdict = flt.filter(doc)
            except Exception as err:
                results[doc_id] = {"error": f"{type(err).__name__}: {err}"[:300]}
                continue
            keep, reason = (verdict, None) if isinstance(verdict, bool) else (verdict[0], verdict[1])
            row = {"keep": bool(keep), "reason": reason}
            if keep and op == "c4_quality_filter":
                row["text_sha256"] = sha256_text(doc.text)
            results[doc_id] = row
        out_cases.append({"id": cases.case_id(op, params), "op": op, "params": params, "results": results})
        kept = sum(1 for r in results.values() if r.get("keep"))
        errors = sum(1 for r in results.values() if "error" in r)
        print(f"{cases.case_id(op, params)}: kept {kept}/{len(docs)}, errors {errors}", flush=True)
    fixture = {
        "datatrove": version("datatrove"), "spacy": version("spacy"),
        "generator": "tools/dt_parity/gen_fixture.py",
        "doc_ids": [d for d, _ in docs], "doc_sha256": [sha256_text(t) for _, t in docs],
        "punctuation": sorted(map(ord, PUNCTUATION)),
        "terminal_punctuation": sorted(map(ord, TERMINAL_PUNCTUATION)),
        "words": words, "cases": out_cases,
    }
    OUT_FILE.write_bytes(gzip.compress(json.dumps(fixture, sort_keys=True).encode(), mtime=0))
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
