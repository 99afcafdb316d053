"""alphanumeric_filter: the share of alphanumeric characters (str.isalnum)."""

from __future__ import annotations

from sparkops.core import MAXSIZE, Example, Op, Stat, declare
from sparkops.ops.quality.common import FAMILY, TOKENIZATION, per_doc, ratio_params
from sparkops.text.charsets import IS_ALNUM
from sparkops.text.doc import Doc


def alnum_ratio(doc: Doc) -> float:
    n = len(doc.text)
    return int(IS_ALNUM[doc.code_points].sum()) / n if n else 0.0


declare(Op(
    name="alphanumeric_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose share of alphanumeric characters (str.isalnum) is within [min_ratio, max_ratio].",
    params=(TOKENIZATION,) + ratio_params(0.25, MAXSIZE, "alphanumeric ratio"),
    stats=(Stat("alnum_ratio", "double", "Alphanumeric characters / all characters; 0 for empty text."),),
    compute=per_doc("alnum_ratio", alnum_ratio), range=("alnum_ratio", "min_ratio", "max_ratio"),
    examples=(
        Example("alnum_ratio('ab1 !')", 3 / 5),
        Example("alnum_ratio('日本語!')", 3 / 4, "CJK ideographs are alphanumeric (str.isalnum)"),
        Example("alnum_ratio('')", 0.0),
    ),
))
