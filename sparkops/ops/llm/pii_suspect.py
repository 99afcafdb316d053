"""Data-Juicer 1.6.1's ``pii_llm_suspect_mapper``: an LLM audit for personal data the regex PII
mappers missed. The record's string fields (``inspect_keys``) and an excerpt of its chat
``messages`` are shown to the model, which lists suspected snippets as JSON; the verdict goes into
``meta.<result_key>``, and with ``redaction_mode`` the snippets (or the whole fields) are replaced.
A cheap gate (digit runs, '@', secret words, intranet words, long tokens, name cues) skips the
request where nothing looks risky.

Pure halves: ``messages`` / ``outcome`` / ``why`` / ``redacted`` (see
``sparkops.ops.llm.agent``); the DataFrame half is ``sparkops.spark.llm_agent.meta_mapper``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.core.params import positive
from sparkops.ops.llm.agent import endpoint_reason, meta_of
from sparkops.ops.llm.agent_prompts import PII, PII_PLACEHOLDER, PII_USER_PREFIX
from sparkops.ops.llm.dialog_quality import json_object, output_lang
from sparkops.ops.llm.dialog_turns import clip, plain
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# Data-Juicer 1.6.1's gate patterns (pii_llm_suspect_mapper.py: _heuristic_trigger and
# _NAME_LIKE_RULE_PAT), reproduced as facts: the same records reach the model
DIGITS = re.compile(r"\d{6,}")
SECRET = re.compile(r"(?i)(?:^|[^a-z0-9_])(?:api[_-]?key|apikey|secret|token|password|passwd|credential|bearer)\b")
INTRANET = re.compile(r"(?i)\b(?:内网|局域网|vpn|ssh\s|rdp://|mysql://|redis://)\b")
LONG_TOKEN = re.compile(r"[A-Za-z0-9_-]{24,}")
NAME_CUE = re.compile(
    r"(?:"
    r"(?:^|[\s，,。.!！?？;；:：])"
    r"(?:我叫|叫我|更名为|姓名\s*[:：\s为是]|真名\s*[:：\s为是]|"
    r"联系人\s*[:：\s为]?|负责人\s*[:：\s为]?|经办人\s*[:：\s为]?|"
    r"用户(?:姓名|名叫)\s*[:：\s为]?|(?:致|尊敬的)\s*)"
    r"[\u4e00-\u9fff]{2,4}(?=$|[\s，,。.!！?？;；:：]|[\u4e00-\u9fff])"
    r"|"
    r"[\u4e00-\u9fff]{2,4}(?:先生|女士|老师|大夫|经理|主任|院长|博士|教授|同志)(?=[\s，,。.!！?？;；]|$)"
    r"|"
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b"
    r")",
    re.UNICODE,
)
REDACTION_MODES = ("none", "evidence", "whole_field")
SAMPLING_DEFAULTS = {"max_tokens": 512, "temperature": 0.1}
RESULT_TYPE = ("struct<skipped:boolean,reason:string,error:string,suspected:array<struct<field:string,"
               "category:string,evidence:string>>,likely_clean:boolean,fields_inspected:array<string>,"
               "redaction_mode:string,redaction_applied:boolean>")


def risky(text: str) -> bool:
    """Data-Juicer's base gate: digit runs, '@', secret words, intranet words, long tokens."""
    if not text or len(text.strip()) < 8:
        return False
    return bool(DIGITS.search(text) or "@" in text or SECRET.search(text) or INTRANET.search(text)
                or LONG_TOKEN.search(text))


def name_cue(text: str) -> bool:
    return bool(text) and len(text.strip()) >= 4 and NAME_CUE.search(text) is not None


def gate_open(block: str, p: dict) -> bool:
    return risky(block) or (p["heuristic_name_rules"] and name_cue(block))


def messages_excerpt(messages: Any, max_messages: int, max_chars: int) -> str:
    """The last ``max_messages`` chat messages with text, ``[role]text`` (500 characters each)."""
    messages = plain(messages)
    if not isinstance(messages, list) or not messages:
        return ""
    parts: list[str] = []
    for msg in reversed(messages):
        if len(parts) >= max_messages:
            break
        if not isinstance(msg, Mapping):
            continue
        content, chunk = msg.get("content"), ""
        if isinstance(content, str):
            chunk = content
        elif isinstance(content, list):
            for block in content:
                if isinstance(block, Mapping):
                    t = block.get("text") or block.get("content")
                    if isinstance(t, str):
                        chunk += t + "\n"
                elif isinstance(block, str):
                    chunk += block + "\n"
        chunk = chunk.strip()
        if chunk:
            parts.append(f"[{msg.get('role') or ''}]{chunk[:500]}")
    return clip("\n".join(reversed(parts)), max_chars, "messages excerpt truncated")


def user_block(fields: Mapping[str, Any], p: dict) -> tuple[str, list[str]]:
    """The fields shown (each ``### field:<key>``, clipped) and their names."""
    lines, used = [], []
    for key in p["inspect_keys"]:
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            lines.append(f"### field:{key}\n{clip(value, p['max_chars_per_field'], f'{key} truncated')}")
            used.append(key)
    mk = p["messages_key"]
    if mk and mk in fields:
        excerpt = messages_excerpt(fields[mk], p["max_messages_for_prompt"], p["max_chars_messages_excerpt"])
        if excerpt.strip():
            lines.append(f"### field:{mk}_excerpt\n{excerpt}")
            used.append(f"{mk}_excerpt")
    return "\n\n".join(lines), used


def kept(fields: Mapping[str, Any], p: dict) -> bool:
    """The meta holds the result and overwrite is off: the record is left as it is."""
    meta = meta_of(fields)
    return not p["overwrite"] and isinstance(meta, Mapping) and meta.get(p["result_key"]) is not None


def messages(fields: Mapping[str, Any], p: dict) -> list[dict] | None:
    if kept(fields, p):
        return None
    block, _ = user_block(fields, p)
    if not block.strip() or (p["gate_mode"] == "heuristic" and not gate_open(block, p)):
        return None
    return [{"role": "system", "content": p["system"]}, {"role": "user", "content": PII_USER_PREFIX + block}]


def suspects(parsed: Mapping) -> list[dict]:
    """The answer's ``suspected`` items (32 at most, dicts only), each cut as Data-Juicer cuts it."""
    items = parsed.get("suspected")
    return [{"field": str(it.get("field", ""))[:64], "category": str(it.get("category", ""))[:120],
             "evidence": str(it.get("evidence", ""))[:80]}
            for it in (items if isinstance(items, list) else [])[:32] if isinstance(it, Mapping)]


def outcome(fields: Mapping[str, Any], raw: str | None, p: dict) -> dict | None:
    """``{result_key: value}`` (and ``{raw_key: answer}`` when it does not parse) as Data-Juicer
    writes them; None: the record keeps its meta."""
    if kept(fields, p):
        return None
    block, used = user_block(fields, p)
    key = p["result_key"]
    if raw is None:
        if not block.strip():
            return {key: {"skipped": True, "reason": "no_inspectable_text", "fields_inspected": []}}
        return {key: {"skipped": True, "reason": "heuristic_gate", "fields_inspected": used, "likely_clean": True}}
    if not raw:
        return {key: {"error": "empty_llm_response", "fields_inspected": used}}
    parsed = json_object(raw)
    if parsed is None:
        return {p["raw_key"]: raw[:8000], key: {"error": "json_parse_failed", "fields_inspected": used}}
    cleaned = suspects(parsed)
    return {key: {"suspected": cleaned, "likely_clean": bool(parsed.get("likely_clean", not cleaned)),
                  "fields_inspected": used, "redaction_mode": p["redaction_mode"],
                  "redaction_applied": p["redaction_mode"] != "none"}}


def why(values: dict | None, raw: str | None, error: str | None, p: dict) -> str | None:
    if values is None:
        return None
    result = values[p["result_key"]]
    if result.get("skipped"):
        return "no inspectable text" if result["reason"] == "no_inspectable_text" else None
    if result.get("error") == "empty_llm_response":
        return endpoint_reason(error) or "empty answer"
    if result.get("error"):
        return "no JSON object in the answer"
    return None


def _replaced(text: str, snippets: list[str], placeholder: str) -> str:
    """Each snippet (2 characters or more, stripped, longest first) replaced everywhere."""
    if not text or not snippets:
        return text
    seen: list[str] = []
    for s in sorted(set(snippets), key=len, reverse=True):
        s = (s or "").strip()
        if len(s) >= 2 and s not in seen:
            seen.append(s)
    for s in seen:
        text = text.replace(s, placeholder)
    return text


def _replaced_messages(messages: list, snippets: list[str], placeholder: str) -> list:
    out = []
    for msg in messages:
        if isinstance(msg, Mapping):
            msg = dict(msg)
            content = msg.get("content")
            if isinstance(content, str):
                msg["content"] = _replaced(content, snippets, placeholder)
            elif isinstance(content, list):
                blocks = []
                for block in content:
                    if isinstance(block, Mapping):
                        block = {k: _replaced(v, snippets, placeholder) if k in ("text", "content")
                                 and isinstance(v, str) else v for k, v in block.items()}
                    elif isinstance(block, str):
                        block = _replaced(block, snippets, placeholder)
                    blocks.append(block)
                msg["content"] = blocks
        out.append(msg)
    return out


def redacted(fields: Mapping[str, Any], values: dict | None, p: dict) -> dict:
    """The record fields the verdict rewrites (``redaction_mode``): a suspected item names a field
    (an inspected key, or ``<messages_key>_excerpt`` for the messages); ``evidence`` replaces its
    snippets, ``whole_field`` the whole string (the messages: one user message of the placeholder)."""
    mode, ph = p["redaction_mode"], p["redaction_placeholder"]
    result = (values or {}).get(p["result_key"]) or {}
    if mode == "none" or "suspected" not in result:
        return {}
    mk = p["messages_key"]
    snippets: dict[str, list[str]] = {}
    for item in result["suspected"]:
        f = (item.get("field") or "").strip()
        name = f if f in p["inspect_keys"] else mk if mk and f == f"{mk}_excerpt" else None
        if name is not None:
            ev = str(item.get("evidence", "")).strip()
            snippets.setdefault(name, [])
            if ev:
                snippets[name].append(ev)
    out = {}
    for name, found in snippets.items():
        if name not in fields or (mode == "evidence" and not found):
            continue
        value = plain(fields[name])
        if mk and name == mk:
            if isinstance(value, list):
                out[name] = ([{"role": "user", "content": ph}] if mode == "whole_field"
                             else _replaced_messages(value, found, ph))
        elif isinstance(value, str):
            out[name] = ph if mode == "whole_field" else _replaced(value, found, ph)
    return out


def audit(fields: Mapping[str, Any], p: dict, ask) -> tuple[dict | None, dict]:
    """Data-Juicer's ``process_single``: (meta values, rewritten fields), ``ask(messages, attempt)``
    answering '' for a failed call."""
    request = messages(fields, p)
    if request is None:
        return outcome(fields, None, p), {}
    raw = ""
    for attempt in range(p["try_num"]):
        raw = ask(request, attempt)
        if isinstance(raw, str) and raw.strip():
            break
    values = outcome(fields, raw, p)
    return values, redacted(fields, values, p)


def _prepare(values: dict, where: str) -> dict:
    if values["spacy_ner_model"] or values["spacy_ner_models"]:
        raise OpError(f"{where}: spacy_ner_model(s): the spaCy NER gate is not available in sparkops (its "
                      "pipelines are a download); the heuristic gate and its name rules are")
    mode = (values["redaction_mode"] or "none").strip().lower()
    lang = output_lang(values["preferred_output_lang"])
    keys = list(values["inspect_keys"] or ["text", "query", "response"])
    if values["result_key"] == values["raw_key"]:
        raise OpError(f"{where}: result_key and raw_key must be two meta keys")
    messages_key = values["messages_key"]
    return {**values, **llm_settings(values, where, "api_model"), "op_name": "pii_llm_suspect_mapper",
            "inspect_keys": keys, "gate_mode": (values["gate_mode"] or "heuristic").strip().lower(),
            # an unknown mode is Data-Juicer's 'none' (it warns)
            "redaction_mode": mode if mode in REDACTION_MODES else "none",
            "redaction_placeholder": str(values["redaction_placeholder"] or PII_PLACEHOLDER),
            "system": values["system_prompt"] if values["system_prompt"] is not None else PII[lang], "lang": lang,
            "sampling_params": {**SAMPLING_DEFAULTS, **values["sampling_params"]}, "kernel": __name__,
            "meta_types": {values["result_key"]: RESULT_TYPE, values["raw_key"]: "string"},
            "stat_prefix": "pii_llm_suspect", "rewrites": mode in ("evidence", "whole_field"),
            "read_keys": [*keys, *([messages_key] if messages_key else []), "meta"]}


def _params() -> tuple[Param, ...]:
    c = {q.name: q for q in llm_params("qwen-turbo", "api_model", local_switches=False)}
    c["try_num"] = replace(c["try_num"], default=2, doc="Requests per row at most: a blank answer or a failed "
                           "request is asked again (an unparsable one is not, as in Data-Juicer).")
    c["sampling_params"] = replace(c["sampling_params"], doc="Merged into the request body over Data-Juicer's "
                                   "`{max_tokens: 512, temperature: 0.1}`; part of the cache key.")
    return (
        c.pop("api_model"),
        Param("inspect_keys", "list[str]", None, "Record fields shown when they hold a non-blank string; null: "
              "`[text, query, response]` (`text` is the pass's text).", nullable=True),
        Param("messages_key", "str", "messages", "Record field of the chat messages (the last ones are shown); "
              "null: none.", nullable=True),
        Param("max_messages_for_prompt", "int", 4, "Last messages with text shown.", check=positive),
        Param("max_chars_per_field", "int", 6000, "Characters of a field shown at most.", check=positive),
        Param("max_chars_messages_excerpt", "int", 8000, "Characters of the messages excerpt at most.",
              check=positive),
        Param("gate_mode", "str", "heuristic", "`heuristic`: ask only when the shown text trips the cheap gate; "
              "anything else: ask every row with text.", nullable=True),
        Param("result_key", "str", "pii_llm_suspect", "Meta key of the verdict."),
        Param("raw_key", "str", "pii_llm_suspect_raw", "Meta key of an answer that did not parse."),
        Param("overwrite", "bool", False, "Audit rows whose meta already holds the verdict."),
        c.pop("api_endpoint"), c.pop("response_path"),
        Param("system_prompt", "str", None, "System prompt; default Data-Juicer's for the language.", nullable=True),
        Param("preferred_output_lang", "str", "zh", "`en...`: Data-Juicer's English system prompt; else Chinese "
              "(the user message's preamble is Chinese either way).", nullable=True),
        c.pop("try_num"), c.pop("model_params"), c.pop("sampling_params"),
        Param("text_key", "str", "text", "Accepted as Data-Juicer's base op takes it (the fields shown are "
              "`inspect_keys`)."),
        Param("heuristic_name_rules", "bool", True, "The gate also opens on name cues (我叫, 先生, Mr. ...)."),
        Param("spacy_ner_model", "str", None, "Must be null: the spaCy NER gate is not available.", nullable=True),
        Param("spacy_ner_models", "list[str]", None, "Must be null: the spaCy NER gate is not available.",
              nullable=True),
        Param("spacy_ner_max_chars", "int", 4000, "Accepted as Data-Juicer's (used by its spaCy gate only).",
              check=positive),
        Param("spacy_auto_download", "bool", True, "Accepted as Data-Juicer's (used by its spaCy gate only)."),
        Param("redaction_mode", "str", "none", "`evidence`: replace the suspected snippets in their fields; "
              "`whole_field`: replace those fields; `none` (or anything else): only audit.", nullable=True),
        Param("redaction_placeholder", "str", PII_PLACEHOLDER, "What replaces a snippet or field.", nullable=True),
        *c.values(),
    )


declare(Op(
    name="pii_llm_suspect_mapper", kind="selector", family="llm",
    doc="LLM audit for personal data the regex PII mappers missed (meta.pii_llm_suspect), optionally redacting it.",
    params=_params(),
    stats=(Stat("pii_llm_suspect_json", "string", "The meta values written, as JSON, exactly Data-Juicer's keys "
                                                  "(null: the row keeps its verdict)."),
           Stat("pii_llm_suspect_raw", "string", "The model's last answer, verbatim (null: the row was not asked)."),
           Stat("pii_llm_suspect_reason", "string", "Why there is no verdict from an answer (no text, empty or "
                                                    "unparsable answer, endpoint error), or null; the gate's skip "
                                                    "is a verdict."),
           *USAGE),
    frame="sparkops.spark.llm_agent:meta_mapper",
    prepare=_prepare,
    notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`); place it after "
          "`pii_redaction_mapper`. The user message is Data-Juicer's Chinese preamble, then each inspected field "
          "(`### field:<key>`, clipped) and the last messages (`### field:<messages_key>_excerpt`). With "
          "`gate_mode: heuristic` (the default) a row is asked only when that text has 6+ digits, '@', a secret "
          "word, an intranet word, a 24+ character token or (`heuristic_name_rules`) a name cue; else "
          "`meta.<result_key>` is `{skipped: true, reason: heuristic_gate, fields_inspected, likely_clean: true}` "
          "(no text: `reason: no_inspectable_text`). An answer's JSON object gives `{suspected: [{field, "
          "category, evidence}] (32 at most, cut to 64/120/80 characters), likely_clean (Python's `bool` of the "
          "answer's value, default: no suspect), fields_inspected, redaction_mode, redaction_applied}`; an "
          "unparsable one `{error: json_parse_failed, fields_inspected}` and the answer (8000 characters) in "
          "`meta.<raw_key>`; a blank one or failed requests `{error: empty_llm_response, fields_inspected}`. "
          "`redaction_mode` rewrites the record's fields the suspects name (in the job's record and in the "
          "same-named string columns; `text` is the pass's text). The spaCy NER gate (`spacy_ner_model(s)`) is "
          "refused: its pipelines are a download. A row whose meta already holds the verdict is not asked "
          "unless `overwrite`.",
))
