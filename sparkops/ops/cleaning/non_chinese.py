"""remove_non_chinese_character_mapper: delete every character outside Data-Juicer's "Chinese"
range (U+4E00..U+9FA5), optionally keeping ASCII letters, digits and a fixed punctuation set."""

from __future__ import annotations

import regex

from sparkops.core import Example, Op, Param, declare
from sparkops.ops.cleaning.common import FAMILY

# Data-Juicer 1.6.1 (remove_non_chinese_character_mapper.py), as facts: the CJK range stops at
# U+9FA5 (the Unified Ideographs block of Unicode 1.1), so later ideographs (U+9FA6..U+9FFF),
# Extension A/B and compatibility ideographs are removed; the punctuation kept is this list
# (ASCII space included, but no '\n': line breaks go).
CHINESE = "\u4e00-\u9fa5"
ALPHABET = "A-Za-z"
NUMBER = "0-9"
PUNCTUATION = ".， ,\\-。%《*》/•、&＆(—)（+）：？!！“”·"


def pattern(keep_alphabet: bool, keep_number: bool, keep_punc: bool) -> str:
    kept = CHINESE + (ALPHABET if keep_alphabet else "") + (NUMBER if keep_number else "")
    return f"[^{kept}{PUNCTUATION}]+" if keep_punc else f"[^{kept}]+"


def _prepare(p, where):
    return dict(p, compiled=regex.compile(pattern(p["keep_alphabet"], p["keep_number"], p["keep_punc"]),
                                          flags=regex.DOTALL))


def _apply(texts, p):
    compiled = p["compiled"]
    return [compiled.sub("", t) for t in texts]


declare(Op(
    name="remove_non_chinese_character_mapper", kind="mapper", family=FAMILY,
    doc="Remove every character that is not a Chinese character (U+4E00..U+9FA5), keeping ASCII letters, "
        "digits and common punctuation unless told otherwise.",
    params=(
        Param("keep_alphabet", "bool", True, "Keep ASCII letters A-Z, a-z."),
        Param("keep_number", "bool", True, "Keep ASCII digits 0-9."),
        Param("keep_punc", "bool", True, "Keep Data-Juicer's punctuation list: `.， ,-。%《*》/•、&＆(—)（+）：？!！“”·` "
              "(with the ASCII space)."),
    ),
    apply=_apply, prepare=_prepare,
    notes="Data-Juicer 1.6.1's character classes (a fixture it made, `tests/test_catalogue_text.py`). Only "
          "U+4E00..U+9FA5 count as Chinese: ideographs added later (U+9FA6..U+9FFF, Extension A/B, "
          "compatibility ideographs) are removed, as are full-width letters and digits, '\\n', tabs and "
          "every other space but U+0020. ASCII `:`, `;`, `?`, `'` and `\"` are not in the kept list while "
          "their full-width forms `：`/`？` and the curly quotes `“”` are. An empty text stays empty.",
    examples=(
        Example("remove_non_chinese_character('你好，world! 123 こんにちは')", "你好，world! 123 "),
        Example("remove_non_chinese_character('你好，world! 123', false, false, false)", "你好",
                "keep nothing but Chinese characters"),
    ),
))
