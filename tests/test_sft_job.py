"""jobs/sft_refine.yaml end to end on the data it ships with (data/sft): alpaca in, deduplicated,
the leaked GSM8K test problems dropped by decontamination, a sample scored and rewritten by the
real local model (SmolLM2-135M-Instruct behind `sparkops llm serve`), exported as OpenAI messages;
a --fresh re-run answers from the response cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = 4  # records the local model scores: the job's 8 halved, for the suite's time


def _spec(tmp_path: Path, llm: bool = False) -> Path:
    """The job with its paths made absolute; without ``llm``, without its LLM stage (`score`)."""
    text = (ROOT / "jobs" / "sft_refine.yaml").read_text(encoding="utf-8")
    if not llm:
        text = text[:text.index("  # a demo-sized sample")]
    text = (text.replace("../data/sft/sft_sample.json", str(ROOT / "data" / "sft" / "sft_sample.json"))
            .replace("[../data/sft/gsm8k_test.jsonl]", f"[{ROOT / 'data' / 'sft' / 'gsm8k_test.jsonl'}]")
            .replace("../warehouse/sft_refine", str(tmp_path / "wh"))
            .replace("select_num: 8", f"select_num: {SAMPLE}"))
    path = tmp_path / "sft_refine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sft_refine_drops_the_leaked_benchmark_and_exports_messages(spark, tmp_path, llm_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.base_url)
    records = json.loads((ROOT / "data" / "sft" / "sft_sample.json").read_text(encoding="utf-8"))
    with open(ROOT / "data" / "sft" / "gsm8k_test.jsonl", encoding="utf-8") as f:
        benchmark = [json.loads(line) for line in f]
    spec = load(_spec(tmp_path, llm=True))
    result = run(spark, spec, say=lambda m: None)
    assert result.input_rows == len(records) == 1039 and result.quarantined == 0
    out = tmp_path / "wh"
    dropped = spark.read.format("delta").load(str(out / "decontaminate_rejected")).collect()
    # exactly the 40 leaked problems (Socratic rewording of GSM8K test questions), for lack of text
    leaked = {r["instruction"] for r in records[-40:]}
    assert {json.loads(r._record)["instruction"] for r in dropped} == leaked
    # the instruction is a field of the record, not a column: the op's per-row path, where a
    # record left with no piece is the generators' `no_chunks`
    assert {r._dropped_by for r in dropped} == {"task_decontamination_mapper:no_chunks"}
    questions = {" ".join(b["question"].split()) for b in benchmark}
    kept = spark.read.format("delta").load(str(out / "decontaminate")).collect()
    assert not any(" ".join(json.loads(r._record)["instruction"].split()) in questions for r in kept)
    # the LLM stage: a sample of SAMPLE, each scored by the model (or why not), the kept ones rewritten
    unpicked = spark.read.format("delta").load(str(out / "sample_rejected")).collect()
    assert {r._dropped_by for r in unpicked} == {"random_selector"} and len(unpicked) == len(kept) - SAMPLE
    scored = spark.read.format("delta").load(str(out / "score")).collect()
    removed = spark.read.format("delta").load(str(out / "score_rejected")).collect()
    sample = scored + removed
    assert len(sample) == SAMPLE and all(r.stats.llm_requests >= 1 for r in sample)
    # a score the model gave, or Data-Juicer's 0.0 with the reason (an unparsable answer) beside it
    assert all(r.stats.llm_quality_reason is None or r.stats.llm_quality_score == 0.0 for r in sample)
    assert all(r.stats.llm_quality_score >= 0.5 for r in scored)
    sent = sum(r.stats.llm_requests for r in sample if not r.stats.llm_cached)
    assert sent >= SAMPLE and sum(r.stats.llm_prompt_tokens for r in sample) > 0
    # the export: one OpenAI conversation per kept record, the user's turn = instruction (+ input)
    lines = (out / "sft_messages.jsonl").read_text(encoding="utf-8").splitlines()
    optimized = spark.read.format("delta").load(str(out / "optimize")).collect()
    assert len(lines) == len(optimized) == result.stages[-1].rows_out
    assert len(optimized) + spark.read.format("delta").load(str(out / "optimize_rejected")).count() == len(scored)
    for line in lines:
        roles = [m["role"] for m in json.loads(line)["messages"]]
        assert roles[-2:] == ["user", "assistant"]

    # --fresh recomputes every stage; the model is not asked again: the cache answers
    run(spark, spec, fresh=True, say=lambda m: None)
    again = spark.read.format("delta").load(str(out / "score")).collect()
    again += spark.read.format("delta").load(str(out / "score_rejected")).collect()
    assert len(again) == SAMPLE and all(r.stats.llm_cached for r in again)
    assert sorted(r.stats.llm_quality_score for r in again) == sorted(r.stats.llm_quality_score for r in sample)


def test_sft_preference_writes_dpo_pairs_with_the_local_model(spark, tmp_path, llm_server, monkeypatch):
    """jobs/sft_preference.yaml against the real local model: 3 sampled records calibrated and
    given a rejected answer; the export holds exactly the pairs whose rejected answer the model
    wrote, as prompt/chosen/rejected; --fresh asks nothing again."""
    from sparkops.spark import llm as spark_llm

    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.base_url)
    text = (ROOT / "jobs" / "sft_preference.yaml").read_text(encoding="utf-8")
    text = (text.replace("../data/sft/sft_sample.json", str(ROOT / "data" / "sft" / "sft_sample.json"))
            .replace("../warehouse/sft_preference", str(tmp_path / "wh")))
    (tmp_path / "job.yaml").write_text(text, encoding="utf-8")
    spec = load(tmp_path / "job.yaml")
    result = run(spark, spec, say=lambda m: None)
    out = tmp_path / "wh"

    def rows(name):
        return spark.read.format("delta").load(str(out / name)).collect()

    calibrated = rows("calibrate")
    assert len(calibrated) == 3 and all(r.stats.llm_requests >= 1 for r in calibrated)
    for r in calibrated:  # calibrate_response_mapper takes the whole (stripped) answer as the response
        if r.stats.llm_calibrate_reason is None:
            assert json.loads(r._record)["response"] == r.stats.llm_calibrate_raw.strip()
    paired, unpaired = rows("pair"), rows("pair_rejected")
    assert len(paired) + len(unpaired) == 3 == result.stages[-1].rows_in
    assert all(r._dropped_by == "specified_field_filter" for r in unpaired)
    for r in unpaired:  # no rejected answer after try_num requests: Data-Juicer's '' and the reason
        assert json.loads(r._record)["rejected_response"] == "" and r.stats.llm_preference_reason
    lines = [json.loads(line) for line in (out / "dpo_pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(paired)
    by_prompt = {}
    for r in paired:
        record = json.loads(r._record)
        assert record["rejected_response"] and r.stats.llm_preference_raw
        by_prompt[record["rejected_response"]] = record
    def content(answer):  # TRL's conversational record: one assistant message (or a list of one)
        message = answer[0] if isinstance(answer, list) else answer
        assert message["role"] == "assistant"
        return message["content"]

    for line in lines:
        record = by_prompt[content(line["rejected"])]
        assert content(line["chosen"]) == record["response"]
        assert line["prompt"][-1]["role"] == "user" and record["query"] in line["prompt"][-1]["content"]

    run(spark, spec, fresh=True, say=lambda m: None)
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[-2:]] == [0, 0]
    again = rows("pair") + rows("pair_rejected")
    assert sorted(r._record for r in again) == sorted(r._record for r in paired + unpaired)
