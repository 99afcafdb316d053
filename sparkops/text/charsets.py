"""Character classes with Data-Juicer's exact membership, as code-point lookup tables.

Data-Juicer's "special characters" (ops/common/special_characters.py) are ASCII punctuation,
digits and whitespace, a hand-picked list of other symbols (it includes CJK 一, 上, 士 and
Cyrillic Г, and several C1 control characters), and every single-code-point emoji of the
``emoji`` package (2.2.0, the version Data-Juicer 1.6.1 installs; multi-code-point emoji never
match a single character, so only single code points matter). Digits and whitespace count as
special: that is Data-Juicer's definition and we keep it.

The tables are numpy boolean arrays indexed by code point, so a whole document is classified
with one vectorised lookup instead of a Python loop over characters. ``refined_spans`` scans
them in C where a compiler is present (``sparkops/native/spans.c``, the same spans; the numpy
code is the reference and the fallback).
"""

from __future__ import annotations

import re
import string
from typing import Iterable

import emoji
import numpy as np

from sparkops.text.hashing import native_spans

MAX_CODE_POINT = 0x110000

_OTHER_SPECIAL = (
    "\u0020\u0081\u0082\u0083\u0084\u0085\u0091\u0092\u0093\u0095\u0096\u0097\u0098\u0099\u009c\u009d"
    "\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ad\u00ae\u00af\u00b0\u00b1"
    "\u00b2\u00b3\u00b4\u00b7\u00b8\u00b9\u00ba\u00bb\u00bc\u00bd\u00be\u00bf\u00d7\u00f7\u00f8\u0131"
    "\u026a\u02ba\u02bb\u02bc\u02c8\u02cc\u02d0\u02d8\u02da\u02dc\u03c0\u0413\u060c\u0647\u066a\u066c"
    "\u06e9\u093e\u0940\u0947\u094d\u097d\u09be\u0e51\u2002\u2003\u2005\u2008\u2009\u200a\u200b\u2010"
    "\u2011\u2013\u2014\u2015\u2016\u2018\u2019\u201a\u201c\u201d\u201e\u201f\u2020\u2022\u2024\u2026"
    "\u202f\u2030\u2032\u2033\u2039\u203a\u203f\u2043\u2044\u20a8\u20aa\u20ac\u2103\u2122\u2190\u2191"
    "\u2192\u2193\u21d3\u2206\u2208\u2212\u221a\u221e\u221f\u223c\u2248\u2256\u2264\u2265\u2295\u22c5"
    "\u2550\u25a0\u25ac\u25b2\u25b4\u25b7\u25ba\u25bb\u25bc\u25c6\u25cf\u25e6\u2605\u2606\u261b\u263b"
    "\u2661\u2665\u266b\u2713\u2726\u2731\u2756\u27a4\u27a9\u2800\u3000\u3001\u3002\u300a\u300b\u300c"
    "\u300d\u3010\u3011\u309c\u30b7\u30c3\u30c4\u30f3\u30fb\u30fc\u4e00\u4e0a\u58eb\ufd3e\ufd3f\ufeff"
    "\uff01\uff08\uff09\uff0c\uff0e\uff11\uff1a\uff1b\uff1f\uff3e\uff5e\ufffc\ufffd"
)

SPECIAL_CHARACTERS: frozenset[str] = frozenset(
    set(string.punctuation + string.digits + string.whitespace + _OTHER_SPECIAL)
    | {e for e in emoji.EMOJI_DATA if len(e) == 1}
)

# Data-Juicer's whitespace_normalization_mapper replaces these with ' ' (after str.strip()).
# Note: '\n', '\r', '\x0b' and '\x0c' are *not* in the set; U+0084 and U+FFFC are.
VARIOUS_WHITESPACES: frozenset[str] = frozenset(
    chr(c) for c in (0x20, 0x09, 0xA0, 0x84, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
                     0x2007, 0x2008, 0x2009, 0x200A, 0x200B, 0x200C, 0x200D, 0x202F, 0x205F, 0x2060,
                     0x3000, 0xFFFC)
)


def predicate_table(pred) -> np.ndarray:
    """``pred(character)`` for every code point, as a lookup table."""
    table = np.zeros(MAX_CODE_POINT, dtype=np.bool_)
    for cp in range(MAX_CODE_POINT):
        if pred(chr(cp)):
            table[cp] = True
    return table


def member_table(chars) -> np.ndarray:
    """Membership in a set of characters, as a lookup table."""
    table = np.zeros(MAX_CODE_POINT, dtype=np.bool_)
    table[[ord(c) for c in chars]] = True
    return table


# str.isalnum over all of Unicode once (a 1.1 MB table built at import, once per Python
# worker, docs/decisions/tables-per-process.md); exact by construction.
IS_ALNUM: np.ndarray = predicate_table(str.isalnum)
IS_SPECIAL: np.ndarray = member_table(SPECIAL_CHARACTERS)


def count_in(table: np.ndarray, code_points: np.ndarray) -> int:
    """How many of the code points ``table`` marks (the C kernel's count where there is one)."""
    kernel = native_spans()
    if kernel is not None:
        count = kernel.table_count(code_points, table)
        if count is not None:
            return count
    return int(np.count_nonzero(table[code_points]))


_SPAN_CHUNK = 1 << 22  # characters per step: bounds the index temporaries on huge texts


def refined_spans(code_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets (int64) of Data-Juicer's refined words.

    A word is a run of characters between separators (' ', '\\n', '\\t'); refining strips
    special characters from both ends and drops words left empty. So each token that holds a
    non-special character yields the span from its first to its last non-special character
    (separators are special, so such spans never cross a token boundary).
    """
    kernel = native_spans()
    if kernel is not None:
        spans = kernel.refined_spans(code_points, IS_SPECIAL)
        if spans is not None:
            return spans
    return _refined_spans_numpy(code_points)


def _refined_spans_numpy(code_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``refined_spans`` vectorised. Long texts are cut into chunks at separators, so
    temporaries stay O(chunk) and the result O(#words)."""
    n = len(code_points)
    if n <= _SPAN_CHUNK:
        return _spans(code_points)
    is_sep = _separators(code_points)
    starts, ends, a = [], [], 0
    while a < n:
        b = min(n, a + _SPAN_CHUNK)
        if b < n:
            after = np.flatnonzero(is_sep[b:b + _SPAN_CHUNK])  # cut just after a separator
            b = b + int(after[0]) + 1 if after.size else b + min(_SPAN_CHUNK, n - b)
            while b < n and not is_sep[b - 1]:  # a token longer than a chunk: extend to its end
                more = np.flatnonzero(is_sep[b:b + _SPAN_CHUNK])
                b = b + int(more[0]) + 1 if more.size else min(n, b + _SPAN_CHUNK)
        s, e = _spans(code_points[a:b])
        starts.append(s + a)
        ends.append(e + a)
        a = b
    return np.concatenate(starts), np.concatenate(ends)


def _separators(code_points: np.ndarray) -> np.ndarray:
    return (code_points == 32) | (code_points == 10) | (code_points == 9)


def _spans(code_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    plain = np.flatnonzero(~IS_SPECIAL[code_points])
    if plain.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    token = np.cumsum(_separators(code_points), dtype=np.int32)[plain]
    first = np.flatnonzero(token[1:] != token[:-1]) + 1  # positions in `plain` opening a token
    starts = plain[np.concatenate(([0], first))]
    ends = plain[np.concatenate((first - 1, [plain.size - 1]))] + 1
    return starts, ends


def regex_class(chars: Iterable[int | str]) -> str:
    """A regex character class (``re``) matching exactly ``chars`` (code points or characters),
    consecutive code points written as ranges."""
    cps, parts, i = sorted({c if isinstance(c, int) else ord(c) for c in chars}), [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        a, b = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        parts.append(a if i == j else f"{a}-{b}")
        i = j + 1
    return "[" + "".join(parts) + "]"
