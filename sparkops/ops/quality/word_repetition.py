"""word_repetition_filter: the share of word n-grams (lower-cased, refined words) whose n-gram
occurs more than once."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, LANG_EN, REP_LEN, TOKENIZATION, TOKENIZATION_NOTES, ratio_params
from sparkops.ops.quality.tokenization import prepare_tokenization, words as refined_words
from sparkops.text.doc import Doc
from sparkops.text.ngrams import ngram_stats


def word_rep_ratio(doc: Doc, rep_len: int, sp: tuple | None = None) -> float:
    words = refined_words(doc, sp, lower=True)
    if len(words) < rep_len:
        return 0.0
    stats = ngram_stats(words.hashes(), rep_len)
    return stats.repeated_sum / stats.total


def _compute(docs, p):
    return {"word_rep_ratio": [word_rep_ratio(d, p["rep_len"], p["_sp"]) for d in docs]}


declare(Op(
    name="word_repetition_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose word n-gram repetition ratio is within [min_ratio, max_ratio].",
    params=(LANG_EN, TOKENIZATION, REP_LEN) + ratio_params(0.0, 0.5, "word_rep_ratio"),
    stats=(Stat("word_rep_ratio", "double", "Word n-grams (lower-cased refined words) occurring more than once "
                "/ #n-grams; 0 when there are fewer than rep_len words (with tokenization: sentencepiece pieces)."),),
    compute=_compute, prepare=prepare_tokenization,
    range=("word_rep_ratio", "min_ratio", "max_ratio"), sql_params=("rep_len", "lang", "tokenization"),
    notes=TOKENIZATION_NOTES,
    examples=(
        Example("word_rep_ratio('the cat. The cat! a dog', 2)", 2 / 5, "words the cat the cat a dog: "
                "'the cat' twice among 5 word 2-grams"),
        Example("word_rep_ratio('the cat. The cat! a dog')", 0.0, "fewer than rep_len = 10 words"),
        Example("word_rep_ratio('the cat. The cat! a dog', 2, 'en', true)", 2 / 5, "pieces '▁the' '▁cat' '▁the' "
                "'▁cat' '▁a' '▁dog' after refinement: '▁the ▁cat' twice among 5 2-grams"),
    ),
))
