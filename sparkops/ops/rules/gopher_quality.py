"""gopher_quality_filter: Gopher's quality rules (MassiveText), with datatrove 0.10.1's
definitions, order and reason strings."""

from __future__ import annotations

import numpy as np

from sparkops.core import Example, Param, Stat
from sparkops.ops.rules.common import (
    alpha_table, declare_rule_set, doc_words, language_param, over, ratio, symbol_table, under,
)
from sparkops.text.doc import Doc
from sparkops.text.hashing import span_hashes, string_hashes


GOPHER_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


def gopher_quality_stats(doc: Doc, p) -> dict:
    text = doc.text
    words = doc_words(doc, p["language"])
    n_words = len(words)
    symbol_chars = words.count_in(symbol_table())
    lengths = words.lengths()
    content = symbol_chars < lengths  # a word with a character outside the punctuation sets
    n_content = int(np.count_nonzero(content))
    lines = doc.lines
    stop_found = 0
    if n_words and len(p["stop_hashes"]):
        stop_found = int(np.count_nonzero(np.isin(p["stop_hashes"], span_hashes(words.points, words.starts,
                                                                                  words.ends))))
    return {
        "gopher_words": n_content,
        "gopher_avg_word_length": float(lengths[content].mean()) if n_content else None,
        "gopher_hash_ratio": ratio(text.count("#"), n_words),
        "gopher_ellipsis_ratio": ratio(text.count("...") + text.count("…"), n_words),
        "gopher_bullet_lines_ratio": ratio(
            sum(1 for s in lines if s.lstrip().startswith(("•", "-"))), len(lines)),
        "gopher_ellipsis_lines_ratio": ratio(
            sum(1 for s in lines if s.rstrip().endswith(("...", "…"))), len(lines)),
        "gopher_alpha_words_ratio": ratio(int(np.count_nonzero(words.count_in(alpha_table()))), n_words),
        "gopher_stop_words": stop_found,
    }


# (rule broken?, statistic, limit parameter, datatrove's reason), in datatrove's order
_GOPHER_QUALITY_RULES = (
    (under, "gopher_words", "min_doc_words", "gopher_short_doc"),
    (over, "gopher_words", "max_doc_words", "gopher_long_doc"),
    (under, "gopher_avg_word_length", "min_avg_word_length", "gopher_below_avg_threshold"),
    (over, "gopher_avg_word_length", "max_avg_word_length", "gopher_above_avg_threshold"),
    (over, "gopher_hash_ratio", "max_symbol_word_ratio", "gopher_too_many_hashes"),
    (over, "gopher_ellipsis_ratio", "max_symbol_word_ratio", "gopher_too_many_ellipsis"),
    (over, "gopher_bullet_lines_ratio", "max_bullet_lines_ratio", "gopher_too_many_bullets"),
    (over, "gopher_ellipsis_lines_ratio", "max_ellipsis_lines_ratio", "gopher_too_many_end_ellipsis"),
    (under, "gopher_alpha_words_ratio", "max_non_alpha_words_ratio", "gopher_below_alpha_threshold"),
    # datatrove's name for *too few* stop words
    (under, "gopher_stop_words", "min_stop_words", "gopher_enough_stop_words"),
)


def gopher_quality_reason(s: dict, p) -> str | None:
    for broken, key, limit, why in _GOPHER_QUALITY_RULES:
        if broken(s[key], p[limit]):
            return why
    return None


def _gopher_quality_prepare(p, where):
    words = GOPHER_STOP_WORDS if p["stop_words"] is None else p["stop_words"]
    return dict(p, stop_hashes=np.unique(string_hashes(sorted(set(words)))))


declare_rule_set(
    name="gopher_quality_filter", sql_name="gopher_quality",
    doc="Gopher's quality rules (Rae et al. 2021, as datatrove's GopherQualityFilter): word count, mean "
        "word length, '#' and ellipsis per word, bullet and ellipsis lines, words with a letter, stop words.",
    params=(
        Param("min_doc_words", "int", 50, "Drop documents with fewer words (words with a character "
              "outside the punctuation sets); null or 0 disables.", nullable=True),
        Param("max_doc_words", "int", 100000, "Drop documents with more such words.", nullable=True),
        Param("min_avg_word_length", "float", 3, "Drop documents whose mean word length is below this.",
              nullable=True),
        Param("max_avg_word_length", "float", 10, "Drop documents whose mean word length is above this.",
              nullable=True),
        Param("max_symbol_word_ratio", "float", 0.1, "Drop documents with more '#', or more '...'/'…', "
              "per word than this.", nullable=True),
        Param("max_bullet_lines_ratio", "float", 0.9, "Drop documents where more lines than this start "
              "with '•' or '-'.", nullable=True),
        Param("max_ellipsis_lines_ratio", "float", 0.3, "Drop documents where more lines than this end "
              "with '...' or '…'.", nullable=True),
        Param("max_non_alpha_words_ratio", "float", 0.8, "Drop documents where fewer words than this "
              "share hold a letter (datatrove's name; it is a minimum).", nullable=True),
        Param("min_stop_words", "int", 2, "Drop documents holding fewer distinct stop words.", nullable=True),
        Param("stop_words", "list[str]", None, "Stop words (case-sensitive); default: the, be, to, of, "
              "and, that, have, with.", nullable=True),
        language_param(),
    ),
    stats=(
        Stat("gopher_words", "long", "Words (spaCy tokens) with a character outside datatrove's "
             "punctuation sets."),
        Stat("gopher_avg_word_length", "double", "Mean length of those words; null without any."),
        Stat("gopher_hash_ratio", "double", "'#' characters / all words (tokens); null without words."),
        Stat("gopher_ellipsis_ratio", "double", "('...' + '…' occurrences) / all words; null without words."),
        Stat("gopher_bullet_lines_ratio", "double", "Lines (str.splitlines) starting with '•' or '-' "
             "after leading whitespace / lines; null for empty text."),
        Stat("gopher_ellipsis_lines_ratio", "double", "Lines ending with '...' or '…' before trailing "
             "whitespace / lines; null for empty text."),
        Stat("gopher_alpha_words_ratio", "double", "Words holding a letter (str.isalpha) / all words; "
             "null without words."),
        Stat("gopher_stop_words", "long", "Distinct stop words among the words (case-sensitive)."),
    ),
    stats_of=gopher_quality_stats,
    prepare=_gopher_quality_prepare, reason=gopher_quality_reason,
    notes="Rules are checked in datatrove's order; the first that fails is the reason "
          "(`sparkops.ops.rules.gopher_quality.gopher_quality_reason`: `gopher_short_doc`, `gopher_long_doc`, "
          "`gopher_below_avg_threshold`, ... `gopher_enough_stop_words`). A rule whose statistic is null "
          "(no words, no lines) does not reject: datatrove would divide by zero there.",
    examples=(
        Example("gopher_quality('The cat and the dog.')",
                {"gopher_words": 5, "gopher_avg_word_length": 3.0, "gopher_hash_ratio": 0.0,
                 "gopher_alpha_words_ratio": 5 / 6, "gopher_stop_words": 2},
                "6 tokens, of which '.' is punctuation only; stop words 'the' and 'and'"),
        Example("gopher_quality('Read more...\\n- one\\n- two')",
                {"gopher_words": 4, "gopher_avg_word_length": 3.5, "gopher_ellipsis_ratio": 1 / 7,
                 "gopher_bullet_lines_ratio": 2 / 3, "gopher_ellipsis_lines_ratio": 1 / 3,
                 "gopher_alpha_words_ratio": 4 / 7, "gopher_stop_words": 0},
                "tokens Read, more, ..., -, one, -, two"),
        Example("gopher_quality('')", {"gopher_words": 0, "gopher_avg_word_length": None,
                                       "gopher_hash_ratio": None, "gopher_bullet_lines_ratio": None},
                "no words, no lines: the ratios are null"),
    ),
)

GOPHER_QUALITY_KEYS = ("gopher_words", "gopher_avg_word_length", "gopher_hash_ratio", "gopher_ellipsis_ratio",
                       "gopher_bullet_lines_ratio", "gopher_ellipsis_lines_ratio", "gopher_alpha_words_ratio",
                       "gopher_stop_words")
