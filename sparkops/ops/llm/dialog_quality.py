"""Data-Juicer 1.6.1's dialog turn-quality LLM mappers (``dialog_quality_llm_base.py`` and the
seven ops on it): the model scores the last assistant reply of a dialog on one axis (memory
consistency, coreference, ...) from 1 to 5, with a reason; the result goes into ``meta.<axis>``.

Pure halves here: the request of a record (``messages``) and Data-Juicer's meta of an answer
(``outcome``). One declaration helper (``_declare``) makes the seven ops; the DataFrame half is
``sparkops.spark.llm_dialog_quality.quality_mapper``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sparkops.core import Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm.dialog_turns import clip_pair, non_negative, turns
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# Data-Juicer 1.6.1's prompt texts (dialog_*_mapper.py, data_juicer/utils/agent_output_locale.py;
# Apache-2.0), reproduced as facts: an op with its name asks the model the same question
JSON_INSTRUCTION = {
    "en": ("Output exactly one JSON object, no markdown. Schema:\n"
           '{"score": <integer 1-5>, "reason": "<brief justification>"}\n'
           "Higher score = better for this criterion."),
    "zh": ("请只输出一个 JSON 对象，不要使用 markdown。模式：\n"
           '{"score": <1-5 的整数>, "reason": "<简短理由>"}\n'
           "分数越高表示该维度表现越好。"),
}
REASON_LANGUAGE = {
    "en": ("Language: Write the JSON field `reason` in concise **English**, "
           "even if the user dialog is in another language."),
    "zh": ("Language: The scoring rubric above may be in English; apply it faithfully. "
           "The JSON field `reason` must be written in concise **Simplified Chinese (简体中文)**."),
}
RUBRICS = {
    "dialog_clarification_quality_mapper": (
        "When the user request is vague or missing key parameters, check whether the assistant asks **few, "
        "targeted** clarifications instead of guessing wildly or over-questioning.\n"
        "When the request is already actionable, completing it directly deserves a high score.\n"
        "Short follow-ups (e.g. status checks like 'any progress?') often do **not** require new clarifying "
        "questions—a concise progress or next-step answer can merit 3–5 unless critical parameters are "
        "obviously missing.\n"
        "1 = should clarify but does not, or answers blindly; 5 = right clarifications or a one-shot good answer."),
    "dialog_coreference_mapper": (
        "You judge coreference. Using the **Current user message**, check whether the **Assistant reply to "
        "score** picks the right referents (may rely on earlier turns).\n"
        "1 = clear mis-resolution; 3 = understandable but ambiguous; 5 = crisp and correct."),
    "dialog_error_recovery_mapper": (
        "If the transcript shows the user **explicitly** correcting or disputing an **earlier assistant** "
        "mistake, score whether the **Assistant reply to score** acknowledges professionally, fixes the issue, "
        "and keeps a respectful tone.\n"
        "**Mandatory:** If there is **no** such correction/dispute context in Earlier turns + Current user "
        "message, output **score 5** and state in `reason` that there was no error-recovery scenario. Do "
        "**not** output 1–3 merely because the reply lacks an apology or because no error was visible.\n"
        "1 = denial or hostile tone when a fix was needed; 5 = clear, correct fix when a fix was needed."),
    "dialog_memory_consistency_mapper": (
        "You are a dialog-quality judge. From the text only: does the **Assistant reply to score** honor "
        "preferences, constraints, and stated facts from earlier turns? Any clear forgetting or "
        "self-contradiction lowers the score.\n"
        "1 = severe violation or forgetting; 3 = mostly OK with gaps; 5 = key constraints respected.\n"
        "Do not invent facts that are not supported by the transcript."),
    "dialog_non_repetition_mapper": (
        "Compare with assistant content in **Earlier turns**: does the **Assistant reply to score** mostly "
        "repeat prior messages without new information?\n"
        "1 = near-duplicate of earlier assistant text; 5 = substantive new facts, conclusions, or progress.\n"
        "Ignore small amounts of polite boilerplate repetition."),
    "dialog_proactivity_mapper": (
        "Score whether the reply moves the dialog forward **without excess**: sensible next steps, relevant "
        "additions, brief follow-ups.\n"
        "1 = one-shot mechanical or fully passive; 5 = proactive yet restrained and useful for the user's goal.\n"
        "Penalize empty filler and off-topic digressions."),
    "dialog_topic_shift_mapper": (
        "Step A: From Earlier turns vs the **Current user message**, decide whether the user **clearly changed "
        "topic** compared to their immediately preceding user turns.\n"
        "Step B: If there is **no** clear topic shift, score **only** whether the Assistant reply addresses the "
        "current message (3–5 if on-topic and reasonable; 1–2 only if clearly irrelevant). Do **not** say the "
        "assistant is 'stuck on an old topic' unless the user actually pivoted topics.\n"
        "If the user **did** shift topic: score whether the reply pivots to the new ask instead of the obsolete "
        "thread.\n"
        "1 = wrong focus when a pivot was needed, or clearly off-topic; 5 = clean pivot or tight alignment with "
        "the current ask."),
}
# Data-Juicer's MetaKeys of the seven axes, and what each op checks (its class doc)
AXES = {
    "dialog_clarification_quality_mapper": ("dialog_clarification_quality", "Quality of clarifying questions when "
                                            "the ask is vague; direct solve when clear."),
    "dialog_coreference_mapper": ("dialog_coreference", "Whether the reply resolves pronouns/deictics in the "
                                  "latest user turn."),
    "dialog_error_recovery_mapper": ("dialog_error_recovery", "When the user disputes a prior assistant mistake, "
                                     "is the reply corrective."),
    "dialog_memory_consistency_mapper": ("dialog_memory_consistency", "Whether the final assistant turn respects "
                                         "prior user constraints and facts."),
    "dialog_non_repetition_mapper": ("dialog_non_repetition", "New information vs prior assistant turns in the same "
                                     "prompt window."),
    "dialog_proactivity_mapper": ("dialog_proactivity", "Balance helpful initiative against rambling or filler."),
    "dialog_topic_shift_mapper": ("dialog_topic_shift", "Focus on new topic vs clinging to an obsolete thread."),
}
EVAL_KIND = "dialog_turn"
# Data-Juicer's defaults merged under the op's sampling_params (setdefault)
SAMPLING_DEFAULTS = {"max_tokens": 384, "temperature": 0.2}
# the Spark type of meta.<axis>: every key Data-Juicer's dict may hold (absent keys null)
META_TYPE = "struct<score:double,reason:string,eval_kind:string,error:string,skipped:boolean,raw:string>"


def output_lang(value: Any) -> str:
    """Data-Juicer's ``normalize_preferred_output_lang``: 'zh' for zh*, else 'en'."""
    text = "" if value is None else str(value).strip().lower().replace("_", "-")
    return "zh" if text.startswith("zh") else "en"


def user_content(fields: Mapping[str, Any], p: dict) -> str:
    """The earlier turns, the current user message and the reply to score ('' without turns)."""
    dialog = turns(fields, p["history_key"], p["query_key"], p["response_key"])
    if p["max_round"] > 0:
        dialog = dialog[-p["max_round"]:]
    if not dialog:
        return ""
    mq, mr = p["max_query_chars_for_prompt"], p["max_response_chars_for_prompt"]
    early = "".join("[User]\n{}\n[Assistant]\n{}\n".format(*clip_pair(u, a, mq, mr)) for u, a in dialog[:-1])
    last_user, last_reply = clip_pair(*dialog[-1], mq, mr)
    return (f"### Earlier turns\n{early}### Current user message\n{last_user}\n"
            f"### Assistant reply to score (evaluate this segment only)\n{last_reply}\n")


def system_prompt(op_name: str, lang: str) -> str:
    return f"{RUBRICS[op_name]}\n\n{JSON_INSTRUCTION[lang]}\n\n{REASON_LANGUAGE[lang]}"


def already_scored(fields: Mapping[str, Any], p: dict) -> bool:
    """The record's meta holds the axis and overwrite is off: Data-Juicer leaves it as it is."""
    meta = fields.get("meta")
    if hasattr(meta, "asDict"):
        meta = meta.asDict()
    return not p["overwrite"] and isinstance(meta, Mapping) and meta.get(p["meta_key"]) is not None


def messages(fields: Mapping[str, Any], p: dict) -> list[dict] | None:
    """The request of a record; None when it is not asked (no dialog, or already scored)."""
    if already_scored(fields, p):
        return None
    content = user_content(fields, p)
    if not content.strip():
        return None
    return [{"role": "system", "content": system_prompt(p["op_name"], p["lang"])},
            {"role": "user", "content": content}]


def answered(raw: str | None) -> bool:
    """Data-Juicer asks again only while the answer is blank (or the call failed: '')."""
    return isinstance(raw, str) and bool(raw.strip())


def json_object(text: str) -> Any:
    """Data-Juicer's ``extract_json_object``: a ```/```json fence stripped, then the text from the
    first '{' to the last '}' as JSON; None when there is none or it is not JSON."""
    if not text or not isinstance(text, str):
        return None
    s = text.strip()
    if s.startswith("```"):
        # Data-Juicer 1.6.1's fence patterns (dialog_quality_llm_utils.py)
        s = re.sub(r"^```(?:json)?\s*", "", s, flags=re.IGNORECASE)
        s = re.sub(r"\s*```\s*$", "", s)
    start, end = s.find("{"), s.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return json.loads(s[start:end + 1])
    except json.JSONDecodeError:
        return None


def outcome(raw: str | None) -> dict:
    """Data-Juicer's meta value for the last answer ('' for a failed call): an error, or the score
    clamped to [1, 5] (any number ``float`` takes, e.g. "4"), the reason (``str`` of it, at most
    2000 characters) and ``eval_kind``."""
    raw = raw or ""
    if not raw:
        return {"error": "empty_llm_response"}
    found = json_object(raw)
    if found is None:
        return {"error": "json_parse_failed", "raw": raw[:8000]}
    if not isinstance(found, dict):
        out = {"error": "invalid_json", "score": None, "reason": ""}
    else:
        try:
            score = float(found.get("score"))
            out = {"score": max(1.0, min(5.0, score)), "reason": str(found.get("reason") or "")[:2000]}
        except (TypeError, ValueError):
            out = {"error": "bad_score", "score": None, "reason": str(found.get("reason") or "")}
    return {**out, "eval_kind": EVAL_KIND}


SKIPPED = {"skipped": True, "reason": "empty_input"}


def why(meta: dict | None, error: str | None) -> str | None:
    """sparkops' reason for a meta value that holds no score (null when it holds one)."""
    if meta is None:
        return None
    if meta.get("skipped"):
        return "empty input: no dialog turn"
    if error:
        return f"endpoint: {error}"
    if meta.get("error") == "empty_llm_response":
        return "empty answer"
    if meta.get("error") == "json_parse_failed":
        return "no JSON object in the answer"
    if meta.get("error"):
        return f"{meta['error']}: the answer's score is not a number"
    return None


def _prepare(values: dict, where: str, op_name: str) -> dict:
    lang = values["preferred_output_lang"]
    return {**values, **llm_settings(values, where, "api_model"), "op_name": op_name, "lang": output_lang(lang),
            "meta_key": AXES[op_name][0], "sampling_params": {**SAMPLING_DEFAULTS, **values["sampling_params"]},
            "read_keys": [values["history_key"], values["query_key"], values["response_key"], "meta"]}


def params() -> tuple[Param, ...]:
    """Data-Juicer's ``_DialogQualityLLMMapperBase`` parameters, its defaults."""
    common = {q.name: q for q in llm_params("qwen-turbo", "api_model", local_switches=False)}
    common["try_num"] = replace(common["try_num"], default=2, doc="Requests per row at most: a blank answer or a "
                                "failed request is asked again (an unparsable one is not, as in Data-Juicer).")
    common["sampling_params"] = replace(common["sampling_params"], doc="Merged into the request body over "
                                        "Data-Juicer's `{max_tokens: 384, temperature: 0.2}`; part of the cache key.")
    unused = "Accepted as Data-Juicer's base op takes it; unused by the turn judges (as in Data-Juicer)."
    return (
        common.pop("api_model"),
        common.pop("api_endpoint"), common.pop("response_path"),
        Param("history_key", "str", "dialog_history", "Record field of the earlier turns: a list of [query, "
              "response] pairs."),
        Param("query_key", "str", "query", "Record field of the last user message."),
        Param("response_key", "str", "response", "Record field of the reply to score."),
        Param("max_round", "int", 8, "Last turns shown (0: all).", check=non_negative),
        Param("max_query_chars_for_prompt", "int", 6000, "Characters of a user message shown at most (0: all).",
              check=non_negative),
        Param("max_response_chars_for_prompt", "int", 8000, "Characters of a reply shown at most (0: all).",
              check=non_negative),
        Param("trajectory_text_max_chars", "int", 12000, unused, check=non_negative),
        Param("tool_types_key", "str", "agent_tool_types", unused),
        Param("primary_tool_key", "str", "primary_tool_type", unused),
        common.pop("try_num"),
        Param("overwrite", "bool", False, "Score rows whose meta already holds the axis (false: they keep it)."),
        common.pop("model_params"), common.pop("sampling_params"),
        Param("preferred_output_lang", "str", "en", "Language of the reason: `zh...` Chinese, else English.",
              nullable=True),
        *common.values(),
    )


def _declare(op_name: str) -> None:
    key, what = AXES[op_name]
    declare(Op(
        name=op_name, kind="selector", family="llm",
        doc=f"LLM judge of a dialog's last reply, 1-5 with a reason, into meta.{key}: {what[0].lower()}{what[1:]}",
        params=params(),
        stats=(Stat(key, META_TYPE, "Data-Juicer's meta value as a struct (the keys it does not write are null)."),
               Stat(f"{key}_json", "string", "Data-Juicer's meta value as JSON, exactly its keys."),
               Stat(f"{key}_raw", "string", "The model's last answer, verbatim (null: the row was not asked)."),
               Stat(f"{key}_reason", "string", "Why there is no score (no dialog, empty or unparsable answer, "
                                               "endpoint error), or null."),
               *USAGE),
        frame="sparkops.spark.llm_dialog_quality:quality_mapper",
        prepare=lambda values, where: _prepare(values, where, op_name),
        notes=f"An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). One request per "
              f"row: Data-Juicer's rubric, JSON instruction and language clause as the system prompt, the dialog "
              f"(`{key}`'s turns from `history_key`, then `query_key`/`response_key` unless the history's last "
              f"turn already is that pair) as the user prompt. `meta.{key}` is Data-Juicer's value: "
              "`{score (1-5, clamped), reason, eval_kind}`, `{error: bad_score, score: null, reason, eval_kind}`, "
              "`{error: json_parse_failed, raw}`, `{error: empty_llm_response}` (blank answer or failed requests "
              "after `try_num`), `{skipped: true, reason: empty_input}` (no turn: not asked). As in Data-Juicer "
              "a blank answer is asked again, an unparsable one is not. A row whose meta already holds the axis "
              "is not asked unless `overwrite` (it keeps its value when its type is this op's).",
    ))


for _name in RUBRICS:
    _declare(_name)



def judge(fields: Mapping[str, Any], p: dict, ask) -> dict | None:
    """Data-Juicer's ``process_single`` for one record, ``ask(messages, attempt) -> answer`` ('' for
    a failed call): the meta value, or None where the record keeps the one it has."""
    if already_scored(fields, p):
        return None
    request = messages(fields, p)
    if request is None:
        return dict(SKIPPED)
    raw = ""
    for attempt in range(p["try_num"]):
        raw = ask(request, attempt)
        if answered(raw):
            break
    return outcome(raw)
