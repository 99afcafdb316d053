"""Data-Juicer's dialog LLM mappers: prompts and parsing against what Data-Juicer 1.6.1 itself sends
and writes (tests/fixtures/dj_llm_dialog.json, written by tests/llm_dialog_corpus.py); a job
against a loopback endpoint that misbehaves (garbage, 500s) where every row comes out with its
values or the reason; one tiny job against the REAL local model, re-run from the cache."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import dialog_quality

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_dialog.json").read_text(encoding="utf-8"))
QUALITY_OPS = sorted(dialog_quality.RUBRICS)


def expanded(messages: list[dict]) -> list[dict]:
    """A recorded call's messages with its shared system prompt put back."""
    out = []
    for m in messages:
        c = m["content"]
        if m["role"] == "system" and c.startswith("@system:"):
            c = FIXTURE["systems"][int(c.split(":", 1)[1])]
        out.append({**m, "content": c})
    return out


def same(a, b) -> bool:
    """Equal, NaN equal to NaN (Data-Juicer clamps a NaN score to 5.0 but keeps NaN nowhere else)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or (
        isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


class Scripted:
    """Answers from a list in call order (cycling), recording each request."""

    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, messages, attempt=0):
        self.calls.append(messages)
        return self.answers[(len(self.calls) - 1) % len(self.answers)]


def bind(name: str, params: dict):
    return get_op(name).bind({"api_model": "m", **params})


# -- the turn-quality judges, against Data-Juicer --------------------------------------------------

def test_quality_prompts_and_meta_are_data_juicers():
    assert FIXTURE["quality"]["meta_keys"] == {n: dialog_quality.AXES[n][0] for n in QUALITY_OPS}
    seen = set()
    for case in FIXTURE["quality"]["cases"]:
        p = bind(case["op"], case["params"]).prepared
        script = Scripted(case["answers"])
        got = dialog_quality.judge(case["sample"], p, script)
        assert script.calls == [expanded(c["messages"]) for c in case["calls"]], (case["op"], case["record"])
        assert all(c["sampling"] == p["sampling_params"] for c in case["calls"])
        key = p["meta_key"]
        want = case["meta"].get(key)
        if got is None:  # the record keeps its value, as in Data-Juicer
            assert want == case["sample"]["meta"][key]
        else:
            assert same(got, want), (case["op"], case["record"], got, want)
        seen.add(case["op"])
    assert seen == set(QUALITY_OPS)


def test_quality_answers_read_as_data_juicer_reads_them():
    p0 = bind("dialog_coreference_mapper", {}).prepared
    sample = next(c["sample"] for c in FIXTURE["quality"]["cases"] if c["record"] == "en_query_only")
    for row in FIXTURE["quality"]["parse"]:
        p = {**p0, "try_num": row["try_num"]}
        script = Scripted(row["answers"])
        got = dialog_quality.judge(sample, p, script)
        assert len(script.calls) == row["calls"], row
        assert same(got, row["meta"]["dialog_coreference"]), (row, got)
        reason = dialog_quality.why(got, None)
        assert (reason is None) == (got.get("score") is not None), (got, reason)


def test_quality_parameters_are_checked():
    b = bind("dialog_proactivity_mapper", {"sampling_params": {"temperature": 0}})
    assert b.params["try_num"] == 2 and b.params["api_model"] == "m" and b.params["max_round"] == 8
    assert b.prepared["sampling_params"] == {"max_tokens": 384, "temperature": 0}
    assert get_op("dialog_topic_shift_mapper").bind({}).params["api_model"] == "qwen-turbo"
    with pytest.raises(OpError, match="max_round.*>= 0"):
        bind("dialog_coreference_mapper", {"max_round": -1})
    with pytest.raises(OpError, match="model_params.*mapping"):
        bind("dialog_coreference_mapper", {"model_params": "x"})
    with pytest.raises(OpError, match="unknown parameter|not a parameter|no parameter"):
        bind("dialog_coreference_mapper", {"is_hf_model": True})


# -- Spark ----------------------------------------------------------------------------------------

DIALOGS = [
    {"id": 0, "dialog_history": [["What is 2+2?", "5"], ["That is wrong.", "Sorry, it is 4."]],
     "query": "And 3+3?", "response": "6"},
    {"id": 1, "query": "你好，帮我写一首诗", "response": "春风拂面。"},
    {"id": 2, "dialog_history": [["Tell me about Paris", "Paris is the capital of France."]]},
    {"id": 3, "dialog_history": [], "query": "", "response": "nothing asked"},  # no turn: not asked
    {"id": 4, "query": "Plan a trip", "response": "Where to?"},
    {"id": 5, "query": "Which one?", "response": "The red one."},
]


def write_job(folder: Path, params: dict, op: str, extra: str = "") -> Path:
    src = folder / "dialogs.jsonl"
    src.write_text("".join(json.dumps({"text": f"dialog {d['id']}", **d}, ensure_ascii=False) + "\n"
                           for d in DIALOGS), encoding="utf-8")
    spec = folder / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: dialog
        input: {{format: jsonl, path: {src}, text_key: text}}
        output: {{path: {folder / 'out'}}}
        stages:
          - name: judged
            process:
              - {op}: {json.dumps(params)}
    """) + extra, encoding="utf-8")
    return spec


def rows_of(spark, out: Path, stage: str):
    return [{"_dropped_by": None, **r.asDict(recursive=True)}
            for r in spark.read.format("delta").load(str(out / stage)).collect()]


@pytest.mark.spark
def test_job_with_a_misbehaving_endpoint_loses_nothing_and_records_why(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    def behave(body, n, headers):  # per dialog: a score, fenced, garbage, blank, a 500
        text = body["messages"][-1]["content"]
        if "3+3" in text:
            return 200, {}, answer_body('{"score": 4, "reason": "ok"}'), 0
        if "写一首诗" in text:
            return 200, {}, answer_body('```json\n{"score": "7", "reason": ["x"]}\n```'), 0
        if "Paris" in text:
            return 200, {}, answer_body("no idea"), 0
        if "Plan a trip" in text:
            return 200, {}, answer_body("   "), 0
        return 500, {}, b"boom", 0

    with FakeEndpoint(behave) as fake:
        params = {"api_model": "fake", "max_retries": 0, "model_params": {"base_url": fake.base_url}}
        spec = load(write_job(tmp_path, params, "dialog_memory_consistency_mapper"))
        result = run(spark, spec, say=lambda m: None)
        rows = {json.loads(r["_record"])["id"]: r for r in rows_of(spark, tmp_path / "out", "judged")}
        assert len(rows) == len(DIALOGS) == result.input_rows  # nothing lost, nothing dropped
        key = "dialog_memory_consistency"
        got = {i: json.loads(r["stats"][f"{key}_json"]) for i, r in rows.items()}
        assert got[0] == {"score": 4.0, "reason": "ok", "eval_kind": "dialog_turn"}
        assert got[1] == {"score": 5.0, "reason": "['x']", "eval_kind": "dialog_turn"}
        assert got[2] == {"error": "json_parse_failed", "raw": "no idea"}
        assert got[3] == {"skipped": True, "reason": "empty_input"}
        assert got[4] == {"error": "json_parse_failed", "raw": "   "}  # blank twice: the last blank kept
        assert got[5] == {"error": "empty_llm_response"}
        for i, r in rows.items():
            st, meta = r["stats"], r["meta"][key]
            assert r["_dropped_by"] is None and meta == st[key]
            assert {k: v for k, v in meta.items() if v is not None} == got[i]
            assert (st[f"{key}_reason"] is None) == (i in (0, 1)), (i, st[f"{key}_reason"])
        assert rows[3]["stats"]["llm_requests"] == 0
        assert rows[2]["stats"]["llm_requests"] == 1  # an unparsable answer is not asked again
        assert rows[4]["stats"]["llm_requests"] == 2  # a blank one is (try_num 2)
        assert rows[5]["stats"][f"{key}_reason"].startswith("endpoint: http_500")
        sent = len(fake.requests)
        assert spark_llm.SUMMARIES[-1]["requests_sent"] == sent
        run(spark, spec, fresh=True, say=lambda m: None)
        # answers came from the cache; only the failed requests are asked again
        assert spark_llm.SUMMARIES[-1]["requests_sent"] == rows[5]["stats"]["llm_requests"] == len(fake.requests) - sent
