"""punctuation_normalization_mapper: full-width and typographic punctuation to ASCII, Data-Juicer's table."""

from __future__ import annotations

from sparkops.core import Example, Op, declare
from sparkops.ops.cleaning.common import FAMILY

_PUNCTUATION = str.maketrans({
    "，": ",", "。": ".", "、": ",", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"', "１": '"',
    "」": '"', "「": '"', "《": '"', "》": '"', "´": "'", "∶": ":", "：": ":", "？": "?", "！": "!",
    "（": "(", "）": ")", "；": ";", "–": "-", "—": " - ", "．": ". ", "～": "~", "’": "'",
    "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]", "％": "%", "►": "-",
})


def normalize_punctuation(texts, p):
    return [t.translate(_PUNCTUATION) for t in texts]


declare(Op(
    name="punctuation_normalization_mapper", kind="mapper", family=FAMILY,
    doc="Replace full-width and typographic punctuation with ASCII equivalents (，→, 。→. “→\" —→' - ' ...), "
        "using Data-Juicer's table (which also maps the full-width digit １ to '\"').",
    apply=normalize_punctuation,
    examples=(Example("punctuation_normalization('“Hi”，he said…')", '"Hi",he said...'),),
))
