"""notebooks/explore.ipynb runs headless, end to end, on stage tables a real job made.

The notebook's kernel is a separate process (the venv's interpreter) with its own SparkSession;
nbclient raises ``CellExecutionError`` on the first cell that fails.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
KERNEL = "sparkops-nb-test"


@pytest.fixture(scope="module")
def job(spark, c4_path, tmp_path_factory):
    """A two-stage job (clean, quality) over the C4 sample plus two unreadable records."""
    folder = tmp_path_factory.mktemp("explore")
    inputs = folder / "input"
    inputs.mkdir()
    (inputs / "c4_sample.jsonl").symlink_to(c4_path)
    (inputs / "z_bad.jsonl").write_bytes(b'{"text": null}\n{"text": "truncated rec\n')
    spec = folder / "explore.yaml"
    spec.write_text(textwrap.dedent(f"""\
        name: explore
        input: {{format: jsonl, path: {inputs}/*.jsonl}}
        output: {{path: out}}
        stages:
          - name: clean
            process: [fix_unicode_mapper:, whitespace_normalization_mapper:]
          - name: quality
            process:
              - language_id_score_filter: {{lang: en, min_score: 0.8}}
              - words_num_filter: {{min_num: 20}}
              - alphanumeric_filter: {{min_ratio: 0.25}}
              - special_characters_filter: {{max_ratio: 0.25}}
              - character_repetition_filter: {{rep_len: 10, max_ratio: 0.5}}
        """))
    result = run(spark, load(spec), say=lambda _: None)
    return folder / "out", result


def _kernel_env(tmp_path: Path, monkeypatch, table_root: Path) -> None:
    """A kernel spec for this interpreter, and every Jupyter/IPython/matplotlib file under tmp_path."""
    kernels = tmp_path / "jupyter" / "kernels" / KERNEL
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "sparkops venv", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("SPARKOPS_NB_TABLE_ROOT", str(table_root))
    monkeypatch.setenv("SPARKOPS_NB_STAGE", "quality")


def _outputs(nb, tag: str) -> tuple[str, int]:
    """The text a tagged cell printed or displayed, and how many images it showed."""
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"one cell tagged {tag!r} expected"
    text, images = [], 0
    for out in cells[0].outputs:
        if out.output_type == "stream":
            text.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            images += "image/png" in out.data
            text.append(out.data.get("text/plain", ""))
    return "\n".join(text), images


@pytest.mark.parametrize("path", sorted(NOTEBOOK.parent.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    if path == NOTEBOOK:
        assert 'TABLE_ROOT = "../warehouse/web_refine"' in code[0].source
        assert 'STAGE = "quality"' in code[0].source


def test_explore_notebook_runs_headless(job, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    table_root, result = job
    quality = next(s for s in result.stages if s.name == "quality")
    assert result.quarantined == 2 and quality.rejected > 0
    _kernel_env(tmp_path, monkeypatch, table_root)

    nb = nbformat.read(NOTEBOOK, as_version=4)
    started = time.time()
    NotebookClient(nb, timeout=600, kernel_name=KERNEL, allow_errors=False,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    print(f"notebook executed in {time.time() - started:.0f} s")

    table, _ = _outputs(nb, "table")
    assert f"quality: {quality.rows_out:,} rows (version 0, run {result.run_id})" in table
    assert "stats: struct" in table

    recipe, _ = _outputs(nb, "recipe")
    assert "stage hash matches the commit" in recipe  # it found the spec the job ran
    assert "special_characters_filter" in recipe

    histograms, images = _outputs(nb, "histograms")
    assert images == 1 and "alnum_ratio" in histograms and "p50" in histograms

    what_if, _ = _outputs(nb, "whatif")
    assert f"input: table 'clean', {quality.rows_in:,} rows" in what_if
    assert f"as configured: {quality.rows_out:,} of {quality.rows_in:,} rows kept" in what_if
    for threshold in ("min_ratio = 0.7", "max_ratio = 0.15", "max_ratio = 0.3", "min_score = 0.9"):
        assert threshold in what_if
    assert "kept alone" in what_if and "kept by the stage" in what_if

    assert _outputs(nb, "sweep")[1] == 1

    rejected, _ = _outputs(nb, "rejected")
    assert f"quality_rejected: {quality.rejected:,} rows removed" in rejected
    assert "language_id_score_filter" in rejected
    assert "lang_score = " in rejected and "(limit: lang en, min_score 0.8)" in rejected

    quarantine, _ = _outputs(nb, "quarantine")
    assert "_quarantine: 2 records" in quarantine
    assert "text is null" in quarantine and "z_bad.jsonl" in quarantine
