"""usage_counter_mapper: the token usage of an agent response (Data-Juicer 1.6.1's rules).

Usage objects are collected from the record's ``usage`` field, its ``response_metadata``, and
each of its ``choices`` (and their ``message``/``delta``); identical snapshots count once
(by default). Prompt and completion tokens are summed; the total is the *first* total any
snapshot gives (else prompt + completion).
"""

from __future__ import annotations

from sparkops.core import Example, Op, Param, declare
from sparkops.ops.agent.content import record_meta

FAMILY = "agent"


def usage_of(obj) -> dict:
    """The usage an object holds (under ``usage`` / ``usage_metadata``, or itself); every
    object gives one, with zero counts when it holds none (Data-Juicer's rule)."""
    if not isinstance(obj, dict):
        return {}
    usage = obj.get("usage") or obj.get("usage_metadata") or {}
    if not isinstance(usage, dict):
        usage = {}
    has_counts = usage.get("prompt_tokens") is not None or usage.get("completion_tokens") is not None
    if not (usage and has_counts) and (obj.get("prompt_tokens") is not None
                                       or obj.get("completion_tokens") is not None):
        usage = obj
    return {"prompt_tokens": usage.get("prompt_tokens") or usage.get("input_tokens", 0),
            "completion_tokens": usage.get("completion_tokens") or usage.get("output_tokens", 0),
            "total_tokens": usage.get("total_tokens")}


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def snapshot_key(u: dict) -> tuple[int, int, int]:
    p, c = _int_or(u.get("prompt_tokens") or 0, 0), _int_or(u.get("completion_tokens") or 0, 0)
    total = u.get("total_tokens")
    return p, c, (p + c if total is None else _int_or(total, p + c))


def count_usage(record: dict, p: dict) -> dict:
    usages = []
    if p["usage_key"] in record:
        u = usage_of(record.get(p["usage_key"])) or usage_of(record)
        if u:
            usages.append(u)
    extra = record.get(p["response_metadata_key"]) or {}
    if isinstance(extra, dict):
        usages.append(usage_of(extra))
    choices = record.get(p["choices_key"]) or []
    if isinstance(choices, list):
        for choice in choices:
            if not isinstance(choice, dict):
                continue
            usages.append(usage_of(choice))
            msg = choice.get("message") or choice.get("delta")
            if isinstance(msg, dict):
                usages.append(usage_of(msg))
    if p["dedupe_identical_usage"]:
        seen, kept = set(), []
        for u in usages:
            key = snapshot_key(u)
            if key not in seen:
                seen.add(key)
                kept.append(u)
        usages = kept
    prompt = sum(u.get("prompt_tokens") or 0 for u in usages)
    completion = sum(u.get("completion_tokens") or 0 for u in usages)
    total = next((u["total_tokens"] for u in usages if u.get("total_tokens") is not None), None)
    if total is None and (prompt or completion):
        total = prompt + completion
    meta = record_meta(record)
    meta["prompt_tokens"], meta["completion_tokens"], meta["total_tokens"] = prompt, completion, total
    return record


declare(Op(
    name="usage_counter_mapper", kind="mapper", family=FAMILY,
    doc="Write an agent response's token usage (from `usage`, `response_metadata` and `choices`, "
        "OpenAI / Anthropic style) to meta.prompt_tokens, completion_tokens and total_tokens.",
    params=(
        Param("choices_key", "str", "choices", "Field holding the choices."),
        Param("usage_key", "str", "usage", "Field holding the top-level usage."),
        Param("response_metadata_key", "str", "response_metadata", "Field holding response metadata."),
        Param("dedupe_identical_usage", "bool", True, "Count identical usage snapshots (same prompt, "
              "completion and total) once: a top-level usage mirroring choices[0].usage."),
    ),
    apply=lambda records, p: [count_usage(r, p) for r in records], record=True,
    sql_name="usage_counter", sql_params=(),
    notes="Decisions are Data-Juicer 1.6.1's `process_single` (a fixture it made, "
          "`tests/test_catalogue_agent.py`). Quirks kept: the total is the first total found, not a sum "
          "(two different snapshots with totals 30 and 50 give prompt and completion sums but total 30); "
          "`input_tokens`/`output_tokens` (Anthropic) are read where `prompt_tokens`/`completion_tokens` "
          "are 0 or absent; every choice object adds a snapshot, empty ones with zero counts (merged by "
          "deduplication); without any count, the total is null and the sums 0. Counts are summed as given: "
          "a count held as a string raises (the row is dropped as an error), as in Data-Juicer. The SQL "
          "function returns the text unchanged.",
    examples=(Example("usage_counter('unchanged')", "unchanged", "the counts go to the record's meta"),),
))
