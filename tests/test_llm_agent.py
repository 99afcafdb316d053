"""Data-Juicer's LLM agent ops: prompts and parsing against what Data-Juicer 1.6.1 itself sends and
writes (tests/fixtures/dj_llm_agent.json.gz, written by tests/llm_agent_corpus.py); job rows through three
of them against a loopback endpoint that misbehaves (garbage, 500s), where every row comes out with
its values or the reason; the skill summary against the REAL local model, then from the cache."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import agent_insight, agent_judges, pii_suspect
from sparkops.ops.llm.agent import META_COL, STATS_COL, merged

FIXTURE = json.loads(gzip.decompress((Path(__file__).parent / "fixtures" / "dj_llm_agent.json.gz").read_bytes()))
OPS = ["agent_insight_llm_mapper", "agent_skill_insight_mapper", "agent_tool_relevance_mapper",
       "agent_trace_coherence_mapper", "pii_llm_suspect_mapper"]


def expanded(messages: list[dict]) -> list[dict]:
    """A recorded call's messages with its shared system prompt put back."""
    return [{**m, "content": FIXTURE["systems"][int(m["content"].split(":", 1)[1])]}
            if m["role"] == "system" and m["content"].startswith("@system:") else m for m in messages]


class Scripted:
    """Answers from a list in call order (cycling), recording each request."""

    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, messages, attempt=0):
        self.calls.append(messages)
        return self.answers[(len(self.calls) - 1) % len(self.answers)]


def bind(name: str, params: dict):
    return get_op(name).bind({"api_model": "m", **params})


def ours(name: str, record: dict, p: dict, ask) -> tuple[dict | None, dict]:
    """(meta values written, record fields rewritten) by our kernel for one record."""
    if name in agent_judges.JUDGES:
        return agent_judges.judge(record, p, ask), {}
    if name == "pii_llm_suspect_mapper":
        return pii_suspect.audit(record, p, ask)
    return agent_insight.run(record, p, ask), {}


def as_dj(values: dict | None) -> dict:
    """Our meta values as Data-Juicer holds them: the insight object is JSON text here."""
    out = dict(values or {})
    if "agent_insight_llm" in out:
        out["agent_insight_llm"] = json.loads(out["agent_insight_llm"])
    return out


# -- the kernels, against Data-Juicer -------------------------------------------------------------

def test_prompts_meta_and_rewrites_are_data_juicers():
    seen = set()
    for case in FIXTURE["cases"]:
        record = FIXTURE["records"][case["record"]]
        p = bind(case["op"], case["params"]).prepared
        script = Scripted(case["answers"])
        values, rewrites = ours(case["op"], record, p, script)
        where = (case["op"], case["params"], case["record"], case["answers"])
        if "raises" in case:
            # Data-Juicer fails on a meta that is not a dict; here the record counts as one without meta
            assert not isinstance(record.get("meta"), dict), where
            seen.add((case["op"], "raises"))
            continue
        assert script.calls == [expanded(c["messages"]) for c in case["calls"]], where
        assert all(c["sampling"] == p["sampling_params"] for c in case["calls"]), where
        before = record.get("meta") if isinstance(record.get("meta"), dict) else {}
        got = record.get("meta") if values is None else {**before, **as_dj(values)}
        assert (got or {}) == (case["meta"] or {}), where
        changed = {k: v for k, v in {**record, **rewrites}.items() if v != record.get(k)}
        assert changed == case["fields"], where
        seen.add((case["op"], "asked" if case["calls"] else "not asked"))
    assert {op for op, _ in seen} == set(OPS)
    assert sum(1 for c in FIXTURE["cases"] if c.get("fields")) >= 5  # redactions were compared


def test_reasons_say_why_a_value_is_not_from_an_answer():
    for case in FIXTURE["cases"]:
        if not case["parse"]:
            continue
        record = FIXTURE["records"][case["record"]]
        p = bind(case["op"], case["params"]).prepared
        values, _ = ours(case["op"], record, p, Scripted(case["answers"]))
        last = case["answers"][(len(case["calls"]) - 1) % len(case["answers"])]
        kernel = agent_judges if case["op"] in agent_judges.JUDGES else \
            pii_suspect if case["op"] == "pii_llm_suspect_mapper" else agent_insight
        reason = kernel.why(values, last, None, p)
        good = {"agent_tool_relevance_mapper": lambda v: v["agent_tool_relevance"].get("score") is not None,
                "agent_trace_coherence_mapper": lambda v: v["agent_trace_coherence"].get("score") is not None,
                "agent_skill_insight_mapper": lambda v: bool(v["agent_skill_insights"]),
                "agent_insight_llm_mapper": lambda v: agent_insight.insight_json(v["agent_insight_llm_raw"]) is not None,
                "pii_llm_suspect_mapper": lambda v: "suspected" in v["pii_llm_suspect"]}[case["op"]](values)
        assert (reason is None) == good, (case["op"], case["answers"], reason)
    p = bind("agent_trace_coherence_mapper", {}).prepared
    assert agent_judges.why(agent_judges.outcome({}, "", p), "", "http_500", p) == "endpoint: http_500"


def test_parameters_are_checked():
    defaults = {"agent_insight_llm_mapper": ("gpt-4o", {}), "agent_skill_insight_mapper": ("gpt-4o", {}),
                "agent_tool_relevance_mapper": ("qwen-turbo", {"max_tokens": 384, "temperature": 0.2}),
                "agent_trace_coherence_mapper": ("qwen-turbo", {"max_tokens": 384, "temperature": 0.2}),
                "pii_llm_suspect_mapper": ("qwen-turbo", {"max_tokens": 512, "temperature": 0.1})}
    for name, (model, sampling) in defaults.items():
        b = get_op(name).bind({})
        assert b.params["api_model"] == model and b.params["try_num"] == 2 and b.prepared["sampling_params"] == sampling
    b = get_op("pii_llm_suspect_mapper").bind({"redaction_mode": " Evidence ", "inspect_keys": None})
    assert b.prepared["redaction_mode"] == "evidence" and b.prepared["inspect_keys"] == ["text", "query", "response"]
    assert b.prepared["system"].startswith("你是数据合规审计助手")  # Chinese by default
    with pytest.raises(OpError, match="spaCy NER gate"):
        bind("pii_llm_suspect_mapper", {"spacy_ner_models": ["en_core_web_sm"]})
    with pytest.raises(OpError, match="two meta keys"):
        bind("pii_llm_suspect_mapper", {"raw_key": "pii_llm_suspect"})
    with pytest.raises(OpError, match="run_for_tiers"):
        bind("agent_insight_llm_mapper", {"run_for_tiers": "high_precision"})
    with pytest.raises(OpError, match="unknown parameter|not a parameter|no parameter"):
        bind("agent_trace_coherence_mapper", {"is_hf_model": True})


def test_meta_and_stats_columns_lay_over_the_record():
    """In a job the record holds what record ops wrote, the columns what the LLM ops wrote."""
    from pyspark.sql import Row

    fields = {"meta": {"agent_tool_types": ["a"], "x": 1}, "stats": None,
              META_COL: Row(x=None, agent_tool_relevance=Row(score=4.0, reason="r")),
              STATS_COL: {"llm_quality_score": 0.5}}
    got = merged(fields)
    assert got == {"meta": {"agent_tool_types": ["a"], "x": 1, "agent_tool_relevance": {"score": 4.0, "reason": "r"}},
                   "stats": {"llm_quality_score": 0.5}}
    assert merged({"meta": None, META_COL: {"a": None}}) == {"meta": None}  # Data-Juicer's non-dict meta kept


# -- Spark ----------------------------------------------------------------------------------------

def traces() -> list[dict]:
    import catalogue_agent_corpus

    picked = dict(catalogue_agent_corpus.AGENT_TRACES)
    rows = [dict(picked[k], id=k) for k in ("agent:openai_tools", "agent:anthropic", "agent:long_tool")]
    said = [{"role": "user", "content": "Mr. Smith's phone is 13812345678."}, {"role": "assistant", "content": "Noted."}]
    rows.append({"id": "plain", "messages": said})
    rows.append({"id": "secret", "messages": [{"role": "user", "content": "my password: hunter2"}]})
    return rows


def behave_for(body):
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    if "### User request" in user:  # the tool judge
        return '{"score": 4, "reason": "apt"}' if "list_dir" in user else "no idea"
    if system.startswith("You are a careful analyst"):
        return 'Insight: {"headline": "h", "viz_facets": ["agent_pt"]}' if "/srv/app" in user else "?"
    if "hunter2" in user:  # the PII audit: a 500 for the record with a password
        return None
    return json.dumps({"suspected": [{"field": f, "category": "phone", "evidence": "13812345678"}
                                     for f in ("text", "query", "messages_excerpt")]})


# the rule-based agent ops (record ops, one fused pass) before three LLM steps: the insight reads
# the tool judge's score from the meta column, the PII audit rewrites the record it read
STAGE = ["agent_dialog_normalize_mapper", "tool_success_tagger_mapper"]


@pytest.mark.spark
def test_a_misbehaving_endpoint_loses_nothing_and_records_why(spark):
    """Job rows (the input record as JSON in ``_record``), as the job runner passes them."""
    from sparkops.spark import llm as spark_llm
    from sparkops.spark.fusion import stage_pass

    def behave(body, n, headers):
        answer = behave_for(body)
        return (500, {}, b"boom", 0) if answer is None else (200, {}, answer_body(answer), 0)

    with FakeEndpoint(behave) as fake:
        params = {"api_model": "fake", "max_retries": 0, "model_params": {"base_url": fake.base_url}}
        pii = {**params, "redaction_mode": "evidence", "preferred_output_lang": "en"}
        process = [*[{name: {}} for name in STAGE], {"agent_tool_relevance_mapper": params},
                   {"agent_insight_llm_mapper": params}, {"pii_llm_suspect_mapper": pii}]
        records = [{"text": "", **r} for r in traces()]
        df = spark.createDataFrame([(r["text"], json.dumps(r, ensure_ascii=False)) for r in records],
                                   "text string, _record string")
        out = stage_pass(df, process).collect()
        rows = {json.loads(r["_record"])["id"]: r.asDict(recursive=True) for r in out}
        assert len(rows) == 5 and all(r["_keep"] for r in out)
        tools, anth, plain = rows["agent:openai_tools"], rows["agent:anthropic"], rows["plain"]
        # the tool judge: a score, an unparsable answer recorded with its reason, a row without
        # a request or reply skipped
        assert tools["meta"]["agent_tool_relevance"]["score"] == 4.0
        assert tools["meta"]["agent_tool_relevance"]["eval_kind"] == "agent_tool"
        assert anth["meta"]["agent_tool_relevance"]["error"] == "json_parse_failed"
        assert json.loads(anth["stats"]["agent_tool_relevance_json"]) == {
            "agent_tool_relevance": {"error": "json_parse_failed", "raw": "no idea"}}
        assert anth["stats"]["agent_tool_relevance_reason"] == "no JSON object in the answer"
        # the insight saw the judge's score written by the LLM op before it in the same stage, and
        # the record's meta written by the record ops before that
        asked = [b for _, b in fake.requests if b["messages"][0]["content"].startswith("You are a careful")]
        pack = json.loads(next(b["messages"][1]["content"] for b in asked if "/srv/app" in json.dumps(b)))
        assert pack["dialog_quality_llm"]["agent_tool_relevance"] == {"score": 4.0, "reason": "apt"}
        assert pack["tools"]["tool_fail_count"] == 1 and pack["lineage"]["agent_request_model"] == "qwen-max"
        assert json.loads(tools["meta"]["agent_insight_llm"]) == {"headline": "h", "viz_facets": ["agent_pt"]}
        assert json.loads(anth["meta"]["agent_insight_llm"])["human_review_priority"] == "P2"  # the placeholder
        assert anth["meta"]["agent_insight_llm_raw"] == "?" and anth["meta"]["agent_pipeline_output_lang"] == "en"
        assert anth["stats"]["agent_insight_llm_reason"] == "no JSON in the answer"
        # the PII audit: gated where nothing looks risky; else asked (a 500 for the password:
        # Data-Juicer's empty answer, twice) and the evidence redacted in the text and the record
        assert anth["meta"]["pii_llm_suspect"]["reason"] == "heuristic_gate"
        assert anth["stats"]["pii_llm_suspect_raw"] is None and anth["stats"]["pii_llm_suspect_reason"] is None
        failed = rows["secret"]
        assert failed["meta"]["pii_llm_suspect"]["error"] == "empty_llm_response"
        assert failed["stats"]["pii_llm_suspect_reason"].startswith("endpoint: http_500")
        asked_for_it = sum("hunter2" in b["messages"][-1]["content"] for _, b in fake.requests
                           if b["messages"][0]["content"].startswith("You are a data-compliance"))
        assert asked_for_it == 2
        # the usage columns: every LLM op of a stage writes them under the same names; the last
        # op's (the PII audit's) replace the earlier ones, once each
        assert [f for f in out[0]["stats"].__fields__ if f == "llm_requests"] == ["llm_requests"]
        verdict = plain["meta"]["pii_llm_suspect"]
        assert verdict["suspected"][0]["evidence"] == "13812345678" and verdict["redaction_applied"]
        record, gone = json.loads(plain["_record"]), "Mr. Smith's phone is [LLM_PII_SUSPECT_REDACTED]."
        assert plain["text"] == record["text"] == f"User: {gone}\n\nAssistant: Noted."
        assert record["query"] == record["messages"][0]["content"] == gone
        assert record["dialog_history"] == [["Mr. Smith's phone is 13812345678.", "Noted."]]  # not inspected
        assert sum(s["requests_sent"] for s in spark_llm.SUMMARIES[-3:]) == len(fake.requests)


@pytest.mark.spark
def test_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    """The skill summary of one normalized trace, as a DataFrame (1 request: the shortest prompt
    of the five; the others share its Spark half), then again from the response cache (0)."""
    from sparkops.spark import llm as spark_llm
    from sparkops.spark.fusion import stage_pass

    trace = next(r for r in FIXTURE["records"].values() if r.get("query", "").startswith("List the files"))
    meta = {k: trace["meta"][k] for k in ("agent_tool_types", "agent_skill_types")}
    df = spark.createDataFrame([(trace["text"][:200], meta)],
                               "text string, meta struct<agent_tool_types:array<string>,agent_skill_types:array<string>>")
    params = {"api_model": "SmolLM2-135M-Instruct", "try_num": 1, "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 48}, "cache_path": str(tmp_path / "cache")}
    process = [{"agent_skill_insight_mapper": params}]
    n = len(spark_llm.SUMMARIES)
    (row,) = [r.asDict(recursive=True) for r in stage_pass(df, process).collect()]
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[n:]] == [1]
    st, got = row["stats"], row["meta"]
    assert st["llm_prompt_tokens"] > 0 and got["agent_tool_types"] == meta["agent_tool_types"]
    # the phrases are what our reading (Data-Juicer's, checked above) makes of the model's answer
    assert got["agent_skill_insights"] == agent_insight.phrases(st["agent_skill_insight_raw"])
    assert (st["agent_skill_insight_reason"] is None) == bool(got["agent_skill_insights"])
    n = len(spark_llm.SUMMARIES)
    again = [r.asDict(recursive=True) for r in stage_pass(df, process).collect()]
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[n:]] == [0]
    assert again[0]["meta"] == got
