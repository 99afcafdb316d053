"""Regenerate tests/fixtures/dj_latex_figures.json.gz with Data-Juicer 1.6.1 itself.

    .peers/dj/bin/python tools/dj_parity/gen_latex_figures_fixture.py

Runs ``latex_figure_context_extractor_mapper`` under each of ``latex_corpus.FIGURE_PARAMS`` over
``latex_corpus.figure_documents()`` (real LaTeX sources with figures, LaTeX edge cases, hand-written
figure layouts), one document per ``process_batched`` call on ``{"text": [doc], "id": [doc_id]}``.
Kept per document: the output rows without their copied ``text``/``id`` (a citing paragraph
longer than 200 characters as ``[sha256[:16], length]``), or the exception.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import latex_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_latex_figures.json.gz"
GENERATOR = "tools/dj_parity/gen_latex_figures_fixture.py"


def short(paragraph: str):
    if len(paragraph) <= 200:
        return paragraph
    return [hashlib.sha256(paragraph.encode("utf-8", "surrogatepass")).hexdigest()[:16], len(paragraph)]


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    docs = corpus.figure_documents()
    data_juicer, operators = base.import_data_juicer()
    import importlib

    importlib.import_module("data_juicer.ops.mapper.latex_figure_context_extractor_mapper")
    cases_out = []
    for case in corpus.FIGURE_PARAMS:
        op = operators.modules["latex_figure_context_extractor_mapper"](**case["params"])
        outputs = {}
        for doc_id, text in docs:
            try:
                out = op.process_batched({"text": [text], "id": [doc_id]})
            except Exception as e:  # noqa: BLE001 - recorded in the fixture
                outputs[doc_id] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
                continue
            n = len(out["id"])
            assert out["text"] == [text] * n and out["id"] == [doc_id] * n
            rows = []
            for i in range(n):
                row = {k: out[k][i] for k in sorted(out) if k not in ("text", "id")}
                row["citing_paragraphs"] = [short(p) for p in row["citing_paragraphs"]]
                rows.append(row)
            outputs[doc_id] = rows
        cases_out.append(dict(case, outputs=outputs))
        base.log(f"{case['id']:<20s} rows {sum(len(r) for r in outputs.values() if isinstance(r, list))}, "
                 f"docs with rows {sum(bool(r) for r in outputs.values() if isinstance(r, list))}/{len(docs)}")
    fixture = {
        "generator": GENERATOR, "data_juicer": data_juicer.__version__, "regex": base.pkg_version("regex"),
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs],
        "cases": cases_out,
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE} ({size} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
