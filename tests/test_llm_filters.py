"""Data-Juicer's LLM filters ``llm_condition_filter`` and ``llm_task_relevance_filter``: prompts,
answer reading, stats and keep decisions against what Data-Juicer 1.6.1 itself sends and stores
(tests/fixtures/dj_llm_filters.json.gz, written by tests/llm_filters_corpus.py); rows through both
against a loopback endpoint that misbehaves (garbage, 500s, blank answers), where every row comes
out with its verdict or the reason; one condition against the REAL local model, then from the cache."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import condition, task_relevance

FIXTURE = json.loads(gzip.decompress((Path(__file__).parent / "fixtures" / "dj_llm_filters.json.gz").read_bytes()))
RECORDS = FIXTURE["records"]


def system(text: str) -> str:
    return FIXTURE["systems"][int(text.split(":", 1)[1])] if text.startswith("@system:") else text


def expanded(messages: list[dict]) -> list[dict]:
    """A recorded call's messages with its shared system prompt put back."""
    return [{**m, "content": system(m["content"])} if m["role"] == "system" else m for m in messages]


def bind(name: str, params: dict):
    return get_op(name).bind({"api_or_hf_model": "m", **params})


def script(answers: list[str]):
    """Answers in call order (cycling), as the corpus' stand-in model gives them."""
    calls = []

    def ask(messages):
        calls.append(messages)
        return answers[(len(calls) - 1) % len(answers)]
    return ask, calls


# -- the kernels, against Data-Juicer -------------------------------------------------------------

def test_condition_prompts_verdicts_and_keep_are_data_juicers():
    usage = {**FIXTURE["usage"], "cost_estimate": 0}
    seen = set()
    for case in FIXTURE["cases"]["condition"]:
        p = bind("llm_condition_filter", case["params"]).prepared
        fields = RECORDS[case["record"]]
        where = (case["params"], case["record"], case["answers"])
        got = case["stats"]["llm_condition_filter_result"]
        request = condition.messages(fields, p)
        if not case["calls"]:
            assert request is None and condition.unasked(fields, p) is got, where
            assert "llm_semantic_usage" not in case["stats"] and case["keep"] is got, where
            seen.add("not asked")
            continue
        assert request == expanded(case["calls"][0]["messages"]), where
        assert case["calls"][0]["sampling"] == p["sampling_params"], where
        # our step: a blank answer is asked again (up to try_num); Data-Juicer asks once
        ask, calls = script(case["answers"])
        for _ in range(p["try_num"]):
            raw = ask(request)
            if condition.answered(raw):
                break
        result, reason = condition.verdict(raw)
        assert result is got is case["keep"], where
        assert len(calls) == (1 if condition.answered(raw) else p["try_num"]) >= len(case["calls"]), where
        low = raw.strip().lower()
        assert (reason is None) == (low.startswith(("yes", "no")) or low in ("y", "n")), where
        if condition.answered(raw):
            prior = fields.get("prior_usage") or {}
            assert case["stats"]["llm_semantic_usage"] == {k: v + prior.get(k, 0) for k, v in usage.items()}, where
        seen.add(f"asked:{got}")
    assert seen == {"not asked", "asked:True", "asked:False"}


def test_task_relevance_prompts_scores_and_keep_are_data_juicers():
    compared = 0
    for case in FIXTURE["cases"]["task_relevance"]:
        params = {k: v for k, v in case["params"].items() if k != "task_only"}
        if case["params"].get("task_only"):  # Data-Juicer's prompt for a task description alone
            params.pop("valid_dataset")
        where = (case["params"], case["record"], case["answers"])
        if case["record"] is None:  # what Data-Juicer makes of the parameters alone
            if "task_desc" in params and "valid_dataset" not in params:
                # Data-Juicer fails (a dataset of no records); here its prepare_valid_feature's prompt
                assert "raises" in case and bind("llm_task_relevance_filter", params).prepared["valid_info"] == \
                    f"# Task Description\n{params['task_desc']}\n\n", where
            else:  # no validation (Data-Juicer fails at the first row), none at all, max_score, mixed types
                with pytest.raises(OpError):
                    bind("llm_task_relevance_filter", params)
            continue
        p = bind("llm_task_relevance_filter", params).prepared
        assert p["system_prompt"] == system(case["system"]) and p["valid_info"] == case["valid_info"], where
        fields = RECORDS[case["record"]]
        request = task_relevance.messages(fields, p)
        assert request == expanded(case["calls"][0]["messages"]), where
        ask, calls = script(case["answers"])
        for _ in range(p["try_num"]):
            out = task_relevance.parse(ask(request), p)
            if out.record is not None:
                break
        assert len(calls) == len(case["calls"]), where
        st = case["stats"]
        assert out.score == pytest.approx(st["llm_task_relevance"]), where
        assert (out.record or "", out.tags or "") == (st["llm_task_relevance_record"], st["llm_task_relevance_tags"])
        bound = bind("llm_task_relevance_filter", params)
        assert bound.keep({"llm_task_relevance": out.score}) is case["keep"], where
        compared += 1
    assert compared >= 100


def test_parameters_are_data_juicers_and_checked():
    c = get_op("llm_condition_filter").bind({})
    assert (c.params["api_or_hf_model"], c.params["condition"], c.params["text_key"], c.params["try_num"]) == \
        ("gpt-4o", "", "text", 3) and c.prepared["strategy"] == "direct"
    t = get_op("llm_task_relevance_filter").bind({"task_desc": "x"})
    assert (t.params["min_score"], t.prepared["dim_required_keys"]) == (0.5, list(task_relevance.DIMENSIONS))
    assert get_op("llm_task_relevance_filter").range == ("llm_task_relevance", "min_score", None)
    assert bind("llm_condition_filter", {"strategy": "COT"}).prepared["strategy"] == "cot"
    with pytest.raises(OpError, match="strategy must be one of"):
        bind("llm_condition_filter", {"strategy": "tree"})
    with pytest.raises(OpError, match="sparkops llm serve"):
        bind("llm_condition_filter", {"is_hf_model": True})
    with pytest.raises(OpError, match="sparkops llm serve"):
        bind("llm_task_relevance_filter", {"task_desc": "x", "enable_vllm": True})
    # Data-Juicer hands its is_hf_model on as the base's max_score: the API is asked either way
    assert bind("llm_task_relevance_filter", {"task_desc": "x", "is_hf_model": True}).prepared["client"]
    with pytest.raises(OpError, match="valid_dataset"):
        bind("llm_task_relevance_filter", {"valid_dataset": "not records"})
    with pytest.raises(OpError, match="correspond"):
        bind("llm_task_relevance_filter", {"task_desc": "x", "input_keys": ["a", "b"]})


# -- Spark ----------------------------------------------------------------------------------------

def _rows() -> list[dict]:
    picked = ["sft:0", "sft:7", "sft:101", "c4:0", "c4:42", "edge:empty", "edge:padded"]
    return [{"id": rid, "text": RECORDS[rid]["text"], **{k: v for k, v in RECORDS[rid].items() if k != "text"}}
            for rid in picked]


GARBAGE = "\x00garbage"


def behave_for(body) -> str | None:
    """Per prompt: the relevance judge scores two records, answers garbage for one (not even
    JSON), rambles for the others; the condition
    judge says yes to crepes, 500 for one record, a blank answer or a maybe for two, no to the rest."""
    user = body["messages"][-1]["content"]
    if user.startswith("# Text"):
        if "crepes" in user:
            return "Yes, it is about food."
        if "Kindergarten" in user:
            return None  # a 500
        if "McKinley" in user:
            return "   "  # blank: asked again, then false
        if "Pancakes" in user:
            return "I think so"  # neither yes nor no: false
        return "No."
    if "headline" in user:
        return GARBAGE  # not a chat completion at all
    if "crepes" in user:
        return json.dumps({"dimension_scores": dict.fromkeys(task_relevance.DIMENSIONS, 4)})
    if "NHL" in user:
        return json.dumps({"dimension_scores": dict.fromkeys(task_relevance.DIMENSIONS, 1)})
    return "This sample is somewhat relevant."


@pytest.mark.spark
def test_a_misbehaving_endpoint_loses_nothing_and_records_why(spark):
    from sparkops.spark import llm as spark_llm
    from sparkops.spark.fusion import stage_pass

    def behave(body, n, headers):
        answer = behave_for(body)
        if answer is None:
            return 500, {}, b"boom", 0
        return (200, {}, answer.encode() if answer == GARBAGE else answer_body(answer), 0)

    with FakeEndpoint(behave) as fake:
        common = {"api_or_hf_model": "fake", "max_retries": 0, "model_params": {"base_url": fake.base_url},
                  "try_num": 2}
        cond = {**common, "condition": "The text is about cooking or food."}
        process = [{"llm_task_relevance_filter": {**common, "task_desc": "Cooking instructions."}},
                   {"llm_condition_filter": cond}, {"llm_condition_filter": {**cond, "text_key": "output"}}]
        records = _rows()
        df = spark.createDataFrame([(r["text"], json.dumps(r, ensure_ascii=False)) for r in records],
                                   "text string, _record string")
        n = len(spark_llm.SUMMARIES)
        out = stage_pass(df, process).collect()
    rows = {json.loads(r["_record"])["id"]: r.asDict(recursive=True) for r in out}
    assert len(rows) == len(records)  # nothing lost
    # the relevance judge: a score kept, a low score dropped, rambling scored 0 and kept (Data-Juicer's rule)
    nhl = rows["sft:7"]
    assert nhl["stats"]["llm_task_relevance"] == pytest.approx(0.2) and nhl["_dropped_by"] == "llm_task_relevance_filter"
    rambled = [r for r in rows.values() if r["stats"]["llm_task_relevance_raw"] == "This sample is somewhat relevant."]
    assert len(rambled) == 4
    garbled = rows["sft:101"]
    assert garbled["_dropped_by"].startswith("error:llm_task_relevance_filter: endpoint: bad_response")
    assert garbled["stats"]["llm_task_relevance"] == 0.0 and garbled["stats"]["llm_requests"] == 2
    assert garbled["stats"]["llm_task_relevance_reason"].startswith("endpoint: bad_response")
    for r in rambled:
        st = r["stats"]
        assert st["llm_task_relevance"] == 0.0 and st["llm_task_relevance_record"] == ""
        assert st["llm_task_relevance_reason"] == "no JSON object in the answer" and st["llm_requests"] == 2
        assert r["_dropped_by"] != "llm_task_relevance_filter"
    crepes, kinder, web, empty, padded = (rows[k] for k in ("sft:0", "c4:42", "c4:0", "edge:empty", "edge:padded"))
    st = crepes["stats"]
    assert st["llm_task_relevance"] == pytest.approx(0.8) and crepes["_keep"] and crepes["_dropped_by"] is None
    # both condition filters said yes (the second on `output`: its stats suffixed, as any statistic
    # two ops of a stage share), each with Data-Juicer's usage record of its request
    assert st["llm_condition_filter_result"] is st["llm_condition_filter_result_2"] is True
    assert st["llm_condition_filter_reason"] is None
    assert st["llm_semantic_usage"] == st["llm_semantic_usage_2"] == {
        "prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18, "cost_estimate": 0.0}
    assert kinder["_dropped_by"].startswith("error:llm_condition_filter: endpoint: http_500")
    assert not kinder["_keep"] and kinder["stats"]["llm_condition_filter_result"] is False
    assert kinder["stats"]["llm_condition_filter_reason"].startswith("endpoint: http_500")
    assert web["stats"]["llm_condition_filter_reason"] == "empty answer: false"
    assert web["stats"]["llm_condition_filter_raw"] == "   " and web["_dropped_by"] == "llm_condition_filter"
    assert empty["stats"]["llm_condition_filter_reason"] == condition.EMPTY_TEXT
    assert empty["stats"]["llm_condition_filter_raw"] is None and empty["stats"]["llm_semantic_usage"] is None
    assert empty["_dropped_by"] == "llm_condition_filter"
    assert padded["stats"]["llm_condition_filter_reason"] == "neither yes nor no: false"
    asked = [b["messages"][-1]["content"] for _, b in fake.requests]
    assert sum(a.startswith("# Text") and "McKinley" in a for a in asked) == 2  # the blank answer, asked again
    assert not any(a.startswith("# Text\n\n#") for a in asked)  # the empty text: not asked
    summaries = spark_llm.SUMMARIES[n:]
    assert [s["op"] for s in summaries] == ["llm_task_relevance_filter", "llm_condition_filter",
                                            "llm_condition_filter"]
    assert sum(s["requests_sent"] for s in summaries) == len(fake.requests)


@pytest.mark.spark
def test_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    """One condition on one record (1 request, 4 tokens at most), then again from the cache (0)."""
    from sparkops.spark import llm as spark_llm
    from sparkops.spark.fusion import stage_pass

    df = spark.createDataFrame([("Whisk the eggs, then fold in the flour.",)], "text string")
    params = {"api_or_hf_model": "SmolLM2-135M-Instruct", "try_num": 1, "condition": "The text is about cooking.",
              "model_params": {"base_url": llm_server.base_url}, "sampling_params": {"temperature": 0, "max_tokens": 4},
              "cache_path": str(tmp_path / "cache")}
    process = [{"llm_condition_filter": params}]
    n = len(spark_llm.SUMMARIES)
    (row,) = [r.asDict(recursive=True) for r in stage_pass(df, process).collect()]
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[n:]] == [1]
    st = row["stats"]
    assert st["llm_prompt_tokens"] > 0 and st["llm_condition_filter_raw"] is not None
    # the verdict is our reading (Data-Juicer's, checked above) of the model's answer
    assert st["llm_condition_filter_result"] is condition.verdict(st["llm_condition_filter_raw"])[0] is row["_keep"]
    n = len(spark_llm.SUMMARIES)
    (again,) = [r.asDict(recursive=True) for r in stage_pass(df, process).collect()]
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[n:]] == [0]
    assert again["stats"]["llm_condition_filter_result"] is st["llm_condition_filter_result"]
