"""Data-Juicer's ``llm_extract_mapper``: the model reads some record fields and answers a JSON
object with the keys of a user's ``output_schema`` ({key: what to extract}); the values go into
the record's meta (``meta.<meta_output_key>``, or one ``meta.<key>`` per schema key).

Pure halves here, as Data-Juicer 1.6.1 builds and parses them (``LLMExtractMapper._input_text``,
``_knowledge_grounding`` and ``data_juicer.utils.llm_semantic_ops``: ``get_extract_prompt``,
``extract_one``): the prompt of a row (``messages``) and the parser of an answer (``parse``).
The DataFrame half is ``sparkops.spark.llm_extract``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import Op
from sparkops.ops.llm.params import DictParam, llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# Data-Juicer 1.6.1's prompts (data_juicer/utils/llm_semantic_ops.py, Apache-2.0), reproduced as
# facts: an op with its name asks the model the same question
SYSTEM_PROMPT = ("You are a precise information extraction assistant. Given the input text, extract the requested "
                 "fields and return ONLY a valid JSON object. Use the exact output keys provided. If a value cannot "
                 "be determined, use null.")
_INPUT = "# Input\n{input_text}\n\n# Instructions (output keys and what to extract)\n{output_instructions}\n\n"
_EXAMPLES = "# Examples\n{examples}\n\n"
_DIRECT_TAIL = "# Output\nReturn a single JSON object with the above keys. No explanation."
TEMPLATES = {
    "direct": _INPUT + _DIRECT_TAIL,
    "cot": _INPUT + "# Output\nFirst, think step by step about how to extract each field. Then return a single JSON "
                    "object with the above keys.",
    "few_shot": _EXAMPLES + _INPUT + _DIRECT_TAIL,
    "cot_shot": _EXAMPLES + _INPUT + "# Output\nFirst, think step by step about how to extract each field based on "
                                     "the examples. Then return a single JSON object with the above keys.",
}
GROUNDING = "# Background / grounding\n{}\n\n"
STRATEGIES = tuple(TEMPLATES)
META_OUTPUT_KEY = "llm_extract"  # Data-Juicer's MetaKeys.llm_extract


def _plain(value: Any) -> Any:
    """A value as a record holds it (a Spark array arrives as a numpy array: shown as its list)."""
    return value.tolist() if hasattr(value, "tolist") and not isinstance(value, (str, bytes)) else value


def input_text(fields: dict[str, Any], keys: list[str]) -> str:
    """``<key>: <value>`` per input key the record has with a non-null value, one a line (Python's
    ``str`` of the value, as Data-Juicer's f-string); '' when none."""
    return "\n".join(f"{k}: {_plain(fields[k])}" for k in keys if k in fields and fields[k] is not None)


def grounding(fields: dict[str, Any], p: dict) -> str | None:
    """The fixed grounding text if set, else the record's ``knowledge_grounding_key`` field."""
    if p["knowledge_grounding_fixed"]:
        return p["knowledge_grounding_fixed"]
    key = p["knowledge_grounding_key"]
    if key and key in fields and fields[key] is not None:
        return str(_plain(fields[key]))
    return None


def user_prompt(text: str, p: dict, background: str | None = None) -> str:
    instructions = "\n".join(f"- {k}: {v}" for k, v in p["output_schema"].items())
    body = TEMPLATES[p["strategy"]].format(examples=p["examples"] or "", input_text=text,
                                           output_instructions=instructions)
    return GROUNDING.format(background) + body if background else body


def messages(fields: dict[str, Any], p: dict) -> list[dict] | None:
    """The request of a record; None when none of its input keys holds a value (Data-Juicer then
    writes every key as None without asking)."""
    text = input_text(fields, p["input_keys"])
    if not text:
        return None
    return [{"role": "system", "content": p["system_prompt"] or SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(text, p, grounding(fields, p))}]


@dataclass(frozen=True)
class Extracted:
    """An answer, parsed: ``values`` has every schema key (None where the answer gives none);
    ``parsed`` is false when no JSON object (or, for a one-key schema, array) was found in it,
    and ``reason`` says why."""

    values: dict[str, Any]
    parsed: bool
    reason: str | None


def parse(raw: str | None, keys: list[str]) -> Extracted:
    """Data-Juicer's ``extract_one`` parser: the text from the first ``{`` to the last ``}`` is
    the object, unless a ``[`` comes first; an array counts only for a one-key schema. Anything
    else gives every key None."""
    none = {k: None for k in keys}
    raw = (raw or "").strip()  # its call_llm_sync answers '' for a failed call or a None content
    if not raw:
        return Extracted(none, False, "empty answer")
    start_obj, end_obj = raw.find("{"), raw.rfind("}") + 1
    start_arr, end_arr = raw.find("["), raw.rfind("]") + 1
    has_obj = start_obj >= 0 and end_obj > start_obj
    has_arr = start_arr >= 0 and end_arr > start_arr
    try:
        if has_obj and (not has_arr or start_obj <= start_arr):
            found = json.loads(raw[start_obj:end_obj])
            if isinstance(found, dict):
                return Extracted({k: found.get(k) for k in keys}, True, None)
        if has_arr and len(keys) == 1:
            found = json.loads(raw[start_arr:end_arr])
            if isinstance(found, list):
                return Extracted({keys[0]: found}, True, None)
    except json.JSONDecodeError as err:
        return Extracted(none, False, f"invalid JSON: {err}"[:200])
    # an array first (or alone) for several keys; a '{' without a later '}' is no object either
    return Extracted(none, False, "a JSON array, not an object" if has_arr else "no JSON object in the answer")


def shown(value: Any) -> str | None:
    """A value as the string column holds it: a string as it is, another JSON value as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _strategy(value) -> str:
    """Data-Juicer's ``InferenceStrategy`` by value (``cot``) or name (``COT``); null: direct."""
    if value is None:
        return "direct"
    key = str(value).strip().lower()
    if key not in STRATEGIES:
        raise OpError(f"strategy must be one of {list(STRATEGIES)}, got {value!r}")
    return key


def _prepare(values: dict, where: str) -> dict:
    keys, schema = values["input_keys"], values["output_schema"]
    if not keys:
        raise OpError(f"{where}: input_keys is required (the record fields the model reads), e.g. [text]")
    if not schema:
        raise OpError(f"{where}: output_schema is required: a mapping {{key: what to extract}}, e.g. "
                      "{name: The person's full name}")
    bad = [k for k, v in schema.items() if not k or not isinstance(v, str)]
    if bad:
        raise OpError(f"{where}: output_schema: every key needs a non-empty name and a string instruction "
                      f"(not: {', '.join(map(repr, bad))})")
    if values["examples"] is not None and not isinstance(values["examples"], str):
        raise OpError(f"{where}: examples must be a string (the few-shot text)")
    try:
        strategy = _strategy(values["strategy"])
    except OpError as err:
        raise OpError(f"{where}: {err}") from None
    grounding_key = values["knowledge_grounding_key"]
    return {**values, **llm_settings(values, where), "strategy": strategy, "output_keys": list(schema),
            "read_keys": list(dict.fromkeys([*keys, *([grounding_key] if grounding_key else [])]))}


STATS = (
    Stat("llm_extract", "struct", "The extracted values, one string field per output_schema key (a string as "
                                  "the model gave it, another JSON value as JSON, null where none)."),
    Stat("llm_extract_json", "string", "The extracted values as a JSON object (Data-Juicer's meta value, JSON types "
                                       "kept)."),
    Stat("llm_extract_raw", "string", "The model's last answer, verbatim (null: the row was not asked)."),
    Stat("llm_extract_reason", "string", "Why the values are all null (empty input, unparsable answer, endpoint "
                                         "error), or null."),
    *USAGE,
)

declare(Op(
    name="llm_extract_mapper", kind="selector", family="llm",
    doc="Extract the fields of an output_schema from record fields with an LLM, into the record's meta.",
    params=(*llm_params("gpt-4o"),
            Param("input_keys", "list[str]", None, "Record fields the model reads, shown as `<key>: <value>` lines "
                  "(required; `text`: the pass's text field).", nullable=True),
            DictParam("output_schema", "dict", {}, "Required: `{key: what to extract}`; the model answers a JSON "
                      "object with these keys."),
            Param("meta_output_key", "str", META_OUTPUT_KEY, "Meta field of the result (`meta.llm_extract.<key>`); "
                  "null or '': one meta field per schema key (`meta.<key>`).", nullable=True),
            Param("knowledge_grounding_key", "str", None, "Record field shown as background.", nullable=True),
            Param("knowledge_grounding_fixed", "str", None, "Background text for every row (wins over the key).",
                  nullable=True),
            Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's.", nullable=True),
            Param("strategy", "str", None, "Prompt strategy: direct (default), cot, few_shot, cot_shot.",
                  nullable=True),
            Param("examples", "str", None, "Examples text of the few_shot / cot_shot prompts.", nullable=True)),
    stats=STATS, frame="sparkops.spark.llm_extract:extract_mapper", prepare=_prepare,
    notes="An LLM op run as a selector-kind frame that keeps every row (`sparkops.spark.llm`). The values go into "
          "the `meta` struct (`meta.llm_extract.<key>`, strings; other JSON values as JSON text) and into "
          "`stats.llm_extract` / `stats.llm_extract_json`. A row without any input value is not asked and gets "
          "every key null, as in Data-Juicer; an answer without a JSON object is asked again up to `try_num` "
          "times (Data-Juicer 1.6.1's loop stops at the first answer: its `extract_one` never returns None), then "
          "every key is null, as in Data-Juicer, with the raw answer and the reason in the stats; a row whose "
          "requests all failed gets the same, with the endpoint's error as the reason. Data-Juicer's "
          "`meta.llm_semantic_usage` is the usage stats here. `is_hf_model` / `enable_vllm` are refused: serve "
          "the model behind an endpoint.",
))
