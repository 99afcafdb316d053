"""What Data-Juicer 1.6.1's dialog LLM mappers send and write, written by Data-Juicer itself into
``tests/fixtures/dj_llm_dialog.json``::

    .peers/dj/bin/python tests/llm_dialog_corpus.py

No model is asked: each op is built with an API model name and its module's ``get_model`` is
pointed at a stand-in that records the messages of every call and answers from a script (in call
order, cycling; Data-Juicer's API model answers '' for a failed call, so '' stands for one).
The dialogs are real: Chinese multi-turn ones from ../shared/data/sft/sharegpt_zh_1k.jsonl and
English ones chained from alpaca_en_demo.json (turns cut to a few hundred characters here, so the
fixture stays small).

Recorded, per op family:

- ``quality.cases``: the seven turn-quality judges: per op, parameters and record, the messages of
  each call and the meta value ``process_single`` wrote for the scripted answers;
- ``quality.parse``: one judge over one record for many scripted answers (well-formed, fenced,
  with extra text, malformed, blank, out-of-range and non-numeric scores), calls and meta;
- ``detection.cases``: the intent / sentiment / intensity / topic detectors: per op, parameters,
  record and answer script, the messages of every call (one per turn, retries included) and the
  lists they wrote.

Every distinct system prompt is stored once, under ``systems``; a call's system message holds
``@system:<index>``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "dj_llm_dialog.json"
SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA", Path(__file__).parents[2] / "shared" / "data"))
CUT = 120  # characters kept of a turn taken from the data


class Script:
    """A stand-in API model: records each call's messages, answers from a list (cycling)."""

    def __init__(self, answers):
        self.answers, self.calls = list(answers), []

    def __call__(self, messages, **kwargs):
        self.calls.append({"messages": json.loads(json.dumps(messages)), "sampling": dict(kwargs)})
        return self.answers[(len(self.calls) - 1) % len(self.answers)]


def zh_dialogs(n: int, min_turns: int) -> list[list[list[str]]]:
    out = []
    with open(SHARED / "sft" / "sharegpt_zh_1k.jsonl", encoding="utf-8") as f:
        for line in f:
            conv = json.loads(line)["conversations"]
            pairs = [[conv[i]["value"][:CUT], conv[i + 1]["value"][:CUT]] for i in range(0, len(conv) - 1, 2)
                     if conv[i]["from"] == "human" and conv[i + 1]["from"] == "gpt"]
            if len(pairs) >= min_turns:
                out.append(pairs)
            if len(out) == n:
                return out
    return out


def en_dialogs(n: int, turns: int) -> list[list[list[str]]]:
    items = json.loads((SHARED / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    pairs = [[(it["instruction"] + ("\n" + it["input"] if it["input"] else ""))[:CUT], it["output"][:CUT]]
             for it in items[:n * turns]]
    return [pairs[i * turns:(i + 1) * turns] for i in range(n)]


def records() -> dict[str, dict]:
    zh, en = zh_dialogs(3, 3), en_dialogs(2, 3)
    long_one = (zh[0] + zh[1] + zh[2])[:10]
    return {
        "en_history_then_new_turn": {"dialog_history": en[0][:2], "query": en[0][2][0], "response": en[0][2][1]},
        "zh_normalized_last_turn_twice": {"dialog_history": zh[0][:3], "query": zh[0][2][0], "response": zh[0][2][1]},
        "zh_same_query_new_answer": {"dialog_history": zh[1][:2], "query": zh[1][1][0], "response": "重新回答：" + zh[1][2][1]},
        "en_query_only": {"query": en[1][0][0], "response": en[1][0][1]},
        "zh_history_only": {"dialog_history": zh[2][:3]},
        "empty": {"dialog_history": [], "query": "", "response": "x"},
        "odd_values": {"dialog_history": [[en[1][1][0], None], ["lonely"], "not a turn", [1, 2.5, "extra"], None],
                       "query": 7, "response": None},
        "long_zh": {"dialog_history": long_one, "query": "总结一下我们聊了什么？", "response": "我们聊了很多话题。"},
    }


QUALITY_OPS = ["dialog_clarification_quality_mapper", "dialog_coreference_mapper", "dialog_error_recovery_mapper",
               "dialog_memory_consistency_mapper", "dialog_non_repetition_mapper", "dialog_proactivity_mapper",
               "dialog_topic_shift_mapper"]
QUALITY_VARIANTS = [
    {},
    {"max_round": 2, "max_query_chars_for_prompt": 40, "max_response_chars_for_prompt": 60,
     "preferred_output_lang": "zh-CN", "sampling_params": {"temperature": 0, "top_p": 0.5}},
    {"max_round": 0, "max_query_chars_for_prompt": 5, "max_response_chars_for_prompt": 0,
     "preferred_output_lang": "English", "history_key": "hist", "query_key": "q", "response_key": "r"},
]
QUALITY_ANSWERS = [
    ['{"score": 4, "reason": "The reply resolves it."}'],
    ['```json\n{"score": 5, "reason": "good"}\n```'],
    ['```JSON{"score": 2}```'],
    ['Sure. Here is my verdict: {"score": 3, "reason": "ambiguous"} Thanks!'],
    ['{"score": "4", "reason": ["a", 1]}'],
    ['{"score": 9, "reason": "too high"}'],
    ['{"score": -2.5, "reason": null}'],
    ['{"score": "high", "reason": "not a number"}'],
    ['{"score": null}'],
    ['{"score": [3]}'],
    ['{"score": true, "reason": {"k": "v"}}'],
    ['{"score": NaN, "reason": "nan"}'],
    ['{"score": 1e400}'],
    ['{"reason": "no score"}'],
    ['{score: 4}'],
    ['{"score": 4, "reason": "a"} {"score": 2}'],
    ['I think 4 out of 5.'],
    ['[{"score": 4}]'],
    ['', '{"score": 2, "reason": "second try"}'],
    ['   \n', '   '],
    ['', ''],
    ['{bad json', '{"score": 5}'],
    ['{"score": 3, "reason": "' + "长" * 2500 + '"}'],
    ["no json " + "x" * 9000],
]


def quality_fixture() -> dict:
    import importlib

    from data_juicer.ops.mapper import dialog_quality_llm_base as base
    from data_juicer.utils.constant import Fields

    recs = records()
    out = {"meta_keys": {}, "cases": [], "parse": []}

    def run(op, sample, answers):
        script = Script(answers)
        base.get_model = lambda *a, **k: script
        got = op.process_single(json.loads(json.dumps(sample)))
        return script.calls, got[Fields.meta]

    for name in QUALITY_OPS:
        mod = importlib.import_module(f"data_juicer.ops.mapper.{name}")
        cls = next(v for v in vars(mod).values() if isinstance(v, type) and getattr(v, "OP_NAME", None) == name)
        out["meta_keys"][name] = cls.META_KEY
        variants = QUALITY_VARIANTS if name == "dialog_coreference_mapper" else QUALITY_VARIANTS[:1]
        picked = list(recs) if name == "dialog_coreference_mapper" else ["en_history_then_new_turn", "empty"]
        for params in variants:
            op = cls(api_model="m", **params)
            for rec_name in picked:
                sample = dict(recs[rec_name])
                if "history_key" in params:
                    sample = {"hist": sample.get("dialog_history"), "q": sample.get("query"),
                              "r": sample.get("response")}
                calls, meta = run(op, sample, QUALITY_ANSWERS[0])
                out["cases"].append({"op": name, "params": params, "record": rec_name, "sample": sample,
                                     "answers": QUALITY_ANSWERS[0], "calls": calls, "meta": meta})
        # a record already scored is left alone unless overwrite
        for overwrite in ((False, True) if name == "dialog_coreference_mapper" else ()):
            op = cls(api_model="m", overwrite=overwrite)
            sample = {**recs["en_query_only"], Fields.meta: {cls.META_KEY: {"score": 1.0, "reason": "earlier"}}}
            calls, meta = run(op, sample, QUALITY_ANSWERS[0])
            out["cases"].append({"op": name, "params": {"overwrite": overwrite}, "record": "already_scored",
                                 "sample": {**recs["en_query_only"], "meta": sample[Fields.meta]},
                                 "answers": QUALITY_ANSWERS[0], "calls": calls, "meta": meta})
    from data_juicer.ops.mapper.dialog_coreference_mapper import DialogCoreferenceMapper

    for try_num in (1, 2, 3):
        op = DialogCoreferenceMapper(api_model="m", try_num=try_num)
        for answers in QUALITY_ANSWERS:
            if try_num != 2 and len(answers) == 1:
                continue  # one answer: the same meta whatever try_num
            calls, meta = run(op, recs["en_query_only"], answers)
            out["parse"].append({"try_num": try_num, "answers": answers, "calls": len(calls), "meta": meta})
    return out


DETECTION_OPS = {
    "dialog_intent_detection_mapper": ("intent_candidates", "意图分析", "意图类别"),
    "dialog_sentiment_detection_mapper": ("sentiment_candidates", "情感分析", "情感类别"),
    "dialog_topic_detection_mapper": ("topic_candidates", "话题分析", "话题类别"),
    "dialog_sentiment_intensity_mapper": (None, "情绪分析", "情绪值"),
}


def detection_scripts(a: str, b: str, intensity: bool) -> dict[str, list[str]]:
    v = (lambda i: str(i)) if intensity else (lambda i: f"类别{i}")
    return {
        "well_formed": [f"{a}：用户在提问。\n{b}：{v(1)}", f"{a}：用户追问细节。\n{b}：{v(2)}\n",
                        f"{a}：User thanks.\n{b}：{v(1)}"],
        "extra_text_and_repeats": [f"好的。\n{a}：分析一。\n{b}：{v(3)}\nLLM：继续……", f"{a}：分析二。\n{b}：{v(3)}",
                                   f"{a}：分析三。\n{b}： {v(-1)}"],
        # no newline after the analysis (no match: asked again), empty answers (failed calls)
        "retries": [f"{a}：没有换行", "", f"{a}：第二次。\n{b}：{v(4)}", f"{b}：{v(5)}\n"],
        "malformed": ["完全不对的格式", f"{a}：\n{b}：", f"{a}: half-width colon\n{b}: {v(0)}"],
    }


INTENSITY_EXTRA = {
    # an intensity that is not an integer: int() raises, Data-Juicer keeps the values it had
    "not_an_integer": ["情绪分析：开始。\n情绪值：2", "情绪分析：很差。\n情绪值：很低", "情绪分析：很差。\n情绪值：-3分",
                       "情绪分析：又差。\n情绪值：3.5", "情绪分析：好了。\n情绪值：+4"],
    # ... and on the first turn throughout: Data-Juicer fails (its values were never set)
    "first_turn_unparsable": ["情绪分析：坏。\n情绪值：bad"],
}


def detection_fixture() -> dict:
    import importlib

    from data_juicer.utils.constant import Fields

    recs = records()
    det_recs = {k: recs[k] for k in ("en_history_then_new_turn", "zh_normalized_last_turn_twice", "odd_values",
                                     "empty", "zh_same_query_new_answer")}
    out = {"cases": [], "defaults": {}}
    for name, (cand, a, b) in DETECTION_OPS.items():
        mod = importlib.import_module(f"data_juicer.ops.mapper.{name}")
        cls = next(v for v in vars(mod).values() if isinstance(v, type) and getattr(v, "__module__", "") == mod.__name__)
        intensity = cand is None
        variants = [{"history_key": "dialog_history"},
                    {"history_key": "dialog_history", "max_round": 1, "preferred_output_lang": "en",
                     "max_query_chars_for_prompt": 30, "max_response_chars_for_prompt": 25, "try_num": 2,
                     **({} if intensity else {cand: ["A类", "B类", "其他"]})},
                    {"history_key": "h", "query_key": "q", "response_key": "r", "max_round": 0,
                     "sampling_params": {"temperature": 0},
                     "system_prompt": "Label the user turn.", "query_template": "U: {query}\n",
                     "response_template": "A: {response}\n", "analysis_template": "Why: {analysis}\n",
                     "analysis_pattern": r"Why: (.*?)\n",
                     **({"intensity_template": "Score: {intensity}\n", "intensity_pattern": r"Score: *(-?\d+)"}
                        if intensity else {"labels_template": "Tag: {labels}\n", "labels_pattern": r"Tag: (\w+)",
                                           "candidate_template": "Pick from <{candidate_str}>\n",
                                           cand: ["x"]})}]
        default = cls(api_model="m")
        out["defaults"][name] = {"history_key": default.history_key, "query_key": default.query_key,
                                 "response_key": default.response_key, "try_num": default.try_num,
                                 "max_round": default.max_round}
        for vi, params in enumerate(variants):
            scripts = detection_scripts(a, b, intensity) if vi < 2 else {"custom": custom_answers(intensity)}
            if intensity and vi == 0:
                scripts.update(INTENSITY_EXTRA)
            op = cls(api_model="m", **params)
            for rec_name, rec in det_recs.items():
                if vi == 2:
                    if rec_name not in ("en_history_then_new_turn",):
                        continue
                    rec = {"h": rec["dialog_history"], "q": rec["query"], "r": rec["response"]}
                for script_name, answers in scripts.items():
                    if vi == 1 and script_name not in ("well_formed", "retries"):
                        continue
                    if script_name not in ("well_formed", "custom") and not (
                            rec_name == "en_history_then_new_turn"
                            or (rec_name == "odd_values" and script_name in ("retries", "not_an_integer", "first_turn_unparsable"))):
                        continue
                    script = Script(answers)
                    mod.get_model = lambda *a_, **k: script
                    try:
                        got = op.process_single(json.loads(json.dumps(rec)))
                        meta, raised = got[Fields.meta], None
                    except Exception as err:  # Data-Juicer's own failure (first turn unparsable throughout)
                        meta, raised = None, type(err).__name__
                    out["cases"].append({"op": name, "params": params, "record": rec_name, "sample": rec,
                                         "script": script_name, "answers": script.answers, "calls": script.calls,
                                         "meta": meta, "raises": raised})
    return out


def custom_answers(intensity: bool) -> list[str]:
    if intensity:
        return ["", "Why: the custom one\nScore: -2", "Why: two\nScore:3\n"]
    return ["", "Why: the custom one\nTag: x_1 more", "Why: two\nTag: y\n"]


def shared_systems(out: dict) -> None:
    """Each distinct system prompt stored once (``systems``), a call's holding ``@system:<i>``."""
    systems: dict[str, int] = {}
    for family in ("quality", "detection"):
        for case in out[family]["cases"]:
            for call in case["calls"]:
                first = call["messages"][0]
                if first["role"] == "system":
                    first["content"] = f"@system:{systems.setdefault(first['content'], len(systems))}"
    out["systems"] = list(systems)


def main() -> int:
    out = {"quality": quality_fixture(), "detection": detection_fixture()}
    shared_systems(out)
    FIXTURE.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}: {FIXTURE.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
