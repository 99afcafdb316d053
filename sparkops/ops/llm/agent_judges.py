"""Data-Juicer 1.6.1's agent judges on its dialog-quality base (``agent_tool_relevance_mapper``,
``agent_trace_coherence_mapper``): the model scores how apt the tools were for the user's request,
or how coherent the whole session trace is, from 1 to 5 with a reason, into ``meta.<key>``.

The score's reading, the base's parameters and its meta values are the dialog judges' own
(``sparkops.ops.llm.dialog_quality``); what differs is the prompt (the rubric, and the user
message: the request, reply and meta tool tags; or the record's text) and ``eval_kind``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sparkops.core import Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm import dialog_quality as dq
from sparkops.ops.llm.agent import ask_until_answered, endpoint_reason, meta_of
from sparkops.ops.llm.agent_prompts import TOOL_RUBRIC, TRACE_RUBRIC
from sparkops.ops.llm.dialog_turns import clip, clip_pair, plain
from sparkops.ops.llm.params import llm_settings
from sparkops.ops.llm.stats import USAGE

# op -> (Data-Juicer's MetaKeys name, eval_kind, rubric, what it judges)
JUDGES = {
    "agent_tool_relevance_mapper": ("agent_tool_relevance", "agent_tool", TOOL_RUBRIC,
                                    "rough fit between the tools used (meta tool tags) and the user's task"),
    "agent_trace_coherence_mapper": ("agent_trace_coherence", "agent_trace", TRACE_RUBRIC,
                                     "coherence of the flattened session text (goal focus, few detours)"),
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def tool_fit_content(fields: Mapping[str, Any], p: dict) -> str:
    """The request, the reply and the meta tool tags (Data-Juicer's ``build_agent_tool_fit_user_content``)."""
    q, r = plain(fields.get(p["query_key"])) or "", plain(fields.get(p["response_key"])) or ""
    qu, rs = clip_pair(q, r, p["max_query_chars_for_prompt"], p["max_response_chars_for_prompt"])
    meta = meta_of(fields)
    meta = meta if isinstance(meta, Mapping) else {}
    tools, primary = meta.get(p["tool_types_key"]), meta.get(p["primary_tool_key"])
    tools_s = ", ".join(str(x) for x in tools[:40]) if isinstance(tools, list) else "" if tools is None else str(tools)
    prim_s = _text(primary)
    return (f"### User request\n{qu}\n### Assistant reply (may include tool trace)\n{rs}\n"
            f"### Inferred tool list ({p['tool_types_key']})\n{tools_s or '(none)'}\n"
            f"### Primary tool ({p['primary_tool_key']})\n{prim_s or '(none)'}\n")


def trace_content(fields: Mapping[str, Any], p: dict) -> str:
    """The record's text, clipped (Data-Juicer's ``build_agent_trace_eval_user_content``)."""
    t = fields.get(p["text_key"])
    if not isinstance(t, str) or not t.strip():
        return ""
    return f"### Session trace excerpt (may include tool output)\n{clip(t, p['trajectory_text_max_chars'], 'text truncated')}\n"


def user_content(fields: Mapping[str, Any], p: dict) -> str:
    return tool_fit_content(fields, p) if p["eval_kind"] == "agent_tool" else trace_content(fields, p)


def system_prompt(p: dict) -> str:
    return f"{p['rubric']}\n\n{dq.JSON_INSTRUCTION[p['lang']]}\n\n{dq.REASON_LANGUAGE[p['lang']]}"


def messages(fields: Mapping[str, Any], p: dict) -> list[dict] | None:
    if dq.already_scored(fields, p):
        return None
    content = user_content(fields, p)
    if not content.strip():
        return None
    return [{"role": "system", "content": system_prompt(p)}, {"role": "user", "content": content}]


def outcome(fields: Mapping[str, Any], raw: str | None, p: dict) -> dict | None:
    """``{key: value}``: the dialog judges' value with this op's ``eval_kind``; skipped without input."""
    if dq.already_scored(fields, p):
        return None
    if raw is None:
        return {p["meta_key"]: dict(dq.SKIPPED)}
    out = dq.outcome(raw)
    if "eval_kind" in out:
        out["eval_kind"] = p["eval_kind"]
    return {p["meta_key"]: out}


def why(values: dict | None, raw: str | None, error: str | None, p: dict) -> str | None:
    if values is None:
        return None
    meta = values[p["meta_key"]]
    if meta.get("skipped"):
        return "empty input: " + ("no text" if p["eval_kind"] == "agent_trace" else "no request or reply")
    return endpoint_reason(error) or dq.why(meta, None)


def judge(fields: Mapping[str, Any], p: dict, ask) -> dict | None:
    """Data-Juicer's ``process_single`` (``sparkops.ops.llm.agent.ask_until_answered``)."""
    return ask_until_answered(fields, p, ask, messages, outcome)


def _prepare(values: dict, where: str, op_name: str) -> dict:
    key, kind, rubric, _ = JUDGES[op_name]
    return {**values, **llm_settings(values, where, "api_model"), "op_name": op_name,
            "lang": dq.output_lang(values["preferred_output_lang"]), "meta_key": key, "eval_kind": kind,
            "rubric": rubric, "sampling_params": {**dq.SAMPLING_DEFAULTS, **values["sampling_params"]},
            "kernel": __name__, "meta_types": {key: dq.META_TYPE}, "stat_prefix": key,
            "read_keys": [values["query_key"], values["response_key"], values["text_key"], "meta"]}


def _params(op_name: str) -> tuple[Param, ...]:
    base = list(dq.params())
    at = next(i for i, q in enumerate(base) if q.name == "trajectory_text_max_chars")
    base.insert(at, Param("text_key", "str", "text", "Record field of the session text (`text`: the pass's text)."))
    used = {"agent_tool_relevance_mapper": ("query_key", "response_key", "max_query_chars_for_prompt",
                                            "max_response_chars_for_prompt", "tool_types_key", "primary_tool_key"),
            "agent_trace_coherence_mapper": ("text_key", "trajectory_text_max_chars")}[op_name]
    docs = {"query_key": "Record field of the user request.", "response_key": "Record field of the reply "
            "(the tool trace may be in it).", "trajectory_text_max_chars": "Characters of the text shown at most "
            "(0: all).", "tool_types_key": "Meta key of the tool tags (a list, or any value as `str`).",
            "primary_tool_key": "Meta key of the primary tool."}
    unused = "Accepted as Data-Juicer's base op takes it; unused by this judge (as in Data-Juicer)."
    out = []
    for q in base:
        if q.name in ("history_key", "max_round") or (q.name in docs and q.name not in used):
            q = replace(q, doc=unused)
        elif q.name in docs:
            q = replace(q, doc=docs[q.name])
        elif q.name in ("query_key", "response_key", "max_query_chars_for_prompt", "max_response_chars_for_prompt",
                        "text_key") and q.name not in used:
            q = replace(q, doc=unused)
        out.append(q)
    return tuple(out)


def _declare(op_name: str) -> None:
    key, kind, _, what = JUDGES[op_name]
    declare(Op(
        name=op_name, kind="selector", family="llm",
        doc=f"LLM judge of an agent session, 1-5 with a reason, into meta.{key}: {what}.",
        params=_params(op_name),
        stats=(Stat(f"{key}_json", "string", f"The meta value written, as JSON `{{{key}: value}}` with exactly "
                                             "Data-Juicer's keys (null: the row keeps the one it has)."),
               Stat(f"{key}_raw", "string", "The model's last answer, verbatim (null: the row was not asked)."),
               Stat(f"{key}_reason", "string", "Why there is no score (no input, empty or unparsable answer, "
                                               "endpoint error), or null."),
               *USAGE),
        frame="sparkops.spark.llm_agent:meta_mapper",
        prepare=lambda values, where: _prepare(values, where, op_name),
        notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). One request per "
              "row: Data-Juicer's rubric, JSON instruction and language clause as the system prompt; as the user "
              + ("prompt the request (`query_key`), the reply (`response_key`) and the meta tool tags "
                 "(`meta.<tool_types_key>`, `meta.<primary_tool_key>`, '(none)' without). "
                 if kind == "agent_tool" else
                 "prompt the record's text (`text_key`; `text` is the pass's text), clipped. ")
              + f"`meta.{key}` (the dialog judges' struct) is Data-Juicer's value: `{{score (1-5, clamped), reason, "
              f"eval_kind: {kind}}}`, `{{error: bad_score, score: null, reason, eval_kind}}`, "
              "`{error: json_parse_failed, raw}`, `{error: empty_llm_response}` (blank answer or failed requests "
              "after `try_num`), `{skipped: true, reason: empty_input}` (nothing to show: not asked). A blank "
              "answer is asked again, an unparsable one is not. A row whose meta already holds the key is not "
              "asked unless `overwrite` (it keeps its value when its type is this op's).",
    ))


for _name in JUDGES:
    _declare(_name)
