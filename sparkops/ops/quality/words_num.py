"""words_num_filter: Data-Juicer's word count (split on ' ', '\\n', '\\t'; special characters
stripped from both ends of each word; words that become empty dropped)."""

from __future__ import annotations

from sparkops.core import MAXSIZE, Example, Op, Param, Stat, declare
from sparkops.ops.quality.common import FAMILY, LANG_EN, TOKENIZATION, per_doc
from sparkops.text.doc import Doc


def num_words(doc: Doc) -> int:
    return len(doc.refined_words)


declare(Op(
    name="words_num_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose number of words is within [min_num, max_num].",
    params=(LANG_EN, TOKENIZATION,
            Param("min_num", "int", 10, "Keep rows with at least this many words."),
            Param("max_num", "int", MAXSIZE, "Keep rows with at most this many words.")),
    stats=(Stat("num_words", "long", "Words split on ' ', '\\n', '\\t', stripped of special characters, "
                "empty ones dropped."),),
    compute=per_doc("num_words", num_words), range=("num_words", "min_num", "max_num"),
    examples=(
        Example("num_words('Hello, world -- 3 cats!')", 3, "'--' and '3' are special characters only, "
                "so they are not words"),
        Example("num_words('')", 0),
    ),
))
