"""character_repetition_filter: the frequencies of the ``int(sqrt(#distinct n-grams))`` most
frequent repeated character n-grams over the number of n-grams."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, REP_LEN, per_doc, ratio_params
from sparkops.text.doc import Doc
from sparkops.text.ngrams import ngram_stats


def char_rep_ratio(doc: Doc, rep_len: int) -> float:
    stats = ngram_stats(doc.code_points, rep_len)
    return stats.top_sum / stats.total if stats.top_sum else 0.0


declare(Op(
    name="character_repetition_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose character n-gram repetition ratio is within [min_ratio, max_ratio].",
    params=(REP_LEN,) + ratio_params(0.0, 0.5, "char_rep_ratio"),
    stats=(Stat("char_rep_ratio", "double", "Sum of the int(sqrt(#distinct n-grams)) largest frequencies of "
                "repeated character n-grams / #n-grams; 0 when the text is shorter than rep_len."),),
    compute=per_doc("char_rep_ratio", char_rep_ratio, "rep_len"),
    range=("char_rep_ratio", "min_ratio", "max_ratio"), sql_params=("rep_len",),
    examples=(
        Example("char_rep_ratio('aaaa bbbb', 2)", 6 / 8, "2-grams aa x3, bb x3, 'a ', ' b': the top "
                "int(sqrt(4)) = 2 repeated ones cover 6 of 8"),
        Example("char_rep_ratio('abcabcabcabc', 3)", 4 / 10, "abc x4, bca x3, cab x3: only the top "
                "int(sqrt(3)) = 1 counts"),
        Example("char_rep_ratio('abcabcabcabc')", 0.0, "rep_len 10: three distinct 10-grams, none repeated"),
    ),
))
