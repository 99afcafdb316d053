"""text_length_filter: text length in code points, as Data-Juicer counts it."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, len_params, per_doc
from sparkops.text.doc import Doc


def text_len(doc: Doc) -> int:
    return len(doc.text)


declare(Op(
    name="text_length_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose text length (Unicode code points) is within [min_len, max_len].",
    params=len_params("text length"),
    stats=(Stat("text_len", "long", "Number of characters (code points) of the text."),),
    compute=per_doc("text_len", text_len), range=("text_len", "min_len", "max_len"),
    examples=(
        Example("text_len('héllo wörld')", 11),
        Example("text_len('👍🏽')", 2, "code points, not what the eye sees: a thumb and a skin-tone modifier"),
        Example("text_len('')", 0),
        Example("text_len(NULL)", None),
    ),
))
