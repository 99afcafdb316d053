"""Regenerate tests/fixtures/dj_field_filters.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_field_filters_fixture.py

Runs every case of ``tests/field_filters_corpus.CASES`` (``specified_numeric_field_filter``,
``specified_field_filter``) over ``field_filters_corpus.records()`` by calling the Data-Juicer
operator classes directly, one record per call, as ``Filter.run`` does per sample:
``compute_stats_single`` on the record with an empty ``__dj__stats__``, then
``process_single``. Kept per record: the keep flag and the statistic Data-Juicer stored
(under the field key's name), or the exception it raised (``"Type: message"``, cut). The
offline guards are those of ``gen_fixture.py``. The fixture holds no texts; the records are
pinned by ``field_filters_corpus.sha256_records``.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import field_filters_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_field_filters.json.gz"
GENERATOR = "tools/dj_parity/gen_field_filters_fixture.py"
_MISSING = object()


def run_one(op, record: dict):
    """(keep, stat) as Data-Juicer decides for one record (a fresh copy: the op writes stats)."""
    from data_juicer.utils.constant import Fields

    sample = json.loads(json.dumps(record))  # a deep copy, as a dataset row would be
    sample[Fields.stats] = {}
    sample = op.compute_stats_single(sample)
    keep = op.process_single(sample)
    return bool(keep), sample[Fields.stats].get(op.field_key, _MISSING)


def run_case(operators, case, records):
    op = operators.modules[case["op"]](**case["params"])
    keep, stats, errors = [], [], {}
    for rec in records:
        try:
            kept, stat = run_one(op, rec)
        except Exception as e:  # noqa: BLE001 - recorded in the fixture
            errors[rec["id"]] = f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"
            keep.append(None)
            stats.append(None)
            continue
        keep.append(kept)
        # the raw value Data-Juicer copied (JSON holds every value of the corpus)
        stats.append({"missing": True} if stat is _MISSING else {"value": stat})
    return keep, stats, errors


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    records = corpus.records()
    data_juicer, operators = base.import_data_juicer()
    import importlib

    for name in {c["op"] for c in corpus.CASES}:
        if name not in operators.modules:
            importlib.import_module(f"data_juicer.ops.filter.{name}")
    base.log(f"{len(records)} records; data_juicer {data_juicer.__version__}")

    cases_out = []
    for case in corpus.CASES:
        keep, stats, errors = run_case(operators, case, records)
        cases_out.append(dict(case, keep=keep, stats=stats, errors=errors))
        base.log(f"{case['id']:<36s} kept {sum(k is True for k in keep):4d}/{len(keep)}"
                 f"{', %d errors' % len(errors) if errors else ''}")

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "python": sys.version.split()[0],
        "records": {"n": len(records), "ids": [r["id"] for r in records],
                    "sha256": corpus.sha256_records(records)},
        "cases": cases_out,
    }
    # ASCII JSON; NaN and infinities (values of the corpus Data-Juicer copies into its stats)
    # as Python's json writes and reads them
    data = json.dumps(fixture, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    blob = gzip.compress(data.encode("ascii") + b"\n", compresslevel=9, mtime=0)
    OUT_FILE.write_bytes(blob)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({len(blob):,} bytes) in "
             f"{time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
