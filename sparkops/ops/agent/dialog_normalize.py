"""agent_dialog_normalize_mapper: an agent trace (``messages`` + ``choices``) as Data-Juicer's
dialog fields (``text``, ``dialog_history``, ``query``, ``response``) and meta tags.

Data-Juicer 1.6.1's rules: system messages are skipped (or prepended to the first user turn);
each user message opens a (query, response) pair; the assistant messages and tool results
that follow accumulate into its response (``\\n\\n`` between assistant pieces, ``\\n[Tool
result]\\n`` before a tool result; an assistant message with only tool calls reads
``[Tool calls: a, b]``). Optional caps keep the head and tail of an over-long piece around a
marker. The flat text is ``User: q\\n\\nAssistant: r`` per pair.
"""

from __future__ import annotations

import re

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.agent.content import content_text, message_tool_calls, record_meta, role_of, tool_name

FAMILY = "agent"
MARKER_RESERVE = 128  # characters Data-Juicer keeps for the middle marker
SHORT_MARKER = "\n…[truncated — agent_dialog_normalize_mapper]…"

# Data-Juicer 1.6.1 agent_dialog_normalize_mapper._SKILL_PATTERNS (facts we must match)
SKILL_PATTERNS = (
    re.compile(r"[/\\]([a-zA-Z][a-zA-Z0-9_]*)[/\\]SKILL\.md", re.IGNORECASE),
    re.compile(r"##\s+([a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)?)\s*(?:\n|$)"),
    re.compile(r"Check\s+[\"'].*?([a-zA-Z][a-zA-Z0-9_]*)/SKILL\.md", re.IGNORECASE),
)


def head_tail(text: str, max_chars: int, head_ratio: float) -> str:
    """The text cut to about ``max_chars``: its head and tail around a marker saying how much
    of the middle was dropped (Data-Juicer's budget arithmetic)."""
    if max_chars <= 0 or not text or len(text) <= max_chars:
        return text
    ratio = min(0.85, max(0.35, float(head_ratio)))
    budget = max_chars - MARKER_RESERVE
    if budget < 400:
        return text[:max(0, max_chars - 48)] + SHORT_MARKER
    head = max(200, int(budget * ratio))
    tail = budget - head
    if tail < 200:
        tail = 200
        head = max(200, budget - tail)
    omitted = len(text) - head - tail
    if omitted <= 0:
        return text
    marker = (f"\n\n[··· {omitted} chars omitted from middle; "
              "head+tail preserved — agent_dialog_normalize_mapper]\n\n")
    if head + len(marker) + tail > max_chars:
        head = max(120, head - (head + len(marker) + tail - max_chars))
    return text[:head] + marker + text[-tail:]


class _Capper:
    """Applies one cap, remembering whether any cap cut something."""

    def __init__(self, ratio: float):
        self.ratio, self.fired = ratio, False

    def __call__(self, text: str, max_chars: int) -> str:
        if max_chars <= 0 or not text or len(text) <= max_chars:
            return text
        self.fired = True
        return head_tail(text, max_chars, self.ratio)


def calls_summary(calls, max_names: int = 10) -> str:
    if not calls or not isinstance(calls, list):
        return ""
    names = []
    for call in calls:
        name = tool_name(call)
        if name and name not in names:
            names.append(name)
    if not names:
        return ""
    shown = names[:max_names] + ([f"...+{len(names) - max_names}"] if len(names) > max_names else [])
    return "[Tool calls: " + ", ".join(shown) + "]"


def history_of(messages: list, p: dict, cap: _Capper) -> list[list[str]]:
    """The [query, response] pairs of the messages (user and assistant turns, tool results)."""
    pairs: list[list[str]] = []
    system: list[str] = []
    for m in messages:
        role = role_of(m)
        content = content_text(m.get("content"))
        calls = message_tool_calls(m)
        if role == "system":
            if p["include_system_in_first_user"] and content:
                system.append(content)
        elif role == "user":
            if system:
                content, system = "\n\n".join(system + [content]).strip(), []
            pairs.append([cap(content, p["history_max_user_chars"]), ""])
        elif role == "assistant":
            piece = content if content or not calls else calls_summary(calls)
            if pairs:
                prev = pairs[-1][1]
                joined = prev + "\n\n" + piece if prev and piece else (piece or prev)
                pairs[-1][1] = cap(joined, p["history_max_assistant_trace_chars"])
            else:
                pairs.append(["", cap(piece, p["history_max_assistant_trace_chars"])])
        elif role == "tool":
            body = cap(content, p["history_tool_result_max_chars"])
            if pairs:
                prev = pairs[-1][1]
                joined = prev + "\n[Tool result]\n" + body if prev else "[Tool result]\n" + body
                pairs[-1][1] = cap(joined, p["history_max_assistant_trace_chars"])
    return pairs


def tool_types(messages: list) -> list:
    seen: list = []
    for m in messages:
        for call in message_tool_calls(m):
            name = tool_name(call)
            if name and name not in seen:
                seen.append(name)
    return seen


def skill_types(messages: list) -> list[str]:
    seen: list[str] = []
    for m in messages:
        text = content_text(m.get("content"))
        for pattern in SKILL_PATTERNS:
            for match in pattern.finditer(text):
                name = (match.group(1) or "").strip()
                if name and name not in seen:
                    seen.append(name)
    return seen


def string_list(values: list) -> list[str]:
    """Data-Juicer's Arrow-friendly tag list: non-blank strings, or [''] when there are none."""
    out = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return out or [""]


def choices_text(choices) -> str:
    """The reply text of the first choice that has one (OpenAI / Anthropic / generic)."""
    if not choices or not isinstance(choices, list):
        return ""
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        msg = choice.get("message") or choice.get("delta") or choice
        text = msg.get("content")
        if isinstance(text, str) and text.strip():
            return text.strip()
        if isinstance(text, list):
            flat = content_text(text)
            if flat:
                return flat
    return ""


def last_turn_indices(messages: list) -> tuple[int | None, int | None]:
    last_user = last_assistant = None
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            continue
        role = role_of(m)
        if role == "user":
            last_user = i
        elif role == "assistant":
            last_assistant = i
    return last_user, last_assistant


def first_id(record: dict, keys: list[str]) -> str | None:
    for key in keys:
        value = record.get(key) if key in record else None
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def normalize(record: dict, p: dict) -> dict:
    messages = record.get(p["messages_key"]) or []
    choices = record.get(p["choices_key"]) or []
    if not isinstance(messages, list):
        messages = []
    cap = _Capper(p["history_compress_head_ratio"])
    pairs = history_of(messages, p, cap)
    lines = []
    for q, r in pairs:
        if q:
            lines.append(f"{p['user_label']}: {q}")
        if r:
            lines.append(f"{p['assistant_label']}: {r}")
    query, response = pairs[-1] if pairs else ("", "")
    if not response and choices:
        response = choices_text(choices)
    record[p["text_key"] or "text"] = "\n\n".join(lines)
    record[p["history_key"]] = pairs
    record[p["query_key"]] = query
    record[p["response_key"]] = response
    meta = record_meta(record)
    meta["agent_dialog_history_compressed"] = cap.fired
    meta["agent_turn_count"] = len(pairs)
    if p["extract_tool_skill_tags"]:
        meta["agent_tool_types"] = string_list(tool_types(messages))
        meta["agent_skill_types"] = string_list(skill_types(messages))
    last_user, last_assistant = last_turn_indices(messages)
    if last_user is not None:
        meta["agent_last_user_msg_idx"] = last_user
    if last_assistant is not None:
        meta["agent_last_assistant_msg_idx"] = last_assistant
    if p["copy_request_id"]:
        rid = first_id(record, p["request_id_keys"])
        if rid is not None:
            meta["agent_request_id"] = rid
    if p["copy_lineage_fields"]:
        for field, key in (("request_model", "agent_request_model"), ("pt", "agent_pt"),
                           ("total_cost_time", "agent_total_cost_time_ms")):
            if record.get(field) is not None:
                meta[key] = record[field]
    return record


def _apply(records, p):
    return [normalize(r, p) for r in records]


def _prepare(p: dict, where: str) -> dict:
    for key in ("messages_key", "history_key", "query_key", "response_key"):
        if not p[key]:
            raise OpError(f"{where}: parameter '{key}' must name a field, got ''")
    return p


KEYS = (
    Param("messages_key", "str", "messages", "Field holding the messages."),
    Param("choices_key", "str", "choices", "Field holding the completion's choices (the response when the "
          "messages end without one)."),
    Param("history_key", "str", "dialog_history", "Field the [query, response] pairs are written to."),
    Param("query_key", "str", "query", "Field the last query is written to."),
    Param("response_key", "str", "response", "Field the last response is written to."),
)

declare(Op(
    name="agent_dialog_normalize_mapper", kind="mapper", family=FAMILY,
    doc="Turn an agent trace (`messages` with tool calls and results, `choices`) into Data-Juicer's dialog "
        "fields: a flat `text`, `dialog_history`, `query`, `response`, and meta tags (tools, skills, turns, "
        "lineage).",
    params=KEYS + (
        Param("extract_tool_skill_tags", "bool", True, "Write meta.agent_tool_types and meta.agent_skill_types."),
        Param("include_system_in_first_user", "bool", False, "Prepend system messages to the first user query."),
        Param("user_label", "str", "User", "Label of a query in the flat text."),
        Param("assistant_label", "str", "Assistant", "Label of a response in the flat text."),
        Param("copy_lineage_fields", "bool", True, "Copy request_model, pt and total_cost_time into meta "
              "(agent_request_model, agent_pt, agent_total_cost_time_ms)."),
        Param("copy_request_id", "bool", True, "Copy the first non-blank of `request_id_keys` into "
              "meta.agent_request_id."),
        Param("request_id_keys", "list[str]", ["request_id", "trace_id", "id"], "Fields that may hold the id."),
        Param("history_tool_result_max_chars", "int", 10000, "Cap on one tool result (head + tail kept around "
              "a marker); 0: no cap."),
        Param("history_max_assistant_trace_chars", "int", 0, "Cap on a whole response; 0: no cap."),
        Param("history_max_user_chars", "int", 0, "Cap on a query; 0: no cap."),
        Param("history_compress_head_ratio", "float", 0.62, "Share of a capped text kept from its head "
              "(clamped to [0.35, 0.85])."),
    ),
    prepare=_prepare, apply=_apply, record=True, sql_name="agent_dialog_normalize", sql_params=("user_label",),
    notes="Decisions are Data-Juicer 1.6.1's `process_single` (a fixture it made over the project's agent "
          "records and real chat records, `tests/test_catalogue_agent.py`), with the record's `meta` for "
          "Data-Juicer's `__dj__meta__` and pairs as lists. Quirks kept: a tool result before any assistant "
          "text becomes the response (`[Tool result]\\n...`); a tool result before any user turn is lost; "
          "content blocks holding their text under `value` (LLaMA-Factory) read as empty; tool and skill "
          "tag lists without any entry are `['']` (an Arrow-friendly empty list); meta.agent_turn_count "
          "counts pairs. A record whose `messages` is not a list reads as no messages; a message that is not "
          "an object, a role that is not a string, or a null `meta` raises: the row is dropped as "
          "`error:agent_dialog_normalize_mapper: ...` (Data-Juicer drops it as an op error). The flat text "
          "goes to `text_key` (default `text`). On a DataFrame, fields and meta keys without a column are "
          "not kept; in a job the whole record is. The SQL function maps a record holding only the text "
          "(no messages): an empty text.",
    examples=(
        Example("agent_dialog_normalize('anything')", "", "no messages: no dialog"),
    ),
))
