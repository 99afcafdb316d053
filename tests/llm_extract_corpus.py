"""What Data-Juicer 1.6.1 does for ``llm_extract_mapper`` and ``optimize_prompt_mapper``, written by
Data-Juicer itself into ``tests/fixtures/dj_llm_extract.json``::

    .peers/dj/bin/python tests/llm_extract_corpus.py

No model is loaded: the ops are built with an API model name and their ``get_model`` is pointed
at a stand-in that records the messages it gets and answers from a script. Recorded:

- ``extract.samples``: per configuration and sample, the messages ``process_single`` sends (none
  for an empty input) and the ``meta`` it writes, for a scripted answer;
- ``extract.parse``: ``extract_one``'s result for each recorded or crafted answer, per schema;
- ``optimize.build_input`` / ``optimize.parse``: ``build_input`` and ``parse_output``;
- ``optimize.chains``: ``process_batched`` over one batch with a scripted model (empty answers
  included, so its retries show): the examples ``random.sample`` picked, every message sent, and
  the batch it returns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "dj_llm_extract.json"

SCHEMA = {"name": "The person's full name", "year": "Year of birth as a number"}
ONE_KEY = {"items": "Every product the text names, as a list"}
ANSWERS = [
    None, "", "   \n", "I do not know.",
    '{"name": "Ada Lovelace", "year": 1815}',
    '```json\n{"name": "Ada", "year": "1815"}\n```',
    'Sure! Here is the JSON: {"name": "Ada Lovelace", "year": null} Hope this helps.',
    '{"name": "Ada"}',
    '{"name": "Ada", "year": 1815, "extra": true}',
    '["Ada", 1815]',
    '42',
    '{name: Ada}',
    '{"name": "A"} and {"year": 2}',
    '[1, 2] then {"name": "x", "year": 3}',
    '{"name": {"first": "Ada"}, "year": [1815, 1816]}',
    'Step 1: find the name.\nStep 2: the year.\n{"name": "Ada", "year": 1815}\n',
    '{"name": "Ada", "year": 1815',
    '[{"name": "Ada"}]',
    '{"name": "Zoë 😀", "year": 1.5e3}',
    '{}',
]

EXTRACT_CASES = [
    {"name": "direct", "params": {"input_keys": ["text"], "output_schema": SCHEMA},
     "samples": [{"text": "Ada Lovelace was born in 1815 in London."}, {"text": ""}, {"text": None},
                 {"other": "no text here"}, {"text": ["a", 1], "meta_like": 2}],
     "answer": '{"name": "Ada Lovelace", "year": 1815}'},
    {"name": "cot_two_keys_custom_system", "params": {"input_keys": ["query", "response"], "output_schema": SCHEMA,
                                                      "strategy": "cot", "system_prompt": "Extract. JSON only."},
     "samples": [{"query": "Who wrote it?", "response": "Ada, 1815."}, {"query": "Only a query", "response": None},
                 {"query": 3.0, "response": {"k": "v"}}],
     "answer": 'Let me think. {"name": "Ada", "year": "1815"}'},
    {"name": "few_shot_grounding_key", "params": {"input_keys": ["text"], "output_schema": SCHEMA,
                                                  "strategy": "few_shot", "knowledge_grounding_key": "doc",
                                                  "examples": "text: Bob, 1900 -> {\"name\": \"Bob\", \"year\": 1900}"},
     "samples": [{"text": "Ada, 1815.", "doc": "A biography."}, {"text": "Ada, 1815.", "doc": None},
                 {"text": "Ada, 1815."}, {"text": "Ada, 1815.", "doc": 17}],
     "answer": "no json at all"},
    {"name": "cot_shot_fixed_grounding_no_examples", "params": {"input_keys": ["text"], "output_schema": ONE_KEY,
                                                                "strategy": "cot_shot",
                                                                "knowledge_grounding_fixed": "Shop catalogue.",
                                                                "knowledge_grounding_key": "doc"},
     "samples": [{"text": "We sell apples and pears.", "doc": "ignored: the fixed one wins"}],
     "answer": '["apples", "pears"]'},
    {"name": "per_key_meta", "params": {"input_keys": ["text"], "output_schema": SCHEMA, "meta_output_key": None},
     "samples": [{"text": "Grace Hopper, 1906."}, {"text": None}],
     "answer": '{"name": "Grace Hopper", "year": 1906, "extra": 1}'},
]

OPT_EXAMPLES = [["写一首关于春天的诗"], ["A", "B {x} C", ""], []]
OPT_TEMPLATES = {"input_template": "Examples:{}\nNew one:", "example_template": "\n- {}",
                 "prompt_template": "<{}>"}
OPT_ANSWERS = [
    "", "【提示词】\n写一首关于夏天的诗\n", "好的。【提示词】 A \n【提示词】B", "no marker", "【提示词】",
    "【提示词】   \n", "【提示词】X【其他】Y", "【提示词】line1\nline2", "提示词: x",
    "PROMPT:  the new prompt \n", "see <one> and <two>", "NEW", None,
]
OPT_PATTERNS = [None, r"PROMPT:\s*(.*)", r"<(.*?)>", r"NEW"]
OPT_CHAIN_PROMPTS = ["p0: summarise the text", "p1: translate to French", "p2: list the key facts",
                     "p3: write a title", "p4: classify the sentiment"]
# the stand-in model's answers, in call order; '' and prose make Data-Juicer retry
OPT_CHAIN_ANSWERS = ["【提示词】\nnew prompt 1", "", "no marker at all", "【提示词】new prompt 2 【x】",
                     "", "", "", "【提示词】 new prompt 4", "【提示词】new prompt 5"]


class Script:
    """A stand-in API model: records each call's messages, answers from a list (cycling)."""

    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, messages, **kwargs):
        self.calls.append(json.loads(json.dumps(messages)))
        return self.answers[(len(self.calls) - 1) % len(self.answers)]


def extract_fixture() -> dict:
    from data_juicer.ops.mapper import llm_extract_mapper as mod
    from data_juicer.utils.constant import Fields, MetaKeys
    from data_juicer.utils.llm_semantic_ops import InferenceStrategy, extract_one

    out = {"meta_output_key_default": MetaKeys.llm_extract, "samples": [], "parse": []}
    for case in EXTRACT_CASES:
        params = dict(case["params"])
        if "strategy" in params:
            params["strategy"] = InferenceStrategy(params["strategy"])
        op = mod.LLMExtractMapper(api_or_hf_model="m", **params)
        op.use_cuda = lambda: False
        rows = []
        for sample in case["samples"]:
            script = Script([case["answer"]])
            mod.get_model = lambda *a, **k: script
            got = op.process_single(json.loads(json.dumps(sample)))
            rows.append({"sample": sample, "messages": script.calls, "meta": got[Fields.meta]})
        out["samples"].append({"name": case["name"], "params": case["params"], "answer": case["answer"], "rows": rows})
    for schema in (SCHEMA, ONE_KEY):
        for raw in ANSWERS:
            result, _ = extract_one("x", schema, lambda messages, **kw: raw)
            out["parse"].append({"schema": schema, "raw": raw, "result": result})
    return out


def optimize_fixture() -> dict:
    from data_juicer.ops.mapper import optimize_prompt_mapper as mod

    out = {"batch_size": None, "prompt_key": None, "build_input": [], "parse": [], "chains": []}
    default = mod.OptimizePromptMapper(api_or_hf_model="m")
    out["batch_size"], out["prompt_key"] = default.batch_size, default.prompt_key
    custom = mod.OptimizePromptMapper(api_or_hf_model="m", **OPT_TEMPLATES)
    for examples in OPT_EXAMPLES:
        out["build_input"].append({"examples": examples, "templates": None, "input": default.build_input(examples)})
        out["build_input"].append({"examples": examples, "templates": OPT_TEMPLATES,
                                   "input": custom.build_input(examples)})
    for pattern in OPT_PATTERNS:
        op = mod.OptimizePromptMapper(api_or_hf_model="m", output_pattern=pattern)
        for raw in OPT_ANSWERS:
            try:
                out["parse"].append({"output_pattern": pattern, "raw": raw, "parsed": op.parse_output(raw)})
            except Exception as err:  # a None answer (its API model answers '' instead)
                out["parse"].append({"output_pattern": pattern, "raw": raw, "raises": type(err).__name__})

    real_sample = mod.random.sample
    for keep, gen_num, max_example_num, retry_num in ((True, 3, 3, 3), (False, 4, 2, 2), (True, 2, 10, 1)):
        op = mod.OptimizePromptMapper(api_or_hf_model="m", keep_original_sample=keep, gen_num=gen_num,
                                      max_example_num=max_example_num, retry_num=retry_num)
        op.use_cuda = lambda: False
        script = Script(OPT_CHAIN_ANSWERS)
        mod.get_model = lambda *a, **k: script
        picked = []

        class Seeded:
            @staticmethod
            def sample(population, k):
                got = real_sample(population, k)
                picked.append(list(got))
                return got

        mod.random = Seeded
        batch = {"prompt": list(OPT_CHAIN_PROMPTS), "id": list(range(len(OPT_CHAIN_PROMPTS))),
                 "text": [f"doc {i}" for i in range(len(OPT_CHAIN_PROMPTS))]}
        got = op.process_batched(json.loads(json.dumps(batch)))
        mod.random = __import__("random")
        out["chains"].append({"keep_original_sample": keep, "gen_num": gen_num, "max_example_num": max_example_num,
                              "retry_num": retry_num, "batch": batch, "answers": OPT_CHAIN_ANSWERS,
                              "picked": picked[0], "messages": script.calls, "output": got})
    return out


def main() -> int:
    import random

    random.seed(20260101)  # only which examples Data-Juicer's unseeded random.sample picks
    out = {"extract": extract_fixture(), "optimize": optimize_fixture()}
    FIXTURE.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
