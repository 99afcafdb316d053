"""notebooks/explore_sft.ipynb runs headless, end to end, on the tables jobs/sft_refine.yaml makes
from the data it ships with (data/sft), and prints what those tables hold."""

from __future__ import annotations

import json
import time

import pytest
from test_notebook import KERNEL, _kernel_env, _outputs
from test_sft_job import ROOT, _spec

from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

NOTEBOOK = ROOT / "notebooks" / "explore_sft.ipynb"
LLM_STAGE = "llm_score"


@pytest.fixture(scope="module")
def job(spark, tmp_path_factory):
    """The job's tables, and after them a table as an LLM scoring stage would leave (stats and
    token usage): the notebook must show statistics it was not written for."""
    from pyspark.sql import functions as F

    folder = tmp_path_factory.mktemp("sft")
    result = run(spark, load(_spec(folder)), say=lambda _: None)
    out = folder / "wh"
    words = F.size(F.split("text", " "))

    def scored(name):
        return (spark.read.format("delta").load(str(out / name))
                .withColumn("stats", F.struct((words % 5 + 1).cast("double").alias("llm_quality_score")))
                .withColumn("llm_usage", F.struct(words.cast("long").alias("prompt_tokens"),
                                                  F.lit(7).cast("long").alias("completion_tokens"))))

    scored("decontaminate").write.format("delta").save(str(out / LLM_STAGE))
    # its removed rows (stand-ins: the decontamination's) cost tokens too
    (scored("decontaminate_rejected").withColumn("_dropped_by", F.lit("llm_quality_score_filter"))
     .write.format("delta").save(str(out / f"{LLM_STAGE}_rejected")))
    return out, result


def _leaked_problems() -> tuple[int, int]:
    """GSM8K test questions that are, word for word, an instruction of the input; all of them."""
    records = json.loads((ROOT / "data" / "sft" / "sft_sample.json").read_text(encoding="utf-8"))
    instructions = {" ".join(r["instruction"].split()) for r in records}
    with open(ROOT / "data" / "sft" / "gsm8k_test.jsonl", encoding="utf-8") as f:
        questions = [" ".join(json.loads(line)["question"].split()) for line in f if line.strip()]
    return sum(q in instructions for q in questions), len(questions)


def test_explore_sft_notebook_runs_headless(job, spark, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    table_root, result = job
    stages = {s.name: s for s in result.stages}
    _kernel_env(tmp_path, monkeypatch, table_root)

    # what the notebook should find, from the tables themselves
    def table(name):
        return spark.read.format("delta").load(str(table_root / name))

    kept = [json.loads(r._record) for r in table("decontaminate").select("_record").collect()]
    kept_tokens, dropped_tokens = [table(t).agg({"llm_usage.prompt_tokens": "sum"}).first()[0]
                     for t in (LLM_STAGE, f"{LLM_STAGE}_rejected")]
    n_dropped = table("decontaminate_rejected").count()
    with_input = sum(bool((r.get("query") or "").strip()) for r in kept)
    dedup = table("clean_rejected").where("_dropped_by = 'document_deduplicator'").count()
    leaked, benchmark = _leaked_problems()
    assert leaked and dedup  # the shipped data has both, or this test checks nothing

    nb = nbformat.read(NOTEBOOK, as_version=4)
    started = time.time()
    NotebookClient(nb, timeout=600, kernel_name=KERNEL, allow_errors=False,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    print(f"notebook executed in {time.time() - started:.0f} s")

    history, _ = _outputs(nb, "history")
    assert "stages ['clean', 'decontaminate'] (stage hashes match the commits)" in history
    assert f"tables not in the spec, after its stages: ['{LLM_STAGE}']" in history
    assert result.run_id in history

    counts, images = _outputs(nb, "counts")
    assert images == 1
    for name in ("clean", "decontaminate"):
        assert f"{name}: {stages[name].rows_out:,} kept, {stages[name].rejected:,} rejected" in counts

    stats, images = _outputs(nb, "stats")
    assert "stats.text_len" in stats and "decontaminate: no statistics" in stats and images == 1
    assert "stats.llm_quality_score" in stats
    assert "llm_score: totals of llm_usage.prompt_tokens, llm_usage.completion_tokens" in stats
    assert (f"llm_usage.prompt_tokens: {kept_tokens:,} kept + {dropped_tokens:,} rejected = "
            f"{kept_tokens + dropped_tokens:,}") in stats
    assert (f"llm_usage.completion_tokens: {7 * len(kept):,} kept + {7 * n_dropped:,} rejected = "
            f"{7 * (len(kept) + n_dropped):,}") in stats

    shape, images = _outputs(nb, "shape")
    assert f"{LLM_STAGE}: {len(kept):,} conversations" in shape
    assert f"with an input: {with_input:,} " in shape and "multi-turn: 0 " in shape
    assert images == 1

    dedup_out, _ = _outputs(nb, "dedup")
    assert f"duplicates removed: {dedup:,}" in dedup_out

    leaks, _ = _outputs(nb, "leaks")
    assert "dropped rows without a benchmark n-gram found again: 0" in leaks
    assert f"benchmark items leaked into the training data: {leaked} of {benchmark:,}" in leaks
    assert _outputs(nb, "decont")[0].count("task_decontamination_mapper:no_chunks") == 1
    assert "op scans 'instruction'" in _outputs(nb, "decont")[0]

    export, _ = _outputs(nb, "export")
    assert f"sft_messages.jsonl: {len(kept):,} conversations, {len(kept):,} valid" in export
    assert "export matches" in export and "[assistant]" in export

    pictures = sum(_outputs(nb, tag)[1] for tag in ("counts", "stats", "shape", "decont_plot"))
    assert pictures >= 3
