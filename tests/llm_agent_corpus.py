"""What Data-Juicer 1.6.1's LLM agent ops send and write, written by Data-Juicer itself into
``tests/fixtures/dj_llm_agent.json.gz``::

    .peers/dj/bin/python tests/llm_agent_corpus.py

No model is asked: each op is built with an API model name and its module's ``get_model`` is
pointed at a stand-in that records the messages of every call and answers from a script (in call
order, cycling; Data-Juicer's API model answers '' for a failed call, so '' stands for one).

The records: the hand-written agent traces of ``catalogue_agent_corpus.AGENT_TRACES`` (OpenAI,
Anthropic, Qwen formats; no agent trace with tool calls exists in the shared data), run through
Data-Juicer's own rule-based agent chain (normalize, tool tags, usage, bad-case signals) so they
hold the fields and meta tags the LLM ops read; for the PII audit also real text shipped in
``data/safety/safety_sample.jsonl`` (presidio-research's synthetic PII sentences, HH-RLHF
dialogs) and ``pii_corpus``'s hand-written PII strings.

Recorded: ``records`` (id -> record, our field names ``meta`` / ``stats``) and ``cases``: per op,
parameters, record id, answer script, the calls (messages, sampling parameters), the meta the op
wrote and, for the PII audit, the record fields it rewrote. Each distinct system prompt is stored
once, under ``systems``; a call's system message holds ``@system:<index>``.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import catalogue_agent_corpus  # noqa: E402
import pii_corpus  # noqa: E402

FIXTURE = HERE / "fixtures" / "dj_llm_agent.json.gz"
SAFETY = HERE.parent / "data" / "safety" / "safety_sample.jsonl"
DJ_META, DJ_STATS = "__dj__meta__", "__dj__stats__"


class Script:
    """A stand-in API model: records each call's messages, answers from a list (cycling)."""

    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, messages, **kwargs):
        self.calls.append({"messages": json.loads(json.dumps(messages)), "sampling": dict(kwargs)})
        return self.answers[(len(self.calls) - 1) % len(self.answers)]


def to_dj(record: dict) -> dict:
    rec = json.loads(json.dumps(record))
    for ours, theirs in (("meta", DJ_META), ("stats", DJ_STATS)):
        if ours in rec:
            rec[theirs] = rec.pop(ours)
    return rec


def from_dj(sample: dict) -> dict:
    rec = json.loads(json.dumps(sample, ensure_ascii=False))
    for ours, theirs in (("meta", DJ_META), ("stats", DJ_STATS)):
        if theirs in rec:
            rec[ours] = rec.pop(theirs)
    return rec


def make(name: str, **params):
    import importlib

    module = importlib.import_module(f"data_juicer.ops.mapper.{name}")
    cls = next(v for k, v in vars(module).items() if k.lower() == name.replace("_", "").lower()
               or getattr(v, "OP_NAME", None) == name and isinstance(v, type))
    return module, cls(**params)


def records() -> dict[str, dict]:
    out = {}
    chain = [make(n)[1] for n in catalogue_agent_corpus.AGENT_CHAIN]
    for rid, rec in catalogue_agent_corpus.AGENT_TRACES:
        if rid == "agent:zh":  # its string token count fails the chain's usage counter: made a number
            rec = {**rec, "usage": {"prompt_tokens": 900, "completion_tokens": 100}}
        try:
            sample = to_dj(rec)
            for op in chain:
                sample = op.process_single(sample)
        except Exception:  # noqa: BLE001 - a trace the chain fails on (tested elsewhere) is skipped
            continue
        out[f"chain:{rid.split(':', 1)[1]}"] = from_dj(sample)
    # one chained trace with the LLM judges' and analysis ops' values the insight summarizes
    rich = json.loads(json.dumps(out["chain:openai_tools"]))
    rich["meta"].update({"agent_skill_insights": ["Repair failing tests", "Create config files"],
                         "dialog_intent_labels": ["fix"], "dialog_topic_labels": ["code"], "agent_pt": "2025-06-01",
                         "agent_tool_relevance": {"score": 4.0, "reason": "apt " * 150, "eval_kind": "agent_tool"},
                         "dialog_proactivity": {"error": "json_parse_failed", "raw": "x"},
                         "dialog_coreference": {"skipped": True, "reason": "empty_input"},
                         "dialog_topic_shift": {"score": None, "reason": "  "}})
    rich["stats"] = {"llm_analysis_score": 0.7, "llm_quality_score": 0.5, "text_len": 431, "num_words": 60,
                     "llm_analysis_record": json.dumps({"dimension_scores": {"clarity": 4}, "flags": ["ok"] * 40,
                                                        "rationale": "r" * 1500}),
                     "llm_quality_record": "not json " * 200, "llm_difficulty_record": ""}
    out["chain:rich"] = rich
    out["chain:tiered"] = {**out["chain:openai_tools"], "meta": {**out["chain:openai_tools"]["meta"],
                                                                 "agent_bad_case_tier": "watchlist"}}
    out["done:skill"] = {"text": "x", "meta": {"agent_skill_insights": [], "agent_tool_types": ["a"]}}
    out["done:all"] = {"text": "call 13812345678", "query": "q", "response": "r",
                       "meta": {"agent_insight_llm": {"headline": "earlier"}, "agent_tool_relevance": {"score": 2.0},
                                "agent_trace_coherence": {"score": 3.0},
                                "pii_llm_suspect": {"skipped": True, "reason": "heuristic_gate"}}}
    out["meta:not_a_dict"] = {"text": "plain", "meta": "tags"}
    out["meta:tool_scalar"] = {"query": "Find flights", "response": "Searching.",
                               "meta": {"agent_tool_types": "search", "agent_skill_types": ["", "  ", None],
                                        "primary_tool_type": 0}}
    with open(SAFETY, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    for row in rows[::100]:
        out[f"safety:{row['id']}"] = {"text": row["text"]}
    for rid, rec in pii_corpus.hard_records():
        if rid.startswith("hard:text") or rid == "hard:qr":
            out[rid] = rec
    out["pii:messages"] = {"text": "", "query": "联系人：王小明，电话 13912345678",
                           "messages": [{"role": "system", "content": "You help."},
                                        {"role": "user", "content": [{"type": "text", "text": "我叫李雷，邮箱 li@x.cn"},
                                                                     "工号 A1234567", {"type": "image"}]},
                                        {"role": "assistant", "content": "好的 " * 300},
                                        {"role": "tool", "content": None}, "not a message",
                                        {"content": "Mr. Brown called from 10.0.0.1"}]}
    return out


JUDGE_OPS = ["agent_tool_relevance_mapper", "agent_trace_coherence_mapper"]
JUDGE_VARIANTS = [{}, {"preferred_output_lang": "zh", "max_query_chars_for_prompt": 40,
                       "max_response_chars_for_prompt": 30, "trajectory_text_max_chars": 300,
                       "tool_types_key": "dominant_tool_types", "sampling_params": {"temperature": 0}},
                  {"overwrite": True, "query_key": "text", "text_key": "query", "primary_tool_key": "missing"}]
JUDGE_PARSE = [['```json\n{"score": 5, "reason": "good"}\n```'], ['Verdict: {"score": 3, "reason": "ok"} end'],
               ['{"score": "4", "reason": ["a"]}'], ['{"score": 9}'], ['{"score": "high", "reason": "x"}'],
               ['[{"score": 4}]'], ["no json"], ["", '{"score": 2, "reason": "second"}'], ["  ", "  "], ["", ""]]
SKILL_VARIANTS = [{}, {"preferred_output_lang": "zh-CN", "insights_key": "skills_zh"},
                  {"tool_types_key": "dominant_tool_types", "skill_types_key": "agent_tool_types",
                   "system_prompt": "List skills."}]
SKILL_PARSE = [["Log trace by keyword, PDF tables to structured fields；飞书多维表字段批量改写、Log trace by keyword"],
               ["", "a,b"], ["   "], [",，、;；"], ["single phrase\nsecond line"], ["a;b;;c ,  d ,a"], ["", ""]]
INSIGHT_GOOD = json.dumps({"headline": "Tool failures drive the bad case", "root_causes": [
    {"factor": "tool_fail_count", "confidence": "high", "cited_fields": ["tools.tool_fail_count"],
     "rationale_one_line": "One tool call failed."}], "narrative_alignment": "aligned",
    "human_review_priority": "P1", "viz_facets": ["agent_request_model"], "audit_notes": ""})
INSIGHT_VARIANTS = [{}, {"preferred_output_lang": "zh", "query_preview_max_chars": 20,
                         "response_preview_max_chars": 0, "query_key": "text"},
                    {"run_for_tiers": ["high_precision"]}]
INSIGHT_PARSE = [["Here you go:\n" + INSIGHT_GOOD], ["```json\n" + INSIGHT_GOOD + "\n```"], ["[1, 2]"], ["5"],
                 ["null"], ["not json at all"], ["", ""], ["", '{"a": 1}'], ['{"a": 1} trailing'],
                 ['{"a": {"b": 1}}\n  '], ['x {"a": 1} {"b": 2}']]
PII_VARIANTS = [{}, {"preferred_output_lang": "en", "gate_mode": "off", "max_chars_per_field": 60,
                     "max_messages_for_prompt": 2, "max_chars_messages_excerpt": 100},
                {"redaction_mode": "evidence"},
                {"redaction_mode": "whole_field", "inspect_keys": ["text", "query"], "heuristic_name_rules": False},
                {"redaction_mode": "Bogus", "messages_key": None, "redaction_placeholder": "<X>", "overwrite": True}]
PII_PARSE = [["```json\n{\"suspected\": [], \"likely_clean\": true}\n```"], ["garbage"], ["", ""], ["   ", ""],
             ['{"suspected": "x", "likely_clean": "false"}'],
             ['{"suspected": [1, {"field": "text"}, {"field": null, "category": 5, "evidence": ["a"]}]}'],
             [json.dumps({"suspected": [{"field": "f" * 100, "category": "c" * 200, "evidence": "e" * 100}] * 40,
                          "likely_clean": 0})],
             ["x" * 9000]]
PATTERNS = [r"[\w.+-]+@[\w.-]+", r"\d{6,}", r"(?i)(?:password|token|api_key)\S*", r"Mr\.? \w+", r"王小明|李雷"]


def pii_answer(rec: dict) -> str:
    """A verdict naming what the record really holds: per field, the first match of a pattern."""
    found = []
    fields = [(k, rec.get(k)) for k in ("text", "query", "response")]
    msgs = rec.get("messages")
    if isinstance(msgs, list):
        fields.append(("messages_excerpt", json.dumps(msgs, ensure_ascii=False)))
    for key, value in fields:
        if not isinstance(value, str):
            continue
        for pat in PATTERNS:
            m = re.search(pat, value)
            if m:
                found.append({"field": key, "category": "pii", "evidence": m.group(0)[:48]})
                break
    found.append({"field": "unknown_field", "category": "x", "evidence": "zz"})
    return json.dumps({"suspected": found, "likely_clean": not found}, ensure_ascii=False)


def run(module, op, record: dict, answers: list[str]) -> dict:
    script = Script(answers)
    module.get_model = lambda *a, **k: script
    before = to_dj(record)
    try:
        after = from_dj(op.process_single(json.loads(json.dumps(before))))
    except Exception as err:  # noqa: BLE001 - Data-Juicer's own failure
        return {"calls": script.calls, "raises": type(err).__name__}
    changed = {k: v for k, v in after.items() if k not in ("meta", "stats") and v != record.get(k)}
    return {"calls": script.calls, "meta": after.get("meta"), "fields": changed}


def cases(recs: dict) -> list[dict]:
    out = []

    def add(name, params, rid, answers, parse=False):
        module, op = make(name, api_model="m", **params)
        if name in JUDGE_OPS:
            from data_juicer.ops.mapper import dialog_quality_llm_base as module
        out.append({"op": name, "params": params, "record": rid, "answers": answers, "parse": parse,
                    **run(module, op, recs[rid], answers)})

    agent = [r for r in recs if r.startswith(("chain:", "done:", "meta:"))]
    for name in JUDGE_OPS:
        for vi, params in enumerate(JUDGE_VARIANTS):
            for rid in agent if vi == 0 else agent[:4] + ["done:all"]:
                add(name, params, rid, ['{"score": 4, "reason": "apt"}'])
        for answers in JUDGE_PARSE:
            add(name, {}, "chain:openai_tools", answers, parse=True)
    for vi, params in enumerate(SKILL_VARIANTS):
        for rid in agent + ["hard:qr"]:
            add("agent_skill_insight_mapper", params, rid, SKILL_PARSE[0])
    for answers in SKILL_PARSE:
        add("agent_skill_insight_mapper", {}, "chain:openai_tools", answers, parse=True)
    for vi, params in enumerate(INSIGHT_VARIANTS):
        for rid in agent if vi != 1 else ["chain:rich", "chain:zh", "done:all"]:
            add("agent_insight_llm_mapper", params, rid, [INSIGHT_GOOD])
    for answers in INSIGHT_PARSE:
        add("agent_insight_llm_mapper", {}, "chain:rich", answers, parse=True)
        add("agent_insight_llm_mapper", {"preferred_output_lang": "zh"}, "chain:zh", answers, parse=True)
    for vi, params in enumerate(PII_VARIANTS):
        for rid in recs:
            if vi >= 2 and not rid.startswith(("chain:", "pii:", "hard:qr", "safety:presidio-0", "hard:text3")):
                continue
            add("pii_llm_suspect_mapper", params, rid, [pii_answer(recs[rid])])
    for answers in PII_PARSE:
        add("pii_llm_suspect_mapper", {}, "pii:messages", answers, parse=True)
    return out


def shared_systems(out: dict) -> None:
    systems: dict[str, int] = {}
    for case in out["cases"]:
        for call in case["calls"]:
            first = call["messages"][0]
            if first["role"] == "system":
                first["content"] = f"@system:{systems.setdefault(first['content'], len(systems))}"
    out["systems"] = list(systems)


def main() -> int:
    recs = records()
    out = {"records": recs, "cases": cases(recs)}
    shared_systems(out)
    data = (json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    FIXTURE.write_bytes(gzip.compress(data, mtime=0))  # mtime 0: the same bytes on every run
    print(f"wrote {FIXTURE}: {FIXTURE.stat().st_size} bytes, {len(out['cases'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
