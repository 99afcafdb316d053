"""Regenerate tests/fixtures/dj_catalogue_text.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/pip install opencc==1.1.9     # chinese_convert_mapper's library
    /work/main/.peers/dj/bin/python tools/dj_parity/gen_catalogue_text_fixture.py

Calls Data-Juicer's operator classes directly, one document per ``process_batched`` call, for
every case of ``tests/catalogue_text_corpus.MAPPER_CASES`` over the parity corpus plus
``EXTRA_DOCS`` (Traditional-input cases over Data-Juicer's own ``s2t`` of the Chinese
documents), and ``SuffixFilter.process_single`` over ``suffix_records()``. Kept per document:
``catalogue_text_corpus.encode_output`` (None when unchanged, short outputs verbatim, else a
digest and the length) or the exception. The offline guards are those of ``gen_fixture.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import catalogue_text_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_catalogue_text.json.gz"
GENERATOR = "tools/dj_parity/gen_catalogue_text_fixture.py"


def _error(e: Exception) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"


def run_mapper_case(operators, case, docs):
    op = operators.modules[case["op"]](**case["params"])
    out, errors = [], {}
    for doc_id, text in docs:
        try:
            got = op.process_batched({op.text_key: [text]})[op.text_key][0]
        except Exception as e:  # noqa: BLE001 - recorded in the fixture
            errors[doc_id] = _error(e)
            out.append(None)
            continue
        out.append(corpus.encode_output(text, got))
    return out, errors


def run_suffix_case(operators, case, records):
    from data_juicer.utils.constant import Fields

    assert Fields.suffix == corpus.SUFFIX_KEY
    op = operators.modules["suffix_filter"](**case["params"])
    keep = []
    for rec in records:
        sample = dict(rec, **{Fields.stats: {}})
        try:
            sample = op.compute_stats_single(sample)
            keep.append(bool(op.process_single(sample)))
        except Exception as e:  # noqa: BLE001 - recorded in the fixture
            keep.append(_error(e))
    return keep


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    parity = base.load_corpus()
    data_juicer, operators = base.import_data_juicer()
    import importlib

    for name in {c["op"] for c in corpus.MAPPER_CASES}:
        if name not in operators.modules:
            importlib.import_module(f"data_juicer.ops.mapper.{name}")
    if "suffix_filter" not in operators.modules:
        importlib.import_module("data_juicer.ops.filter.suffix_filter")

    docs = parity.documents() + corpus.EXTRA_DOCS
    base.log(f"{len(docs)} documents; data_juicer {data_juicer.__version__}")
    convert = operators.modules["chinese_convert_mapper"](mode=corpus.TRADITIONAL_FROM)
    traditional = [(d, convert.process_batched({"text": [t]})["text"][0]) for d, t in docs if corpus.is_chinese(d)]
    inputs = {"docs": docs, "traditional": traditional}

    cases_out = []
    for case in corpus.MAPPER_CASES:
        case_docs = inputs[case.get("input", "docs")]
        out, errors = run_mapper_case(operators, case, case_docs)
        cases_out.append(dict(case, id=corpus.case_id(case), output=out, errors=errors))
        base.log(f"{corpus.case_id(case):<80s} changed {sum(o is not None for o in out):4d}/{len(out)}"
                 f"{', %d errors' % len(errors) if errors else ''}")

    records = corpus.suffix_records()
    suffix_out = [dict(case, keep=run_suffix_case(operators, case, records)) for case in corpus.SUFFIX_CASES]

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "opencc": base.pkg_version("opencc"),
        "python": sys.version.split()[0],
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": hashlib.sha256("\0".join(base.sha256_text(t) for _, t in docs).encode()).hexdigest(),
        "traditional_ids": [d for d, _ in traditional],
        "mappers": cases_out,
        "suffix": {"records": [r["id"] for r in records], "cases": suffix_out},
    }
    data = json.dumps(fixture, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    blob = gzip.compress(data.encode("ascii") + b"\n", compresslevel=9, mtime=0)
    OUT_FILE.write_bytes(blob)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({len(blob):,} bytes) in "
             f"{time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
