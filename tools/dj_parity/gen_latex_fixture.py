"""Regenerate tests/fixtures/dj_latex.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_latex_fixture.py

Runs every case of ``tests/latex_corpus.CASES`` (remove_comments_mapper, remove_header_mapper,
remove_bibliography_mapper, expand_macro_mapper) over ``latex_corpus.documents()`` (real LaTeX
sources, hand-written LaTeX edge cases, the whole parity corpus), calling the operator classes
directly, one document per ``process_batched`` call. Kept per document: ``null`` when the text is
unchanged, the output when at most 300 characters, else ``[sha256[:16], length]``; or the
exception (``"Type: message"``) in ``errors``. The offline guards are ``gen_fixture.py``'s;
documents are pinned by sha256.
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

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_latex.json.gz"
GENERATOR = "tools/dj_parity/gen_latex_fixture.py"
SHORT = 300


def digest(text: str, out: str):
    if out == text:
        return None
    if len(out) <= SHORT:
        return out
    return [hashlib.sha256(out.encode("utf-8", "surrogatepass")).hexdigest()[:16], len(out)]


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    docs = corpus.documents()
    data_juicer, operators = base.import_data_juicer()
    base.log(f"{len(docs)} documents; data_juicer {data_juicer.__version__}")
    cases_out = []
    for case in corpus.CASES:
        op = operators.modules[case["op"]](**case["params"])
        outputs, errors = [], {}
        for doc_id, text in docs:
            try:
                out = op.process_batched({op.text_key: [text]})[op.text_key][0]
                outputs.append(digest(text, out))
            except Exception as e:  # noqa: BLE001 - recorded in the fixture
                errors[doc_id] = f"{type(e).__name__}: {str(e)[:200]}"
                outputs.append(None)
        cases_out.append(dict(case, outputs=outputs, errors=errors))
        base.log(f"{case['id']:<34s} changed {sum(o is not None for o in outputs):4d}/{len(docs)}"
                 f"{', %d errors' % len(errors) if errors else ''}")
    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "regex": base.pkg_version("regex"),
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs],
        "cases": cases_out,
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE} ({size} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
