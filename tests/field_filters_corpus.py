"""Records and cases of the field-filter fixture (``tests/fixtures/dj_field_filters.json.gz``).

Standard library only: ``tools/dj_parity/gen_field_filters_fixture.py`` imports it in the
Data-Juicer venv to run Data-Juicer 1.6.1's ``specified_numeric_field_filter`` and
``specified_field_filter`` themselves, and ``tests/test_field_filters.py`` imports it to run
sparkops on the same records; the fixture pins them by ``sha256_records``.

Records (each with a unique ``id``; the texts are not stored in the fixture):

- 200 ``sft/alpaca_en_demo.json`` and 50 ``alpaca_zh_demo.json`` records: ``text`` = the
  instruction, ``score`` = len(input) / len(output) (0.0 for the many without input), and
  ``meta`` = ``{lang, words, input_len, chars, tags, stats: {depth}}`` derived from the record
  (``chars`` a numeric string; ``input_len`` is 0 for most: Data-Juicer's zero bug);
- 50 ``sft/gsm8k_test.jsonl`` records: ``meta.answer`` = the final answer as GSM8K writes it
  (numeric strings, some with a thousands comma), no ``input_len`` / ``chars`` / ``tags``;
- ``odd:*``: one record per value of ``ODD_VALUES`` (0, False, '0', '1,000', 'nan', lists,
  objects, integers beyond a double, ...) in every field, and records whose ``meta`` is
  missing, null, a string or empty, or which hold a top-level key ``meta.lang`` beside
  ``meta``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# the same data root as the parity corpus (../shared/data, or SPARKOPS_SHARED_DATA)
from parity_corpus import SHARED_DATA

N_EN, N_ZH, N_GSM = 200, 50, 50
FIELDS = ("lang", "words", "input_len", "chars", "tags", "answer")

ODD_VALUES = [
    0, 0.0, -0.0, False, True, 1, -1, 7, 2.5, 1e308, float("inf"), float("-inf"), float("nan"),
    10 ** 400, -(10 ** 400), 2 ** 63 - 1, 2 ** 63, 2 ** 53 + 1,
    "0", "0.0", "", " ", " 12 ", "1e3", "1_000", "1,000", "nan", "inf", "-Infinity", "abc", "١٢", "0x10",
    "en", "EN", "zh", "1", "1.0", "true",
    None, [], [0], [1], [1, 2], ["en"], ["en", "zh"], ["en", "en"], ["en", 1], [["en"]], [None],
    {}, {"a": 1}, {"lang": "en"},
]


def _tags(output: str) -> list[str]:
    tags = ["long" if len(output) > 500 else "short"]
    if "\n1." in output or output.startswith("1."):
        tags.append("list")
    if "```" in output or "def " in output:
        tags.append("code")
    return tags


def _sft(rec: dict, i: int, lang: str) -> dict:
    instruction, inp, output = rec["instruction"], rec.get("input", ""), rec["output"]
    words = len(output.split()) if lang == "en" else len(output)
    return {
        "id": f"{lang}:{i}", "text": instruction,
        "score": round(len(inp) / len(output), 4) if output else 0.0,
        "meta": {"lang": lang, "words": words, "input_len": len(inp), "chars": str(len(output)),
                 "tags": _tags(output), "stats": {"depth": len(instruction.split())}},
    }


def _gsm(rec: dict, i: int) -> dict:
    answer = rec["answer"].rsplit("####", 1)[-1].strip()
    return {"id": f"gsm:{i}", "text": rec["question"], "score": round(len(answer) / len(rec["answer"]), 4),
            "meta": {"lang": "en", "words": len(rec["answer"].split()), "answer": answer,
                     "stats": {"depth": rec["answer"].count("\n") + 1}}}


def records(shared_data: Path | None = None) -> list[dict]:
    root = Path(shared_data) if shared_data else SHARED_DATA
    sft = root / "sft"
    en = json.loads((sft / "alpaca_en_demo.json").read_text(encoding="utf-8"))[:N_EN]
    zh = json.loads((sft / "alpaca_zh_demo.json").read_text(encoding="utf-8"))[:N_ZH]
    with open(sft / "gsm8k_test.jsonl", encoding="utf-8") as f:
        gsm = [json.loads(line) for _, line in zip(range(N_GSM), f)]
    out = [_sft(r, i, "en") for i, r in enumerate(en)] + [_sft(r, i, "zh") for i, r in enumerate(zh)]
    out += [_gsm(r, i) for i, r in enumerate(gsm)]
    for k, value in enumerate(ODD_VALUES):
        meta = {f: value for f in FIELDS}
        meta["stats"] = {"depth": value}
        out.append({"id": f"odd:{k}", "text": f"odd value {k}", "score": value, "meta": meta})
    out += [
        {"id": "odd:no_meta", "text": "no meta", "score": 1},
        {"id": "odd:meta_null", "text": "meta null", "score": 1, "meta": None},
        {"id": "odd:meta_str", "text": "meta str", "score": 1, "meta": "en"},
        {"id": "odd:meta_empty", "text": "meta empty", "score": 1, "meta": {}},
        {"id": "odd:stats_list", "text": "stats list", "meta": {"lang": "en", "words": 3, "stats": [1]}},
        {"id": "odd:dotted_key", "text": "dotted key", "score": 1, "meta.lang": "fr", "meta.words": 1000,
         "meta": {"lang": "en", "words": 5}},
    ]
    return out


def sha256_records(recs: list[dict]) -> str:
    data = "\n".join(json.dumps(r, sort_keys=True, ensure_ascii=True) for r in recs)
    return hashlib.sha256(data.encode("ascii")).hexdigest()


NUMERIC, FIELD = "specified_numeric_field_filter", "specified_field_filter"

CASES = [
    {"id": "numeric/words_default", "op": NUMERIC, "params": {"field_key": "meta.words"}},
    {"id": "numeric/words_20_94", "op": NUMERIC, "params": {"field_key": "meta.words", "min_value": 20,
                                                             "max_value": 94}},
    {"id": "numeric/words_20_94_open", "op": NUMERIC, "params": {
        "field_key": "meta.words", "min_value": 20, "max_value": 94, "min_closed_interval": False,
        "max_closed_interval": False}},
    {"id": "numeric/words_20_94_reversed", "op": NUMERIC, "params": {
        "field_key": "meta.words", "min_value": 20, "max_value": 94, "reversed_range": True}},
    {"id": "numeric/input_len_0_10", "op": NUMERIC, "params": {"field_key": "meta.input_len", "min_value": 0,
                                                               "max_value": 10}},
    {"id": "numeric/input_len_0_0_reversed", "op": NUMERIC, "params": {
        "field_key": "meta.input_len", "min_value": 0, "max_value": 0, "reversed_range": True}},
    {"id": "numeric/chars_100_1000", "op": NUMERIC, "params": {"field_key": "meta.chars", "min_value": 100,
                                                               "max_value": 1000.5}},
    {"id": "numeric/answer_0_100", "op": NUMERIC, "params": {"field_key": "meta.answer", "min_value": 0,
                                                             "max_value": 100}},
    {"id": "numeric/depth_5_20", "op": NUMERIC, "params": {"field_key": "meta.stats.depth", "min_value": 5,
                                                           "max_value": 20}},
    {"id": "numeric/score_0_0.5", "op": NUMERIC, "params": {"field_key": "score", "min_value": 0.0,
                                                            "max_value": 0.5}},
    {"id": "numeric/score_default", "op": NUMERIC, "params": {"field_key": "score"}},
    {"id": "numeric/empty_key", "op": NUMERIC, "params": {"field_key": "", "min_value": 0, "max_value": 1}},
    {"id": "numeric/absent", "op": NUMERIC, "params": {"field_key": "meta.nope", "min_value": 0}},
    {"id": "field/lang_en", "op": FIELD, "params": {"field_key": "meta.lang", "target_value": ["en"]}},
    {"id": "field/lang_en_zh", "op": FIELD, "params": {"field_key": "meta.lang", "target_value": ["en", "zh"]}},
    {"id": "field/lang_en_reversed", "op": FIELD, "params": {"field_key": "meta.lang", "target_value": ["en"],
                                                             "reversed_range": True}},
    {"id": "field/lang_null", "op": FIELD, "params": {"field_key": "meta.lang", "target_value": [None, "zh"]}},
    {"id": "field/lang_mixed", "op": FIELD, "params": {"field_key": "meta.lang", "target_value": ["en", 1, "1"]}},
    {"id": "field/lang_no_target", "op": FIELD, "params": {"field_key": "meta.lang", "target_value": []}},
    {"id": "field/tags_short_list", "op": FIELD, "params": {"field_key": "meta.tags",
                                                            "target_value": ["short", "list"]}},
    {"id": "field/tags_en_zh", "op": FIELD, "params": {"field_key": "meta.tags", "target_value": ["en", "zh"]}},
    {"id": "field/input_len_0_1", "op": FIELD, "params": {"field_key": "meta.input_len", "target_value": [0, 1]}},
    {"id": "field/words_numbers", "op": FIELD, "params": {"field_key": "meta.words",
                                                          "target_value": [7, 2.5, -1, "7"]}},
    {"id": "field/depth_5_6_7", "op": FIELD, "params": {"field_key": "meta.stats.depth",
                                                        "target_value": [5, 6, 7]}},
    {"id": "field/empty_key", "op": FIELD, "params": {"field_key": "", "target_value": ["en"]}},
]
