"""words_num_filter: Data-Juicer's word count (split on ' ', '\\n', '\\t', or a sentencepiece model's
pieces with ``tokenization``; special characters stripped from both ends of each word; words that
become empty dropped)."""

from __future__ import annotations

from sparkops.core import MAXSIZE, Example, Op, Param, Stat, declare
from sparkops.ops.quality.common import FAMILY, LANG_EN, TOKENIZATION, TOKENIZATION_NOTES
from sparkops.ops.quality.tokenization import prepare_tokenization, words
from sparkops.text.doc import Doc


def num_words(doc: Doc, sp: tuple | None = None) -> int:
    return len(words(doc, sp, lower=False))


def _compute(docs, p):
    return {"num_words": [num_words(d, p["_sp"]) for d in docs]}


declare(Op(
    name="words_num_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose number of words is within [min_num, max_num].",
    params=(LANG_EN, TOKENIZATION,
            Param("min_num", "int", 10, "Keep rows with at least this many words."),
            Param("max_num", "int", MAXSIZE, "Keep rows with at most this many words.")),
    stats=(Stat("num_words", "long", "Words split on ' ', '\\n', '\\t' (with tokenization: the sentencepiece "
                "pieces), stripped of special characters, empty ones dropped."),),
    compute=_compute, prepare=prepare_tokenization, range=("num_words", "min_num", "max_num"),
    sql_params=("lang", "tokenization"),
    notes=TOKENIZATION_NOTES,
    examples=(
        Example("num_words('Hello, world -- 3 cats!')", 3, "'--' and '3' are special characters only, "
                "so they are not words"),
        Example("num_words('')", 0),
        Example("num_words('Hello, world -- 3 cats!', 'en', true)", 8, "sparkops' en model's pieces "
                "'▁He' 'll' 'o' '▁world' '▁' '▁' '▁cat' 's': '▁-' and '▁3' keep their '▁'; ',', '-', '!' go"),
    ),
))
