"""maximum_line_length_filter: the length of the longest line."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, len_params, per_doc
from sparkops.text.doc import Doc


def max_line_length(doc: Doc) -> int:
    lines = doc.lines
    return max(map(len, lines)) if lines else 0


declare(Op(
    name="maximum_line_length_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose longest line is within [min_len, max_len] characters.",
    params=len_params("maximum line length"),
    stats=(Stat("max_line_length", "long", "Length of the longest line of text.splitlines(); 0 for empty text."),),
    compute=per_doc("max_line_length", max_line_length), range=("max_line_length", "min_len", "max_len"),
    examples=(Example("max_line_length('ab\\ncdef')", 4),),
))
