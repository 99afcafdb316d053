"""Inputs and cases of the catalogue text fixture (tests/fixtures/dj_catalogue_text.json.gz):
Data-Juicer 1.6.1's cleaning mappers, chinese_convert_mapper, suffix_filter and
token_num_filter. Standard library only: shared by the generator (Data-Juicer's venv) and the
tests (sparkops' venv).

Mappers run over ``parity_corpus.documents()`` plus ``EXTRA_DOCS`` (copyright headers, code,
word-splitting corners); the Traditional-input modes of chinese_convert_mapper also run over
the ``s2t`` conversion of the Chinese documents (``TRADITIONAL_FROM``), which the test
rebuilds with sparkops' own ``s2t`` (itself compared with Data-Juicer's).
"""

from __future__ import annotations

import hashlib

EXTRA_DOCS: list[tuple[str, str]] = [
    ("cat:c_header", "/*\n * Copyright (c) 2020 ACME Corp.\n * All rights reserved.\n */\n#include <stdio.h>\n"
                     "int main(void) { return 0; }\n"),
    ("cat:c_header_lower", "/* copyright me */int x; /* Copyright later */"),
    ("cat:c_comment_no_copyright", "/* a plain comment */\n// Copyright 2021\nint y;\n"),
    ("cat:later_block", "int z = 1;\n/* COPYRIGHT 1999 someone */\nreturn z;"),
    ("cat:unclosed_block", "/* Copyright but never closed\nint a;\n"),
    ("cat:py_header", "# Copyright 2019 The Authors.\n#\n# Licensed under the Apache License\n\nimport os\n"),
    ("cat:sql_header", "-- schema\n-- v2\n\nSELECT 1;\n-- trailing\n"),
    ("cat:markdown", "# Title\n\nSome text after a heading.\n"),
    ("cat:all_comments", "// one\n// two\n#three\n\n"),
    ("cat:cr_blank", "\r\n# after a CR line\ncode"),
    ("cat:indented_comment", "  // indented\ncode"),
    ("cat:stars", "/** Copyright **/ x /***/ y"),
    ("cat:turkish_i", "/* COPYR\u0130GHT \u0131 */ text"),
    ("cat:words_wrapped", "see \"verylongword\" here (another-very-long-token) and... http://a.b/c "
                          "WWW.UPPER.COM x//y .com href= ...www..."),
    ("cat:spaces", "  a   b \t\t c \n\n  d\t \n e  "),
    ("cat:nbsp_word", "a\u00a0verylongwordwithnbsp b\u3000c"),
    ("cat:specials", "■ item ◆ two ● ▲▴∆▻▷❖♡□ end ab-ba a.b*c[d]e\\f^g"),
    ("cat:zh_mixed", "中文ABC１２３ｅｆｇ，。！？：;\"'【】「」《》（）、…—～·•“”‘’ 龥龦鿿㐀𠀀豈\t\n末尾"),
    ("cat:zh_trad", "軟體工程師在臺灣使用滑鼠和印表機，說「這個程式很好」。乾燥的頭髮。"),
    ("cat:jp_kanji", "國語の學習と藝術、舊字體から新字体へ。"),
    ("cat:numbers_words", "a1 b22 c333 d4444 1234567890123"),
    ("cat:email_like", "mail john@example and jane@test now"),
]

CHINESE_PREFIXES = ("zh_novel:", "alpaca_zh:", "sharegpt_zh:", "edge:repeat_zh", "edge:mixed_cjk_latin",
                    "edge:zh_segmented", "cat:zh_")
TRADITIONAL_FROM = "s2t"  # the conversion that makes the Traditional inputs

_SIMPLIFIED_MODES = ("s2t", "s2tw", "s2hk", "s2twp", "t2s", "jp2t")
_TRADITIONAL_MODES = ("t2s", "tw2s", "hk2s", "tw2sp", "t2tw", "tw2t", "hk2t", "t2hk", "t2jp")

MAPPER_CASES: list[dict] = [
    {"op": "remove_non_chinese_character_mapper", "params": {}},
    {"op": "remove_non_chinese_character_mapper", "params": {"keep_alphabet": False}},
    {"op": "remove_non_chinese_character_mapper", "params": {"keep_number": False}},
    {"op": "remove_non_chinese_character_mapper", "params": {"keep_punc": False}},
    {"op": "remove_non_chinese_character_mapper",
     "params": {"keep_alphabet": False, "keep_number": False, "keep_punc": False}},
    {"op": "remove_specific_chars_mapper", "params": {}},
    {"op": "remove_specific_chars_mapper", "params": {"chars_to_remove": "，。"}},
    {"op": "remove_specific_chars_mapper", "params": {"chars_to_remove": ["ab", "\n", "-"]}},
    {"op": "remove_specific_chars_mapper", "params": {"chars_to_remove": "a.*[]\\^-"}},
    {"op": "remove_specific_chars_mapper", "params": {"chars_to_remove": ""}},
    {"op": "replace_content_mapper", "params": {}},
    {"op": "replace_content_mapper", "params": {"pattern": "\\d+", "repl": "<N>"}},
    {"op": "replace_content_mapper", "params": {"pattern": ["\\s+", "(\\w+)@(\\w+)"], "repl": [" ", "\\2 at \\1"]}},
    {"op": "replace_content_mapper", "params": {"pattern": ["[aeiou]", "的"], "repl": "_"}},
    {"op": "replace_content_mapper", "params": {"pattern": "r'[A-Z][a-z]+'", "repl": "W"}},
    {"op": "replace_content_mapper", "params": {"pattern": "^.*$", "repl": "L"}},
    {"op": "replace_content_mapper", "params": {"pattern": "(?i)THE\\b", "repl": ["x", "unused"]}},
    {"op": "remove_long_words_mapper", "params": {}},
    {"op": "remove_long_words_mapper", "params": {"min_len": 1, "max_len": 10}},
    {"op": "remove_long_words_mapper", "params": {"min_len": 3, "max_len": 15}},
    {"op": "remove_long_words_mapper", "params": {"max_len": 5}},
    {"op": "remove_words_with_incorrect_substrings_mapper", "params": {}},
    {"op": "remove_words_with_incorrect_substrings_mapper", "params": {"substrings": ["的", "com", "-"]}},
    {"op": "remove_words_with_incorrect_substrings_mapper", "params": {"substrings": []}},
    {"op": "clean_copyright_mapper", "params": {}},
    *({"op": "chinese_convert_mapper", "params": {"mode": m}} for m in _SIMPLIFIED_MODES),
    *({"op": "chinese_convert_mapper", "params": {"mode": m}, "input": "traditional"} for m in _TRADITIONAL_MODES),
]

# suffix_filter: records holding Data-Juicer's suffix field (or not)
SUFFIX_KEY = "__dj__suffix__"
_MISSING = object()
SUFFIX_VALUES = [".jsonl", ".txt", ".json", "jsonl", "txt", ".TXT", ".pdf", "", " .txt", ".tar.gz", None]
SUFFIX_CASES: list[dict] = [
    {"params": {}},
    {"params": {"suffixes": None}},
    {"params": {"suffixes": ".txt"}},
    {"params": {"suffixes": "txt"}},
    {"params": {"suffixes": ["txt", ".pdf", ".jsonl"]}},
    {"params": {"suffixes": ["txt", ".pdf", ".jsonl"], "reversed_range": True}},
    {"params": {"suffixes": [""]}},
]


def suffix_records() -> list[dict]:
    recs = [{"id": f"sfx:{i}", "text": "x", SUFFIX_KEY: v} for i, v in enumerate(SUFFIX_VALUES)]
    recs.append({"id": "sfx:missing", "text": "x"})
    return recs


def case_id(case: dict) -> str:
    params = ",".join(f"{k}={v!r}" for k, v in case["params"].items())
    return f"{case['op']}[{params}]" + (f"@{case['input']}" if case.get("input") else "")


def is_chinese(doc_id: str) -> bool:
    return doc_id.startswith(CHINESE_PREFIXES)


def encode_output(text: str, out: str):
    """What the fixture keeps of a mapper's output: None when unchanged, the text itself when
    short, else a digest and the length."""
    if out == text:
        return None
    if len(out) <= 48:
        return "t:" + out
    return f"h:{hashlib.sha256(out.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}:{len(out)}"
