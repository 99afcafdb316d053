"""Data-Juicer's reference-grounded QA rewriters: ``calibrate_qa_mapper`` (both fields),
``calibrate_query_mapper`` (the question), ``calibrate_response_mapper`` (the answer). The model
gets the record's text as reference and the pair, and answers the calibrated text.

Pure halves, as Data-Juicer 1.6.1's ``CalibrateQAMapper.build_input`` / ``parse_output`` and its
two subclasses: ``messages`` / ``parse``; ``request`` / ``answer`` for the DataFrame half
(``sparkops.spark.llm.field_mapper``). Unlike the optimize_* mappers, Data-Juicer matches the
calibrated pair without ``re.DOTALL``: the question is one line, the answer its first line.
"""

from __future__ import annotations

import re

from sparkops.core import OpError, Param, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm import optimize, prompts
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import mapper_stats


def messages(reference, query, response, p: dict) -> list[dict]:
    """System prompt, then ``input_template`` with the formatted reference and pair (``str.format``)."""
    user = p["input_template"].format(reference=p["reference_template"].format(reference),
                                      qa_pair=p["qa_pair_template"].format(query, response))
    return [{"role": "system", "content": p["system_prompt"]}, {"role": "user", "content": user}]


def parse(raw: str | None, p: dict) -> tuple[str | None, str | None]:
    """(calibrated question, calibrated answer); None where the answer gives none. As the optimize_*
    mappers, but calibrate_response_mapper tries a custom pattern first (its last group)."""
    if raw is not None and p["rewrites"] == "response" and p["custom_pattern"]:
        found = p["pattern"].match(raw)
        if found:
            return (None, found.group(found.lastindex).strip()) if found.lastindex else (None, None)
    return optimize.parse(raw, p)


def request(fields: dict, p: dict) -> list[dict] | None:
    """None (not asked) where the record lacks the reference text, the question or the answer
    (Data-Juicer's ``sample[key]`` raises there)."""
    if any(k not in fields for k in ("text", p["query_key"], p["response_key"])):
        return None
    return messages(fields["text"], fields[p["query_key"]], fields[p["response_key"]], p)


def answer(raw: str | None, p: dict) -> tuple[dict, bool]:
    return optimize.pair_answer(*parse(raw, p), p)


def _prepare_for(rewrites: str, system_prompt: str):
    def prepare(values: dict, where: str) -> dict:
        custom = values["output_pattern"] is not None and values["output_pattern"] != prompts.CALIBRATE_OUTPUT_PATTERN
        try:
            pattern = re.compile(values["output_pattern"] or prompts.CALIBRATE_OUTPUT_PATTERN)
        except re.error as err:
            raise OpError(f"{where}: output_pattern is not a regular expression: {err}") from None
        if rewrites == "qa" and pattern.groups < 2:
            raise OpError(f"{where}: output_pattern needs two groups (question, answer)")
        keys = [values["query_key"], values["response_key"]]
        return {**values, **llm_settings(values, where, "api_model"), "rewrites": rewrites, "pattern": pattern,
                "custom_pattern": custom, "system_prompt": values["system_prompt"] or system_prompt,
                "input_template": values["input_template"] or prompts.CALIBRATE_INPUT_TEMPLATE,
                "reference_template": values["reference_template"] or prompts.CALIBRATE_REFERENCE_TEMPLATE,
                "qa_pair_template": values["qa_pair_template"] or prompts.CALIBRATE_QA_PAIR_TEMPLATE,
                "read_keys": keys, "kernel": __name__, "write_keys": keys, "stat_prefix": "llm_calibrate"}
    return prepare


def _declare(name: str, rewrites: str, doc: str, system_prompt: str):
    declare(Op(
        name=name, kind="selector", family="llm", doc=doc,
        params=(*llm_params("gpt-4o", "api_model", local_switches=False),
                Param("query_key", "str", "query", "Record field of the question."),
                Param("response_key", "str", "response", "Record field of the answer."),
                Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's (Chinese).", nullable=True),
                Param("input_template", "str", None, "User message template with `{reference}` and `{qa_pair}`.",
                      nullable=True),
                Param("reference_template", "str", None, "Reference template with one `{}` (the record's text).",
                      nullable=True),
                Param("qa_pair_template", "str", None, "Pair template with two `{}` (question, answer).",
                      nullable=True),
                Param("output_pattern", "str", None, "Regex matched at the answer's start (no DOTALL, as "
                      "Data-Juicer): groups (question, answer); calibrate_response_mapper takes its last group.",
                      nullable=True)),
        stats=mapper_stats("llm_calibrate"), frame="sparkops.spark.llm:field_mapper",
        prepare=_prepare_for(rewrites, system_prompt),
        notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). The reference "
              "is the pass's text; a record without it, the question or the answer is not asked "
              "(`stats.llm_calibrate_reason`: missing field). Fields the answer does not give are kept, as "
              "Data-Juicer; the rewritten fields go into the job's record.",
    ))


_declare("calibrate_qa_mapper", "qa", "Calibrate question and answer against the record's text as reference, "
         "with an LLM.", prompts.CALIBRATE_SYSTEM_PROMPT)
_declare("calibrate_query_mapper", "query", "Calibrate the question against the record's text (still answered "
         "by the answer), with an LLM.", prompts.CALIBRATE_QUERY_SYSTEM_PROMPT)
_declare("calibrate_response_mapper", "response", "Calibrate the answer against the record's text (still "
         "answering the question), with an LLM.", prompts.CALIBRATE_RESPONSE_SYSTEM_PROMPT)
