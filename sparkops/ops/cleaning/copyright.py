"""clean_copyright_mapper: drop a leading copyright notice, as Data-Juicer 1.6.1 (after
RedPajama's code cleaning) does."""

from __future__ import annotations

import regex

from sparkops.core import Example, Op, declare
from sparkops.ops.cleaning.common import FAMILY

# Data-Juicer 1.6.1 (clean_copyright_mapper.py), as facts: a C-style /* ... */ comment (the
# first one anywhere in the text) and a case-insensitive "copyright" inside it
_BLOCK_COMMENT = regex.compile(r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/")
_COPYRIGHT = regex.compile("copyright", regex.IGNORECASE)
_LINE_COMMENTS = ("//", "#", "--")


def clean_copyright(text: str) -> str:
    found = _BLOCK_COMMENT.search(text)
    if found:
        # the first block comment decides, wherever it is; without "copyright" nothing changes
        start, end = found.span()
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
          "line-comment rule is not applied, even if that comment has no copyright; without one, every "
          "leading empty, `//`, `#` or `--` line goes whether or not it mentions copyright (a Markdown "
          "text starting with `# Title` loses it, an all-comment text becomes empty). Lines split on '\\n' "
          "only: a line holding only '\\r' or spaces is not empty and stops the removal.",
    examples=(
        Example("clean_copyright('/* Copyright 2020 ACME */\\nint x;')", "\nint x;"),
        Example("clean_copyright('# (c) me\\n\\n// more\\ncode()')", "code()", "no block comment: leading "
                "comment lines go"),
    ),
))
