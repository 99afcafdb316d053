"""Data-Juicer's question-answer rewriters: ``optimize_qa_mapper`` (both), ``optimize_query_mapper``
(the question), ``optimize_response_mapper`` (the answer). The model gets the pair and answers
the rewritten text; where its answer parses, the record's fields are replaced.

Pure halves here: the prompt (``messages``) and the parser (``parse``), as Data-Juicer 1.6.1's
``OptimizeQAMapper.build_input`` / ``parse_output`` and its two subclasses; ``request`` / ``answer``
are what the DataFrame half (``sparkops.spark.llm.field_mapper``) calls.
"""

from __future__ import annotations

import re

from sparkops.core import OpError, Param, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm import prompts
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import mapper_stats


def messages(query, response, p: dict) -> list[dict]:
    """System prompt, then ``input_template`` around ``qa_pair_template`` (``str.format`` of the values)."""
    pair = p["qa_pair_template"].format(query, response)
    return [{"role": "system", "content": p["system_prompt"]}, {"role": "user", "content": p["input_template"].format(pair)}]


def parse(raw: str | None, p: dict) -> tuple[str | None, str | None]:
    """(new query, new response); None where the answer gives none (Data-Juicer then keeps the field)."""
    if raw is None:
        return None, None  # Data-Juicer's re.match / strip raise on None: caught by its retry loop
    what = p["rewrites"]
    if what == "query":
        return raw.strip(), None
    if what == "response":
        return None, raw.strip()
    found = p["pattern"].match(raw)
    return (found.group(1).strip(), found.group(2).strip()) if found else (None, None)


def request(fields: dict, p: dict) -> list[dict] | None:
    """The row's messages; None (not asked) where the record lacks the question or the answer."""
    if p["query_key"] not in fields or p["response_key"] not in fields:
        return None
    return messages(fields[p["query_key"]], fields[p["response_key"]], p)


def pair_answer(q: str | None, a: str | None, p: dict) -> tuple[dict, bool]:
    """The fields to write (only those the answer gives, as Data-Juicer) and whether it parsed."""
    new = {k: v for k, v in ((p["query_key"], q), (p["response_key"], a)) if v}
    return new, bool(new)


def answer(raw: str | None, p: dict) -> tuple[dict, bool]:
    return pair_answer(*parse(raw, p), p)


def _prepare_for(rewrites: str, system_prompt: str):
    def prepare(values: dict, where: str) -> dict:
        try:
            pattern = re.compile(values["output_pattern"] or prompts.QA_OUTPUT_PATTERN, re.DOTALL)
        except re.error as err:
            raise OpError(f"{where}: output_pattern is not a regular expression: {err}") from None
        if rewrites == "qa" and pattern.groups < 2:
            raise OpError(f"{where}: output_pattern needs two groups (question, answer)")
        return {**values, **llm_settings(values, where), "rewrites": rewrites, "pattern": pattern,
                "system_prompt": values["system_prompt"] or system_prompt,
                "input_template": values["input_template"] or prompts.QA_INPUT_TEMPLATE,
                "qa_pair_template": values["qa_pair_template"] or prompts.QA_PAIR_TEMPLATE,
                "read_keys": [values["query_key"], values["response_key"]],
                "kernel": __name__, "write_keys": [values["query_key"], values["response_key"]],
                "stat_prefix": "llm_optimize"}
    return prepare


STATS = mapper_stats("llm_optimize")


def _declare(name: str, rewrites: str, doc: str, system_prompt: str):
    declare(Op(
        name=name, kind="selector", family="llm", doc=doc,
        params=(*llm_params("Qwen/Qwen2.5-7B-Instruct"),
                Param("query_key", "str", "query", "Record field of the question."),
                Param("response_key", "str", "response", "Record field of the answer."),
                Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's (Chinese).", nullable=True),
                Param("input_template", "str", None, "User message template with one `{}` (the pair).",
                      nullable=True),
                Param("qa_pair_template", "str", None, "Pair template with two `{}` (question, answer).",
                      nullable=True),
                Param("output_pattern", "str", None, "Regex with two groups (question, answer) for "
                      "optimize_qa_mapper's answer.", nullable=True)),
        stats=STATS, frame="sparkops.spark.llm:field_mapper", prepare=_prepare_for(rewrites, system_prompt),
        notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`): the answers "
              "come from the Delta response cache or the endpoint, retried up to `try_num` times while they do "
              "not parse, as Data-Juicer. A row whose fields could not be rewritten keeps them, with the reason in "
              "`stats.llm_optimize_reason`. The rewritten fields go into the job's record; the pass's text "
              "follows a field it held. Data-Juicer's default `is_hf_model: true` is refused: give an endpoint.",
    ))


_declare("optimize_qa_mapper", "qa", "Rewrite question and answer to be more detailed and precise, with an LLM.",
         prompts.QA_SYSTEM_PROMPT)
_declare("optimize_query_mapper", "query", "Rewrite the question to be more specific (still answered by the "
         "answer), with an LLM.", prompts.QUERY_SYSTEM_PROMPT)
_declare("optimize_response_mapper", "response", "Rewrite the answer to be more detailed (still answering the "
         "question), with an LLM.", prompts.RESPONSE_SYSTEM_PROMPT)
