"""Data-Juicer's ``llm_task_relevance_filter``: an LLM analysis filter (``sparkops.ops.llm.analysis``)
whose model scores how much a sample would help a downstream task (five dimensions, 1-5), shown
the task's description and / or some validation samples before the sample.

As Data-Juicer 1.6.1 builds it (``LLMTaskRelevanceFilter.prepare_valid_feature``, ``build_input``,
``process_single``): the validation block is built once, when the op is bound, and put before
the analysis filters' user message; the answer is read by their parser; a score of 0 (no
analysis) keeps the row, else the row is kept when its score is at least ``min_score``. The
DataFrame half is ``sparkops.spark.llm.analysis_filter``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sparkops.core import OpError, Param, Stat, declare
from sparkops.core.declaration import COMMON_FILTER_PARAMS, Op, in_range
from sparkops.ops.llm import analysis, prompts
from sparkops.ops.llm.params import llm_params, llm_settings
from sparkops.ops.llm.stats import USAGE
from sparkops.ops.quality.embedding_similarity import RecordsParam  # Data-Juicer's valid_dataset, as there

# Data-Juicer 1.6.1's prompt (data_juicer/ops/filter/llm_task_relevance_filter.py, Apache-2.0),
# reproduced as a fact: an op with its name asks the model the same question
SYSTEM_PROMPT = '\nYou are a meticulous data quality assessor for LLM training. Evaluate whether each data sample is beneficial for improving model performance on a downstream task.\nThe downstream task will be characterized by a task description or/and some validation data in the user query.\n\n1. Evaluation Dimensions\nScore each dimension (1-5 scale: 1=lowest, 5=highest):\n- Topical Relevance: Does the content or theme of the sample relate to those seen in the validation set?\n- Linguistic Style Match: Does the style, tone, and complexity of the sample resemble those in the validation set?\n- Task Match: If the validation examples are from a task (e.g., summarization, classification, etc.), is the sample solving a similar task?\n- Knowledge Alignment: Is the type of knowledge or reasoning required in the sample aligned with that in the validation set?\n- Potential Utility: If this sample were added to the training data, is it likely to improve generalization to the validation set?\n\n2. Output Format\njson\n{\n  "dimension_scores": {\n    "topical_relevance": ,\n    "linguistic_style_match": ,\n    "task_match": ,\n    "knowledge_alignment": ,\n    "potential_utility": ,\n  },\n  "flags": ["topical_mismatch", "task_irrelevant", ...],\n  "rationale": "Technical analysis of the relevance",\n}\n3. Special Instructions\n- Focus on **alignment with the validation examples**, not general quality.\n- If the sample is entirely unrelated to the validation set (e.g., different topic, domain, or task), assign a score of 1 and explain briefly.\n- If the validation examples are ambiguous, make a **conservative judgment** based on their shared patterns.\n- Be consistent in your rating scale across evaluations.\n- Do **not** make up or reinterpret the sample content; base all reasoning on the actual text.\n- Avoid overrating stylistically impressive but **task-irrelevant** samples.\n\nExample Response:\n\njson\n{\n  "dimension_scores": {"topical_relevance": 2, "linguistic_style_match": 4, "task_match": 2, "knowledge_alignment": 2, "potential_utility": 2},\n  "flags": ["topical_mismatch"],\n  "rationale": "The text provides rich information about American history, while the validation tasks is on multistep reasoning to solve challenging math problems."\n}\n'
DIMENSIONS = ("topical_relevance", "linguistic_style_match", "task_match", "knowledge_alignment",
              "potential_utility")
SCORE = "llm_task_relevance"  # Data-Juicer's StatsKeys: the score, <score>_record, <score>_tags

# Data-Juicer's llm_filter_free_text_language_appendix (data_juicer/utils/agent_output_locale.py)
LANGUAGE_APPENDIX = {
    "zh": "\n\n【输出语言】保持 JSON 键名与上述 schema 一致（英文）；"
          "`rationale`、tags 中自然语言描述、以及 flags 的可读语义请使用**简体中文**。",
    "en": "\n\n【Output language】Keep JSON keys as in the schema (English); "
          "write `rationale`, human-readable tag strings, and flag semantics in **English**.",
}




def as_dataset(records: list[dict]) -> list[dict]:
    """The records as Data-Juicer reads them back from ``Dataset.from_list``: the first record's
    keys are the columns (another record's extra keys are dropped, a missing one is None), and a
    column mixing ints and floats holds floats (Arrow's double)."""
    columns = list(records[0]) if records else []
    rows = [{k: r.get(k) for k in columns} for r in records]
    for k in columns:
        values = [r[k] for r in rows if r[k] is not None]
        kinds = {"number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
                 for v in values}
        if len(kinds) > 1:  # Arrow cannot put them in one column: Data-Juicer fails too
            raise ValueError(f"validation field {k!r} mixes {', '.join(sorted(kinds))} values")
        if kinds == {"number"} and any(isinstance(v, float) for v in values):
            for r in rows:
                if r[k] is not None:
                    r[k] = float(r[k])
    return rows


def _fields_block(sample: dict, p: dict) -> str:
    return "\n\n".join(p["field_template"].format(field_name=n, field_data=sample[k])
                       for k, n in zip(p["input_keys"], p["field_names"]) if k in sample)


def valid_info(records: list[dict] | None, task_desc: str | None, n_shot: int | None, p: dict) -> str:
    """Data-Juicer's ``prepare_valid_feature``: the task description block, then the first
    ``n_shot`` validation samples (all when 0 or null), each quoted in ''' lines."""
    if records is None:
        data_block = ""
    else:
        rows = as_dataset(records)
        n_shot = n_shot or len(rows)
        shown = [f"'''\n{_fields_block(r, p)}\n'''" for i, r in enumerate(rows) if i + 1 <= n_shot]
        data_block = "# Validation Data\n" + "\n\n".join(shown) + "\n\n"
    desc_block = "" if task_desc is None else f"# Task Description\n{task_desc}\n\n"
    return desc_block + data_block


def messages(fields: dict[str, Any], p: dict) -> list[dict]:
    """The analysis filters' messages with the validation block before the sample."""
    return [{"role": "system", "content": p["system_prompt"]},
            {"role": "user", "content": p["valid_info"] + analysis.build_input(fields, p)}]


parse = analysis.parse


def keep(stats: dict, p: dict) -> bool:
    """Data-Juicer's ``process_single``: a score of 0 (no analysis) keeps the row; else at least
    ``min_score`` (no upper bound), the range flags as its Filter applies them."""
    score = stats[SCORE]
    return True if not score else in_range(score, p["min_score"], None, p)


def _prepare(values: dict, where: str) -> dict:
    from sparkops.ops.llm.dialog_quality import output_lang

    if len(values["input_keys"]) != len(values["field_names"]):
        raise OpError(f"{where}: input_keys and field_names must correspond one to one "
                      f"({len(values['input_keys'])} vs {len(values['field_names'])})")
    records, desc = values["valid_dataset"], values["task_desc"]
    if records is None and desc is None:
        raise OpError(f"{where}: give valid_dataset (validation records) and / or task_desc: the task the rows "
                      "are scored against (Data-Juicer's prepare_valid_feature call has no place in a recipe)")
    if records is not None and not records:
        raise OpError(f"{where}: valid_dataset is empty (Data-Juicer fails on it too)")
    # Data-Juicer passes its is_hf_model on as the base's max_score (unused): it asks the API either way
    p = {**values, **llm_settings({**values, "is_hf_model": False}, where),
         "system_prompt": values["system_prompt"] or SYSTEM_PROMPT,
         "input_template": values["input_template"] or prompts.INPUT_TEMPLATE,
         "field_template": values["field_template"] or prompts.FIELD_TEMPLATE,
         "dim_required_keys": list(values["dim_required_keys"] or DIMENSIONS),
         "read_keys": list(values["input_keys"]), "kernel": __name__, "stat_prefix": SCORE}
    lang = values["preferred_output_lang"]
    if lang is not None and str(lang).strip():
        p["system_prompt"] += LANGUAGE_APPENDIX[output_lang(lang)]
    try:
        p["valid_info"] = valid_info(records, desc, values["n_shot"], p)
    except (KeyError, IndexError, ValueError) as err:
        raise OpError(f"{where}: field_template cannot format a validation record: {err!r}") from None
    return p


declare(Op(
    name="llm_task_relevance_filter", kind="selector", family="llm",
    doc="Keep rows an LLM scores as relevant to a downstream task (its description and / or validation samples): "
        "mean of five 1-5 dimensions / 5 at least min_score.",
    params=(*(replace(q, doc="Accepted as Data-Juicer 1.6.1 takes it: it passes it on as its base's max_score "
                              "(unused), so the model is asked through the endpoint either way.")
              if q.name == "is_hf_model" else q for q in llm_params("gpt-4o")),
            Param("min_score", "float", 0.5, "Keep rows with at least this score (a score of 0, no analysis, is "
                  "kept)."),
            RecordsParam("valid_dataset", "list[record]", None, "Validation records shown to the model "
                          "(`[{text: ...}, ...]`, formatted with input_keys / field_names).", nullable=True),
            Param("task_desc", "str", None, "The downstream task's description.", nullable=True),
            Param("n_shot", "int", None, "Validation records shown at most (null or 0: all).", nullable=True),
            Param("input_keys", "list[str]", ["text"], "Record fields shown to the model (`text`: the pass's text "
                  "field)."),
            Param("field_names", "list[str]", ["Text"], "The name of each input key in the prompt."),
            Param("system_prompt", "str", None, "System prompt; default: Data-Juicer's.", nullable=True),
            Param("input_template", "str", None, "User message template with `{data}`.", nullable=True),
            Param("field_template", "str", None, "Per-field template with `{field_name}`, `{field_data}`.",
                  nullable=True),
            Param("dim_required_keys", "list[str]", None, f"Dimensions averaged; default: {', '.join(DIMENSIONS)}.",
                  nullable=True),
            Param("preferred_output_lang", "str", None, "Language of the rationale and tags: `zh...` Chinese, "
                  "else English (an appendix to the system prompt); null: none.", nullable=True),
            *COMMON_FILTER_PARAMS),
    stats=(Stat(SCORE, "double", "Task relevance: mean of the dimension scores / 5 (0 when the answer could not be "
                                 "parsed)."),
           Stat(f"{SCORE}_record", "string", "The parsed answer as JSON ('' when unparsed)."),
           Stat(f"{SCORE}_tags", "string", "The answer's tags as JSON ('' when none)."),
           Stat(f"{SCORE}_raw", "string", "The model's last answer, verbatim."),
           Stat(f"{SCORE}_reason", "string", "Why the score is not the model's (unparsable answer, endpoint error), "
                                             "or null."),
           *USAGE),
    range=(SCORE, "min_score", None), keep=keep,
    frame="sparkops.spark.llm:analysis_filter", prepare=_prepare,
    notes="An LLM analysis filter (see `llm_quality_score_filter`): one request per distinct prompt not in the "
          "response cache, an unparsable answer asked again up to `try_num` times, then scored 0 and kept, as in "
          "Data-Juicer, with the raw answer and the reason in the stats; a row whose requests all failed is "
          "dropped as `error:<op>: <reason>` and asked again by the next run. The user message is the task "
          "description and validation block, built once when the op is bound, then the sample. Data-Juicer's "
          "constructor fails when only `task_desc` is given (it builds a dataset from no records); here the "
          "prompt is what its `prepare_valid_feature(None, task_desc)` builds. `enable_vllm` is refused.",
))
