"""special_characters_filter: the share of Data-Juicer's special characters (digits and
whitespace count as special)."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, per_doc, ratio_params
from sparkops.text.charsets import IS_SPECIAL, count_in
from sparkops.text.doc import Doc


def special_char_ratio(doc: Doc) -> float:
    n = len(doc.text)
    return count_in(IS_SPECIAL, doc.code_points) / n if n else 0.0


declare(Op(
    name="special_characters_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose share of special characters is within [min_ratio, max_ratio]. Special characters "
        "are Data-Juicer's: ASCII punctuation, digits and whitespace, a list of other symbols, and emoji.",
    params=ratio_params(0.0, 0.25, "special-character ratio"),
    stats=(Stat("special_char_ratio", "double", "Special characters / all characters; 0 for empty text."),),
    compute=per_doc("special_char_ratio", special_char_ratio),
    range=("special_char_ratio", "min_ratio", "max_ratio"),
    examples=(
        Example("special_char_ratio('ab1 !')", 3 / 5, "the digit and the space count as special"),
        Example("special_char_ratio('😀')", 1.0, "emoji are special characters"),
    ),
))
