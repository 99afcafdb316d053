"""Data-Juicer's LLM analysis filters: ``llm_analysis_filter``, ``llm_quality_score_filter``,
``llm_difficulty_score_filter``. The model scores a sample on a few dimensions (1-5) and answers
JSON; the score is their mean / 5, in [0.2, 1].

Pure halves here: the prompt of a row (``messages``) and the parser of an answer (``parse``), as
Data-Juicer 1.6.1 builds and parses them (``LLMAnalysisFilter.build_input`` / ``parse_output``).
The DataFrame half (cache, endpoint calls, retries) is ``sparkops.spark.llm``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import COMMON_FILTER_PARAMS, Op, in_range
from sparkops.ops.llm import prompts
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE

# Data-Juicer's extract_outer_braces: the first {...} with at most one level of nested braces
_OUTER_BRACES = re.compile(r"(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})")


@dataclass(frozen=True)
class Parsed:
    """An answer, parsed: ``record`` is None when it could not be (``reason`` says why); a
    parsed record may still give score 0 (no ``dimension_scores``: ``reason`` says so)."""

    score: float
    record: str | None  # the answer's JSON, normalised, as Data-Juicer stores it
    tags: str | None
    reason: str | None


def build_input(fields: dict[str, Any], p: dict) -> str:
    """The user message: one ``field_template`` per input key the record has, joined by a blank
    line, in ``input_template`` (Data-Juicer formats the values with ``str.format``)."""
    parts = [p["field_template"].format(field_name=n, field_data=fields[k])
             for k, n in zip(p["input_keys"], p["field_names"]) if k in fields]
    return p["input_template"].format(data="\n\n".join(parts))


def messages(fields: dict[str, Any], p: dict) -> list[dict]:
    return [{"role": "system", "content": p["system_prompt"]}, {"role": "user", "content": build_input(fields, p)}]


def _recommendation(value) -> list[str]:
    """Data-Juicer's _normalize_recommendation_to_str_list: always a list of non-blank strings."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(x).strip() for x in items if x is not None and str(x).strip()]


def _tags(tags) -> str:
    if tags is None:
        return ""
    if isinstance(tags, str):
        return tags
    try:
        return json.dumps(tags, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(tags)


def parse(raw: str | None, p: dict) -> Parsed:
    """Score, record and tags of an answer, as Data-Juicer's ``parse_output``; where Data-Juicer
    raises inside its retry loop (a required dimension missing, a non-numeric score) the answer
    is unparsed here too, with the reason."""
    if raw is None or not raw.strip():
        return Parsed(0.0, None, None, "empty answer")
    found = _OUTER_BRACES.search(raw)
    if not found:
        return Parsed(0.0, None, None, "no JSON object in the answer")
    try:
        data = json.loads(found.group(1))
    except (ValueError, TypeError) as err:
        return Parsed(0.0, None, None, f"invalid JSON: {err}"[:200])
    if not isinstance(data, dict):
        return Parsed(0.0, None, None, "the answer's JSON is not an object")
    data["recommendation"] = _recommendation(data.get("recommendation"))
    dims, keys = data.get("dimension_scores"), p["dim_required_keys"]
    if not dims or not keys:
        # Data-Juicer keeps the record and sets the score to 0.0 (with a warning)
        return Parsed(0.0, json.dumps(data, ensure_ascii=False), _tags(data.get("tags")),
                      "no dimension_scores: score 0")
    try:
        total = 0
        for key in keys:
            total += dims[key]  # Data-Juicer's sum: a str or missing key raises there too
        score = float(total) / len(keys) / 5
    except (KeyError, TypeError, IndexError) as err:
        return Parsed(0.0, None, None, f"dimension_scores unusable: {type(err).__name__}: {err}"[:200])
    return Parsed(score, json.dumps(data, ensure_ascii=False), _tags(data.get("tags")), None)


def _prepare_for(system_prompt: str, dims: tuple[str, ...]):
    def prepare(values: dict, where: str) -> dict:
        if len(values["input_keys"]) != len(values["field_names"]):
            raise OpError(f"{where}: input_keys and field_names must correspond one to one "
                          f"({len(values['input_keys'])} vs {len(values['field_names'])})")
        return {**values, **llm_settings(values, where),
                "system_prompt": values["system_prompt"] or system_prompt,
                "input_template": values["input_template"] or prompts.INPUT_TEMPLATE,
                "field_template": values["field_template"] or prompts.FIELD_TEMPLATE,
                "dim_required_keys": list(values["dim_required_keys"] or dims),
                "read_keys": list(values["input_keys"])}
    return prepare


def keep_analysis(stats: dict, p: dict) -> bool:
    """llm_analysis_filter keeps a row whose score is 0 (no analysis), else uses the range."""
    score = stats["llm_analysis_score"]
    return True if not score else in_range(score, p["min_score"], p["max_score"], p)


def _declare(name: str, what: str, prefix: str, system_prompt: str, dims: tuple[str, ...], keep=None):
    stats = (Stat(f"{prefix}_score", "double", f"{what}: mean of the dimension scores / 5 (0 when the answer "
                                                "could not be parsed)."),
             Stat(f"{prefix}_record", "string", "The parsed answer as JSON ('' when unparsed)."),
             Stat(f"{prefix}_tags", "string", "The answer's tags as JSON ('' when none)."),
             Stat(f"{prefix}_raw", "string", "The model's last answer, verbatim."),
             Stat(f"{prefix}_reason", "string", "Why the score is not the model's (unparsable answer, endpoint "
                                                "error), or null."),
             *USAGE)
    declare(Op(
        name=name, kind="selector", family="llm",
        doc=f"Keep rows whose {what.lower()} an LLM gives is within [min_score, max_score].",
        params=(*llm_params("gpt-4o"),
                Param("min_score", "float", 0.5, "Keep rows with at least this score."),
                Param("max_score", "float", 1.0, "Keep rows with at most this score."),
                Param("input_keys", "list[str]", ["text"], "Record fields shown to the model (`text`: the "
                      "pass's text field)."),
                Param("field_names", "list[str]", ["Text"], "The name of each input key in the prompt."),
                Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's.", nullable=True),
                Param("input_template", "str", None, "User message template with `{data}`.", nullable=True),
                Param("field_template", "str", None, "Per-field template with `{field_name}`, `{field_data}`.",
                      nullable=True),
                Param("dim_required_keys", "list[str]", None, f"Dimensions averaged; default: {', '.join(dims)}.",
                      nullable=True),
                *COMMON_FILTER_PARAMS),
        stats=stats, range=(f"{prefix}_score", "min_score", "max_score"),
        frame="sparkops.spark.llm:analysis_filter", prepare=_prepare_for(system_prompt, dims),
        keep=keep,
        notes="An LLM op: a DataFrame algorithm (declared as a selector-kind frame, which runs it as its "
              "own segment) that asks an OpenAI-compatible endpoint once per distinct prompt not in the "
              "response cache (`sparkops.spark.llm`). An answer that cannot be parsed is retried up to "
              "`try_num` times, then scores 0 as in Data-Juicer, with the raw answer and the reason in the "
              "stats; a row whose requests all failed (HTTP errors, timeouts after retries) is dropped as "
              "`error:<op>: <reason>` and is asked again by the next run. `is_hf_model` and `enable_vllm` "
              "are refused: serve the model behind an endpoint (`sparkops llm serve`, vLLM's server).",
    ))


_declare("llm_analysis_filter", "Analysis score", "llm_analysis", prompts.ANALYSIS_SYSTEM_PROMPT,
         prompts.ANALYSIS_DIMENSIONS, keep=keep_analysis)
_declare("llm_quality_score_filter", "Quality score", "llm_quality", prompts.QUALITY_SYSTEM_PROMPT,
         prompts.QUALITY_DIMENSIONS)
_declare("llm_difficulty_score_filter", "Difficulty score", "llm_difficulty", prompts.DIFFICULTY_SYSTEM_PROMPT,
         prompts.DIFFICULTY_DIMENSIONS)
