"""Answers an LLM may give to Data-Juicer's analysis filters, and what Data-Juicer 1.6.1 makes of
them: the fixture ``tests/fixtures/dj_llm_parse.json`` is written by Data-Juicer itself::

    .peers/dj/bin/python tests/llm_corpus.py

For each filter and answer it records ``parse_output``'s score, stored record and stored tags (as
``compute_stats_single`` stores them), or the exception it raises (which Data-Juicer's retry loop
swallows: the answer then counts as unparsed), and ``build_input`` of a few samples.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "dj_llm_parse.json"

_Q = '"accuracy": {}, "grammar": {}, "informativeness": {}, "coherence": {}'
ANSWERS = [
    None, "", "   \n", "I cannot rate this.",
    '{"dimension_scores": {' + _Q.format(4, 5, 3, 4) + '}, "flags": [], "rationale": "ok", "recommendation": "keep"}',
    'Here you go:\njson\n{"dimension_scores": {' + _Q.format(1, 2, 2, 1) + '}, "recommendation": ["discard", null, " "]}'
    '\nHope it helps {"x": 1}',
    '{"dimension_scores": {' + _Q.format(5, 5, 5, 5) + '}, "tags": {"topic": "AI", "style": "Technical"}}',
    '{"dimension_scores": {' + _Q.format(4.5, 3, 2.5, 1) + '}}',
    '{"dimension_scores": {"accuracy": 4, "grammar": 3}}',
    '{"dimension_scores": {' + _Q.format('"4"', 3, 2, 1) + '}}',
    '{"dimension_scores": {}, "rationale": "empty"}',
    '{"rationale": "no scores", "tags": ["a", "b"]}',
    '{"dimension_scores": [4, 5, 3, 4]}',
    '{dimension_scores: {accuracy: 4}}',
    '{"a": {"b": {"c": 1}}}',
    '{"dimension_scores": {' + _Q.format(3, 3, 3, 3) + ', "clarity": 4, "relevance": 4, "usefulness": 2, "fluency": 5,'
    ' "linguistic_complexity": 2, "conceptual_depth": 3, "prior_knowledge": 1, "step_complexity": 2, "ambiguity": 1}}',
    '```json\n{"dimension_scores": {' + _Q.format(2, 4, 4, 2) + '}, "flags": ["accuracy_concern"]}\n```',
]
SAMPLES = [
    {"keys": ["text"], "names": ["Text"], "sample": {"text": "Why is the sky blue?"}},
    {"keys": ["instruction", "output"], "names": ["Instruction", "Response"],
     "sample": {"instruction": "Add 2 and 2.", "output": "4", "input": ""}},
    {"keys": ["query", "missing"], "names": ["Q", "M"], "sample": {"query": ["a", 1]}},
]
FILTERS = ("llm_analysis_filter", "llm_quality_score_filter", "llm_difficulty_score_filter")
MAPPERS = ("optimize_qa_mapper", "optimize_query_mapper", "optimize_response_mapper")
QA_ANSWERS = [
    None, "", "  plain text answer \n", "【问题】\n新的问题？\n【回答】\n新的回答。",
    "好的，优化如下：\n【问题】 Q2 \n\n【回答】\n A2 line1\nline2 \n", "【回答】only an answer", "【问题】\n\n【回答】\n",
    "Question: what? Answer: that.",
]
QA_SAMPLES = [{"query": "What is 2+2?", "response": "4"}, {"query": ["a", "b"], "response": None}]
CALIBRATORS = ("calibrate_qa_mapper", "calibrate_query_mapper", "calibrate_response_mapper")
# Data-Juicer matches calibrated pairs without DOTALL: multi-line questions and answers differ
CALIBRATE_ANSWERS = QA_ANSWERS + [
    "【问题】\nQ line1\nline2\n【回答】\nA1\nA2", "【问题】 Q 【回答】 A1\nA2 ", "  【问题】Q\n【回答】A",
    "Answer: the calibrated text\nmore", "【回答】\n只有回答\n【问题】\n后面的问题",
]
CALIBRATE_PATTERNS = [None, r"Answer:\s*(.*)", r"(Q)(?:uestion)?:\s*(.*)"]
CALIBRATE_SAMPLES = [{"text": "Paris is the capital of France.", "query": "Capital of France?", "response": "Paris"},
                     {"text": "", "query": ["a", 1], "response": None}]
PREFERENCE_ANSWERS = [
    None, "", "no markers at all", "【回答】\n反面的回答。\n【原因】\n立场相反。",
    "好的：\n【回答】 A rude answer.\nSecond line.\n【原因】 Opposite tone.\n", "【回答】only the answer",
    "【原因】reason first【回答】answer after", "【回答】\n\n【原因】\n", "前言【回答】r1【原因】x【回答】r2【原因】y",
]
PREFERENCE_TEMPLATES = [None, "Q: {query}\nA: {response}"]


def main() -> int:
    from data_juicer.ops.filter.llm_analysis_filter import LLMAnalysisFilter
    from data_juicer.ops.filter.llm_difficulty_score_filter import LLMDifficultyScoreFilter
    from data_juicer.ops.filter.llm_quality_score_filter import LLMQualityScoreFilter

    classes = dict(zip(FILTERS, (LLMAnalysisFilter, LLMQualityScoreFilter, LLMDifficultyScoreFilter)))
    out = {"parse": {}, "build_input": []}
    for name, cls in classes.items():
        f = cls()
        rows = []
        for raw in ANSWERS:
            try:
                score, record, tags = f.parse_output(raw)
                rows.append({"raw": raw, "score": score, "record": f._normalize_record(record),
                             "tags": f._normalize_tags_to_str(tags), "raises": None})
            except Exception as err:  # Data-Juicer's retry loop catches it: the answer is unparsed
                rows.append({"raw": raw, "raises": type(err).__name__})
        out["parse"][name] = rows
    from data_juicer.ops.mapper.optimize_qa_mapper import OptimizeQAMapper
    from data_juicer.ops.mapper.optimize_query_mapper import OptimizeQueryMapper
    from data_juicer.ops.mapper.optimize_response_mapper import OptimizeResponseMapper

    out["optimize"] = {}
    for name, cls in zip(MAPPERS, (OptimizeQAMapper, OptimizeQueryMapper, OptimizeResponseMapper)):
        m = cls(api_or_hf_model="m", is_hf_model=False)
        rows = []
        for raw in QA_ANSWERS:
            try:
                rows.append({"raw": raw, "parsed": list(m.parse_output(raw)), "raises": None})
            except Exception as err:
                rows.append({"raw": raw, "raises": type(err).__name__})
        out["optimize"][name] = {"parse": rows, "build_input": [[s_, m.build_input(s_)] for s_ in QA_SAMPLES]}
    from data_juicer.ops.mapper.calibrate_qa_mapper import CalibrateQAMapper
    from data_juicer.ops.mapper.calibrate_query_mapper import CalibrateQueryMapper
    from data_juicer.ops.mapper.calibrate_response_mapper import CalibrateResponseMapper
    from data_juicer.ops.mapper.pair_preference_mapper import PairPreferenceMapper

    out["calibrate"] = {}
    for name, cls in zip(CALIBRATORS, (CalibrateQAMapper, CalibrateQueryMapper, CalibrateResponseMapper)):
        for pattern in CALIBRATE_PATTERNS:
            m = cls(api_model="m", output_pattern=pattern)
            rows = []
            for raw in CALIBRATE_ANSWERS:
                try:
                    rows.append({"raw": raw, "parsed": list(m.parse_output(raw)), "raises": None})
                except Exception as err:
                    rows.append({"raw": raw, "raises": type(err).__name__})
            out["calibrate"].setdefault(name, []).append({
                "output_pattern": pattern, "parse": rows, "system_prompt": m.system_prompt,
                "build_input": [[s_, m.build_input(s_)] for s_ in CALIBRATE_SAMPLES]})
    out["preference"] = []
    for template in PREFERENCE_TEMPLATES:
        m = PairPreferenceMapper(api_model="m", input_template=template)
        rows = []
        for raw in PREFERENCE_ANSWERS:
            try:
                rows.append({"raw": raw, "parsed": list(m.parse_output(raw)), "raises": None})
            except Exception as err:
                rows.append({"raw": raw, "raises": type(err).__name__})
        out["preference"].append({"input_template": template, "parse": rows, "system_prompt": m.system_prompt,
                                  "build_input": [[s_, m.build_input(s_)] for s_ in CALIBRATE_SAMPLES]})
    for case in SAMPLES:
        f = LLMQualityScoreFilter(input_keys=case["keys"], field_names=case["names"])
        out["build_input"].append({**case, "input": f.build_input(case["sample"])})
    FIXTURE.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
