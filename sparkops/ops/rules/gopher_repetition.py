"""gopher_repetition_filter: Gopher's repetition rules (duplicate lines, paragraphs and
n-grams), with datatrove 0.10.1's definitions, order and reason strings."""

from __future__ import annotations

import re

import numpy as np

from sparkops.core import Example, Param, Stat
from sparkops.ops.rules.common import (
    NGRAM_BLOCK, TokenSpans, declare_rule_set, doc_words, duplicates, language_param, ngram_keys, over,
)
from sparkops.text.doc import Doc


TOP_NS = (2, 3, 4)
DUP_NS = (5, 6, 7, 8, 9, 10)
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
_LINE_BREAKS = re.compile(r"\n+")
_SPACE = 32


def top_ngram_chars(words: TokenSpans, n: int, joined=None) -> int | None:
    """Characters of the most frequent word n-gram (joined by ' ') times its count; among equally
    frequent ones the first to occur (datatrove's Counter.most_common(1)). None without n-grams."""
    keys, lengths = ngram_keys(words, n, _SPACE, joined)
    if not len(keys):
        return None
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    best = counts.max()
    at = first[counts == best].min()
    return int(lengths[at]) * int(best)


def duplicate_ngram_chars(words: TokenSpans, n: int, joined=None) -> int:
    """datatrove's find_all_duplicate: scan the n-grams (words joined with no separator) left to
    right; an n-gram seen before adds its characters and the scan jumps n words ahead, else it
    is remembered and the scan moves one word. Only n-grams that occur twice or more can ever
    count or matter, so the scan visits just those positions."""
    keys, lengths = ngram_keys(words, n, None, joined)
    if not len(keys):
        return 0
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    positions = np.flatnonzero(counts[inverse] > 1)
    seen: set[int] = set()
    next_free, total = 0, 0
    for pos, key in zip(positions.tolist(), inverse[positions].tolist()):
        if pos < next_free:  # jumped over
            continue
        if key in seen:
            total += int(lengths[pos])
            next_free = pos + n
        else:
            seen.add(key)
    return total


def gopher_repetition_stats(doc: Doc, p) -> dict:
    text = doc.text
    if not text:
        return dict.fromkeys(GOPHER_REPETITION_KEYS)
    size = len(text)
    # one split at a time: each is a copy of the text (a 50 MB document holds two otherwise)
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    para_count, para_chars, n_paragraphs = *duplicates(paragraphs), len(paragraphs)
    del paragraphs
    lines = _LINE_BREAKS.split(text)
    line_count, line_chars, n_lines = *duplicates(lines), len(lines)
    del lines
    words = doc_words(doc, p["language"])
    out = {
        "gopher_dup_para_frac": para_count / n_paragraphs,
        "gopher_dup_para_char_frac": para_chars / size,
        "gopher_dup_line_frac": line_count / n_lines,
        "gopher_dup_line_char_frac": line_chars / size,
    }
    # the words joined once per separator for all n, where one block holds every n-gram
    small = 0 < len(words) <= NGRAM_BLOCK
    joined = words.joined(_SPACE) if small else None
    for n in TOP_NS:
        chars = top_ngram_chars(words, n, joined)
        out[f"gopher_top_{n}_gram_frac"] = None if chars is None else chars / size
    joined = words.joined(None) if small else None
    for n in DUP_NS:
        out[f"gopher_dup_{n}_gram_frac"] = duplicate_ngram_chars(words, n, joined) / size
    return out


GOPHER_REPETITION_KEYS = (
    "gopher_dup_para_frac", "gopher_dup_para_char_frac", "gopher_dup_line_frac", "gopher_dup_line_char_frac",
    *(f"gopher_top_{n}_gram_frac" for n in TOP_NS), *(f"gopher_dup_{n}_gram_frac" for n in DUP_NS))


def gopher_repetition_reason(s: dict, p) -> str | None:
    if s["gopher_dup_para_frac"] is None:
        return "empty"
    for key, limit, why in (("gopher_dup_para_frac", "dup_para_frac", "dup_para_frac"),
                            ("gopher_dup_para_char_frac", "dup_para_char_frac", "dup_para_char_frac"),
                            ("gopher_dup_line_frac", "dup_line_frac", "dup_line_frac"),
                            ("gopher_dup_line_char_frac", "dup_line_char_frac", "dup_line_char_frac")):
        if over(s[key], p[limit]):
            return why
    for n, limit in p["top_n_grams"]:
        value = s[f"gopher_top_{n}_gram_frac"]
        if value is not None and value > limit:  # datatrove: no truthiness check here
            return f"top_{n}_gram"
    for n, limit in p["dup_n_grams"]:
        if s[f"gopher_dup_{n}_gram_frac"] > limit:
            return f"duplicated_{n}_n_grams"
    return None


def _ngram_limits(allowed):
    def check(pairs) -> str | None:
        bad = [n for n, _ in pairs if n not in allowed]
        return f"has n = {bad}: the statistics exist for n in {list(allowed)}" if bad else None

    return check


declare_rule_set(
    name="gopher_repetition_filter", sql_name="gopher_repetition",
    doc="Gopher's repetition rules (Rae et al. 2021, Table A1, as datatrove's GopherRepetitionFilter): "
        "duplicate paragraphs and lines, the most frequent word 2-4-grams, duplicate word 5-10-grams.",
    params=(
        Param("dup_line_frac", "float", 0.3, "Drop documents where more lines than this repeat an earlier "
              "line.", nullable=True),
        Param("dup_para_frac", "float", 0.3, "... more paragraphs than this repeat an earlier one.",
              nullable=True),
        Param("dup_line_char_frac", "float", 0.2, "... repeated lines hold more than this share of the "
              "characters.", nullable=True),
        Param("dup_para_char_frac", "float", 0.2, "... repeated paragraphs hold more than this share of the "
              "characters.", nullable=True),
        Param("top_n_grams", "list[(int,float)]", [[2, 0.2], [3, 0.18], [4, 0.16]], "[n, max share] pairs: "
              "drop documents whose most frequent word n-gram covers more than that share of the "
              "characters (n in 2..4).", check=_ngram_limits(TOP_NS)),
        Param("dup_n_grams", "list[(int,float)]",
              [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.10]],
              "[n, max share] pairs: drop documents whose repeated word n-grams cover more than that "
              "share of the characters (n in 5..10).", check=_ngram_limits(DUP_NS)),
        language_param(),
    ),
    stats=(
        Stat("gopher_dup_para_frac", "double", "Paragraphs (text.strip() split at 2+ newlines) repeating an "
             "earlier one / paragraphs; null for empty text (as every statistic here)."),
        Stat("gopher_dup_para_char_frac", "double", "Characters of those paragraphs / len(text)."),
        Stat("gopher_dup_line_frac", "double", "Lines (split at newline runs) repeating an earlier one / lines."),
        Stat("gopher_dup_line_char_frac", "double", "Characters of those lines / len(text)."),
        *(Stat(f"gopher_top_{n}_gram_frac", "double", f"Characters of the most frequent word {n}-gram "
               f"(joined by spaces) x its count / len(text); null with fewer than {n} words.") for n in TOP_NS),
        *(Stat(f"gopher_dup_{n}_gram_frac", "double", f"Characters of repeated word {n}-grams (joined "
               "without spaces, counted by datatrove's left-to-right scan) / len(text).") for n in DUP_NS),
    ),
    stats_of=gopher_repetition_stats,
    reason=gopher_repetition_reason,
    notes="Rules are checked in datatrove's order (paragraphs, lines, top n-grams, duplicate n-grams); the "
          "first that fails is the reason (`sparkops.ops.rules.gopher_repetition.gopher_repetition_reason`: `empty`, "
          "`dup_para_frac`, ... `top_2_gram`, ... `duplicated_5_n_grams`, ...). Empty text is dropped "
          "(`empty`).",
    examples=(
        Example("gopher_repetition('hello world\\nhello world\\nbye')",
                {"gopher_dup_para_frac": 0.0, "gopher_dup_line_frac": 1 / 3, "gopher_dup_line_char_frac": 11 / 27,
                 "gopher_top_2_gram_frac": 22 / 27, "gopher_top_4_gram_frac": 23 / 27,
                 "gopher_dup_5_gram_frac": 0.0},
                "27 characters; 'hello world' twice; the two 4-grams occur once each and the first counts"),
        Example("gopher_repetition('a b c d e a b c d e')",
                {"gopher_top_2_gram_frac": 6 / 19, "gopher_dup_5_gram_frac": 5 / 19, "gopher_dup_6_gram_frac": 0.0},
                "the 5-gram 'abcde' (joined without spaces) repeats"),
        Example("gopher_repetition('one\\n\\none\\n\\ntwo')",
                {"gopher_dup_para_frac": 1 / 3, "gopher_dup_para_char_frac": 3 / 13, "gopher_top_3_gram_frac": 11 / 13,
                 "gopher_top_4_gram_frac": None},
                "three words: no 4-gram"),
        Example("gopher_repetition('')", {"gopher_dup_para_frac": None, "gopher_dup_5_gram_frac": None}),
    ),
)
