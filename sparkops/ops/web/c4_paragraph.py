"""c4_paragraph_filter: datatrove 0.10.1's C4ParagraphFilter, mC4's paragraph rule."""

from __future__ import annotations

from sparkops.core import Example, Op, Stat, declare

FAMILY = "web"
MIN_PARAGRAPHS = 3  # datatrove's fixed attributes (not constructor parameters)
MIN_PARAGRAPH_LEN = 200
REASON = f"< {MIN_PARAGRAPHS} paragraphs"


def long_paragraphs(text: str) -> int:
    """Lines (split on '\\n' only) of at least 200 code points. datatrove keeps a page when it
    has 3 lines and the shortest of its 3 longest lines has 200: the same as 3 such lines."""
    return sum(1 for line in text.split("\n") if len(line) >= MIN_PARAGRAPH_LEN)


def compute(docs, prepared):
    return {"c4_long_paragraphs": [long_paragraphs(d.text) for d in docs]}


def _reason(stats, p):
    return REASON if stats["c4_long_paragraphs"] < MIN_PARAGRAPHS else None


declare(Op(
    name="c4_paragraph_filter", kind="filter", family=FAMILY,
    doc="Drop pages with fewer than 3 lines of at least 200 characters, as mC4 and datatrove's "
        "C4ParagraphFilter.",
    stats=(Stat("c4_long_paragraphs", "long", "Lines ('\\n'-separated) of at least 200 characters."),),
    compute=compute, reason=_reason, sql_name="c4_paragraphs",
    sql_fields=(("long_paragraphs", "c4_long_paragraphs"),),
    notes="The reason is datatrove's `< 3 paragraphs`; decisions are pinned by a fixture datatrove made "
          "(`tests/test_web_url_filter.py`). Lines are split on '\\n' only ('\\r' stays in a line and "
          "counts), lengths are code points; an empty text has one empty line and is dropped. datatrove "
          "takes no parameters (3 and 200 are fixed attributes of the filter); neither does this op.",
    examples=(
        Example("c4_paragraphs(repeat('a', 200) || '\\n' || repeat('b', 200) || '\\n' || repeat('c', 200))"
                ".long_paragraphs", 3),
        Example("c4_paragraphs(repeat('a', 200) || '\\n' || repeat('b', 199) || '\\n' || repeat('c', 200))"
                ".long_paragraphs", 2),
    ),
))
