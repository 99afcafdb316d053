"""Regenerate tests/fixtures/dj_html.json.gz with Data-Juicer itself.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_html_fixture.py

Runs every case of ``tests/html_corpus.CASES`` (``clean_html_mapper``,
``extract_tables_from_html_mapper``, ``remove_table_text_mapper``) over its input set by
calling the Data-Juicer operator classes directly, one document per call, with the offline
guards of ``gen_fixture.py``. Stores ``html_corpus.text_value`` / ``tables_value`` per
document (short outputs verbatim, long ones as hashes), ``{"error": ...}`` where the op
raised, and ``{"error": "timeout"}`` where it ran longer than ``TIMEOUT_S`` (Data-Juicer's
``remove_table_text_mapper`` regex backtracks exponentially on some texts; SIGALRM
interrupts the regex module's matching loop).
"""

from __future__ import annotations

import importlib
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import html_corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_html.json.gz"
GENERATOR = "tools/dj_parity/gen_html_fixture.py"
TIMEOUT_S = 15


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def run_one(op, text):
    """Data-Juicer's output for one document: the mapped text, or the tables in the meta."""
    from data_juicer.utils.constant import Fields

    if hasattr(op, "tables_field_name"):  # extract_tables_from_html_mapper
        sample = op.process_single({op.text_key: text, Fields.meta: {}})
        return sample[Fields.meta][op.tables_field_name]
    out = op.process_batched({op.text_key: [text]})[op.text_key]
    if len(out) != 1 or not isinstance(out[0], str):
        raise RuntimeError(f"process_batched returned {out!r:.200}")
    return out[0]


def run_case(operators, case, docs):
    op = operators.modules[case["op"]](**case["params"])
    values, errors = [], {}
    for doc_id, text in docs:
        signal.alarm(TIMEOUT_S)
        try:
            out = run_one(op, text)
        except _Timeout:
            errors[doc_id] = "timeout"
            values.append({"error": "timeout"})
            continue
        except Exception as e:  # noqa: BLE001 - recorded in the fixture
            errors[doc_id] = f"{type(e).__name__}: {e}"
            values.append({"error": errors[doc_id]})
            continue
        finally:
            signal.alarm(0)
        if isinstance(out, str):
            values.append(html_corpus.text_value(text, out))
        else:
            values.append(html_corpus.tables_value(out))
    return values, errors


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    signal.signal(signal.SIGALRM, _on_alarm)
    html = html_corpus.html_documents()
    text = html_corpus.text_documents()
    data_juicer, operators = base.import_data_juicer()
    for case in html_corpus.CASES:
        if case["op"] not in operators.modules:
            importlib.import_module(f"data_juicer.ops.mapper.{case['op']}")

    clean = operators.modules["clean_html_mapper"]()
    cleaned = [(doc_id, run_one(clean, t)) for doc_id, t in html]
    inputs = {"html": html, "text": text, "cleaned": cleaned}
    base.log(f"{len(html)} HTML documents, {len(text)} text documents; data_juicer {data_juicer.__version__}")

    cases_out, all_errors = [], {}
    for case in html_corpus.CASES:
        t0 = time.perf_counter()
        values, errors = run_case(operators, case, inputs[case["input"]])
        cases_out.append(dict(case, values=values))
        if errors:
            all_errors[case["id"]] = errors
        changed = sum(v is not None for v in values)
        base.log(f"{case['id']:<45s} {time.perf_counter() - t0:7.1f}s  non-null {changed}/{len(values)}"
                 f"{', %d errors' % len(errors) if errors else ''}")

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "selectolax": base.pkg_version("selectolax"),
        "beautifulsoup4": base.pkg_version("beautifulsoup4"),
        "regex": base.pkg_version("regex"),
        "python": sys.version.split()[0],
        "timeout_s": TIMEOUT_S,
        "inputs": {name: {"ids": [d for d, _ in docs], "sha16": html_corpus.doc_digests(docs)}
                   for name, docs in inputs.items()},
        "cases": cases_out,
        "errors": all_errors,
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({size:,} bytes) in {time.perf_counter() - t_start:.1f}s")
    for cid, errs in all_errors.items():
        for doc_id, msg in errs.items():
            base.log(f"  {cid} {doc_id}: {msg[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
