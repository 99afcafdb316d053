"""stopwords_filter and flagged_words_filter: the share of words in a word list (one builder
for both, as Data-Juicer's two filters differ only in their list and bounds)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sparkops.assets import load_words
from sparkops.core import Example, Op, OpError, Param, Stat, declare
from sparkops.ops.quality.common import FAMILY, TOKENIZATION, TOKENIZATION_NOTES, ratio_params
from sparkops.ops.quality.tokenization import prepare_tokenization, words as refined_words
from sparkops.text.doc import Doc
from sparkops.text.hashing import native_spans, string_hashes


def augment(words: list[str], group_sizes: list[int], join_char: str) -> list[str]:
    """Data-Juicer's words_augmentation: append joined runs of consecutive words (zh, vi)."""
    out = list(words)
    for g in group_sizes:
        out.extend(join_char.join(words[i:i + g]) for i in range(len(words) - g + 1))
    return out


def word_list_ratio(doc: Doc, listed: np.ndarray, aug: tuple | None, sp: tuple | None = None) -> float:
    """Share of refined lower-cased words (plus augmented runs) in a list, compared by hash; the words
    are the pieces of sentencepiece model ``sp`` (``_sp``) when given."""
    words = refined_words(doc, sp, lower=True)
    if aug is None:
        hashes = words.hashes()
    else:
        hashes = string_hashes(augment(list(words), *aug))
    if not len(hashes):
        return 0.0
    if not len(listed):
        return 0.0
    return min(listed_count(listed, hashes) / len(hashes), 1.0)


def listed_count(listed: np.ndarray, hashes: np.ndarray) -> int:
    """How many of ``hashes`` are in ``listed`` (sorted): the C kernel's binary search where there is one."""
    kernel = native_spans()
    if kernel is not None:
        hits = kernel.sorted_hits(listed, hashes)
        if hits is not None:
            return hits
    at = np.searchsorted(listed, hashes)
    np.minimum(at, len(listed) - 1, out=at)
    return int(np.count_nonzero(listed[at] == hashes))


@lru_cache(maxsize=64)
def listed_hashes(kind: str, words_dir: str | None, lang: str) -> np.ndarray:
    """The hashes of a word list, sorted for binary search."""
    return np.unique(string_hashes(sorted(load_words(kind, words_dir)[lang])))


def _word_list_op(kind: str, name: str, stat_key: str, lo: float, hi: float, doc: str, stat_doc: str,
                  examples: tuple[Example, ...]) -> Op:
    dir_param = f"{kind}_dir"

    def prepare(p, where):
        lists = load_words(kind, p[dir_param])
        if p["lang"] not in lists:
            raise OpError(f"{where}: parameter 'lang' is {p['lang']!r}, which has no {kind} list; "
                          f"available: {', '.join(sorted(lists))}")
        aug = (tuple(p["words_aug_group_sizes"]), p["words_aug_join_char"]) if p["use_words_aug"] else None
        p = prepare_tokenization(p, where)
        return dict(p, listed=listed_hashes(kind, p[dir_param], p["lang"]), aug=aug)

    def compute(docs, p):
        listed, aug, sp = p["listed"], p["aug"], p["_sp"]
        return {stat_key: [word_list_ratio(d, listed, aug, sp) for d in docs]}

    return declare(Op(
        name=name, kind="filter", family=FAMILY, doc=doc,
        params=(
            Param("lang", "str", "en", "Language whose list (and, with tokenization, sentencepiece model) is used; "
                  "'all' merges every language's list."),
            TOKENIZATION,
            *ratio_params(lo, hi, stat_key),
            Param(dir_param, "str", None, f"Folder of Data-Juicer-style JSON files (*{kind}*.json, "
                  "{lang: [words]}); default: the lists installed with sparkops.", nullable=True),
            Param("use_words_aug", "bool", False, "Also count joined runs of consecutive words (for zh, vi)."),
            Param("words_aug_group_sizes", "list[int]", [2], "Run lengths for word augmentation."),
            Param("words_aug_join_char", "str", "", "Joiner for augmented runs."),
        ),
        stats=(Stat(stat_key, "double", stat_doc),),
        compute=compute, prepare=prepare, range=(stat_key, "min_ratio", "max_ratio"),
        sql_params=("lang", "use_words_aug", "tokenization"), examples=examples, notes=TOKENIZATION_NOTES,
    ))


_word_list_op(
    "stopwords", "stopwords_filter", "stopwords_ratio", 0.3, 1.0,
    "Keep rows whose share of stopwords is within [min_ratio, max_ratio].",
    "Refined lower-cased words in the stopword list / #words (capped at 1); 0 without words.",
    (Example("stopwords_ratio('The cat is on the mat')", 4 / 6, "the, is, on, the"),
     Example("stopwords_ratio('我 们 去 了', 'zh')", 1.0),
     Example("stopwords_ratio('我 们 去 了', 'zh', true)", 5 / 7, "augmented with 我们, 们去, 去了, of "
             "which 我们 is a stopword"),
     Example("stopwords_ratio('我们去了商店，然后回家了。', 'zh', false, true)", 5 / 9, "sparkops' zh model's pieces, "
             "refined: ▁ 我们 去 了 商店 然后 回 家 了 (the punctuation goes)")),
)

_word_list_op(
    "flagged_words", "flagged_words_filter", "flagged_words_ratio", 0.0, 0.045,
    "Keep rows whose share of flagged (offensive) words is within [min_ratio, max_ratio].",
    "Refined lower-cased words in the flagged-word list / #words (capped at 1); 0 without words.",
    (Example("flagged_words_ratio('free xxx videos here')", 1 / 4),
     Example("flagged_words_ratio('Hello world')", 0.0),
     Example("flagged_words_ratio('free xxx videos here', 'en', false, true)", 0.0, "sparkops' en model cuts "
             "'▁x' 'x' 'x': no piece is a listed word (and a piece that starts a word keeps its '▁')")),
)
