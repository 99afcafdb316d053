"""What Data-Juicer 1.6.1's LLM extraction mappers send and write, recorded by Data-Juicer itself
into ``tests/fixtures/dj_llm_extractops.json``::

    .peers/dj/bin/python tests/llm_extractops_corpus.py

No model is loaded: each op is built with an API model name and its module's ``get_model`` is
pointed at a stand-in that records the messages of every call and answers from a script (well-formed
answers, malformed ones, empty ones, answers wrapped in extra text), in call order ('' once the
script runs out, as Data-Juicer's API model answers a failed call). The texts are real: documents
of data/c4_sample.jsonl and paragraphs of ../shared/data (a Chinese novel, Alpaca-zh).

Per case: the op's parameters, the sample(s), the script, every call's messages (contents stored
once in ``strings``, messages as ``[role, index]``) and Data-Juicer's output (the sample's meta;
for the batched ``extract_event_mapper`` the batch it returns).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dj_llm_extractops.json"
SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
META = "__dj__meta__"  # Data-Juicer's Fields.meta


def c4_texts(n: int = 4, cut: int = 500) -> list[str]:
    lines = (ROOT / "data" / "c4_sample.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"][:cut] for line in lines[:n]]


def novel_paragraphs() -> list[str]:
    lines = (SHARED / "web" / "zh_novel_sample.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if 120 < len(line.strip()) < 400 and "段誉" in line][:4]


def alpaca_zh(n: int = 2) -> list[str]:
    rows = json.loads((SHARED / "sft" / "alpaca_zh_demo.json").read_text(encoding="utf-8"))
    return [r["output"][:400] for r in rows if len(r["output"]) > 150][:n]


C4, ZH, AZ = c4_texts(), novel_paragraphs(), alpaca_zh()

KW = '("content_keywords" "{}")<|COMPLETE|>'
NICK = ("### 称呼方式{n}\n- **说话人**：{a}\n- **被称呼人**：{b}\n- **{a2}对{b2}的昵称**：{nick}\n")
EVENT = "### 情节{n}：\n- **情节描述**： {desc}\n- **相关人物**：{chars}\n"
ENT = '("entity"<|>"{}"<|>"{}"<|>"{}")##\n'
REL = '("relationship"<|>"{}"<|>"{}"<|>"{}"<|>"{}"<|>{})##\n'


def attr_answer(entity, attribute, desc, demos):
    out = f"# {entity}\n## {attribute}：\n{desc}\n"
    for i, d in enumerate(demos, 1):
        out += f"### 代表性示例摘录{i}：\n```\n{d}\n```\n"
    return out


def sample(text, **meta):
    return {"text": text, META: dict(meta)}


CASES = {
    "extract_keyword_mapper": [
        {"name": "well_formed", "params": {}, "samples": [sample(C4[0])],
         "answers": [KW.format("air cleaners, home comfort, low-cost solution")]},
        {"name": "retries_then_parses", "params": {}, "samples": [sample(C4[1])],
         "answers": ["Sure! The keywords are: air, quality.", "", 'Output:\n' + KW.format("marketing; sales")]},
        {"name": "chinese_punctuation_and_several_matches", "params": {}, "samples": [sample(ZH[0])],
         "answers": ['("content_keywords" "比剑，师父、段誉")\n("content_keywords")\n("content_keywords" "")'
                     '\n("content_keywords" "  ")' + "<|COMPLETE|>"]},
        {"name": "never_parses", "params": {"try_num": 2}, "samples": [sample(C4[2])],
         "answers": ["I cannot help with that.", "content_keywords: none"]},
        {"name": "custom_templates", "params": {"prompt_template": "Keywords of:\n{input_text}\nEnd with "
                                                "{completion_delimiter}", "completion_delimiter": "<END>",
                                                "output_pattern": r"KW: \s* (.*?) $", "try_num": 1},
         "samples": [sample(AZ[0])], "answers": ["KW: 学习, 方法\nKW: second line"]},
        {"name": "generated_already", "params": {}, "samples": [sample(C4[3], keyword=["kept"])],
         "answers": [KW.format("never asked")]},
    ],
    "extract_nickname_mapper": [
        {"name": "well_formed_with_dupes_and_skips", "params": {}, "samples": [sample(ZH[1])],
         "answers": ["```\n" + NICK.format(n=1, a="段誉", b="马五德", a2="段誉", b2="马五德", nick="马五爷")
                     + NICK.format(n=2, a="龚光杰", b="段誉", a2="龚光杰", b2="段誉", nick="段誉")
                     + NICK.format(n=3, a="少女", b="段誉", a2="段誉", b2="少女", nick="书呆子")
                     + NICK.format(n=4, a="段誉", b="马五德", a2="段誉", b2="马五德", nick="马五爷")
                     + NICK.format(n=5, a="少女", b="段誉", a2="少女", b2="段誉", nick="书呆子") + "```"]},
        {"name": "malformed_then_good", "params": {}, "samples": [sample(ZH[2])],
         "answers": ["段誉叫马五德“马五爷”。", NICK.format(n=1, a="段誉", b="马五德", a2="段誉", b2="马五德",
                                                    nick="马五爷 ")]},
        {"name": "never_parses", "params": {"try_num": 3}, "samples": [sample(C4[0])], "answers": ["", "", "none"]},
        {"name": "generated_already", "params": {"nickname_key": "nick"}, "samples": [sample(ZH[0], nick=[])],
         "answers": ["x"]},
    ],
    "extract_event_mapper": [
        {"name": "two_texts_events", "params": {}, "samples": [sample(ZH[0]), sample(ZH[1])],
         "answers": [EVENT.format(n=1, desc="段誉拒绝比剑。", chars="段誉，龚光杰")
                     + EVENT.format(n=2, desc="段誉解释自己不会武功", chars="段誉"),
                     "", "no events here",
                     "好的：\n" + EVENT.format(n=1, desc="龚光杰打了段誉一个耳光", chars="龚光杰、段誉、") +
                     EVENT.format(n=2, desc="无人物的情节", chars="")]},
        {"name": "a_text_without_events", "params": {"try_num": 1}, "samples": [sample(ZH[2]), sample(C4[0])],
         "answers": [EVENT.format(n=1, desc="段誉要走", chars="段誉, 马五德"), "nothing"]},
        {"name": "no_text_gives_events", "params": {"try_num": 2}, "samples": [sample(C4[1]), sample(C4[2])],
         "answers": ["", "", "", "plain prose"]},
    ],
    "extract_entity_attribute_mapper": [
        {"name": "two_attributes", "params": {"query_entities": ["段誉"], "query_attributes": ["性格", "武功"]},
         "samples": [sample(ZH[0])],
         "answers": [attr_answer("段誉", "性格", "迂腐而倔强", ["我说不比，就是不比。", "   "]),
                     attr_answer("段誉", "武功", "不会武功", []),
                     attr_answer("段誉", "武功", "  不会武功，也不愿比剑  ", ["我一来不会"])]},
        {"name": "two_entities_without_demos_allowed", "params": {
            "query_entities": ["段誉", "龚光杰"], "query_attributes": ["性格"], "require_support_demos": False,
            "try_num": 1}, "samples": [sample(ZH[1])],
         "answers": ["# 段誉\n## 性格：\n温和\n", "没有这个格式"]},
        {"name": "english_text", "params": {"query_entities": ["McKinley"], "query_attributes": ["services"]},
         "samples": [sample(C4[0])],
         "answers": ["Here you go:\n" + attr_answer("McKinley", "services", "Heating and air conditioning.",
                                                    ["basic air cleaners"]) + "Hope it helps."]},
        {"name": "attribute_with_regex_characters", "params": {"query_entities": ["商品"],
                                                               "query_attributes": ["价格(元"], "try_num": 2},
         "samples": [sample(AZ[0])], "answers": [attr_answer("商品", "价格(元", "十元", ["十元"])] * 2},
        {"name": "no_entities", "params": {"query_attributes": ["性格"]}, "samples": [sample(ZH[0])],
         "answers": ["x"]},
    ],
    "extract_entity_relation_mapper": [
        {"name": "one_gleaning", "params": {}, "samples": [sample(C4[0])],
         "answers": [ENT.format("McKinley", "organization", "A heating and air conditioning company.")
                     + ENT.format("Home", "geo", "Where the air is cleaned.")
                     + REL.format("McKinley", "Home", "McKinley cleans the air of homes.", "service, air quality", 8)
                     + "<|COMPLETE|>",
                     ENT.format("McKinley", "organization", "A heating and air conditioning company.")
                     + ENT.format("Air Cleaner", "technology", "A basic device (low cost).")
                     + REL.format("Air Cleaner", "Home", "Used at home", "use", "high")]},
        {"name": "two_gleanings_yes", "params": {"max_gleaning": 2, "entity_types": ["人物", "地点"]},
         "samples": [sample(ZH[0])],
         "answers": [ENT.format("段誉", "人物", "不愿比剑的书生"), ENT.format("龚光杰", "人物", "使剑的弟子"),
                     ' "YES" ', REL.format("段誉", "龚光杰", "两人争执", "冲突，比剑", " 7.5 ")]},
        {"name": "two_gleanings_no", "params": {"max_gleaning": 2}, "samples": [sample(ZH[1])],
         "answers": [ENT.format("段誉", "person", "一个书生"), "", "No.", "never asked"]},
        {"name": "no_gleaning_retries", "params": {"max_gleaning": 0, "try_num": 3}, "samples": [sample(C4[1])],
         "answers": ["nothing to extract", '("entity"<|>"only two"<|>"items")',
                     "Sure:\n" + ENT.format("Acme", "organization", "A company") +
                     '("relationship"<|>"Acme"<|>"Bob"<|>"employs"<|>"work")\n' +
                     REL.format("Acme", "Bob", "employs", "work", "nan") + "'quoted'"]},
        {"name": "never_parses", "params": {"try_num": 2}, "samples": [sample(C4[2])],
         "answers": ["", "", "prose only", "still prose"]},
        {"name": "custom_delimiters", "params": {"tuple_delimiter": "|", "record_delimiter": ";",
                                                 "completion_delimiter": "DONE", "max_gleaning": 1,
                                                 "entity_types": ["thing"]},
         "samples": [sample(AZ[1])],
         "answers": ['("entity"|\'学习\'|"thing"|"一种活动")("entity"| 学习 | thing | 一种活动 )'
                     '("relationship"|学习|方法|相关|学习、方法|1e1)DONE', "DONE"]},
    ],
    "extract_support_text_mapper": [
        {"name": "well_formed", "params": {}, "samples": [sample(ZH[0], event_description="段誉拒绝比剑")],
         "answers": ["  我说不比，就是不比。\n"]},
        {"name": "empty_answers_give_the_summary", "params": {"try_num": 2},
         "samples": [sample(ZH[1], event_description="龚光杰打段誉")], "answers": ["", "   \n"]},
        {"name": "custom_keys", "params": {"summary_key": "summary", "support_text_key": "evidence"},
         "samples": [sample(C4[0], summary="basic air cleaners")], "answers": ["", "offers basic air cleaners"]},
        {"name": "no_summary", "params": {}, "samples": [sample(ZH[2])], "answers": ["x"]},
        {"name": "summary_not_a_string", "params": {}, "samples": [sample(ZH[2], event_description=["a", "b"])],
         "answers": ["x"]},
        {"name": "generated_already", "params": {},
         "samples": [sample(ZH[2], event_description="s", support_text="kept")], "answers": ["x"]},
    ],
    "relation_identity_mapper": [
        {"name": "well_formed", "params": {"source_entity": "段誉", "target_entity": "马五德"},
         "samples": [sample(ZH[2])], "answers": ["分析推理：段誉称他为马五爷，是相识的长辈。\n所以马五德是段誉的：长辈朋友"]},
        {"name": "fallback", "params": {"source_entity": "段誉", "target_entity": "龚光杰"},
         "samples": [sample(ZH[1])], "answers": ["他们打了一架。\n因此，龚光杰和段誉的关系是: 对手。\n\n"]},
        {"name": "never_parses", "params": {"source_entity": "用户", "target_entity": "助手", "try_num": 3},
         "samples": [sample(AZ[0])], "answers": ["不知道", "", "所以：。"]},
        {"name": "entities_with_spaces_verbose_pattern", "params": {"source_entity": "Alan Turing",
                                                                    "target_entity": "Alonzo Church"},
         "samples": [sample(C4[3])], "answers": ["分析推理：x\n所以Alonzo Church是Alan Turing的：导师"]},
        {"name": "several_matches_last_wins", "params": {"source_entity": "甲", "target_entity": "乙"},
         "samples": [sample(ZH[3])], "answers": ["分析推理：a\n所以乙是甲的：朋友\n分析推理：b\n所以乙是甲的： 师兄 "]},
        {"name": "no_entities", "params": {}, "samples": [sample(ZH[0])], "answers": ["x"]},
    ],
}

MODULES = {
    "extract_keyword_mapper": ("extract_keyword_mapper", "ExtractKeywordMapper"),
    "extract_nickname_mapper": ("extract_nickname_mapper", "ExtractNicknameMapper"),
    "extract_event_mapper": ("extract_event_mapper", "ExtractEventMapper"),
    "extract_entity_attribute_mapper": ("extract_entity_attribute_mapper", "ExtractEntityAttributeMapper"),
    "extract_entity_relation_mapper": ("extract_entity_relation_mapper", "ExtractEntityRelationMapper"),
    "extract_support_text_mapper": ("extract_support_text_mapper", "ExtractSupportTextMapper"),
    "relation_identity_mapper": ("relation_identity_mapper", "RelationIdentityMapper"),
}


class Script:
    """A stand-in API model: records each call's messages and sampling arguments; answers in call
    order, '' once the script runs out."""

    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, messages, **kwargs):
        self.calls.append(json.loads(json.dumps(messages)))
        i = len(self.calls) - 1
        return self.answers[i] if i < len(self.answers) else ""


def plain(value):
    """numpy arrays (Data-Juicer's empty defaults) as lists, for JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def run_case(op_name: str, case: dict, strings: dict) -> dict:
    import importlib

    module_name, cls = MODULES[op_name]
    mod = importlib.import_module(f"data_juicer.ops.mapper.{module_name}")
    op = getattr(mod, cls)(api_model="m", sampling_params={"temperature": 0}, **case["params"])
    script = Script(case["answers"])
    mod.get_model = lambda *a, **k: script
    samples = json.loads(json.dumps(case["samples"]))
    if op_name == "extract_event_mapper":
        batch = {k: [s[k] for s in samples] for k in samples[0]}
        got = op.process_batched(batch)
        n = len(next(iter(got.values())))
        output = [{"text": got["text"][i], "meta": plain(got[META][i])} for i in range(n)]
    else:
        output = [plain(op.process_single(s)[META]) for s in samples]

    def ref(text):
        return strings.setdefault(text, len(strings))

    calls = [[[m["role"], ref(m["content"])] for m in msgs] for msgs in script.calls]
    return {"name": case["name"], "params": case["params"], "samples": case["samples"], "answers": case["answers"],
            "calls": calls, "output": output}


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Data-Juicer dedups nicknames, entities and relations through a set: its order follows the
        # string hash seed; a fixed seed writes the same fixture every time
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    strings: dict[str, int] = {}
    ops = {op: [run_case(op, case, strings) for case in cases] for op, cases in CASES.items()}
    out = {"meta_key": META, "strings": list(strings), "ops": ops}
    FIXTURE.write_text(json.dumps(out, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
