"""punctuation_normalization_mapper: full-width and typographic punctuation to ASCII, Data-Juicer's table."""

from __future__ import annotations

import re

from sparkops.core import Example, Op, declare
from sparkops.ops.cleaning.common import FAMILY
from sparkops.text.charsets import regex_class

_PUNCTUATION = str.maketrans({
    "，": ",", "。": ".", "、": ",", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"', "１": '"',
    "」": '"', "「": '"', "《": '"', "》": '"', "´": "'", "∶": ":", "：": ":", "？": "?", "！": "!",
    "（": "(", "）": ")", "；": ";", "–": "-", "—": " - ", "．": ". ", "～": "~", "’": "'",
    "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]", "％": "%", "►": "-",
})


# every key is a single non-ASCII character: an ASCII text has none, and replacing each match of
# their class is what str.translate does, without its slow per-character path on non-ASCII text
_KEYS = re.compile(regex_class(_PUNCTUATION))


def _replace(match: re.Match) -> str:
    return _PUNCTUATION[ord(match.group())]


def normalize_punctuation(texts, p):
    return [t if t.isascii() else _KEYS.sub(_replace, t) for t in texts]


declare(Op(
    name="punctuation_normalization_mapper", kind="mapper", family=FAMILY,
    doc="Replace full-width and typographic punctuation with ASCII equivalents (，→, 。→. “→\" —→' - ' ...), "
        "using Data-Juicer's table (which also maps the full-width digit １ to '\"').",
    apply=normalize_punctuation,
    examples=(Example("punctuation_normalization('“Hi”，he said…')", '"Hi",he said...'),),
))
