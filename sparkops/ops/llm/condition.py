"""Data-Juicer's ``llm_condition_filter``: the model answers yes or no to "does the text satisfy
this natural-language condition?"; a row is kept on yes.

Pure halves here, as Data-Juicer 1.6.1 builds and reads them (``LLMConditionFilter._text``,
``_knowledge_grounding``, ``compute_stats_single`` and ``data_juicer.utils.llm_semantic_ops``:
``get_condition_prompt``, ``condition_filter_one``). The DataFrame half is
``sparkops.spark.llm_condition``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import COMMON_FILTER_PARAMS, Op
# Data-Juicer's call answers '' for a failed request or a blank content: asked again, the dialog judges' rule
from sparkops.ops.llm.dialog_quality import answered  # noqa: F401  (condition.answered)
from sparkops.ops.llm.extract import STRATEGIES
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# Data-Juicer 1.6.1's prompts (data_juicer/utils/llm_semantic_ops.py, Apache-2.0), reproduced as
# facts: an op with its name asks the model the same question
SYSTEM_PROMPT = "You are a binary classifier. Answer only 'yes' or 'no', nothing else."
_TEXT = "# Text\n{text}\n\n# Condition\n{condition}\n\n"
_EXAMPLES = "# Examples\n{examples}\n\n"
_ASK = "Does the text satisfy the condition? Answer yes or no."
TEMPLATES = {
    "direct": _TEXT + _ASK,
    "cot": _TEXT + "Think step by step: analyze the text and condition, then determine if the text satisfies the "
                   "condition. Answer yes or no.",
    "few_shot": _EXAMPLES + _TEXT + _ASK,
    "cot_shot": _EXAMPLES + _TEXT + "Think step by step: analyze the text and condition based on the examples, "
                                    "then determine if the text satisfies the condition. Answer yes or no.",
}
BACKGROUND = "# Background\n{}\n\n"

RESULT = "llm_condition_filter_result"  # Data-Juicer's StatsKeys
SEMANTIC_USAGE = "llm_semantic_usage"
EMPTY_TEXT, NO_CONDITION = "empty text: false, not asked", "no condition: true, not asked"


def text_of(fields: dict[str, Any], p: dict) -> str:
    """The record's text field as Data-Juicer reads it: ``str`` of the value, stripped ('' for none)."""
    value = fields.get(p["text_key"])
    return "" if value is None else str(value).strip()


def grounding(fields: dict[str, Any], p: dict) -> str | None:
    """The fixed grounding text if set, else ``str`` of the record's ``knowledge_grounding_key`` field."""
    if p["knowledge_grounding_fixed"]:
        return p["knowledge_grounding_fixed"]
    key = p["knowledge_grounding_key"]
    if key and key in fields:
        return None if fields[key] is None else str(fields[key])
    return None


def user_prompt(text: str, p: dict, background: str | None = None) -> str:
    body = TEMPLATES[p["strategy"]].format(examples=p["examples"] or "", text=text, condition=p["condition"])
    return BACKGROUND.format(background) + body if background else body


def unasked(fields: dict[str, Any], p: dict) -> bool | None:
    """The result Data-Juicer gives a row without asking (empty text: False; no condition: True),
    or None when the row is asked."""
    if not text_of(fields, p):
        return False
    if not p["condition"]:
        return True
    return None


def messages(fields: dict[str, Any], p: dict) -> list[dict] | None:
    if unasked(fields, p) is not None:
        return None
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(text_of(fields, p), p, grounding(fields, p))}]



def verdict(raw: str | None) -> tuple[bool, str | None]:
    """Data-Juicer's reading (``condition_filter_one``): true when the stripped, lower-cased answer
    starts with 'yes' or is 'y'; anything else is false. The reason says when the answer was
    neither a yes nor a no (or blank)."""
    low = (raw or "").strip().lower()
    if not low:
        return False, "empty answer: false"
    if low.startswith("yes") or low == "y":
        return True, None
    if low.startswith("no") or low == "n":
        return False, None
    return False, "neither yes nor no: false"


def _strategy(value: Any, where: str) -> str:
    """Data-Juicer's ``InferenceStrategy`` by value (``cot``) or name (``COT``); null: direct."""
    if value is None:
        return "direct"
    key = str(value).strip().lower()
    if key not in STRATEGIES:
        raise OpError(f"{where}: strategy must be one of {list(STRATEGIES)}, got {value!r}")
    return key


def _prepare(values: dict, where: str) -> dict:
    if values["examples"] is not None and not isinstance(values["examples"], str):
        raise OpError(f"{where}: examples must be a string (the few-shot text)")
    key = values["knowledge_grounding_key"]
    return {**values, **llm_settings(values, where), "strategy": _strategy(values["strategy"], where),
            "read_keys": list(dict.fromkeys([values["text_key"], *([key] if key else [])]))}


_IGNORED = "Accepted as by Data-Juicer's Filter; unused (the result is a yes / no)."

declare(Op(
    name="llm_condition_filter", kind="selector", family="llm",
    doc="Keep rows whose text an LLM says satisfies a natural-language condition (yes / no).",
    params=(*llm_params("gpt-4o"),
            Param("text_key", "str", "text", "Record field of the text judged (`text`: the pass's text field)."),
            Param("condition", "str", "", "The condition, e.g. `The text is about cooking.`; empty: every row with "
                  "a text is kept without asking."),
            Param("knowledge_grounding_key", "str", None, "Record field shown as background.", nullable=True),
            Param("knowledge_grounding_fixed", "str", None, "Background text for every row (wins over the key).",
                  nullable=True),
            Param("strategy", "str", None, "Prompt strategy: direct (default), cot, few_shot, cot_shot.",
                  nullable=True),
            Param("examples", "str", None, "Examples text of the few_shot / cot_shot prompts.", nullable=True),
            *(replace(q, doc=_IGNORED) for q in COMMON_FILTER_PARAMS)),
    stats=(Stat(RESULT, "boolean", "The model's verdict: true when its answer starts with 'yes' (Data-Juicer's "
                                   "reading); false for an empty text; true without a condition."),
           Stat(SEMANTIC_USAGE, "struct", "Data-Juicer's usage record of the row's requests: prompt_tokens, "
                                          "completion_tokens, total_tokens, cost_estimate (0); null when the row was "
                                          "not asked."),
           Stat("llm_condition_filter_raw", "string", "The model's last answer, verbatim (null: not asked)."),
           Stat("llm_condition_filter_reason", "string", "Why the result is not the model's yes / no: empty text, no "
                                                         "condition, blank or other answer, endpoint error; or null."),
           *USAGE),
    frame="sparkops.spark.llm_condition:condition_filter", prepare=_prepare,
    notes="An LLM op: a DataFrame algorithm (declared as a selector-kind frame, which runs it as its own segment) "
          "that asks an OpenAI-compatible endpoint once per distinct prompt not in the response cache "
          "(`sparkops.spark.llm`). Data-Juicer's system prompt and user prompts; a row with an empty text is "
          "dropped without asking (false), a row is kept without asking when the condition is empty (true). A "
          "blank answer is asked again up to `try_num` times, then counts as false, as in Data-Juicer; any other "
          "answer is read once. A row whose requests all failed is dropped as `error:<op>: <reason>` and asked "
          "again by the next run. `is_hf_model` and `enable_vllm` are refused: serve the model behind an endpoint.",
))
