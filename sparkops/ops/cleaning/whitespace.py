"""whitespace_normalization_mapper: every kind of Unicode space to ' ', Data-Juicer's list."""

from __future__ import annotations

import re

from sparkops.core import Example, Op, declare
from sparkops.ops.cleaning.common import FAMILY
from sparkops.text.charsets import VARIOUS_WHITESPACES, regex_class

# the listed characters other than ' ' itself; of them only the tab is ASCII
_OTHER_SPACES = re.compile(regex_class(VARIOUS_WHITESPACES - {" "}))


def _to_spaces(text: str) -> str:
    if text.isascii():
        return text.replace("\t", " ")
    return _OTHER_SPACES.sub(" ", text)


def normalize_whitespace(texts, p):
    # strip() first (it also removes '\n', '\r' at the ends), then map the listed
    # whitespace characters to ' '; inner newlines are kept
    return [_to_spaces(t.strip()) for t in texts]


declare(Op(
    name="whitespace_normalization_mapper", kind="mapper", family=FAMILY,
    doc="Strip the text, then replace every kind of Unicode space (no-break, en/em, ideographic, "
        "zero-width, tab ...) with ' '. Line breaks inside the text are kept.",
    apply=normalize_whitespace,
    examples=(
        Example("whitespace_normalization('  a\\u3000b\\tc\\n')", "a b c", "an ideographic space and a tab"),
        Example("whitespace_normalization(' a\\n\\u00a0b ')", "a\n b", "the inner line break stays; the "
                "no-break space becomes ' '"),
    ),
))
