"""Quality-filter statistics with Data-Juicer 1.6.1's exact definitions.

Each statistic is a function of one ``Doc``; the filters below declare which statistic they
compute under Data-Juicer's stat key and which parameters bound it. Where Data-Juicer's
definition has a quirk we keep it (our users compare numbers with theirs):

- ``special_char_ratio`` counts digits and whitespace as special characters;
- ``avg_line_length`` is ``len(text) / len(text.splitlines())``: the newlines count;
- ``num_words`` splits on ' ', '\\n', '\\t' only and strips special characters from both
  ends of each word, dropping words that become empty ("--" is not a word, "3" is not either);
- ``char_rep_ratio`` sums the frequencies of the ``int(sqrt(#distinct n-grams))`` most
  frequent repeated character n-grams and divides by the number of n-grams;
- ``word_rep_ratio`` is the share of word n-grams (lower-cased, refined words) whose n-gram
  occurs more than once.

Empty text gives 0 for every statistic (Data-Juicer's convention); see ``docs/OPERATORS.md``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sparkops.assets import load_words
from sparkops.text.charsets import IS_ALNUM, IS_SPECIAL
from sparkops.text.doc import Doc
from sparkops.text.hashing import string_hashes
from sparkops.core import MAXSIZE, Example, Op, OpError, Param, Stat, declare, positive

FAMILY = "quality"

# --------------------------------------------------------------------------- statistics


def text_len(doc: Doc) -> int:
    return len(doc.text)


def alnum_ratio(doc: Doc) -> float:
    n = len(doc.text)
    return int(IS_ALNUM[doc.code_points].sum()) / n if n else 0.0


def special_char_ratio(doc: Doc) -> float:
    n = len(doc.text)
    return int(IS_SPECIAL[doc.code_points].sum()) / n if n else 0.0


def num_words(doc: Doc) -> int:
    return len(doc.refined_words)


def avg_line_length(doc: Doc) -> float:
    lines = doc.lines
    return len(doc.text) / len(lines) if lines else 0.0


def max_line_length(doc: Doc) -> int:
    lines = doc.lines
    return max(map(len, lines)) if lines else 0


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio)
_SHIFT = np.uint64(31)
_PACK_BITS = np.uint64(21)


_CHUNK = 1 << 20  # symbols hashed per step: bounds the temporaries for 50 MB documents


def ngram_counts(seq: np.ndarray, n: int) -> np.ndarray:
    """How often each distinct n-gram of an integer sequence occurs (order unspecified).

    Used for character n-grams (code points) and word n-grams (word ids). n-grams of up to
    3 symbols below 2**21 are packed exactly into 63 bits; longer ones are hashed to 64 bits
    with a multiply-xorshift mix per symbol. Memory: one uint64 key per n-gram plus
    chunk-sized temporaries, whatever ``n`` is (a dict of n-gram strings, as Data-Juicer
    builds, costs ~80 bytes per character). Two distinct n-grams of one document collide
    with probability ~m²/2⁶⁵ for m n-grams: 3e-8 for a 1 MB document.
    """
    m = len(seq) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.int64)
    exact = n <= 3 and int(seq.max()) < (1 << 21)
    keys = np.empty(m, dtype=np.uint64)
    for start in range(0, m, _CHUNK):
        stop = min(m, start + _CHUNK)
        wide = seq[start:stop + n - 1].astype(np.uint64)
        size = stop - start
        chunk = wide[:size].copy()
        if exact:
            for j in range(1, n):
                chunk <<= _PACK_BITS
                chunk |= wide[j:j + size]
        else:
            for j in range(n):
                if j:
                    chunk ^= wide[j:j + size]
                chunk *= _MIX
                chunk ^= chunk >> _SHIFT
        keys[start:stop] = chunk
    keys.sort()
    boundaries = np.flatnonzero(keys[1:] != keys[:-1])
    del keys
    edges = np.empty(len(boundaries) + 2, dtype=np.int64)
    edges[0], edges[-1] = 0, m
    edges[1:-1] = boundaries + 1
    return np.diff(edges)


def char_rep_ratio(doc: Doc, rep_len: int) -> float:
    counts = ngram_counts(doc.code_points, rep_len)
    distinct = len(counts)
    if distinct == 0:
        return 0.0
    repeated = int(np.count_nonzero(counts > 1))
    top = min(int(np.sqrt(distinct)), repeated)
    total = int(counts.sum())
    if top <= 0:
        return 0.0
    top_sum = int(np.partition(counts, distinct - top)[distinct - top:].sum())
    return top_sum / total


def word_rep_ratio(doc: Doc, rep_len: int) -> float:
    words = doc.refined_lower_words
    m = len(words) - rep_len + 1
    if m <= 0:
        return 0.0
    counts = ngram_counts(doc.refined_lower_words.hashes(), rep_len)
    return int(counts[counts > 1].sum()) / m


def augment(words: list[str], group_sizes: list[int], join_char: str) -> list[str]:
    """Data-Juicer's words_augmentation: append joined runs of consecutive words (zh, vi)."""
    out = list(words)
    for g in group_sizes:
        out.extend(join_char.join(words[i:i + g]) for i in range(len(words) - g + 1))
    return out


def word_list_ratio(doc: Doc, listed: np.ndarray, aug: tuple | None) -> float:
    """Share of refined lower-cased words (plus augmented runs) in a list, compared by hash."""
    words = doc.refined_lower_words
    if aug is None:
        hashes = words.hashes()
    else:
        hashes = string_hashes(augment(list(words), *aug))
    if not len(hashes):
        return 0.0
    if not len(listed):
        return 0.0
    at = np.searchsorted(listed, hashes)
    np.minimum(at, len(listed) - 1, out=at)
    hits = int(np.count_nonzero(listed[at] == hashes))
    return min(hits / len(hashes), 1.0)


@lru_cache(maxsize=64)
def listed_hashes(kind: str, words_dir: str | None, lang: str) -> np.ndarray:
    """The hashes of a word list, sorted for binary search."""
    return np.unique(string_hashes(sorted(load_words(kind, words_dir)[lang])))


# --------------------------------------------------------------------------- declarations


def _per_doc(stat_key: str, fn, *arg_names):
    """A batch kernel from a per-document statistic."""

    def compute(docs, p):
        args = [p[a] for a in arg_names]
        return {stat_key: [fn(d, *args) for d in docs]}

    return compute


def _no_tokenizer(value) -> str | None:
    # Data-Juicer downloads a Hugging Face / sentencepiece model for tokenization=True; we
    # never fetch models at run time, so say so instead of silently ignoring the flag
    return "True is not supported: it needs a tokenizer model downloaded from a model hub" if value else None


def _ratio_params(lo: float, hi: float, what: str) -> tuple[Param, ...]:
    return (
        Param("min_ratio", "float", lo, f"Keep rows whose {what} is at least this."),
        Param("max_ratio", "float", hi, f"Keep rows whose {what} is at most this."),
    )


def _len_params(what: str) -> tuple[Param, ...]:
    return (
        Param("min_len", "int", 10, f"Keep rows whose {what} is at least this."),
        Param("max_len", "int", MAXSIZE, f"Keep rows whose {what} is at most this."),
    )


TOKENIZATION = Param("tokenization", "bool", False, "Count tokens of a model tokenizer instead of words "
                     "(not supported: needs a model download).", check=_no_tokenizer)
LANG_EN = Param("lang", "str", "en", "Language of the samples (Data-Juicer uses it only with tokenization).")

declare(Op(
    name="text_length_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose text length (Unicode code points) is within [min_len, max_len].",
    params=_len_params("text length"),
    stats=(Stat("text_len", "long", "Number of characters (code points) of the text."),),
    compute=_per_doc("text_len", text_len), range=("text_len", "min_len", "max_len"),
    examples=(
        Example("text_len('héllo wörld')", 11),
        Example("text_len('👍🏽')", 2, "code points, not what the eye sees: a thumb and a skin-tone modifier"),
        Example("text_len('')", 0),
        Example("text_len(NULL)", None),
    ),
))

declare(Op(
    name="words_num_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose number of words is within [min_num, max_num].",
    params=(LANG_EN, TOKENIZATION,
            Param("min_num", "int", 10, "Keep rows with at least this many words."),
            Param("max_num", "int", MAXSIZE, "Keep rows with at most this many words.")),
    stats=(Stat("num_words", "long", "Words split on ' ', '\\n', '\\t', stripped of special characters, "
                "empty ones dropped."),),
    compute=_per_doc("num_words", num_words), range=("num_words", "min_num", "max_num"),
    examples=(
        Example("num_words('Hello, world -- 3 cats!')", 3, "'--' and '3' are special characters only, "
                "so they are not words"),
        Example("num_words('')", 0),
    ),
))

declare(Op(
    name="alphanumeric_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose share of alphanumeric characters (str.isalnum) is within [min_ratio, max_ratio].",
    params=(TOKENIZATION,) + _ratio_params(0.25, MAXSIZE, "alphanumeric ratio"),
    stats=(Stat("alnum_ratio", "double", "Alphanumeric characters / all characters; 0 for empty text."),),
    compute=_per_doc("alnum_ratio", alnum_ratio), range=("alnum_ratio", "min_ratio", "max_ratio"),
    examples=(
        Example("alnum_ratio('ab1 !')", 3 / 5),
        Example("alnum_ratio('日本語!')", 3 / 4, "CJK ideographs are alphanumeric (str.isalnum)"),
        Example("alnum_ratio('')", 0.0),
    ),
))

declare(Op(
    name="special_characters_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose share of special characters is within [min_ratio, max_ratio]. Special characters "
        "are Data-Juicer's: ASCII punctuation, digits and whitespace, a list of other symbols, and emoji.",
    params=_ratio_params(0.0, 0.25, "special-character ratio"),
    stats=(Stat("special_char_ratio", "double", "Special characters / all characters; 0 for empty text."),),
    compute=_per_doc("special_char_ratio", special_char_ratio),
    range=("special_char_ratio", "min_ratio", "max_ratio"),
    examples=(
        Example("special_char_ratio('ab1 !')", 3 / 5, "the digit and the space count as special"),
        Example("special_char_ratio('😀')", 1.0, "emoji are special characters"),
    ),
))

REP_LEN = Param("rep_len", "int", 10, "Length of the n-grams.", check=positive)

declare(Op(
    name="character_repetition_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose character n-gram repetition ratio is within [min_ratio, max_ratio].",
    params=(REP_LEN,) + _ratio_params(0.0, 0.5, "char_rep_ratio"),
    stats=(Stat("char_rep_ratio", "double", "Sum of the int(sqrt(#distinct n-grams)) largest frequencies of "
                "repeated character n-grams / #n-grams; 0 when the text is shorter than rep_len."),),
    compute=_per_doc("char_rep_ratio", char_rep_ratio, "rep_len"),
    range=("char_rep_ratio", "min_ratio", "max_ratio"), sql_params=("rep_len",),
    examples=(
        Example("char_rep_ratio('aaaa bbbb', 2)", 6 / 8, "2-grams aa x3, bb x3, 'a ', ' b': the top "
                "int(sqrt(4)) = 2 repeated ones cover 6 of 8"),
        Example("char_rep_ratio('abcabcabcabc', 3)", 4 / 10, "abc x4, bca x3, cab x3: only the top "
                "int(sqrt(3)) = 1 counts"),
        Example("char_rep_ratio('abcabcabcabc')", 0.0, "rep_len 10: three distinct 10-grams, none repeated"),
    ),
))

declare(Op(
    name="word_repetition_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose word n-gram repetition ratio is within [min_ratio, max_ratio].",
    params=(LANG_EN, TOKENIZATION, REP_LEN) + _ratio_params(0.0, 0.5, "word_rep_ratio"),
    stats=(Stat("word_rep_ratio", "double", "Word n-grams (lower-cased refined words) occurring more than once "
                "/ #n-grams; 0 when there are fewer than rep_len words."),),
    compute=_per_doc("word_rep_ratio", word_rep_ratio, "rep_len"),
    range=("word_rep_ratio", "min_ratio", "max_ratio"), sql_params=("rep_len",),
    examples=(
        Example("word_rep_ratio('the cat. The cat! a dog', 2)", 2 / 5, "words the cat the cat a dog: "
                "'the cat' twice among 5 word 2-grams"),
        Example("word_rep_ratio('the cat. The cat! a dog')", 0.0, "fewer than rep_len = 10 words"),
    ),
))

declare(Op(
    name="average_line_length_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose average line length is within [min_len, max_len].",
    params=_len_params("average line length"),
    stats=(Stat("avg_line_length", "double", "len(text) / len(text.splitlines()): line breaks are counted; "
                "0 for empty text."),),
    compute=_per_doc("avg_line_length", avg_line_length), range=("avg_line_length", "min_len", "max_len"),
    examples=(
        Example("avg_line_length('ab\\ncdef')", 7 / 2, "7 characters (the line break counts) / 2 lines"),
        Example("avg_line_length('')", 0.0),
    ),
))

declare(Op(
    name="maximum_line_length_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose longest line is within [min_len, max_len] characters.",
    params=_len_params("maximum line length"),
    stats=(Stat("max_line_length", "long", "Length of the longest line of text.splitlines(); 0 for empty text."),),
    compute=_per_doc("max_line_length", max_line_length), range=("max_line_length", "min_len", "max_len"),
    examples=(Example("max_line_length('ab\\ncdef')", 4),),
))


def _word_list_op(kind: str, name: str, stat_key: str, lo: float, hi: float, doc: str, stat_doc: str,
                  examples: tuple[Example, ...]) -> Op:
    dir_param = f"{kind}_dir"

    def prepare(p, where):
        lists = load_words(kind, p[dir_param])
        if p["lang"] not in lists:
            raise OpError(f"{where}: parameter 'lang' is {p['lang']!r}, which has no {kind} list; "
                          f"available: {', '.join(sorted(lists))}")
        aug = (tuple(p["words_aug_group_sizes"]), p["words_aug_join_char"]) if p["use_words_aug"] else None
        return dict(p, listed=listed_hashes(kind, p[dir_param], p["lang"]), aug=aug)

    def compute(docs, p):
        listed, aug = p["listed"], p["aug"]
        return {stat_key: [word_list_ratio(d, listed, aug) for d in docs]}

    return declare(Op(
        name=name, kind="filter", family=FAMILY, doc=doc,
        params=(
            Param("lang", "str", "en", "Language whose list is used; 'all' merges every language."),
            TOKENIZATION,
            *_ratio_params(lo, hi, stat_key),
            Param(dir_param, "str", None, f"Folder of Data-Juicer-style JSON files (*{kind}*.json, "
                  "{lang: [words]}); default: the lists installed with sparkops.", nullable=True),
            Param("use_words_aug", "bool", False, "Also count joined runs of consecutive words (for zh, vi)."),
            Param("words_aug_group_sizes", "list[int]", [2], "Run lengths for word augmentation."),
            Param("words_aug_join_char", "str", "", "Joiner for augmented runs."),
        ),
        stats=(Stat(stat_key, "double", stat_doc),),
        compute=compute, prepare=prepare, range=(stat_key, "min_ratio", "max_ratio"),
        sql_params=("lang", "use_words_aug"), examples=examples,
    ))


_word_list_op(
    "stopwords", "stopwords_filter", "stopwords_ratio", 0.3, 1.0,
    "Keep rows whose share of stopwords is within [min_ratio, max_ratio].",
    "Refined lower-cased words in the stopword list / #words (capped at 1); 0 without words.",
    (Example("stopwords_ratio('The cat is on the mat')", 4 / 6, "the, is, on, the"),
     Example("stopwords_ratio('我 们 去 了', 'zh')", 1.0),
     Example("stopwords_ratio('我 们 去 了', 'zh', true)", 5 / 7, "augmented with 我们, 们去, 去了, of "
             "which 我们 is a stopword")),
)
_word_list_op(
    "flagged_words", "flagged_words_filter", "flagged_words_ratio", 0.0, 0.045,
    "Keep rows whose share of flagged (offensive) words is within [min_ratio, max_ratio].",
    "Refined lower-cased words in the flagged-word list / #words (capped at 1); 0 without words.",
    (Example("flagged_words_ratio('free xxx videos here')", 1 / 4),
     Example("flagged_words_ratio('Hello world')", 0.0)),
)
