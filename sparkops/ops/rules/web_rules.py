"""The heuristic rule sets of Gopher, C4 and FineWeb, with datatrove 0.10.1's definitions.

datatrove (the library FineWeb was built with) is where web-data people meet these rules, so
the operators take its parameter names and defaults and reject exactly the documents it
rejects, for the same reason (``reason(stats, params)`` returns datatrove's reason string).
Each rule set is one filter whose statistics land in the ``stats`` struct, so a decision can
be explained and a threshold explored before a job commits to it; its SQL function returns
them all as a struct (``gopher_quality(text).gopher_words``).

Words are datatrove's: spaCy tokens of the document's language (``spacy_words``). The rules
run on token *spans* of the text, never on a list of word strings: lengths, character classes
and n-gram keys are numpy operations over code points (``sparkops.text.hashing``), so a
document costs one spaCy tokenization and a few array passes, whatever the number of rules.
n-grams are compared by 64-bit hashes of their text (two distinct n-grams of one document
collide with probability about 2**-64 per pair).

What datatrove leaves undefined we define, and say so in the stat docs: a rule whose
denominator is zero (no words, no lines) has a null statistic and does not reject (datatrove
divides by zero there, or compares NaN, which never rejects).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from sparkops.models import spacy_blank
from sparkops.text import spacy_words
from sparkops.text.charsets import MAX_CODE_POINT, member_table, predicate_table
from sparkops.text.doc import Doc
from sparkops.text.hashing import span_hashes, string_hashes
from sparkops.core import Example, Op, OpError, Param, Stat, declare

FAMILY = "rules"

# --------------------------------------------------------------------------- character sets

# datatrove's PUNCTUATION: ASCII punctuation, the C0 controls but tab and line feed, DEL and
# the C1 controls, and these typographic / full-width marks
_WIDE_PUNCTUATION = "—”％１〈、━【「」，】；“《„’∶´．（–？！：～«〉》）。…►»"
_CONTROLS = [c for c in range(0, 32) if c not in (9, 10)] + list(range(127, 160))
PUNCTUATION = frozenset(
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + _WIDE_PUNCTUATION + "".join(map(chr, _CONTROLS)))

# datatrove's TERMINAL_PUNCTUATION is Unicode's Sentence_Terminal property, as the regex
# module installed here knows it, without these 16 characters (the property gained them in a
# Unicode version newer than datatrove's list) and with three Khmer signs; a parity test
# compares the set with datatrove's own
_NEWER_STERM = {0x1B4E, 0x1B4F, 0x1B7F, 0x2024, 0x2CF9, 0x2CFA, 0x2CFB, 0x2E60, 0x2E61, 0xFE12, 0xFE15,
                0xFE16, 0x113D4, 0x113D5, 0x16D6E, 0x16D6F}
_KHMER_TERMINALS = {0x17D6, 0x17D9, 0x17DA}


@lru_cache(maxsize=1)
def terminal_punctuation() -> frozenset[str]:
    import regex

    sterm = regex.compile(r"\p{Sentence_Terminal}")
    found = {cp for cp in range(MAX_CODE_POINT) if sterm.match(chr(cp))}
    return frozenset(chr(cp) for cp in (found - _NEWER_STERM) | _KHMER_TERMINALS)


@lru_cache(maxsize=1)
def _symbol_table() -> np.ndarray:
    """Characters that make a word a 'symbol word' when it has nothing else (Gopher)."""
    return member_table(PUNCTUATION | terminal_punctuation())


@lru_cache(maxsize=1)
def _alpha_table() -> np.ndarray:
    return predicate_table(str.isalpha)  # built on first use: most workers never need it


# --------------------------------------------------------------------------- words as spans


class TokenSpans:
    """A text's datatrove words as (start, end) code-point offsets, plus their code points."""

    __slots__ = ("points", "starts", "ends")

    def __init__(self, points: np.ndarray, starts: np.ndarray, ends: np.ndarray):
        self.points, self.starts, self.ends = points, starts, ends


    def __len__(self) -> int:
        return len(self.starts)

    def part(self, a: int, b: int) -> "TokenSpans":
        return TokenSpans(self.points, self.starts[a:b], self.ends[a:b])

    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def count_in(self, table: np.ndarray) -> np.ndarray:
        """Per word, how many of its characters are in ``table``."""
        if not len(self.starts):
            return np.zeros(0, dtype=np.int64)
        member = np.append(table[self.points], False)  # room for a word ending at the text's end
        bounds = np.empty(2 * len(self.starts), dtype=np.int64)
        bounds[0::2], bounds[1::2] = self.starts, self.ends
        # sums over [start, end) of each word (the odd slots sum the gaps between words)
        return np.add.reduceat(member, bounds, dtype=np.int64)[0::2]

    def joined(self, separator: int | None):
        """The words concatenated (with one ``separator`` code point between them, or none),
        as code points, with each word's offsets in the result."""
        lengths = self.lengths()
        gap = 0 if separator is None else 1
        new_starts = np.zeros(len(lengths), dtype=np.int64)
        if len(lengths) > 1:
            np.cumsum(lengths[:-1] + gap, out=new_starts[1:])
        new_ends = new_starts + lengths
        out = np.full(int(new_ends[-1]) if len(lengths) else 0, separator or 0, dtype=np.uint32)
        # the words' characters, in order: source positions in the text, then their destinations
        before = np.cumsum(lengths) - lengths
        source = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(self.starts - before, lengths)
        out[source + np.repeat(new_starts - self.starts, lengths)] = self.points[source]
        return out, new_starts, new_ends


def doc_words(doc: Doc, language: str) -> TokenSpans:
    """The document's spaCy words, computed once per document for every rule set."""
    key = ("spacy_words", spacy_blank.spacy_code(language))
    # the Doc's code points: other operators of the pass may have made them already
    return doc.shared(key, lambda: TokenSpans(doc.code_points, *spacy_words.spans(doc.text, language)))


_BLOCK = 1 << 18  # n-grams keyed per step: temporaries grow with the block, not the document


def ngram_keys(words: TokenSpans, n: int, separator: int | None):
    """One 64-bit key per word n-gram (its text joined as datatrove joins it) and its length.

    Blocks of n-grams are keyed one at a time, each from its own words joined, so a 50 MB
    document never has a joined copy of all its words (and its index arrays) at once."""
    m = len(words) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    keys = np.empty(m, dtype=np.uint64)
    lengths = np.empty(m, dtype=words.starts.dtype)
    for a in range(0, m, _BLOCK):
        b = min(m, a + _BLOCK)
        points, starts, ends = words.part(a, b + n - 1).joined(separator)
        s, e = starts[:b - a], ends[n - 1:]
        keys[a:b] = span_hashes(points, s, e)
        lengths[a:b] = e - s
    return keys, lengths


# --------------------------------------------------------------------------- shared pieces


def _language_param() -> Param:
    return Param("language", "str", "en", "Language of the word tokenizer: a spaCy language code "
                 "(datatrove's 'eng' / 'eng_Latn' mean en).", check=_tokenizer_ok)


def _tokenizer_ok(language: str) -> str | None:
    problem = spacy_blank.check_language(language)
    return f"has no tokenizer: {problem}" if problem else None


def _duplicates(items: list[str]) -> tuple[int, int]:
    """How many items repeat an earlier one, and their characters (datatrove's counting)."""
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


def _ratio(num, den):
    return num / den if den else None


def _over(value, limit) -> bool:
    """datatrove's `if limit and value > limit`: a 0/None limit disables the rule."""
    return bool(limit) and value is not None and value > limit


def _under(value, limit) -> bool:
    return bool(limit) and value is not None and value < limit


def _batch(stats_of, keys):
    """A batch kernel from a per-document statistics function."""

    def compute(docs, p):
        rows = [stats_of(d, p) for d in docs]
        return {k: [r[k] for r in rows] for k in keys}

    return compute


def _declare_rule_set(*, name, sql_name, doc, params, stats, stats_of, reason, sql_params=("language",),
                      notes="", prepare=None, extra_fields=(), examples=()):
    """A rule-set filter: ``stats_of(doc, params)`` gives a document's statistics (and, for a
    filter that rewrites text, its new text); a row is kept when ``reason`` finds no rule
    that rejects it."""
    compute = _batch(stats_of, [s.key for s in stats] + [key for _, key in extra_fields])
    return declare(Op(
        name=name, kind="filter", family=FAMILY, doc=doc, params=params, stats=stats, compute=compute,
        reason=reason, prepare=prepare, sql_name=sql_name, sql_params=sql_params,
        sql_fields=tuple((s.key, s.key) for s in stats) + extra_fields, notes=notes,
        rewrites_text=bool(extra_fields), requires=("rules",), models=("spaCy blank pipeline (tokenizer rules)",),
        examples=examples,
    ))


# --------------------------------------------------------------------------- Gopher quality

GOPHER_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


def gopher_quality_stats(doc: Doc, p) -> dict:
    text = doc.text
    words = doc_words(doc, p["language"])
    n_words = len(words)
    symbol_chars = words.count_in(_symbol_table())
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
        "gopher_hash_ratio": _ratio(text.count("#"), n_words),
        "gopher_ellipsis_ratio": _ratio(text.count("...") + text.count("…"), n_words),
        "gopher_bullet_lines_ratio": _ratio(
            sum(1 for s in lines if s.lstrip().startswith(("•", "-"))), len(lines)),
        "gopher_ellipsis_lines_ratio": _ratio(
            sum(1 for s in lines if s.rstrip().endswith(("...", "…"))), len(lines)),
        "gopher_alpha_words_ratio": _ratio(int(np.count_nonzero(words.count_in(_alpha_table()))), n_words),
        "gopher_stop_words": stop_found,
    }


# (rule broken?, statistic, limit parameter, datatrove's reason), in datatrove's order
_GOPHER_QUALITY_RULES = (
    (_under, "gopher_words", "min_doc_words", "gopher_short_doc"),
    (_over, "gopher_words", "max_doc_words", "gopher_long_doc"),
    (_under, "gopher_avg_word_length", "min_avg_word_length", "gopher_below_avg_threshold"),
    (_over, "gopher_avg_word_length", "max_avg_word_length", "gopher_above_avg_threshold"),
    (_over, "gopher_hash_ratio", "max_symbol_word_ratio", "gopher_too_many_hashes"),
    (_over, "gopher_ellipsis_ratio", "max_symbol_word_ratio", "gopher_too_many_ellipsis"),
    (_over, "gopher_bullet_lines_ratio", "max_bullet_lines_ratio", "gopher_too_many_bullets"),
    (_over, "gopher_ellipsis_lines_ratio", "max_ellipsis_lines_ratio", "gopher_too_many_end_ellipsis"),
    (_under, "gopher_alpha_words_ratio", "max_non_alpha_words_ratio", "gopher_below_alpha_threshold"),
    # datatrove's name for *too few* stop words
    (_under, "gopher_stop_words", "min_stop_words", "gopher_enough_stop_words"),
)


def gopher_quality_reason(s: dict, p) -> str | None:
    for broken, key, limit, why in _GOPHER_QUALITY_RULES:
        if broken(s[key], p[limit]):
            return why
    return None


def _gopher_quality_prepare(p, where):
    words = GOPHER_STOP_WORDS if p["stop_words"] is None else p["stop_words"]
    return dict(p, stop_hashes=np.unique(string_hashes(sorted(set(words)))))


_declare_rule_set(
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
        _language_param(),
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
          "(`sparkops.ops.rules.web_rules.gopher_quality_reason`: `gopher_short_doc`, `gopher_long_doc`, "
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




# --------------------------------------------------------------------------- Gopher repetition

TOP_NS = (2, 3, 4)
DUP_NS = (5, 6, 7, 8, 9, 10)
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
_LINE_BREAKS = re.compile(r"\n+")
_SPACE = 32


def top_ngram_chars(words: TokenSpans, n: int) -> int | None:
    """Characters of the most frequent word n-gram (joined by ' ') times its count; among equally
    frequent ones the first to occur (datatrove's Counter.most_common(1)). None without n-grams."""
    keys, lengths = ngram_keys(words, n, _SPACE)
    if not len(keys):
        return None
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    best = counts.max()
    at = first[counts == best].min()
    return int(lengths[at]) * int(best)


def duplicate_ngram_chars(words: TokenSpans, n: int) -> int:
    """datatrove's find_all_duplicate: scan the n-grams (words joined with no separator) left to
    right; an n-gram seen before adds its characters and the scan jumps n words ahead, else it
    is remembered and the scan moves one word. Only n-grams that occur twice or more can ever
    count or matter, so the scan visits just those positions."""
    keys, lengths = ngram_keys(words, n, None)
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
    para_count, para_chars, n_paragraphs = *_duplicates(paragraphs), len(paragraphs)
    del paragraphs
    lines = _LINE_BREAKS.split(text)
    line_count, line_chars, n_lines = *_duplicates(lines), len(lines)
    del lines
    words = doc_words(doc, p["language"])
    out = {
        "gopher_dup_para_frac": para_count / n_paragraphs,
        "gopher_dup_para_char_frac": para_chars / size,
        "gopher_dup_line_frac": line_count / n_lines,
        "gopher_dup_line_char_frac": line_chars / size,
    }
    for n in TOP_NS:
        chars = top_ngram_chars(words, n)
        out[f"gopher_top_{n}_gram_frac"] = None if chars is None else chars / size
    for n in DUP_NS:
        out[f"gopher_dup_{n}_gram_frac"] = duplicate_ngram_chars(words, n) / size
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
        if _over(s[key], p[limit]):
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


_declare_rule_set(
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
        _language_param(),
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
          "first that fails is the reason (`sparkops.ops.rules.web_rules.gopher_repetition_reason`: `empty`, "
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


# --------------------------------------------------------------------------- C4 quality

_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
_END_PUNCTUATION = (".", "?", "!", '"', "'")
_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")


def c4_stats(doc: Doc, p) -> dict:
    """Walk the lines as datatrove's C4QualityFilter does: drop lines by the line rules, stop at
    the first kept-so-far line that condemns the whole document, count sentences of kept lines."""
    language = p["language"]
    units = doc.text.splitlines() if p["split_paragraph"] else spacy_words.sentences(doc.text, language)
    count_sentences = p["min_num_sentences"] != -1
    sentences, kept, flag = 0, [], None
    for unit in units:
        line = unit.strip()
        words = line.split()
        if p["max_word_length"] != -1 and any(len(w) > p["max_word_length"] for w in words):
            continue
        if p["remove_citations"]:
            line = _CITATION.sub("", line)
        if p["filter_no_terminal_punct"] and (not line.endswith(_END_PUNCTUATION) or line.endswith("...")):
            continue
        if len(words) < p["min_words_per_line"]:
            continue
        lower = line.lower()
        if p["filter_lorem_ipsum"] and "lorem ipsum" in lower:
            flag = "lorem_ipsum"
            break
        if p["filter_javascript"] and "javascript" in lower:
            continue
        if p["filter_curly_bracket"] and "{" in line:
            flag = "curly_bracket"
            break
        if p["filter_policy"] and any(phrase in lower for phrase in _POLICY):
            continue
        if count_sentences:
            sentences += spacy_words.sentence_count(line, language) if p["split_paragraph"] else 1
        kept.append(line)
    joiner = "\n" if p["split_paragraph"] else " "
    return {
        "c4_lines": len(units),
        "c4_lines_kept": len(kept),
        "c4_sentences": sentences if count_sentences else None,
        "c4_doc_flag": flag,
        "text": None if flag else joiner.join(kept).strip(),
    }


C4_KEYS = ("c4_lines", "c4_lines_kept", "c4_sentences", "c4_doc_flag", "text")


def c4_reason(s: dict, p) -> str | None:
    if s["c4_doc_flag"]:
        return s["c4_doc_flag"]
    if s["c4_sentences"] is not None and s["c4_sentences"] < p["min_num_sentences"]:
        return "too_few_sentences"
    return None


_declare_rule_set(
    name="c4_quality_filter", sql_name="c4_quality",
    doc="C4's heuristics (Raffel et al. 2020, as datatrove's C4QualityFilter): drops lines without "
        "terminal punctuation, with too few words, a too long word, 'javascript' or cookie/terms-of-use "
        "phrases; drops documents with 'lorem ipsum', a curly bracket or too few sentences. **Rewrites "
        "the text** of the documents it keeps to their kept lines.",
    params=(
        Param("split_paragraph", "bool", True, "Apply the line rules to lines (C4); false: to spaCy sentences, "
              "kept ones joined by spaces."),
        Param("remove_citations", "bool", True, "Remove Wikipedia-style citations: [1], [edit], "
              "[citation needed]."),
        Param("filter_no_terminal_punct", "bool", True, "Drop lines not ending in . ? ! \" ' (or ending "
              "in '...')."),
        Param("min_num_sentences", "int", 5, "Drop documents whose kept lines hold fewer spaCy sentences; "
              "-1 disables (and skips the counting)."),
        Param("min_words_per_line", "int", 3, "Drop lines with fewer whitespace-separated words; -1 "
              "disables."),
        Param("max_word_length", "int", 1000, "Drop lines with a longer word; -1 disables."),
        Param("filter_lorem_ipsum", "bool", True, "Drop documents with 'lorem ipsum' in a kept line."),
        Param("filter_javascript", "bool", True, "Drop lines mentioning 'javascript'."),
        Param("filter_curly_bracket", "bool", True, "Drop documents with '{' in a kept line."),
        Param("filter_policy", "bool", True, "Drop lines with cookie or terms-of-use phrases."),
        _language_param(),
    ),
    stats=(
        Stat("c4_lines", "long", "Lines (or sentences) the rules looked at."),
        Stat("c4_lines_kept", "long", "Lines kept, up to a document-level flag."),
        Stat("c4_sentences", "long", "spaCy sentences in the kept lines; null when min_num_sentences is -1."),
        Stat("c4_doc_flag", "string", "lorem_ipsum or curly_bracket when a kept line condemns the document."),
    ),
    stats_of=c4_stats,
    reason=c4_reason,
    sql_params=("split_paragraph", "remove_citations", "filter_no_terminal_punct", "min_words_per_line",
                "max_word_length", "filter_lorem_ipsum", "filter_javascript", "filter_curly_bracket",
                "filter_policy", "language"),
    extra_fields=(("text", "text"),),
    notes="`c4_quality(text)` also returns the rewritten `text` (null when a flag drops the document). In a "
          "fused pass or a job the kept documents continue with the rewritten text, as in datatrove. "
          "Reasons: `lorem_ipsum`, `curly_bracket`, `too_few_sentences` "
          "(`sparkops.ops.rules.web_rules.c4_reason`).",
    examples=(
        Example("c4_quality('The cat sat on the mat.\\nclick here\\nPlease enable JavaScript now.\\n"
                "It was happy there [1].')",
                {"c4_lines": 4, "c4_lines_kept": 2, "c4_sentences": 2, "c4_doc_flag": None,
                 "text": "The cat sat on the mat.\nIt was happy there ."},
                "a line without terminal punctuation and one with 'javascript' go; the citation is cut"),
        Example("c4_quality('Lorem ipsum dolor sit amet.')", {"c4_doc_flag": "lorem_ipsum", "text": None}),
        Example("c4_quality('Short one.').c4_lines_kept", 0, "2 words, fewer than min_words_per_line = 3"),
        Example("c4_quality('Short one.', true, true, true, 2).c4_lines_kept", 1),
    ),
)


# --------------------------------------------------------------------------- FineWeb quality


def fineweb_stats(doc: Doc, p) -> dict:
    text = doc.text
    lines = [line for line in text.split("\n") if line.strip() != ""]
    if not lines:
        return dict.fromkeys(FINEWEB_KEYS)
    n = len(lines)
    words = doc_words(doc, p["language"])
    return {
        "fineweb_line_punct_ratio": sum(1 for line in lines if line.endswith(p["stop_chars"])) / n,
        "fineweb_short_line_ratio": sum(1 for line in lines if len(line) <= p["short_line_length"]) / n,
        "fineweb_char_dup_ratio": _duplicates(lines)[1] / (len(text) - text.count("\n")),
        "fineweb_list_ratio": _ratio(text.count("\n"), len(words)),
    }


FINEWEB_KEYS = ("fineweb_line_punct_ratio", "fineweb_short_line_ratio", "fineweb_char_dup_ratio",
                "fineweb_list_ratio")


def fineweb_reason(s: dict, p) -> str | None:
    ratio = s["fineweb_line_punct_ratio"]
    if ratio is None:
        return "empty"
    if ratio < p["line_punct_thr"] and not (ratio == 0 and p["line_punct_exclude_zero"]):
        return "line_punct_ratio"
    if s["fineweb_short_line_ratio"] > p["short_line_thr"]:
        return "short_line_ratio"
    if s["fineweb_char_dup_ratio"] > p["char_duplicates_ratio"]:
        return "char_dup_ratio"
    if s["fineweb_list_ratio"] is not None and s["fineweb_list_ratio"] > p["new_line_ratio"]:
        return "list_ratio"
    return None


def _fineweb_prepare(p, where):
    stops = p["stop_chars"]
    if stops is not None and not all(stops):
        raise OpError(f"{where}: parameter 'stop_chars' holds an empty string (every line would end with it)")
    return dict(p, stop_chars=tuple(sorted(terminal_punctuation())) if stops is None else tuple(stops))


_declare_rule_set(
    name="fineweb_quality_filter", sql_name="fineweb_quality",
    doc="FineWeb's own rules (Penedo et al. 2024, as datatrove's FineWebQualityFilter): lines ending in "
        "terminal punctuation, short lines, duplicated line characters, newlines per word.",
    params=(
        Param("line_punct_thr", "float", 0.12, "Drop documents where fewer lines than this share end in a "
              "stop character."),
        Param("line_punct_exclude_zero", "bool", False, "Do not drop documents where no line does."),
        Param("stop_chars", "list[str]", None, "Line endings that count as punctuated; default: Unicode's "
              "sentence terminals (datatrove's TERMINAL_PUNCTUATION).", nullable=True),
        Param("short_line_thr", "float", 0.67, "Drop documents where more lines than this share are short."),
        Param("short_line_length", "int", 30, "A line of at most this many characters is short."),
        Param("char_duplicates_ratio", "float", 0.01, "Drop documents whose repeated lines hold more than "
              "this share of the characters (newlines not counted)."),
        Param("new_line_ratio", "float", 0.3, "Drop documents with more newlines per word than this."),
        _language_param(),
    ),
    stats=(
        Stat("fineweb_line_punct_ratio", "double", "Non-blank lines (split at '\\n') ending in a stop "
             "character / non-blank lines; null when there is none (as every statistic here)."),
        Stat("fineweb_short_line_ratio", "double", "Non-blank lines of at most short_line_length characters "
             "/ non-blank lines."),
        Stat("fineweb_char_dup_ratio", "double", "Characters of non-blank lines repeating an earlier one "
             "/ characters other than '\\n'."),
        Stat("fineweb_list_ratio", "double", "Newlines / words (spaCy tokens)."),
    ),
    stats_of=fineweb_stats,
    prepare=_fineweb_prepare, reason=fineweb_reason,
    sql_params=("short_line_length", "language"),
    notes="Rules are checked in datatrove's order; the first that fails is the reason "
          "(`sparkops.ops.rules.web_rules.fineweb_reason`: `empty`, `line_punct_ratio`, `short_line_ratio`, "
          "`char_dup_ratio`, `list_ratio`).",
    examples=(
        Example("fineweb_quality('Hello there.\\nHello there.\\nA short line')",
                {"fineweb_line_punct_ratio": 2 / 3, "fineweb_short_line_ratio": 1.0,
                 "fineweb_char_dup_ratio": 12 / 36, "fineweb_list_ratio": 2 / 9},
                "the repeated line holds 12 of the 36 characters other than line breaks; 2 line breaks / "
                "9 tokens"),
        Example("fineweb_quality('Hello there.\\nHello there.\\nA short line', 5).fineweb_short_line_ratio",
                0.0, "short_line_length 5"),
        Example("fineweb_quality(' \\n')", {"fineweb_line_punct_ratio": None, "fineweb_list_ratio": None},
                "no non-blank line"),
    ),
)
