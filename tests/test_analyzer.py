"""``sparkops analyze``: the summary equals a direct computation from the stats table, the
suggested specs validate and keep what they say, diagnoses fire on real Chinese text, bad
input gives a clear message, and the report renders in a real headless Chromium."""

from __future__ import annotations

import json
import math
import re
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from chromium import SKIP_REASON, Charts, chromium, dump_dom, flags

from sparkops.analysis.aggregate import EXAMPLE_LEVELS, QUANTILE_KEYS, QUANTILES
from sparkops.analysis.run import AnalysisError, analyze, make_plan
from sparkops.analysis.suggest import fmt, round_away, yaml_value
from sparkops.core import bind
from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

# a document whose text is markup: the report must show it, never run it
HOSTILE = ('<script>document.body.dataset.errors="xss"</script><img src=x onerror="document.body.dataset.errors='
           "'img'\"></pre></details><b>bold?</b> &amp; " + "!" * 40)


def _close(a, b, rel=1e-9, abs_=1e-12):
    return (a is None and b is None) or math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@pytest.fixture(scope="module")
def web(spark, c4_path, tmp_path_factory):
    """The C4 sample plus a markup document and a line that is not UTF-8, analysed as a plain input."""
    folder = tmp_path_factory.mktemp("analyze_web")
    data = folder / "data"
    data.mkdir()
    (data / "c4_sample.jsonl").symlink_to(c4_path)
    (data / "z_extra.jsonl").write_bytes(json.dumps({"text": HOSTILE}).encode() + b"\n"
                                         + b'{"text": "not utf-8 \xff\xfe here"}\n')
    out = folder / "out"
    said = []
    result = analyze(spark, str(data), out, by_language=True, say=said.append)
    return result, out, said


def _stats(spark, out: Path):
    """The stats table's ``stats`` struct, collected as a pandas frame (one Spark job)."""
    import pandas as pd

    return pd.DataFrame([r.asDict() for r in spark.read.format("delta").load(str(out / "stats"))
                         .select("stats.*").collect()])


def _values(frame, name: str) -> np.ndarray:
    return frame[name].dropna().to_numpy(dtype=float)


def test_summary_equals_numpy_over_the_stats_table(spark, web):
    result, out, said = web
    doc = json.loads((out / "summary.json").read_text())
    assert doc["rows"] == 301 and doc["records"] == 301 and doc["unreadable"] == 1
    assert any("invalid UTF-8" in r for r in doc["unreadable_reasons"])
    assert len(doc["stats"]) >= 30  # every rule statistic of the catalogue
    assert any("reading" in m for m in said) and any("computing" in m for m in said)
    frame = _stats(spark, out)
    for name, d in doc["stats"].items():
        values = _values(frame, name)
        assert d["count"] == len(values), name
        if not len(values):
            continue
        want = np.percentile(values, [q * 100 for q in QUANTILES])  # numpy's default: linear
        for key, w in zip(QUANTILE_KEYS, want):
            assert _close(d[key], float(w)), (name, key, d[key], w)
        assert _close(d["mean"], float(values.mean()))
        assert _close(d["min"], float(values.min())) and _close(d["max"], float(values.max()))
        if len(values) > 1:
            assert _close(d["std"], float(values.std(ddof=1)), abs_=1e-9)


def test_per_language_summary_equals_numpy(spark, web):
    _, out, _ = web
    doc = json.loads((out / "summary.json").read_text())
    per = doc["per_language"]
    assert per["stat"] == "lang" and "en" in per["languages"]
    en = per["languages"]["en"]
    frame = _stats(spark, out)
    values = _values(frame[frame["lang"] == "en"], "alnum_ratio")
    assert en["rows"] == len(values)
    assert _close(en["stats"]["alnum_ratio"]["p05"], float(np.percentile(values, 5)))
    assert _close(en["stats"]["alnum_ratio"]["p95"], float(np.percentile(values, 95)))


def test_correlations_equal_pandas(spark, web):
    from sparkops.analysis.aggregate import correlations

    result, out, _ = web
    names, matrix = correlations(spark.read.format("delta").load(str(out / "stats")), result.summary["stats"])
    assert len(names) > 10
    want = _stats(spark, out)[names].astype(float).corr()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            assert matrix[i][j] == pytest.approx(want.loc[a, b], abs=1e-9), (a, b)


def test_suggested_specs_validate_and_keep_what_they_say(spark, web):
    result, out, _ = web
    doc = result.summary
    for method, file in (("ksigma", "suggested_job.yaml"), ("quantile", "suggested_job_quantile.yaml")):
        sug = doc["suggestions"][method]
        from sparkops.cli import main

        assert main(["validate", str(out / file)]) == 0
        assert sug["ops"] and sug["kept"] is not None
        # each op alone: the core's own keep rule, row by row, over the collected statistics
        rows = _stats(spark, out).to_dict("records")
        for op in sug["ops"]:
            bound = bind({op["op"]: {t["param"]: t["value"] for t in op["thresholds"]}})
            key = bound.op.range[0]
            assert op["kept_alone"] == sum(bound.keep({key: r[op["stat"]]}) for r in rows), op["op"]
        written = yaml.safe_load((out / file).read_text())
        by_op = {next(iter(e)): next(iter(e.values())) for e in written["stages"][0]["process"]}
        for op in sug["ops"]:
            for t in op["thresholds"]:
                assert by_op[op["op"]][t["param"]] == t["value"]
    # the k-sigma spec run as a job: its filters keep exactly the rows the analyzer expected
    spec = load(out / "suggested_job.yaml")
    job = run(spark, spec, say=lambda _: None)
    stage = job.stages[0]
    sug = doc["suggestions"]["ksigma"]
    assert job.input_rows == doc["rows"] and stage.rows_out == sug["kept"]
    out_of = {name: rows_out for name, _, rows_out in stage.per_op}
    for op in sug["ops"]:
        assert out_of[op["op"]] == op["kept_cumulative"], op["op"]


def test_report_is_self_contained_and_escaped(web):
    _, out, _ = web
    html = (out / "report.html").read_text()
    # nothing to fetch: no external script, style sheet, image or frame (URLs in the data are text)
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b[^>]*\b(src|href)=", html, re.I)
    assert "<script>document.body" not in html and "&lt;script&gt;document.body" in html
    assert html.count("<script>") == 1  # the report's own


def test_bad_input_gives_clear_errors(spark, tmp_path):
    from sparkops.cli import main

    assert main(["analyze", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 2
    llm = tmp_path / "llm.yaml"
    llm.write_text(textwrap.dedent(f"""\
        name: llm
        input: {{format: jsonl, path: {tmp_path}/x.jsonl}}
        output: {{path: out}}
        stages:
          - name: s
            process: [llm_quality_score_filter: {{min_score: 0.5}}]
        """))
    with pytest.raises(AnalysisError, match="nothing to analyse.*LLM op"):
        make_plan(str(llm))
    assert main(["analyze", str(llm), "--out", str(tmp_path / "o")]) == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(AnalysisError, match="no records to analyse"):
        analyze(spark, str(empty), tmp_path / "o", say=lambda _: None)
    with pytest.raises(AnalysisError, match="--sample"):
        analyze(spark, str(empty), tmp_path / "o", sample=0, say=lambda _: None)


def test_rounding_keeps_the_rows_of_the_raw_value():
    assert round_away(0.123456, "min", "float") == 0.1234
    assert round_away(0.123456, "max", "float") == 0.1235
    assert round_away(3.2, "min", "int") == 4 and round_away(3.8, "max", "int") == 3
    for v in (1e-05, 2.5e-07, 123456789.0, 0.1, -3.5e-9, float("inf")):
        assert yaml.safe_load(f"x: {yaml_value(v)}")["x"] == v


# --------------------------------------------------------------------------- Chinese text


@pytest.fixture(scope="module")
def chinese(spark, shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyze_zh")
    spec = folder / "zh.yaml"
    spec.write_text(textwrap.dedent(f"""\
        name: zh_novel
        input: {{format: text, path: {shared_data}/web/zh_novel_sample.txt}}
        output: {{path: out}}
        stages:
          - name: quality
            process:
              - language_id_score_filter: {{lang: zh, min_score: 0.5}}
              - words_num_filter: {{min_num: 10}}
              - text_length_filter: {{min_len: 5, max_len: 100000}}
          - name: score
            process:
              - llm_quality_score_filter: {{min_score: 0.5}}
          - name: dedup
            process:
              - document_minhash_deduplicator: {{tokenization: space, window_size: 5}}
        """))
    out = folder / "out"
    return analyze(spark, str(spec), out, by_language=True, say=lambda _: None), out, shared_data


def test_diagnosis_on_chinese_text_with_a_dedup_window(spark, chinese):
    result, out, shared = chinese
    doc = result.summary
    lines = [d.line() for d in result.diagnoses]
    window = [x for x in lines if x.startswith("error: document_minhash_deduplicator")]
    assert window, lines
    assert "window_size=5" in window[0] and "tokenization: character" in window[0] and "'zh'" in window[0]
    assert any(x.startswith("error: words_num_filter") and "keeps 0.0%" in x for x in lines), lines
    assert any("llm_quality_score_filter: skipped, an LLM op" in n for n in doc["notes"])
    # the token counts are str.split() of each line (space tokenization), by line number
    from pyspark.sql import functions as F

    source = (shared / "web" / "zh_novel_sample.txt").read_text(encoding="utf-8").split("\n")
    rows = spark.read.format("delta").load(str(out / "stats")).select(
        "_line", F.col("stats.document_minhash_tokens").alias("t")).collect()
    assert len(rows) == doc["rows"] > 1000
    assert all(r.t == len(source[r._line - 1].split()) for r in rows)
    short = sum(r.t < 5 for r in rows)
    assert short / len(rows) > 0.5
    # and the spec with the thresholds suggested for it still validates, its LLM stage and
    # deduplicator as they were
    spec = load(out / "suggested_job.yaml")
    assert [s.name for s in spec.stages] == ["quality", "score", "dedup"]
    assert "window_size=5" in (out / "suggested_job.yaml").read_text()  # the diagnosis as a comment


# --------------------------------------------------------------------------- the browser


def _nearest(rows: list[tuple], target: float) -> tuple:
    """Of (value, source, line, text) rows, the one nearest ``target``, the earliest (source, line)
    on a tie: the example the report should show at that quantile, found without the analyzer."""
    best = min(abs(r[0] - target) for r in rows)
    return min((r for r in rows if abs(r[0] - target) == best), key=lambda r: (r[1], r[2]))


def test_report_renders_in_headless_chromium(spark, web, tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip(SKIP_REASON)
    result, out, _ = web
    page = out / "report.html"
    dom = dump_dom(browser, page, tmp_path / "profile")
    charts = Charts()
    charts.feed(dom)
    assert charts.body.get("data-ready") == "1", "the report's script did not finish"
    assert "data-errors" not in charts.body, charts.body.get("data-errors")  # the markup example stayed text
    assert charts.scripts == 1
    assert int(charts.body["data-charts"]) == len(charts.charts)
    doc = result.summary
    hist = {c["stat"]: c for c in charts.charts if "histogram" in c["class"]}
    boxes = {c["stat"] for c in charts.charts if "box" in c["class"]}
    for name, d in doc["stats"].items():
        if d["count"]:
            assert name in hist and any(h > 0 for h in hist[name]["bars"]), name
            assert sum(1 for h in hist[name]["bars"] if h > 0) >= 1 and name in boxes, name
            # the examples block: one example per chosen quantile, in order, under its label
            assert [e["level"] for e in charts.examples.get(name, [])] == list(EXAMPLE_LEVELS), name
            label = charts.example_labels[name]
            assert all(("median" if lv == "p50" else lv) in label for lv in EXAMPLE_LEVELS), label
    heat = [c for c in charts.charts if "heatmap" in c["class"]]
    assert heat and heat[0]["cells"] >= 4
    assert "&lt;script&gt;document.body" in dom or "<script>document.body" not in dom
    # one statistic's examples, level by level: the text the browser shows is the stats table's row
    # nearest that quantile of summary.json, with that row's value and place
    name = "alnum_ratio"
    rows = [(r.v, r._source, r._line, r.text_preview) for r in spark.read.format("delta").load(str(out / "stats"))
            .selectExpr(f"CAST(stats.{name} AS DOUBLE) AS v", "_source", "_line", "text_preview").collect()
            if r.v is not None]
    assert len(rows) == doc["stats"][name]["count"]
    texts = set()
    for e in charts.examples[name]:
        target = doc["stats"][name][e["level"]]
        value, source, line, text = _nearest(rows, target)
        assert e["text"] == text, e["level"]
        assert f"(≈ {fmt(target)}): value {fmt(value)}, {source.rsplit('/', 1)[-1]}:{line}" in e["head"], e["head"]
        texts.add(text)
    assert len(texts) > 3  # different documents at different quantiles
    shot = tmp_path / "report.png"
    subprocess.run(flags(browser, tmp_path / "profile") + ["--hide-scrollbars", f"--screenshot={shot}",
                                                           page.resolve().as_uri()],
                   capture_output=True, timeout=120, check=True)
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape[1] == 1366 and (pixels < 200).mean() > 0.02  # text and charts, not a blank page


def test_cli_prints_progress_summary_and_diagnosis(spark, c4_path, tmp_path, capsys):
    from sparkops.cli import main

    spec = tmp_path / "small.yaml"
    spec.write_text(textwrap.dedent(f"""\
        name: small
        input: {{format: jsonl, path: {c4_path}}}
        output: {{path: out}}
        stages:
          - name: quality
            process:
              - words_num_filter: {{min_num: 100000}}
              - alphanumeric_filter: {{min_ratio: 0.0, max_ratio: 1.0}}
        """))
    assert main(["analyze", str(spec), "--out", str(tmp_path / "a"), "--sample", "120"]) == 0
    printed = capsys.readouterr().out
    assert "[analyze" in printed and "a sample of 120 rows" in printed
    assert "statistic" in printed and "num_words" in printed and "alnum_ratio" in printed
    assert "error: words_num_filter (stage 'quality'): as configured (min_num 100,000) keeps 0.0%" in printed
    assert "warning: alphanumeric_filter (stage 'quality'): as configured" in printed and "keeps every row" in printed
    assert "suggested_job.yaml" in printed and "report:" in printed
    doc = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert doc["rows"] == 120 and doc["sampled"] and doc["records"] == 300
