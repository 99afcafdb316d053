"""Data-Juicer's ``pair_preference_mapper``: a rejected answer for a preference pair. The model gets
the record's text as reference and the question-answer pair, and answers a response opposite in
style, facts, persona or stance, with its reason; they go into ``rejected_key`` and ``reason_key``.

Pure halves, as Data-Juicer 1.6.1's ``PairPreferenceMapper.build_input`` / ``parse_output``:
``messages`` / ``parse``; ``request`` / ``answer`` for ``sparkops.spark.llm.field_mapper``.
"""

from __future__ import annotations

import re
import string

from sparkops.core import OpError, Param, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm import prompts
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import mapper_stats

PLACEHOLDERS = ("query", "response", "reference")


def messages(reference, query, response, p: dict) -> list[dict]:
    user = p["input_template"].format_map({"query": query, "response": response, "reference": reference})
    return [{"role": "system", "content": p["system_prompt"]}, {"role": "user", "content": user}]


def parse(raw: str | None, p: dict) -> tuple[str, str] | None:
    """(rejected answer, reason), ``('', '')`` where the pattern does not match; None for no answer
    (Data-Juicer's re.match raises on None: its retry loop catches it)."""
    if raw is None:
        return None
    found = p["pattern"].match(raw)
    return (found.group(1).strip(), found.group(2).strip()) if found else ("", "")


def request(fields: dict, p: dict) -> list[dict] | None:
    """None (not asked) where the record lacks the question or the answer; the reference is the
    pass's text, '' without one (Data-Juicer's ``sample.get(text_key, '')``)."""
    if p["query_key"] not in fields or p["response_key"] not in fields:
        return None
    return messages(fields.get("text", ""), fields[p["query_key"]], fields[p["response_key"]], p)


def answer(raw: str | None, p: dict) -> tuple[dict, bool]:
    """Both fields are written whatever the answer (Data-Juicer's initial values are ''); asked
    again until both are non-empty."""
    got = parse(raw, p)
    if got is None:
        return {}, False
    rejected, reason = got
    return {p["rejected_key"]: rejected, p["reason_key"]: reason}, bool(rejected and reason)


def _prepare(values: dict, where: str) -> dict:
    template = values["input_template"] or prompts.PREFERENCE_INPUT_TEMPLATE
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as err:
        raise OpError(f"{where}: input_template is not a format string: {err}") from None
    if not {"query", "response"} <= names or names - set(PLACEHOLDERS):
        raise OpError(f"{where}: input_template must contain {{query}} and {{response}} and may contain "
                      f"{{reference}}, nothing else; it has {sorted(names)}")
    try:
        pattern = re.compile(values["output_pattern"] or prompts.PREFERENCE_OUTPUT_PATTERN, re.DOTALL)
    except re.error as err:
        raise OpError(f"{where}: output_pattern is not a regular expression: {err}") from None
    if pattern.groups < 2:
        raise OpError(f"{where}: output_pattern needs two groups (rejected answer, reason)")
    if values["rejected_key"] == values["reason_key"]:
        raise OpError(f"{where}: rejected_key and reason_key must differ")
    return {**values, **llm_settings(values, where, "api_model"), "pattern": pattern, "input_template": template,
            "system_prompt": values["system_prompt"] or prompts.PREFERENCE_SYSTEM_PROMPT,
            "read_keys": [values["query_key"], values["response_key"]], "kernel": __name__,
            "write_keys": [values["rejected_key"], values["reason_key"]],
            "no_answer": {values["rejected_key"]: "", values["reason_key"]: ""}, "stat_prefix": "llm_preference"}


declare(Op(
    name="pair_preference_mapper", kind="selector", family="llm",
    doc="Write a rejected answer (opposite in style, facts, persona or stance) and its reason for each "
        "question-answer pair, with an LLM: preference data from SFT data.",
    params=(*llm_params("gpt-4o", "api_model", local_switches=False),
            Param("query_key", "str", "query", "Record field of the question."),
            Param("response_key", "str", "response", "Record field of the (chosen) answer."),
            Param("rejected_key", "str", "rejected_response", "Record field the rejected answer is written to."),
            Param("reason_key", "str", "reason", "Record field the model's reason is written to."),
            Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's (Chinese).", nullable=True),
            Param("input_template", "str", None, "User message template with `{query}`, `{response}` and "
                  "optionally `{reference}` (the record's text).", nullable=True),
            Param("output_pattern", "str", None, "Regex (DOTALL) with two groups: rejected answer, reason.",
                  nullable=True)),
    stats=mapper_stats("llm_preference"), frame="sparkops.spark.llm:field_mapper", prepare=_prepare,
    notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). As Data-Juicer, "
          "both fields are written from the last answer ('' where it did not match) and a row is asked again "
          "until both are non-empty, up to `try_num`; a row whose every request failed gets ''. A record without "
          "the question or the answer is not asked (`stats.llm_preference_reason`: missing field). Export with "
          "`output.export_format: preference` to get prompt/chosen/rejected.",
))
