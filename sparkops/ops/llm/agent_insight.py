"""Data-Juicer 1.6.1's LLM summaries of an agent record: ``agent_skill_insight_mapper`` (the tool
and skill tags of ``agent_dialog_normalize_mapper`` summarized into 3-5 capability phrases, into
``meta.agent_skill_insights``) and ``agent_insight_llm_mapper`` (an evidence pack of the record's
stats, meta tags, judges' scores and previews, synthesized into one JSON insight object, into
``meta.agent_insight_llm``). Pure halves: ``messages`` / ``outcome`` / ``why`` (see
``sparkops.ops.llm.agent``); the DataFrame half is ``sparkops.spark.llm_agent.meta_mapper``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sparkops.core import Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm.agent import answered, ask_until_answered, endpoint_reason, meta_of
from sparkops.ops.llm.agent_prompts import INSIGHT, SKILL
from sparkops.ops.llm.dialog_quality import output_lang
from sparkops.ops.llm.dialog_turns import plain
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# -- agent_skill_insight_mapper --------------------------------------------------------------------

# the separators Data-Juicer splits the answer on (agent_skill_insight_mapper.py, 1.6.1)
SEPARATORS = re.compile(r"[,，、;；]+")


def _tags(value: Any) -> list[str]:
    """A meta tag list as Data-Juicer reads it: a non-list as one tag, each ``str``-ed and stripped
    (a None in the list is the tag 'None'), blanks dropped."""
    value = plain(value) or []
    if not isinstance(value, list):
        value = [value] if value else []
    return [str(t).strip() for t in value if str(t).strip()]


def skill_tags(fields: Mapping[str, Any], p: dict) -> tuple[list[str], list[str]] | None:
    """(tools, skills) of a record to summarize; None where Data-Juicer leaves the record as it is
    (a meta that is not a dict, or one that holds the insights already)."""
    meta = meta_of(fields)
    if not isinstance(meta, Mapping) or p["insights_key"] in meta:
        return None
    return _tags(meta.get(p["tool_types_key"])), _tags(meta.get(p["skill_types_key"]))


def skill_messages(fields: Mapping[str, Any], p: dict) -> list[dict] | None:
    tags = skill_tags(fields, p)
    if tags is None or not (tags[0] or tags[1]):
        return None
    tools, skills = tags
    content = f"Tools: {', '.join(tools[:30])}\nSkills: {', '.join(skills[:30])}"
    return [{"role": "system", "content": p["system"]}, {"role": "user", "content": content}]


def phrases(raw: str | None) -> list[str]:
    """The answer split on commas / semicolons (ASCII and CJK) and 、, stripped, repeats dropped."""
    if not raw or not isinstance(raw, str):
        return []
    return list(dict.fromkeys(s.strip() for s in SEPARATORS.split(raw.strip()) if s.strip()))


def skill_outcome(fields: Mapping[str, Any], raw: str | None, p: dict) -> dict | None:
    if skill_tags(fields, p) is None:
        return None
    return {p["insights_key"]: phrases(raw)}


def skill_why(values: dict | None, raw: str | None, error: str | None, p: dict) -> str | None:
    if values is None or values[p["insights_key"]]:
        return None
    if raw is None:
        return "no tool or skill tags in meta"
    return endpoint_reason(error) or "empty answer"


# -- agent_insight_llm_mapper ----------------------------------------------------------------------

# Data-Juicer's MetaKeys of the 1-5 judges the pack summarizes (agent_insight_llm_mapper.py)
JUDGE_KEYS = ("dialog_memory_consistency", "dialog_coreference", "dialog_topic_shift", "dialog_error_recovery",
              "dialog_clarification_quality", "dialog_proactivity", "dialog_non_repetition",
              "agent_trace_coherence", "agent_tool_relevance")
# the JSON ending an answer, as Data-Juicer finds it (agent_insight_llm_mapper.py, 1.6.1)
TRAILING_JSON = re.compile(r"\{[\s\S]*\}\s*$")
FALLBACK_HEADLINE = {"en": "Parse failed; see meta.agent_insight_llm_raw", "zh": "解析失败，见 meta.agent_insight_llm_raw"}


def judges_pack(meta: Mapping) -> dict | None:
    """The judges' records, compact: skipped, error, or score and reason (400 characters)."""
    out: dict[str, Any] = {}
    for k in JUDGE_KEYS:
        rec = meta.get(k)
        if not isinstance(rec, Mapping):
            continue
        if rec.get("skipped"):
            out[k] = {"skipped": True}
        elif rec.get("error"):
            out[k] = {"error": str(rec.get("error"))}
        else:
            piece = {}
            if rec.get("score") is not None:
                piece["score"] = rec["score"]
            reason = rec.get("reason")
            if isinstance(reason, str) and reason.strip():
                piece["reason"] = reason[:400]
            if piece:
                out[k] = piece
    return out or None


def json_safe(x: Any, depth: int = 0) -> Any:
    """A value made JSON-able as Data-Juicer does: 6 levels, 40 keys and 30 items at most."""
    if depth > 6:
        return "..."
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, Mapping):
        return {str(k): json_safe(v, depth + 1) for k, v in list(x.items())[:40]}
    if isinstance(x, (list, tuple)):
        return [json_safe(v, depth + 1) for v in x[:30]]
    x = plain(x)
    if isinstance(x, (list, Mapping)):
        return json_safe(x, depth)
    return str(x)[:500]


def shortened(rec: Any, max_chars: int = 1200) -> Any:
    """A record cut for the pack: a JSON string read first; its JSON over ``max_chars`` is cut
    with '…' (a string, then), else the value itself."""
    if rec is None:
        return None
    if isinstance(rec, str):
        if not rec:
            return None
        try:
            rec = json.loads(rec)
        except ValueError:
            return rec[:max_chars] + "…" if len(rec) > max_chars else rec
    s = json.dumps(json_safe(rec), ensure_ascii=False)
    return json.loads(s) if len(s) <= max_chars else s[:max_chars] + "…"


def _str(value: Any) -> str:
    # Data-Juicer strips the field as a string (a non-string raises there)
    return (value if isinstance(value, str) else "" if value is None else str(value)).strip()


def evidence(fields: Mapping[str, Any], p: dict) -> dict:
    """Data-Juicer's evidence pack of a record: lineage, usage, tools, dialog tags, scores, the
    LLM evaluation records, text stats, bad-case signals, the judges and the two previews."""
    meta, stats = plain(fields.get("meta")), plain(fields.get("stats"))
    # Data-Juicer fails on a meta that is not a dict; here it counts as none
    meta, stats = (meta if isinstance(meta, Mapping) else {}), (stats if isinstance(stats, Mapping) else {})

    def head(labels: Any, n: int = 8) -> Any:
        return labels[:n] if isinstance(labels, list) else labels

    judged = judges_pack(meta)
    return {
        "lineage": {k: meta.get(k) for k in ("agent_request_model", "agent_pt", "agent_total_cost_time_ms")},
        "usage_tokens": {k: meta.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")},
        "tools": {"tool_success_count": meta.get("tool_success_count"), "tool_fail_count": meta.get("tool_fail_count"),
                  "tool_success_ratio": meta.get("tool_success_ratio"),
                  "primary_tool_type": meta.get("primary_tool_type"),
                  "dominant_tool_types": head(meta.get("dominant_tool_types")),
                  "agent_skill_insights": head(meta.get("agent_skill_insights"))},
        "dialog_tags": {"dialog_intent_labels": head(meta.get("dialog_intent_labels")),
                        "dialog_topic_labels": head(meta.get("dialog_topic_labels")),
                        "dialog_sentiment_labels": head(meta.get("dialog_sentiment_labels")),
                        "agent_turn_count": meta.get("agent_turn_count")},
        "scores": {k: stats.get(k) for k in ("llm_analysis_score", "llm_quality_score", "llm_difficulty_score")},
        "llm_eval_support": {k: shortened(stats.get(k)) for k in ("llm_analysis_record", "llm_quality_record",
                                                                  "llm_difficulty_record")},
        "text_stats": {k: stats.get(k) for k in ("text_len", "num_words", "perplexity", "lang_score")},
        "deterministic_bad_case": {"signals": meta.get("agent_bad_case_signals"),
                                   "tier": meta.get("agent_bad_case_tier")},
        "dialog_quality_llm": shortened(judged, max_chars=2800) if judged else None,
        "query_preview": _str(fields.get(p["query_key"]))[:p["query_preview_max_chars"]],
        "response_preview": _str(fields.get(p["response_key"]))[:p["response_preview_max_chars"]],
    }


def insight_asked(fields: Mapping[str, Any], p: dict) -> bool:
    """Data-Juicer asks unless the meta holds an insight already or the tier is not one to run."""
    meta = meta_of(fields)
    meta = meta if isinstance(meta, Mapping) else {}
    if "agent_insight_llm" in meta:
        return False
    return p["run_for_tiers"] is None or meta.get("agent_bad_case_tier") in p["run_for_tiers"]


def insight_messages(fields: Mapping[str, Any], p: dict) -> list[dict] | None:
    if not insight_asked(fields, p):
        return None
    return [{"role": "system", "content": p["system"]},
            {"role": "user", "content": json.dumps(evidence(fields, p), ensure_ascii=False)}]


def insight_json(raw: str | None) -> Any:
    """Data-Juicer's reading: the JSON object ending the answer, else the whole answer as JSON (any
    JSON value); None when neither parses."""
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    found = TRAILING_JSON.search(text)
    try:
        return json.loads(found.group(0) if found else text)
    except ValueError:
        return None


def fallback(lang: str) -> dict:
    return {"headline": FALLBACK_HEADLINE[lang], "root_causes": [], "narrative_alignment": "mixed",
            "human_review_priority": "P2", "viz_facets": [], "audit_notes": "JSON parse failed"}


def insight_outcome(fields: Mapping[str, Any], raw: str | None, p: dict) -> dict | None:
    """The three meta values Data-Juicer writes; the insight as JSON text (any JSON value the
    model gave; Data-Juicer's placeholder object when none parses)."""
    if raw is None:
        return None
    parsed = insight_json(raw)
    return {"agent_pipeline_output_lang": p["lang"], "agent_insight_llm_raw": raw,
            "agent_insight_llm": json.dumps(fallback(p["lang"]) if parsed is None else parsed, ensure_ascii=False)}


def insight_why(values: dict | None, raw: str | None, error: str | None, p: dict) -> str | None:
    if values is None or insight_json(raw) is not None:
        return None
    return endpoint_reason(error) or ("empty answer" if not answered(raw) else "no JSON in the answer")


# -- the kernel protocol, per op ---------------------------------------------------------------------

KERNELS = {"agent_skill_insight_mapper": (skill_messages, skill_outcome, skill_why),
           "agent_insight_llm_mapper": (insight_messages, insight_outcome, insight_why)}


def messages(fields, p):
    return KERNELS[p["op_name"]][0](fields, p)


def outcome(fields, raw, p):
    return KERNELS[p["op_name"]][1](fields, raw, p)


def why(values, raw, error, p):
    return KERNELS[p["op_name"]][2](values, raw, error, p)


def run(fields: Mapping[str, Any], p: dict, ask) -> dict | None:
    """Data-Juicer's ``process_single`` (``sparkops.ops.llm.agent.ask_until_answered``)."""
    return ask_until_answered(fields, p, ask, messages, outcome)


# -- declarations ---------------------------------------------------------------------------------

def _common() -> dict:
    common = {q.name: q for q in llm_params("gpt-4o", "api_model", local_switches=False)}
    common["try_num"] = replace(common["try_num"], default=2, doc="Requests per row at most: a blank answer or a "
                                "failed request is asked again (an unparsable one is not, as in Data-Juicer).")
    return common


def _prepare(values: dict, where: str, op_name: str, prompts: dict) -> dict:
    lang = output_lang(values["preferred_output_lang"])
    if op_name == "agent_insight_llm_mapper":
        types = {"agent_insight_llm": "string", "agent_insight_llm_raw": "string",
                 "agent_pipeline_output_lang": "string"}
        read = [values["query_key"], values["response_key"], "meta", "stats"]
        prefix = "agent_insight_llm"
    else:
        types = {values["insights_key"]: "array<string>"}
        read, prefix = ["meta"], "agent_skill_insight"
    return {**values, **llm_settings(values, where, "api_model"), "op_name": op_name, "lang": lang,
            "system": values["system_prompt"] or prompts[lang], "kernel": __name__, "meta_types": types,
            "stat_prefix": prefix, "read_keys": read}


def _stats(prefix: str, what: str) -> tuple[Stat, ...]:
    return (Stat(f"{prefix}_json", "string", f"The meta values written, as JSON ({what}; null: none written)."),
            Stat(f"{prefix}_raw", "string", "The model's last answer, verbatim (null: the row was not asked)."),
            Stat(f"{prefix}_reason", "string", "Why there is no answer's value (no input, empty or unparsable "
                                               "answer, endpoint error), or null."),
            *USAGE)


_LANG = Param("preferred_output_lang", "str", "en", "Prompt language: `zh...` Chinese, else English.", nullable=True)
_SYSTEM = Param("system_prompt", "str", None, "System prompt; default Data-Juicer's for the language.",
                nullable=True)

_c = _common()
declare(Op(
    name="agent_skill_insight_mapper", kind="selector", family="llm",
    doc="LLM summary of an agent's tool and skill tags into 3-5 capability phrases (meta.agent_skill_insights).",
    params=(_c["api_model"],
            Param("tool_types_key", "str", "agent_tool_types", "Meta key of the tool tags."),
            Param("skill_types_key", "str", "agent_skill_types", "Meta key of the skill tags."),
            Param("insights_key", "str", "agent_skill_insights", "Meta key the phrases go to."),
            _c["api_endpoint"], _c["response_path"], _SYSTEM, _c["try_num"], _c["model_params"],
            _c["sampling_params"], _LANG,
            *[q for n, q in _c.items() if n not in ("api_model", "api_endpoint", "response_path", "try_num",
                                                    "model_params", "sampling_params")]),
    stats=_stats("agent_skill_insight", "the phrases"),
    frame="sparkops.spark.llm_agent:meta_mapper",
    prepare=lambda values, where: _prepare(values, where, "agent_skill_insight_mapper", SKILL),
    notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). Reads "
          "`meta.<tool_types_key>` / `meta.<skill_types_key>` (agent_dialog_normalize_mapper's tags; a non-list "
          "is one tag, every tag `str`-ed and stripped) and asks once per row with `Tools: a, b\\nSkills: c` (30 "
          "of each at most) under Data-Juicer's system prompt. The answer is split on `, ， 、 ; ；`, stripped, "
          "repeats dropped, into `meta.<insights_key>` (`array<string>`). No tags: `[]`, not asked; a blank answer "
          "or failed requests after `try_num`: `[]` with the reason in stats. A row whose meta already holds the "
          "key is not asked and keeps it (when its type is `array<string>`); one whose meta is not a dict is "
          "left as it is.",
))

_c = _common()
declare(Op(
    name="agent_insight_llm_mapper", kind="selector", family="llm",
    doc="LLM synthesis of an agent record's stats, tags, judges' scores and previews into one JSON insight "
        "(meta.agent_insight_llm).",
    params=(_c["api_model"], _c["api_endpoint"], _c["response_path"], _SYSTEM,
            Param("query_key", "str", "query", "Record field of the user request (previewed)."),
            Param("response_key", "str", "response", "Record field of the reply (previewed)."),
            Param("query_preview_max_chars", "int", 500, "Characters of the request shown."),
            Param("response_preview_max_chars", "int", 500, "Characters of the reply shown."),
            Param("run_for_tiers", "list[str]", None, "Ask only rows whose `meta.agent_bad_case_tier` is one of these "
                  "(agent_bad_case_signal_mapper's tiers); null: every row.", nullable=True),
            _c["try_num"], _c["model_params"], _c["sampling_params"], _LANG,
            *[q for n, q in _c.items() if n not in ("api_model", "api_endpoint", "response_path", "try_num",
                                                    "model_params", "sampling_params")]),
    stats=_stats("agent_insight_llm", "`agent_insight_llm`, `agent_insight_llm_raw`, `agent_pipeline_output_lang`"),
    frame="sparkops.spark.llm_agent:meta_mapper",
    prepare=lambda values, where: _prepare(values, where, "agent_insight_llm_mapper", INSIGHT),
    notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). Run it after the "
          "ops whose results it summarizes. The user message is Data-Juicer's evidence pack as JSON: lineage and "
          "usage from meta, tool counts and tags, dialog labels, `stats.llm_*_score` and the LLM evaluation "
          "records (cut to 1200 characters), text stats, the bad-case signals and tier, the 1-5 judges' scores "
          "(`dialog_*`, `agent_trace_coherence`, `agent_tool_relevance`) and the request / reply previews. "
          "meta (the job record's and the meta column's fields) and stats are read as the row holds them. "
          "Writes `meta.agent_pipeline_output_lang`, `meta.agent_insight_llm_raw` (the last answer) and "
          "`meta.agent_insight_llm`: the JSON the answer ends with (or the whole answer as JSON), kept as JSON "
          "text (`string`: the model's object has no fixed Spark type); unparsable: Data-Juicer's placeholder "
          "object (`headline` 'Parse failed; see meta.agent_insight_llm_raw', `human_review_priority` P2). Rows "
          "outside `run_for_tiers` or whose meta holds `agent_insight_llm` are not asked and keep their meta.",
))
del _c
