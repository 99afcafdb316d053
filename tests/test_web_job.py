"""jobs/common_crawl.yaml end to end on the real WARC files it ships with (data/warc): every HTML
response read, the truncated record quarantined with its offset, request / metadata records
counted, URL filter and main-text extraction with title, date, language and status in meta,
FineWeb's rule sets, MinHash dedup, every stage gated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark
pytest.importorskip("trafilatura")

ROOT = Path(__file__).resolve().parents[1]


def test_common_crawl_job_on_real_warc_files(spark, tmp_path):
    text = (ROOT / "jobs" / "common_crawl.yaml").read_text(encoding="utf-8")
    text = (text.replace("path: ../data/warc", f"path: {ROOT / 'data' / 'warc'}")
            .replace("path: ../warehouse/common_crawl", f"path: {tmp_path / 'wh'}")
            .replace("../expectations/", f"{ROOT / 'expectations'}/"))
    spec = tmp_path / "common_crawl.yaml"
    spec.write_text(text, encoding="utf-8")
    result = run(spark, load(spec), say=lambda m: None)
    out = tmp_path / "wh"
    # 16 Common Crawl + 29 ClueWeb + 1 whirlwind HTML responses; the clipped file's record is bad
    assert result.input_rows == 46 and result.quarantined == 1
    assert result.skipped == {"metadata record": 17, "request record": 18, "warcinfo record": 3}
    bad = spark.read.format("delta").load(str(out / "_quarantine")).first()
    assert bad.reason.startswith("truncated WARC record at offset") and bad._source.endswith("clipped.warc.gz")
    assert [s.name for s in result.stages] == ["extract", "quality", "dedup"]
    assert all(s.gate == "passed" for s in result.stages)

    kept = spark.read.format("delta").load(str(out / "extract")).collect()
    rejected = spark.read.format("delta").load(str(out / "extract_rejected")).collect()
    assert len(kept) + len(rejected) == 46 and len(kept) >= 40
    # extraction: main text, not markup; its metadata in meta; the URL read from the WARC record
    assert {r.meta.extraction_status for r in kept} == {"ok"}
    assert sum(r.meta.title is not None for r in kept) >= 40
    assert all("<div" not in r.text and r.text.strip() for r in kept)
    assert all(r.stats.url_filter_reason is None and r.stats.url_domain for r in kept)
    from sparkops.ops.web.url_filter import registered_domain

    urls = [json.loads(r._record)["url"] for r in kept]
    assert all(u.startswith("http") for u in urls)
    assert [r.stats.url_domain for r in kept] == [registered_domain(u) for u in urls]
    for r in rejected:  # a page without main text says why
        assert r._dropped_by.split(":")[0] in ("url_filter", "html_extract_mapper"), r._dropped_by
        assert r.meta is None or r.meta.extraction_status != "ok"
    # FineWeb's English rules: these pages are Chinese, Japanese, Russian, German ... none stays;
    # each rejected page names the rule
    quality = spark.read.format("delta").load(str(out / "quality_rejected")).collect()
    assert len(quality) == len(kept) and result.stages[1].rows_out == 0
    reasons = {r._dropped_by.split(":")[0] for r in quality}
    assert reasons <= {"language_filter", "gopher_repetition_filter", "gopher_quality_filter",
                       "c4_quality_filter", "fineweb_quality_filter", "c4_badwords_filter"}
    assert sum(r._dropped_by == "language_filter" for r in quality) >= len(quality) // 2
