"""chinese_convert_mapper: Simplified / Traditional (Taiwan, Hong Kong) / Japanese Shinjitai
conversion with OpenCC, as Data-Juicer 1.6.1 does (the configuration ``<mode>.json`` of the
OpenCC 1.1.9 wheel, whose dictionaries ship inside it: nothing is downloaded)."""

from __future__ import annotations

import re

from sparkops.core import Example, Op, Param, declare
from sparkops.models.cache import models
from sparkops.ops.cleaning.common import FAMILY

# Data-Juicer 1.6.1's modes, in its order; each is an OpenCC configuration file
MODES = ("s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp", "t2tw", "tw2t", "hk2t", "t2hk",
         "t2jp", "jp2t")


def converter(mode: str):
    """The OpenCC converter of a mode, once per Python worker."""
    def load():
        import opencc

        return opencc.OpenCC(f"{mode}.json")

    return models.get("opencc", mode, load)


_SURROGATE = re.compile("([\ud800-\udfff])")


def convert(conv, text: str) -> str:
    try:
        return conv.convert(text)
    except UnicodeEncodeError:
        # lone surrogates (a Python str from JSON may hold them; OpenCC takes UTF-8): convert the
        # pieces between them and keep them as they are
        return "".join(piece if _SURROGATE.fullmatch(piece) else conv.convert(piece)
                       for piece in _SURROGATE.split(text))


def _apply(texts, p):
    conv = converter(p["mode"])
    return [convert(conv, t) for t in texts]


declare(Op(
    name="chinese_convert_mapper", kind="mapper", family=FAMILY,
    doc="Convert Chinese text between Simplified, Traditional (Taiwan, Hong Kong variants) and Japanese "
        "Shinjitai with OpenCC (phrases first, then characters).",
    params=(
        Param("mode", "str", "s2t", "OpenCC conversion: s2t, t2s, s2tw, tw2s, s2hk, hk2s, s2twp (Taiwan "
              "idioms), tw2sp (Mainland idioms), t2tw, tw2t, hk2t, t2hk, t2jp, jp2t.", choices=MODES),
    ),
    apply=_apply, requires=("zh",),
    models=("OpenCC 1.1.9's dictionaries (Apache-2.0), inside its wheel",),
    notes="Data-Juicer 1.6.1's converter: OpenCC 1.1.9 with the configuration `<mode>.json` (a fixture it "
          "made over Chinese alpaca, ShareGPT and novel texts for several modes, "
          "`tests/test_catalogue_text.py`). Text without Chinese characters is unchanged; OpenCC keeps "
          "every other character, line breaks and spaces. OpenCC's quirk is kept: a text is cut at its "
          "first NUL character (`'a\\x00汉字'` -> `'a'`), as in Data-Juicer. Lone surrogates (which "
          "Data-Juicer's call cannot encode) stay as they are, the text around them converted. An unknown "
          "mode is refused when bound (Data-Juicer: AssertionError).",
    examples=(
        Example("chinese_convert('汉字简体转换')", "漢字簡體轉換"),
        Example("chinese_convert('漢字繁體', 't2s')", "汉字繁体"),
        Example("chinese_convert('软件和鼠标', 's2twp')", "軟體和滑鼠", "with Taiwan idioms"),
    ),
))
