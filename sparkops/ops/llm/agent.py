"""What the LLM agent ops share (``agent_judges``, ``agent_insight``, ``pii_suspect``): the record
they read, and the protocol of their DataFrame half (``sparkops.spark.llm_agent.meta_mapper``).

A kernel module there provides, for a record's ``fields`` and the op's prepared params ``p``:
``messages(fields, p)`` (None: not asked), ``outcome(fields, raw, p)`` (the meta values Data-Juicer
writes for the last answer ``raw``: '' for a blank answer or a failed request, None when the row was
not asked; None: the record keeps its meta as it is) and ``why(values, raw, error, p)`` (sparkops'
reason, or None). Every op asks again only while the answer is blank, as Data-Juicer does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sparkops.ops.llm.dialog_quality import answered  # noqa: F401  (the dialog judges' rule, re-exported)
from sparkops.ops.llm.dialog_turns import plain

# the row's meta / stats columns, read beside the job's record: in a job the record's meta holds
# what record ops (agent_dialog_normalize_mapper...) wrote, the columns what the other ops wrote
META_COL, STATS_COL = "_llm_meta_col", "_llm_stats_col"


def merged(fields: Mapping[str, Any]) -> dict:
    """``fields`` with the meta / stats columns' non-null values laid over the record's dicts."""
    out = dict(fields)
    for name, col in (("meta", META_COL), ("stats", STATS_COL)):
        column = plain(out.pop(col, None))
        if not isinstance(column, Mapping):
            continue
        given = {k: v for k, v in column.items() if v is not None}
        base = plain(out.get(name))
        if isinstance(base, Mapping):
            out[name] = {**base, **given}
        elif given:
            out[name] = given
    return out


def meta_of(fields: Mapping[str, Any]) -> Any:
    """The record's meta as plain values (a dict, or whatever non-dict it holds)."""
    return plain(fields.get("meta"))


def ask_until_answered(fields: Mapping[str, Any], p: dict, ask, messages, outcome) -> dict | None:
    """Data-Juicer's ``process_single`` of an agent op: ``ask(messages, attempt) -> answer`` ('' for a
    failed call) up to ``try_num`` times while the answer is blank, then the op's ``outcome``."""
    request = messages(fields, p)
    if request is None:
        return outcome(fields, None, p)
    raw = ""
    for attempt in range(p["try_num"]):
        raw = ask(request, attempt)
        if answered(raw):
            break
    return outcome(fields, raw, p)


def endpoint_reason(error: str | None) -> str | None:
    return None if error is None else f"endpoint: {error}"
