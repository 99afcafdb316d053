"""Reading agent messages as Data-Juicer 1.6.1's agent mappers do (pure).

Message content comes as a string, a list of blocks (OpenAI ``{"type": "text", "text": ...}``,
Qwen/DeepSeek ``thinking``/``reasoning_content`` blocks, plain strings) or an object; tool calls
as ``tool_calls`` (or Anthropic's ``tool_use``) items naming the tool in ``function.name``,
``function_call.name`` or ``name``. Malformed values (a message that is not an object, a role
that is not a string) raise, as in Data-Juicer: the row is rejected as an error.
"""

from __future__ import annotations

from typing import Any

META, STATS = "meta", "stats"  # Data-Juicer's __dj__meta__ / __dj__stats__
_TEXTISH_KEYS = ("value", "text", "content")
_REASONING_TYPES = ("thinking", "reasoning")


def fragment_text(value: Any) -> str:
    """A content block's text-ish value as one flat string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in _TEXTISH_KEYS:
            if key in value and value[key] not in (None, ""):
                return fragment_text(value[key])
        return ""
    if isinstance(value, list):
        return "\n".join(fragment_text(v) for v in value if v not in (None, "")).strip()
    return str(value).strip()


def _block_text(block: dict) -> str | None:
    kind = block.get("type")
    if kind == "text" or kind == "input_text" or (kind not in _REASONING_TYPES and "text" in block):
        return fragment_text(block.get("text"))
    if kind in _REASONING_TYPES or "thinking" in block or "reasoning_content" in block:
        return fragment_text(block.get("thinking") or block.get("reasoning") or block.get("reasoning_content"))
    return None  # an image, a tool_use block...: no text


def content_text(content: Any) -> str:
    """``message.content`` as plain text (blocks joined by newlines)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, dict):
                text = _block_text(block)
                if text is not None:
                    parts.append(text)
            elif isinstance(block, str):
                parts.append(block.strip())
        return "\n".join(p for p in parts if p).strip()
    if isinstance(content, dict):
        return fragment_text(content)
    return str(content).strip()


def tool_name(call: Any):
    """The tool a tool-call item names (None when it names none)."""
    if not isinstance(call, dict):
        return None
    fn = call.get("function") or call.get("function_call")
    if isinstance(fn, dict) and fn.get("name"):
        return fn["name"]
    return call.get("name") or None


def message_tool_calls(message: dict) -> list:
    return message.get("tool_calls") or message.get("tool_use") or []


def role_of(message: dict) -> str:
    return (message.get("role") or "").lower()


def record_meta(record: dict) -> dict:
    """The record's meta object, created when absent (a null meta raises, as in Data-Juicer)."""
    if META not in record:
        record[META] = {}
    return record[META]
