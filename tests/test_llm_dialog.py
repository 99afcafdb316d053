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
from sparkops.ops.llm import dialog_detection, dialog_quality

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


# -- the detectors, against Data-Juicer -----------------------------------------------------------

def test_detection_prompts_and_lists_are_data_juicers():
    for name, want in FIXTURE["detection"]["defaults"].items():
        b = get_op(name).bind({})
        assert {k: b.params[k] for k in want} == want and b.params["api_model"] == "gpt-4o"
    seen = set()
    for case in FIXTURE["detection"]["cases"]:
        p = bind(case["op"], case["params"]).prepared
        script = Scripted(case["answers"])
        got = dialog_detection.converse(case["sample"], p, script)
        where = (case["op"], case["record"], case["script"], case["params"])
        calls = [expanded(c["messages"]) for c in case["calls"]]
        assert all(c["sampling"] == p["sampling_params"] for c in case["calls"])
        if case["raises"]:
            # Data-Juicer fails the sample: no answer of the first turn parsed; here that turn
            # gets '' and 0 and the next turns are asked
            assert script.calls[:len(calls)] == calls, where
            values_key, analysis_key = p["meta_keys"]
            assert got[analysis_key][0] == "" and got[values_key][0] == 0, where
        else:
            assert script.calls == calls, where
            assert got == case["meta"], where
        seen.add((case["op"], case["script"]))
    assert {op for op, _ in seen} == set(dialog_detection.KINDS)
    assert ("dialog_sentiment_intensity_mapper", "not_an_integer") in seen


def test_detection_parameters_are_checked():
    with pytest.raises(OpError, match="needs a group"):
        bind("dialog_topic_detection_mapper", {"labels_pattern": "topic: .*"})
    with pytest.raises(OpError, match="not a regular expression"):
        bind("dialog_intent_detection_mapper", {"analysis_pattern": "(unclosed"})
    with pytest.raises(OpError, match=r"query_template .* must take only \{query\}"):
        bind("dialog_intent_detection_mapper", {"query_template": "{question}"})
    with pytest.raises(OpError, match="two meta keys"):
        bind("dialog_sentiment_detection_mapper", {"labels_key": "x", "analysis_key": "x"})
    with pytest.raises(OpError, match="unknown parameter|not a parameter|no parameter"):
        bind("dialog_sentiment_intensity_mapper", {"sentiment_candidates": ["a"]})


def test_a_dataframe_row_reads_as_its_json_record():
    """Columns of a DataFrame arrive in pandas as numpy arrays and Rows: the same turns and skip."""
    import numpy as np
    from pyspark.sql import Row

    from sparkops.ops.llm.dialog_turns import turns

    record = {"dialog_history": [["q1", "a1"], ["q2", None]], "query": "q2", "response": "a2"}
    arrays = {"dialog_history": np.array([np.array(["q1", "a1"]), np.array(["q2", None], dtype=object)],
                                         dtype=object), "query": "q2", "response": "a2"}
    assert turns(arrays, "dialog_history", "query", "response") == turns(record, "dialog_history", "query",
                                                                         "response") == [("q1", "a1"), ("q2", "a2")]
    p = bind("dialog_coreference_mapper", {}).prepared
    scored = Row(dialog_coreference=Row(score=3.0, reason="r"), other=None)
    assert dialog_quality.messages({**arrays, "meta": scored}, p) is None
    assert dialog_quality.messages({**arrays, "meta": Row(dialog_coreference=None)}, p) is not None
    assert dialog_quality.messages({**arrays, "meta": scored}, {**p, "overwrite": True}) is not None
    d = bind("dialog_topic_detection_mapper", {}).prepared
    assert dialog_detection.start({"meta": {"dialog_topic_labels": [], "dialog_topic_labels_analysis": []}}, d) \
        is None
    assert dialog_detection.start({"meta": {"dialog_topic_labels": ["x"]}}, d) == {
        "turns": [], "history": [], "analysis": [], "values": [], "raw": [], "reasons": []}


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


INTENT_ANSWERS = {  # per user turn: what the loopback endpoint answers (None: a 500)
    "What is 2+2?": "意图分析：用户在提问。\n意图类别：信息查找",
    "That is wrong.": "no idea",  # no analysis: asked again, then '' and ''
    "And 3+3?": None,
    "你好，帮我写一首诗": "意图分析：请求创作。\n意图类别：创作\n",
    "Tell me about Paris": "好的。\n意图分析：询问巴黎。\n意图类别：信息查找\nLLM：巴黎是……",
    "Plan a trip": "意图类别：规划",
    "Which one?": "意图分析：追问。\n意图类别：信息查找",
}


def current_turn(messages: list[dict]) -> str:
    return messages[-1]["content"].rstrip("\n").rsplit("\n", 1)[-1].removeprefix("用户：")


@pytest.mark.spark
def test_detection_job_with_a_misbehaving_endpoint_loses_nothing_and_records_why(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    def behave(body, n, headers):
        answer = INTENT_ANSWERS[current_turn(body["messages"])]
        return (500, {}, b"boom", 0) if answer is None else (200, {}, answer_body(answer), 0)

    params = {"api_model": "fake", "history_key": "dialog_history", "try_num": 2, "max_retries": 0}
    with FakeEndpoint(behave) as fake:
        spec = load(write_job(tmp_path, {**params, "model_params": {"base_url": fake.base_url}},
                              "dialog_intent_detection_mapper"))
        result = run(spark, spec, say=lambda m: None)
        rows = {json.loads(r["_record"])["id"]: r for r in rows_of(spark, tmp_path / "out", "judged")}
        assert len(rows) == len(DIALOGS) == result.input_rows  # nothing lost, nothing dropped
        p = bind("dialog_intent_detection_mapper", params).prepared
        for d in DIALOGS:
            r, st = rows[d["id"]], rows[d["id"]]["stats"]
            # what the kernel (checked against Data-Juicer above) makes of the same answers
            want = dialog_detection.converse(d, p, lambda m, a: INTENT_ANSWERS[current_turn(m)] or "")
            assert r["_dropped_by"] is None
            assert r["meta"]["dialog_intent_labels"] == want["dialog_intent_labels"], d
            assert r["meta"]["dialog_intent_labels_analysis"] == want["dialog_intent_labels_analysis"], d
            assert len(st["dialog_intent_detection_raw"] or []) == len(want["dialog_intent_labels_analysis"])
            assert (st["dialog_intent_detection_reason"] is None) == all(want["dialog_intent_labels_analysis"])
        r0 = rows[0]
        assert r0["meta"]["dialog_intent_labels"] == ["信息查找", ""]
        assert r0["meta"]["dialog_intent_labels_analysis"] == ["用户在提问。", "", ""]
        assert r0["stats"]["llm_requests"] == 5  # one, then two unparsed, then two failed
        why = r0["stats"]["dialog_intent_detection_reason"]
        assert "turn 2: no analysis" in why and "turn 3: endpoint: http_500" in why, why
        # the third turn's prompt shows the first two with the answers they got
        third = [b for _, b in fake.requests if current_turn(b["messages"]) == "And 3+3?"][0]
        assert "用户：What is 2+2?\n意图分析：用户在提问。\n意图类别：信息查找\nLLM：5\n用户：That is wrong.\n意图分析：\n" \
               "意图类别：\nLLM：Sorry, it is 4.\n用户：And 3+3?\n" == third["messages"][1]["content"]
        assert rows[3]["meta"]["dialog_intent_labels"] == [] and rows[3]["stats"]["llm_requests"] == 0
        assert rows[4]["stats"]["llm_requests"] == 2 and rows[4]["meta"]["dialog_intent_labels"] == ["规划"]
        sent = len(fake.requests)
        assert sum(s["requests_sent"] for s in spark_llm.SUMMARIES[-3:]) == sent  # three rounds: three turns
        run(spark, spec, fresh=True, say=lambda m: None)
        # answers came from the cache; only the failed requests are asked again
        assert len(fake.requests) - sent == 2


@pytest.mark.spark
def test_job_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    """The detector (its second turn's prompt holds the model's first answer), 2 requests; the
    judges run on the same step with one request per row (the loopback tests above)."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    src = tmp_path / "dialog.jsonl"
    dialogs = [{"text": "b", "history": [["Tell me about Paris", "Paris is the capital of France."]],
            "query": "And Rome?", "response": "Rome is the capital of Italy."}]
    src.write_text("".join(json.dumps(r) + "\n" for r in dialogs), encoding="utf-8")
    # a short system prompt: the small model took ~50 s per request reading Data-Juicer's long
    # Chinese one on two busy cores
    params = {"api_model": "SmolLM2-135M-Instruct", "try_num": 1, "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 64}, "preferred_output_lang": "en",
              "system_prompt": "Name the user's intent. Answer in two lines:\n意图分析：<why>\n意图类别：<intent>"}
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: dialog-real
        input: {{format: jsonl, path: {src}, text_key: text}}
        output: {{path: {tmp_path / 'out'}}}
        stages:
          - name: judged
            process:
              - dialog_intent_detection_mapper: {json.dumps(params)}
    """), encoding="utf-8")
    p = bind("dialog_intent_detection_mapper", params).prepared
    n = len(spark_llm.SUMMARIES)
    run(spark, load(spec), say=lambda m: None)
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[n:]] == [1, 1]  # one round per turn
    rows = {r["text"]: r for r in rows_of(spark, tmp_path / "out", "judged")}
    for text, r in rows.items():
        st, meta = r["stats"], r["meta"]
        assert r["_dropped_by"] is None and st["llm_prompt_tokens"] > 0
        # the lists are what our reading (Data-Juicer's) makes of the model's answers
        answers = iter(st["dialog_intent_detection_raw"])
        want = dialog_detection.converse(next(x for x in dialogs if x["text"] == text), p, lambda m, a: next(answers))
        assert meta["dialog_intent_labels"] == want["dialog_intent_labels"]
        assert meta["dialog_intent_labels_analysis"] == want["dialog_intent_labels_analysis"]
    assert len(rows["b"]["meta"]["dialog_intent_labels_analysis"]) == 2
    n = len(spark_llm.SUMMARIES)
    run(spark, load(spec), fresh=True, say=lambda m: None)
    again = spark_llm.SUMMARIES[n:]
    assert sum(s["requests_sent"] for s in again) == 0 and sum(s["answers_cached"] for s in again) == 2
    assert {t: r["meta"] for t, r in rows.items()} == \
        {r["text"]: r["meta"] for r in rows_of(spark, tmp_path / "out", "judged")}
