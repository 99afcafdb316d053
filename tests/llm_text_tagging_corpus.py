"""What Data-Juicer 1.6.1's text_tagging_by_prompt_mapper asks and writes, recorded by Data-Juicer
itself into ``tests/fixtures/dj_llm_text_tagging.json``::

    .peers/dj/bin/python tests/llm_text_tagging_corpus.py

No model is loaded: the op is built on its transformers path (``enable_vllm: false``, a model name
without '/', so no generation config is fetched) and its module's ``get_model`` returns a stand-in
pipeline that records each call's messages and answers from the case's script (in call order). The
texts are real: Alpaca instructions and answers (en, zh) and edge cases (empty, whitespace, braces).
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dj_llm_text_tagging.json"
SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
TAGS = "__dj__text_tags__"


def alpaca(path: Path, n: int) -> list[str]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [json.dumps({k: r[k] for k in ("instruction", "input", "output")}, ensure_ascii=False, indent=4)[:600]
            for r in rows[:n]]


EN = alpaca(SHARED / "sft" / "alpaca_en_demo.json", 3)
ZH = alpaca(ROOT / "data" / "sft" / "alpaca_zh_demo.json", 3)

CASES = [
    {"name": "default_prompt_zh", "params": {}, "texts": ZH, "answers": ["数学", "  代码\n", "其他分类"]},
    {"name": "default_prompt_en", "params": {}, "texts": EN, "answers": ["生成", "", "The category is 总结."]},
    {"name": "identity_binary", "params": {"prompt": "IDENTITY", "tag_list": ["是", "否"]}, "texts": ZH[:2],
     "answers": ["否", "是"]},
    {"name": "custom_prompt_and_odd_texts", "params": {"prompt": "Tag {text!r} with one of {tag_list}:",
                                                       "tag_list": ["a", "b's", "{c}"]},
     "texts": ["", "   ", "braces {x} and 'quotes'"], "answers": ["a", "b", "c"]},
]


def main() -> None:
    from data_juicer.ops.base_op import OPERATORS
    from data_juicer.ops.mapper import text_tagging_by_prompt_mapper as mod

    out = []
    for case in CASES:
        calls, answers = [], list(case["answers"])

        def pipe(messages, **kwargs):
            calls.append({"messages": copy.deepcopy(messages), "kwargs": kwargs})
            return [{"generated_text": answers.pop(0) if answers else ""}]

        mod.get_model = lambda *a, **k: (pipe, None)
        params = dict(case["params"])
        if params.get("prompt") == "IDENTITY":
            params["prompt"] = mod.DEFAULT_IDENTITY_BINARY_PROMPT
        op = OPERATORS.modules["text_tagging_by_prompt_mapper"](hf_model="local-model", enable_vllm=False, **params)
        tags = [op.process_single({"text": t})[TAGS] for t in case["texts"]]
        out.append({**case, "params": params, "calls": calls, "tags": tags})
    FIXTURE.write_text(json.dumps({"cases": out}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE} ({len(out)} cases, {sum(len(c['calls']) for c in out)} calls)", file=sys.stderr)


if __name__ == "__main__":
    main()
