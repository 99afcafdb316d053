"""average_line_length_filter: ``len(text) / len(text.splitlines())`` (the newlines count, as in
Data-Juicer)."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, len_params, per_doc
from sparkops.text.doc import Doc


def avg_line_length(doc: Doc) -> float:
    lines = doc.lines
    return len(doc.text) / len(lines) if lines else 0.0


declare(Op(
    name="average_line_length_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose average line length is within [min_len, max_len].",
    params=len_params("average line length"),
    stats=(Stat("avg_line_length", "double", "len(text) / len(text.splitlines()): line breaks are counted; "
                "0 for empty text."),),
    compute=per_doc("avg_line_length", avg_line_length), range=("avg_line_length", "min_len", "max_len"),
    examples=(
        Example("avg_line_length('ab\\ncdef')", 7 / 2, "7 characters (the line break counts) / 2 lines"),
        Example("avg_line_length('')", 0.0),
    ),
))
