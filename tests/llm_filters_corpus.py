"""What Data-Juicer 1.6.1's ``llm_condition_filter`` and ``llm_task_relevance_filter`` send, store
and keep, written by Data-Juicer itself into ``tests/fixtures/dj_llm_filters.json.gz``::

    HF_HUB_OFFLINE=1 .peers/dj/bin/python tests/llm_filters_corpus.py

No model is asked: each op is built with an API model name and its module's ``get_model`` is
pointed at a stand-in that records the messages of every call and answers from a script (in call
order, cycling; Data-Juicer's API model answers '' for a failed call, so '' stands for one), with
a usage record in ``last_response`` as the API model keeps it.

The records: real ones shipped in the repository (``data/sft/sft_sample.json``: instruction,
input, output; ``data/c4_sample.jsonl``: web text) and a few hand-made edge cases (empty, blank,
missing, non-string texts). Recorded per case: the op's parameters, the record, the answer script,
the calls (messages, sampling parameters), the stats Data-Juicer stored and its keep decision (or
the exception it raised); for the task relevance filter also the validation block it built
(``valid_info``). Each distinct system prompt is stored once, under ``systems``.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "dj_llm_filters.json.gz"
SFT = HERE.parent / "data" / "sft" / "sft_sample.json"
C4 = HERE.parent / "data" / "c4_sample.jsonl"
STATS = "__dj__stats__"
USAGE = {"prompt_tokens": 31, "completion_tokens": 2, "total_tokens": 33}


class Script:
    """A stand-in API model: records each call, answers from a list (cycling), keeps the usage of
    an answer in ``last_response`` (None after a '' answer: a failed call)."""

    def __init__(self, answers):
        self.answers, self.calls, self.last_response = list(answers), [], None

    def __call__(self, messages, **kwargs):
        self.calls.append({"messages": json.loads(json.dumps(messages)), "sampling": dict(kwargs)})
        answer = self.answers[(len(self.calls) - 1) % len(self.answers)]
        self.last_response = {"usage": dict(USAGE)} if answer else None
        return answer


def records() -> dict[str, dict]:
    sft = json.loads(SFT.read_text(encoding="utf-8"))
    with open(C4, encoding="utf-8") as f:
        c4 = [json.loads(line) for line in f]
    out = {}
    for i in (0, 7, 101, 555, 1000):
        r = sft[i]
        out[f"sft:{i}"] = {"text": r["instruction"], "instruction": r["instruction"], "input": r["input"],
                           "output": r["output"][:1500]}
    for i in (0, 42, 299):
        out[f"c4:{i}"] = {"text": c4[i]["text"][:2000], "url": c4[i].get("url"), "doc": c4[(i + 1) % len(c4)]["text"][:300]}
    out["edge:empty"] = {"text": ""}
    out["edge:blank"] = {"text": "  \n\t "}
    out["edge:none"] = {"text": None, "instruction": "Say hi."}
    out["edge:missing"] = {"instruction": "Say hi.", "output": "Hi!"}
    out["edge:list"] = {"text": ["a", 1], "doc": None}
    out["edge:padded"] = {"text": "   Pancakes need flour, eggs and milk.  \n", "doc": 12}
    out["edge:braces"] = {"text": "Use {x} and {{y}} in templates.", "instruction": "{a}", "output": "}"}
    return out


CONDITIONS = ["The text is about cooking or food.", "The text contains a question."]
EXAMPLES = "Text: Boil pasta for 8 minutes.\nCondition: about cooking\nAnswer: yes"
CONDITION_VARIANTS = [
    {"condition": CONDITIONS[0]},
    {},  # Data-Juicer's default: no condition
    {"condition": CONDITIONS[1], "strategy": "cot", "sampling_params": {"temperature": 0, "max_tokens": 8}},
    {"condition": CONDITIONS[0], "strategy": "few_shot", "examples": EXAMPLES},
    {"condition": CONDITIONS[0], "strategy": "cot_shot", "examples": EXAMPLES, "knowledge_grounding_key": "doc"},
    {"condition": CONDITIONS[0], "strategy": "direct", "knowledge_grounding_fixed": "Cooking includes baking.",
     "knowledge_grounding_key": "doc"},
    {"condition": CONDITIONS[1], "text_key": "instruction"},
    {"condition": CONDITIONS[1], "text_key": "output", "knowledge_grounding_key": "instruction"},
]
CONDITION_ANSWERS = [["yes"], ["Yes."], ["YES, it does."], ["y"], ["Y\n"], ["no"], ["No."], ["n"], ["  yes  "],
                     [""], ["   "], ["The text satisfies the condition. yes"], ["```\nyes\n```"], ["maybe"],
                     ["yesterday"], ["Yeah"], ['{"answer": "yes"}'], ["no, but yes"]]

_DIMS = ("topical_relevance", "linguistic_style_match", "task_match", "knowledge_alignment", "potential_utility")


def _scores(*values, extra=""):
    body = ", ".join(f'"{k}": {v}' for k, v in zip(_DIMS, values))
    return '{"dimension_scores": {' + body + '}' + extra + '}'


GOOD = _scores(4, 4, 3, 5, 4, extra=', "flags": [], "rationale": "Close to the task."')
RELEVANCE_ANSWERS = [
    [GOOD], ["Here is my evaluation:\njson\n" + _scores(1, 2, 1, 1, 1, extra=', "flags": ["topical_mismatch"]')
             + "\nThanks {x}"],
    ["```json\n" + _scores(3, 2, 2, 3, 2.5) + "\n```"], [""], ["", GOOD], ["   ", "   "], ["not json at all"],
    ['{"dimension_scores": {"topical_relevance": 4}}', GOOD], ['{"rationale": "no scores", "tags": ["math"]}'],
    [_scores('"4"', 4, 4, 4, 4)], ["{dimension_scores: 1}"],
    [_scores(2, 3, 2, 3, 2.5, extra=', "tags": {"topic": "cooking"}, "recommendation": "keep"')],
    [_scores(5, 5, 5, 5, 5)], [_scores(1, 1, 1, 1, 1)],
]
MATH = [{"instruction": "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
                        "How many clips did Natalia sell altogether in April and May?",
         "output": "Natalia sold 48/2 = 24 clips in May. Altogether she sold 48+24 = 72 clips. #### 72"},
        {"instruction": "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. "
                        "How much did she earn?", "output": "12/60 = $0.2 per minute; 0.2 x 50 = $10. #### 10"},
        {"instruction": "What is 15% of 80?", "output": "0.15 * 80 = 12"}]
PAIR = {"input_keys": ["instruction", "output"], "field_names": ["Instruction", "Response"]}
RELEVANCE_VARIANTS = [
    {"valid_dataset": MATH, **PAIR},
    {"valid_dataset": MATH, "task_desc": "Solve grade-school math word problems step by step.", "n_shot": 2, **PAIR},
    {"valid_dataset": [{"text": r["instruction"]} for r in MATH], "task_desc": "Math word problems.", "n_shot": 0},
    {"valid_dataset": MATH, "n_shot": -1, **PAIR, "min_score": 0.7},
    {"valid_dataset": [{"text": "a", "n": 1}, {"text": "b", "n": 2.5, "extra": "dropped"}],
     "input_keys": ["text", "n", "extra"], "field_names": ["T", "N", "E"]},
    {"valid_dataset": [{"text": "Recipe: crepes"}], "task_desc": "Cooking instructions.",
     "preferred_output_lang": "zh", "min_score": 0.6, "reversed_range": True},
    {"valid_dataset": [{"text": "Recipe: crepes"}], "preferred_output_lang": "en", "min_closed_interval": False,
     "dim_required_keys": ["topical_relevance", "task_match"], "system_prompt": "Rate relevance. JSON only.",
     "input_template": "Sample:\n{data}\nJSON:", "field_template": "[{field_name}] {field_data}", "try_num": 2},
]


def condition_case(rec: dict, params: dict, answers: list[str]) -> dict:
    from data_juicer.ops.filter import llm_condition_filter as module
    from data_juicer.utils.llm_semantic_ops import InferenceStrategy

    kwargs = dict(params)
    if "strategy" in kwargs:  # Data-Juicer compares it to its enum: a recipe's string would read as direct
        kwargs["strategy"] = InferenceStrategy(kwargs["strategy"])
    op = module.LLMConditionFilter(api_or_hf_model="m", **kwargs)
    script = Script(answers)
    module.get_model = lambda *a, **k: script
    sample = json.loads(json.dumps(rec))
    prior = rec.get("prior_usage")
    sample[STATS] = {"llm_semantic_usage": prior} if prior else {}
    sample = op.compute_stats_single(sample)
    return {"calls": script.calls, "stats": sample[STATS], "keep": op.process_single(sample)}


def relevance_case(params: dict, rec: dict | None, answers: list[str]) -> dict:
    from data_juicer.ops.filter import llm_analysis_filter as module
    from data_juicer.ops.filter.llm_task_relevance_filter import LLMTaskRelevanceFilter

    kwargs = {k: v for k, v in params.items() if k != "task_only"}
    try:
        op = LLMTaskRelevanceFilter(api_or_hf_model="m", **kwargs)
    except Exception as err:  # noqa: BLE001 - Data-Juicer's own failure
        return {"raises": f"{type(err).__name__}: {err}"}
    if params.get("task_only"):
        # the prompt Data-Juicer's constructor means to build from a task description alone (it
        # fails there: it makes a dataset of no records), built by its own method
        op.valid_feature = {}
        op.prepare_valid_feature(None, params["task_desc"])
    out = {"valid_info": op.valid_feature.get("valid_info"), "system": op.system_prompt}
    if rec is None:
        return out
    script = Script(answers)
    module.get_model = lambda *a, **k: script
    sample = json.loads(json.dumps(rec))
    sample[STATS] = {}
    sample = op.compute_stats_single(sample)
    return {**out, "calls": script.calls, "stats": sample[STATS], "keep": op.process_single(sample)}


def cases(recs: dict) -> dict:
    cond = []
    for vi, params in enumerate(CONDITION_VARIANTS):
        for rid in recs:
            cond.append({"params": params, "record": rid, "answers": ["yes"] if vi % 2 else ["no"],
                         **condition_case(recs[rid], params, ["yes"] if vi % 2 else ["no"])})
    for answers in CONDITION_ANSWERS:
        for rid in ("sft:0", "c4:42"):
            cond.append({"params": CONDITION_VARIANTS[0], "record": rid, "answers": answers,
                         **condition_case(recs[rid], CONDITION_VARIANTS[0], answers)})
    prior = {**recs["sft:7"], "prior_usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6,
                                              "cost_estimate": 0.5}}
    recs["usage:prior"] = prior
    cond.append({"params": CONDITION_VARIANTS[0], "record": "usage:prior", "answers": ["yes"],
                 **condition_case(prior, CONDITION_VARIANTS[0], ["yes"])})
    rel = []
    for params in RELEVANCE_VARIANTS:
        for rid in recs:
            if rid == "usage:prior":
                continue
            rel.append({"params": params, "record": rid, "answers": [GOOD],
                        **relevance_case(params, recs[rid], [GOOD])})
    for answers in RELEVANCE_ANSWERS:
        for vi in (0, 3, 5, 6):
            rel.append({"params": RELEVANCE_VARIANTS[vi], "record": "sft:7", "answers": answers,
                        **relevance_case(RELEVANCE_VARIANTS[vi], recs["sft:7"], answers)})
    odd = [{"task_desc": "Cooking."}, {}, {"valid_dataset": []},
           {"valid_dataset": MATH, "max_score": 0.9, **PAIR},
           {"valid_dataset": [{"text": "x", "n": 1}, {"text": "y", "n": "two"}]}]
    for params in odd:  # what Data-Juicer does at construction
        rel.append({"params": params, "record": None, "answers": [], **relevance_case(params, None, [])})
    for desc in ("Cooking instructions.", ""):
        params = {"valid_dataset": [{"text": "unused"}], "task_desc": desc, "task_only": True}
        rel.append({"params": params, "record": "c4:0", "answers": [GOOD],
                    **relevance_case(params, recs["c4:0"], [GOOD])})
    return {"condition": cond, "task_relevance": rel}


def shared_systems(out: dict) -> None:
    systems: dict[str, int] = {}
    for group in ("condition", "task_relevance"):
        for case in out["cases"][group]:
            for call in case.get("calls", []):
                first = call["messages"][0]
                if first["role"] == "system":
                    first["content"] = f"@system:{systems.setdefault(first['content'], len(systems))}"
            if case.get("system") is not None:
                case["system"] = f"@system:{systems.setdefault(case['system'], len(systems))}"
    out["systems"] = list(systems)


def main() -> int:
    from loguru import logger

    import data_juicer.ops.filter  # noqa: F401 - its import sets up the logger removed below

    logger.remove()  # Data-Juicer warns per sample (missing input keys, failed attempts)
    recs = records()
    out = {"records": recs, "cases": cases(recs), "usage": USAGE}
    shared_systems(out)
    data = (json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    FIXTURE.write_bytes(gzip.compress(data, mtime=0))  # mtime 0: the same bytes on every run
    n = {k: len(v) for k, v in out["cases"].items()}
    print(f"wrote {FIXTURE}: {FIXTURE.stat().st_size} bytes, cases {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
