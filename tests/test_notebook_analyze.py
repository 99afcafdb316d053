"""notebooks/analyze.ipynb runs headless, end to end: it analyses jobs/web_refine.yaml (the demo
job over the C4 sample that ships in data/) and shows the summary, diagnoses and suggestions; the
report it writes renders in headless Chromium with charts that have data."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from chromium import SKIP_REASON, Charts, chromium, dump_dom
from test_notebook import KERNEL, _kernel_env, _outputs

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "analyze.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook, run once, and its analysis folder."""
    import nbformat
    from nbclient import NotebookClient

    tmp_path = tmp_path_factory.mktemp("analyze_nb")
    out = tmp_path / "analysis"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _kernel_env(tmp_path, monkeypatch, tmp_path)
        # the kernel imports sparkops from this checkout (a relative PYTHONPATH would be read from notebooks/)
        monkeypatch.setenv("PYTHONPATH",
                           os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        monkeypatch.setenv("SPARKOPS_NB_SOURCE", str(ROOT / "jobs" / "web_refine.yaml"))
        monkeypatch.setenv("SPARKOPS_NB_OUT", str(out))
        nb = nbformat.read(NOTEBOOK, as_version=4)
        started = time.time()
        NotebookClient(nb, timeout=600, kernel_name=KERNEL, allow_errors=False,
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
        print(f"notebook executed in {time.time() - started:.0f} s")
    return nb, out


def test_analyze_notebook_runs_headless(executed):
    nb, out = executed
    doc = json.loads((out / "summary.json").read_text())
    ran, _ = _outputs(nb, "analyze")
    assert f"{doc['rows']:,} rows analysed" in ran and "[analyze] computing" in ran
    summary, _ = _outputs(nb, "summary")
    assert "alnum_ratio" in summary and "p50" in summary and "alphanumeric_filter" in summary
    assert f"{doc['stats']['alnum_ratio']['p50']:.6g}"[:5] in summary
    diagnosis, _ = _outputs(nb, "diagnosis")
    assert "document_deduplicator" in diagnosis  # the dedup stage: noted, it has no statistic
    suggestions, _ = _outputs(nb, "suggestions")
    assert "suggested_job.yaml: k-sigma" in suggestions and "name: \"web_refine_suggested\"" in suggestions
    table, _ = _outputs(nb, "table")
    assert "kept_as_configured" in table
    report, _ = _outputs(nb, "report")
    assert "report:" in report and (out / "report.html").is_file()


def test_the_notebook_s_report_renders_in_headless_chromium(executed, tmp_path):
    """The spec-mode report in a real browser: its script ran and every statistic's histogram has bars."""
    browser = chromium()
    if browser is None:
        pytest.skip(SKIP_REASON)
    _, out = executed
    doc = json.loads((out / "summary.json").read_text())
    charts = Charts()
    charts.feed(dump_dom(browser, out / "report.html", tmp_path / "profile"))
    assert charts.body.get("data-ready") == "1" and "data-errors" not in charts.body, charts.body
    hist = {c["stat"]: c["bars"] for c in charts.charts if "histogram" in c["class"]}
    assert set(hist) == {n for n, d in doc["stats"].items() if d["count"]} and "alnum_ratio" in hist
    assert all(any(h > 0 for h in bars) for bars in hist.values()), hist
    assert sum(h > 0 for h in hist["alnum_ratio"]) >= 2, hist["alnum_ratio"]  # a spread, not one bar
