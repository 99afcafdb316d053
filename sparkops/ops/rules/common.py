"""What the rule sets share: datatrove's character sets, words as token spans (spaCy tokens of
the document's language, never a list of word strings), n-gram keys as 64-bit hashes of their
text, and the declaration of a rule-set filter (whose rejected rows name the rule that failed).
The family's docstring (``sparkops.ops.rules``) says how the rules are computed and what
datatrove leaves undefined."""


from __future__ import annotations

from functools import lru_cache

import numpy as np

from sparkops.models import spacy_blank
from sparkops.text import spacy_words
from sparkops.text.charsets import MAX_CODE_POINT, member_table, predicate_table
from sparkops.text.doc import Doc
from sparkops.text.hashing import span_hashes
from sparkops.core import Op, Param, declare

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
def symbol_table() -> np.ndarray:
    """Characters that make a word a 'symbol word' when it has nothing else (Gopher)."""
    return member_table(PUNCTUATION | terminal_punctuation())


@lru_cache(maxsize=1)
def alpha_table() -> np.ndarray:
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
    return doc.shared(key, lambda: TokenSpans(doc.code_points, *spacy_words.spans(doc.text, language, doc.code_points)))


NGRAM_BLOCK = 1 << 18  # n-grams keyed per step: temporaries grow with the block, not the document


def ngram_keys(words: TokenSpans, n: int, separator: int | None, joined=None):
    """One 64-bit key per word n-gram (its text joined as datatrove joins it) and its length.

    Blocks of n-grams are keyed one at a time, each from its own words joined, so a 50 MB
    document never has a joined copy of all its words (and its index arrays) at once.
    ``joined``: ``words.joined(separator)`` when the caller made it for several n (a document
    of at most NGRAM_BLOCK words: one block for every n)."""
    m = len(words) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    if joined is not None and m <= NGRAM_BLOCK:
        points, starts, ends = joined
        s, e = starts[:m], ends[n - 1:]
        return span_hashes(points, s, e), (e - s).astype(words.starts.dtype)
    keys = np.empty(m, dtype=np.uint64)
    lengths = np.empty(m, dtype=words.starts.dtype)
    for a in range(0, m, NGRAM_BLOCK):
        b = min(m, a + NGRAM_BLOCK)
        points, starts, ends = words.part(a, b + n - 1).joined(separator)
        s, e = starts[:b - a], ends[n - 1:]
        keys[a:b] = span_hashes(points, s, e)
        lengths[a:b] = e - s
    return keys, lengths


# --------------------------------------------------------------------------- shared pieces


def language_param() -> Param:
    return Param("language", "str", "en", "Language of the word tokenizer: a spaCy language code "
                 "(datatrove's 'eng' / 'eng_Latn' mean en).", check=tokenizer_ok)


def tokenizer_ok(language: str) -> str | None:
    problem = spacy_blank.check_language(language)
    return f"has no tokenizer: {problem}" if problem else None


def duplicates(items: list[str]) -> tuple[int, int]:
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


def ratio(num, den):
    return num / den if den else None


def over(value, limit) -> bool:
    """datatrove's `if limit and value > limit`: a 0/None limit disables the rule."""
    return bool(limit) and value is not None and value > limit


def under(value, limit) -> bool:
    return bool(limit) and value is not None and value < limit


def batch(stats_of, keys):
    """A batch kernel from a per-document statistics function."""

    def compute(docs, p):
        rows = [stats_of(d, p) for d in docs]
        return {k: [r[k] for r in rows] for k in keys}

    return compute


def declare_rule_set(*, name, sql_name, doc, params, stats, stats_of, reason, sql_params=("language",),
                      notes="", prepare=None, extra_fields=(), examples=()):
    """A rule-set filter: ``stats_of(doc, params)`` gives a document's statistics (and, for a
    filter that rewrites text, its new text); a row is kept when ``reason`` finds no rule
    that rejects it."""
    compute = batch(stats_of, [s.key for s in stats] + [key for _, key in extra_fields])
    return declare(Op(
        name=name, kind="filter", family=FAMILY, doc=doc, params=params, stats=stats, compute=compute,
        reason=reason, prepare=prepare, sql_name=sql_name, sql_params=sql_params,
        sql_fields=tuple((s.key, s.key) for s in stats) + extra_fields, notes=notes,
        rewrites_text=bool(extra_fields), requires=("rules",), models=("spaCy blank pipeline (tokenizer rules)",),
        examples=examples,
    ))
