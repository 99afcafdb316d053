"""Regenerate tests/fixtures/dj_pii_redaction.json.gz with Data-Juicer itself.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_pii_fixture.py

Runs Data-Juicer 1.6.1's ``PiiRedactionMapper.process_single`` (a fresh copy of the record
per call) over the inputs of ``tests/pii_corpus.py``: real SFT records of
``$SPARKOPS_SHARED_DATA/sft`` (stored by id and digest, rebuilt by the test), hand-written agent
records (stored verbatim), the parity corpus texts (by id and hash), under the parameter
variants of ``pii_corpus.RUNS`` / ``CORPUS_VARIANTS``. Per case: the output record (``null``
when Data-Juicer left it equal) or ``{"error": ...}`` where Data-Juicer raised; ``deep``: what it
does on a 3,000-deep record. Logs the slowest corpus texts (Data-Juicer's email regex is
quadratic on long words).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import parity_corpus  # noqa: E402
import pii_corpus as pc  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_pii_redaction.json.gz"
GENERATOR = "tools/dj_parity/gen_pii_fixture.py"


def plain(value):
    """JSON form of Data-Juicer's output (its dialog_history pairs are tuples)."""
    return json.loads(json.dumps(value, ensure_ascii=True))


def run(cls, params, record, fresh=False):
    try:
        op = cls(**params)
    except Exception as e:  # noqa: BLE001 - recorded
        return {"error": f"init {type(e).__name__}: {e}"}
    try:
        # a JSON round trip, not copy.deepcopy: that recurses 2-3 frames per level and would
        # raise on nesting Data-Juicer itself handles
        out = op.process_single(record if fresh else json.loads(json.dumps(record)))
    except RecursionError:
        return {"error": "RecursionError"}
    except Exception as e:  # noqa: BLE001 - recorded
        return {"error": f"{type(e).__name__}: {e}"}
    out = plain(out)
    return None if out == plain(record) else {"output": out}


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    data_juicer, _ = base.import_data_juicer()
    from data_juicer.ops.mapper.pii_redaction_mapper import PiiRedactionMapper as cls

    sets = {"hard": pc.hard_records(), "sft": pc.sft_records()}
    base.log(f"{len(sets['hard'])} hand-written records, {len(sets['sft'])} SFT records; "
             f"data_juicer {data_juicer.__version__}")
    variants = {**pc.VARIANTS, **pc.ERROR_VARIANTS}
    cases = []
    for variant, name in pc.RUNS:
        t0 = time.perf_counter()
        for rid, record in sets[name]:
            cases.append(dict(variant=variant, id=rid, **(run(cls, variants[variant], record) or {"output": None})))
        base.log(f"{variant:<16s} {name:<4s} {len(sets[name]):4d} records {time.perf_counter() - t0:6.1f}s")

    docs = parity_corpus.documents()
    corpus = {"ids": [d for d, _ in docs], "sha16": [pc.sha16(t) for _, t in docs], "variants": {}, "slowest": {}}
    for variant in pc.CORPUS_VARIANTS:
        values, times = [], []
        for doc_id, text in docs:
            t0 = time.perf_counter()
            got = run(cls, pc.VARIANTS[variant], {"text": text})
            times.append((time.perf_counter() - t0, doc_id, len(text)))
            values.append(got if got is None or "error" in got else pc.text_value(got["output"]["text"]))
        corpus["variants"][variant] = values
        slow = sorted(times, reverse=True)[:3]
        base.log(f"corpus {variant}: {sum(v is not None for v in values)}/{len(values)} changed, "
                 f"{sum(t for t, _, _ in times):.1f}s; slowest " + ", ".join(f"{d} ({n:,} chars) {t:.2f}s"
                                                                          for t, d, n in slow))

    fixture = {
        "generator": GENERATOR, "data_juicer": data_juicer.__version__, "python": sys.version.split()[0],
        "variants": variants, "cases": cases, "corpus": corpus,
        "hard": dict(sets["hard"]),
        # the SFT records are rebuilt from ../shared/data by pii_corpus.sft_records()
        "sft": {"ids": [rid for rid, _ in sets["sft"]], "digests": [pc.record_digest(r) for _, r in sets["sft"]]},
        "deep": {"depth": pc.DEEP_FAIL, **run(cls, {}, {"text": "/home/x", "nest": pc._nested(pc.DEEP_FAIL)},
                                                  fresh=True)},
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({size:,} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
