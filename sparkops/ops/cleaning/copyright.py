"""clean_copyright_mapper: drop a leading copyright notice, as Data-Juicer 1.6.1 (after
RedPajama's code cleaning) does."""

from __future__ import annotations

import regex

from sparkops.core import Example, Op, declare
from sparkops.ops.cleaning.common import FAMILY

# Data-Juicer 1.6.1 (clean_copyright_mapper.py), as facts: the first C-style block comment,
# r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/", and a case-insensitive "copyright" inside it
BLOCK_COMMENT = r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/"
_COPYRIGHT = regex.compile("copyright", regex.IGNORECASE)
_LINE_COMMENTS = ("//", "#", "--")


def first_block_comment(text: str) -> tuple[int, int] | None:
    """The span ``regex.search(BLOCK_COMMENT, text)`` finds, in linear time.

    That pattern matches from a ``/*`` to the first ``*/`` starting at least two characters
    after it (``/*/`` does not close). The leftmost ``/*`` has a match exactly when such a ``*/``
    follows it, and a later ``/*`` has one only if that one does; so the search is the first
    ``/*`` and the next ``*/`` after it. The regex module instead retries the pattern from
    every ``/*`` (quadratic: minutes on 30,000 characters of ``/*a``, as in Data-Juicer)."""
    start = text.find("/*")
    if start < 0:
        return None
    close = text.find("*/", start + 2)
    return None if close < 0 else (start, close + 2)


def clean_copyright(text: str) -> str:
    found = first_block_comment(text)
    if found:
        # the first block comment decides, wherever it is; without "copyright" nothing changes
        start, end = found
        if _COPYRIGHT.search(text, start, end):
            return text[:start] + text[end:]
        return text
    lines = text.split("\n")
    skip = 0
    for line in lines:
        if line and not line.startswith(_LINE_COMMENTS):
            break
        skip += 1
    return "\n".join(lines[skip:]) if skip else text


def _apply(texts, p):
    return [clean_copyright(t) for t in texts]


declare(Op(
    name="clean_copyright_mapper", kind="mapper", family=FAMILY,
    doc="Remove the first `/* ... */` comment when it mentions copyright; without a block comment, remove the "
        "leading lines that are empty or start with `//`, `#` or `--`.",
    apply=_apply,
    notes="Data-Juicer 1.6.1's rule (a fixture it made, `tests/test_catalogue_text.py`), quirks kept: the "
          "first block comment anywhere in the text decides (not only a header), and when it exists the "
          "line-comment rule is not applied, even if that comment has no copyright (it ends at the first `*/` "
          "starting two or more characters after its `/*`: `/*/` does not close it); without one, every "
          "leading empty, `//`, `#` or `--` line goes whether or not it mentions copyright (a Markdown "
          "text starting with `# Title` loses it, an all-comment text becomes empty). Lines split on '\\n' "
          "only: a line holding only '\\r' or spaces is not empty and stops the removal. The comment is found in "
          "linear time, where Data-Juicer's regex retries from every `/*` (minutes on 30,000 characters of "
          "`/*a`).",
    examples=(
        Example("clean_copyright('/* Copyright 2020 ACME */\\nint x;')", "\nint x;"),
        Example("clean_copyright('# (c) me\\n\\n// more\\ncode()')", "code()", "no block comment: leading "
                "comment lines go"),
    ),
))
