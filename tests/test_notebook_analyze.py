"""notebooks/analyze.ipynb runs headless, end to end: it analyses jobs/web_refine.yaml (the demo
job over the C4 sample that ships in data/) and shows the summary, diagnoses and suggestions."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from test_notebook import KERNEL, _kernel_env, _outputs

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "analyze.ipynb"


def test_analyze_notebook_runs_headless(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    out = tmp_path / "analysis"
    _kernel_env(tmp_path, monkeypatch, tmp_path)
    # the kernel imports sparkops from this checkout (a relative PYTHONPATH would be read from notebooks/)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    monkeypatch.setenv("SPARKOPS_NB_SOURCE", str(ROOT / "jobs" / "web_refine.yaml"))
    monkeypatch.setenv("SPARKOPS_NB_OUT", str(out))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    started = time.time()
    NotebookClient(nb, timeout=600, kernel_name=KERNEL, allow_errors=False,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    print(f"notebook executed in {time.time() - started:.0f} s")

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
