"""Tool-call tags of agent traces: Data-Juicer 1.6.1's tool_success_tagger_mapper (each tool
message classified success / error / unknown by regexes) and agent_tool_type_mapper (the
primary and dominant tools of meta.agent_tool_types)."""

from __future__ import annotations

import json
import re
from collections import Counter

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.agent.content import record_meta, role_of

FAMILY = "agent"

# Data-Juicer 1.6.1 tool_success_tagger_mapper DEFAULT_SUCCESS_PATTERNS / DEFAULT_ERROR_PATTERNS
SUCCESS_PATTERNS = (
    r"(?i)wrote\s+\d+\s*bytes",
    r"(?i)^(?:success|ok)(?:\s|$)",
    r"(?i)\bsuccessfully\b",
    r"(?i)^ok$",
)
ERROR_PATTERNS = (
    r"(?i)\berror\s*:",
    r"(?i)\bexception\b",
    r"(?i)\bfailed\b",
    r"(?i)\bfailure\b",
    r"(?i)not\s+found",
    r"(?i)permission\s+denied",
    r"(?:执行|操作|请求|调用|接口)失败",
    r"(?:发生|出现)错误",
    r"错误码",
    r"无法访问",
    r"权限不足",
    r"无权限",
    r"找不到(?:文件|路径)?",
)


def tool_content(content) -> str:
    """A tool message's content as the classifier reads it: strings stripped, objects as JSON
    (cut at 10,000 characters), text blocks joined by newlines."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, dict):
        try:
            return json.dumps(content, ensure_ascii=False)[:10000]
        except (TypeError, ValueError):
            return str(content).strip()
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, dict) and block.get("type") == "text":
                text = block.get("text")
                parts.append(text.strip() if isinstance(text, str) else tool_content(text))
            elif isinstance(block, str):
                parts.append(block.strip())
            elif isinstance(block, dict):
                parts.append(tool_content(block))
        return "\n".join(parts).strip()
    return str(content).strip()


def classify(text: str, success, errors) -> str:
    """'error' when an error pattern matches, else 'success' (a non-empty result is one, matched or
    not); 'unknown' for an empty result."""
    if not text:
        return "unknown"
    if any(pattern.search(text) for pattern in errors):
        return "error"
    return "success"  # Data-Juicer's success patterns only ever confirm this


def tag_tools(record: dict, p: dict) -> dict:
    messages = record.get(p["messages_key"]) or []
    if not isinstance(messages, list):
        messages = []
    results, counts = [], Counter()
    for m in messages:
        if role_of(m) not in p["roles"]:
            continue
        text = tool_content(m.get("content"))
        label = classify(text, p["success"], p["errors"])
        results.append({"content_preview": text[:200], "result": label})
        counts[label] += 1
    meta = record_meta(record)
    decided = counts["success"] + counts["error"]
    meta["tool_success_count"] = counts["success"]
    meta["tool_fail_count"] = counts["error"]
    meta["tool_unknown_count"] = counts["unknown"]
    meta["tool_success_ratio"] = counts["success"] / decided if decided else None
    if p["store_per_tool_results"]:
        meta["tool_results"] = results
    return record


def _compile(patterns, name: str, where: str):
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error as err:
            raise OpError(f"{where}: parameter '{name}' holds an invalid regex {pattern!r}: {err}") from None
    return out


def _prepare_tagger(p: dict, where: str) -> dict:
    p = dict(p)
    # Data-Juicer: an empty or null list means the defaults
    p["roles"] = p["tool_role_names"] or ["tool", "tool_use"]
    p["success"] = _compile(p["success_patterns"] or SUCCESS_PATTERNS, "success_patterns", where)
    p["errors"] = _compile(p["error_patterns"] or ERROR_PATTERNS, "error_patterns", where)
    return p


declare(Op(
    name="tool_success_tagger_mapper", kind="mapper", family=FAMILY,
    doc="Classify each tool message of an agent trace as success, error or unknown (regexes over its "
        "content) and write the counts and success ratio to meta.",
    params=(
        Param("messages_key", "str", "messages", "Field holding the messages."),
        Param("tool_role_names", "list[str]", None, "Roles of tool messages (compared with the lower-cased "
              "role); null or empty: `tool`, `tool_use`.", nullable=True),
        Param("success_patterns", "list[str]", None, "Regexes of a successful result; null or empty: "
              "Data-Juicer's.", nullable=True),
        Param("error_patterns", "list[str]", None, "Regexes of a failed result (tested first); null or "
              "empty: Data-Juicer's (English and Chinese error phrases).", nullable=True),
        Param("store_per_tool_results", "bool", True, "Also write meta.tool_results: per tool message its "
              "first 200 characters and label."),
    ),
    prepare=_prepare_tagger, apply=lambda records, p: [tag_tools(r, p) for r in records], record=True,
    sql_name="tool_success_tagger", sql_params=(),
    notes="Decisions are Data-Juicer 1.6.1's `process_single` (a fixture it made, "
          "`tests/test_catalogue_agent.py`); meta is the record's `meta`. Writes meta.tool_success_count, "
          "tool_fail_count, tool_unknown_count, tool_success_ratio (success / (success + fail), null "
          "without any) and tool_results. A non-empty result that no error pattern matches is a success "
          "whether or not a success pattern matches (so `success_patterns` never changes a label); an empty "
          "one is unknown. Object contents are read as their JSON; non-text items of a content list other "
          "than strings and objects are skipped. A record whose messages are not a list has none; a message "
          "that is not an object, or a null meta, raises (the row is dropped as an error). An invalid regex "
          "is refused at bind time (Data-Juicer: re.error at init). The SQL function maps a record holding "
          "only the text: it returns the text unchanged.",
    examples=(Example("tool_success_tagger('unchanged')", "unchanged", "the tags go to the record's meta"),),
))


def tool_type_tags(record: dict, p: dict) -> dict:
    meta = record_meta(record)
    tools = meta.get(p["tool_types_meta_key"])
    if not isinstance(tools, list):
        tools = []
    tools = [str(t).strip() for t in tools if str(t).strip()]
    top = Counter(tools).most_common(p["top_k_dominant"]) if tools else []
    meta[p["primary_key"]] = top[0][0] if top else None
    meta[p["dominant_key"]] = [name for name, _ in top]
    return record


declare(Op(
    name="agent_tool_type_mapper", kind="mapper", family=FAMILY,
    doc="Write the primary tool (the most frequent) and the dominant tools (the `top_k_dominant` most frequent) "
        "of meta.agent_tool_types to meta.",
    params=(
        Param("tool_types_meta_key", "str", "agent_tool_types", "Meta key of the tool list (written by "
              "agent_dialog_normalize_mapper)."),
        Param("primary_key", "str", "primary_tool_type", "Meta key of the primary tool."),
        Param("dominant_key", "str", "dominant_tool_types", "Meta key of the dominant tools."),
        Param("top_k_dominant", "int", 5, "How many dominant tools to keep."),
    ),
    apply=lambda records, p: [tool_type_tags(r, p) for r in records], record=True,
    sql_name="agent_tool_type", sql_params=(),
    notes="Decisions are Data-Juicer 1.6.1's `process_single` (a fixture it made, "
          "`tests/test_catalogue_agent.py`). Entries are stringified and stripped, blanks dropped (the `['']` "
          "of an empty agent_dialog_normalize_mapper list gives no tool); ties keep first-seen order; without "
          "tools the primary tool is null and the dominant list empty, also with `top_k_dominant` <= 0. The "
          "list agent_dialog_normalize_mapper writes holds each tool once, so `primary` is its first tool. "
          "The SQL function returns the text unchanged.",
    examples=(Example("agent_tool_type('unchanged')", "unchanged", "the tags go to the record's meta"),),
))
