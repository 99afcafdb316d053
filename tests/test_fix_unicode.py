"""fix_unicode_mapper's fast path gives exactly what ftfy.fix_text gives (Data-Juicer calls it):
on real text of several languages and on every short string over the characters where the
shortcuts meet ftfy's repairs."""

from __future__ import annotations

import itertools
import json
import random

import ftfy
import pytest

from sparkops.ops.cleaning.fix_unicode import fix_text

FORMS = ("NFC", "NFKC", "NFD", "NFKD")
# the shortcut's own characters, mojibake lead characters (Ã, Â, â, Õ in macroman), a no-break
# space, C1 and cp1252 bytes, entities, '<', line breaks and an escape
ALPHABET = "a \n’‘“”–—…ÃÂâ€™Õ\xa0\x92\x85&;<\r\x1bé"


def _config(form, **kw):
    return ftfy.TextFixerConfig(explain=False, normalization=form, **kw)


def _with_mojibake(docs):
    # mojibake made the usual way: UTF-8 bytes read as cp1252 / Latin-1
    return (docs + [d.encode("utf-8").decode("cp1252", errors="replace") for d in docs[:100]]
            + [d.encode("utf-8").decode("latin-1") for d in docs[100:150]])


def _check_real(docs, form, changed):
    config = _config(form)
    assert sum(fix_text(d, config) != d for d in docs) >= changed  # ftfy does change many of them
    for doc in docs:
        assert fix_text(doc, config) == ftfy.fix_text(doc, normalization=form)


@pytest.mark.parametrize("form", FORMS)
def test_equals_ftfy_on_c4(c4_path, form):
    _check_real(_with_mojibake([json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")]), form, 100)


def test_equals_ftfy_on_wikipedia_and_a_chinese_novel(shared_data):
    web = shared_data / "web"
    docs = [p for name in ("wiki_sample.txt", "zh_novel_sample.txt")
            for p in (web / name).read_text(encoding="utf-8").split("\n\n") if p.strip()]
    _check_real(_with_mojibake(docs), "NFC", 25)


def test_equals_ftfy_on_every_short_string():
    config = _config("NFC")
    for n in range(1, 4):
        for chars in itertools.product(ALPHABET, repeat=n):
            text = "".join(chars)
            assert fix_text(text, config) == ftfy.fix_text(text, normalization="NFC"), repr(text)


@pytest.mark.parametrize("form", FORMS)
def test_equals_ftfy_on_random_lines_and_short_segments(form):
    rnd = random.Random(20261205)
    texts = ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 30))) for _ in range(4000)]
    for size in (1_000_000, 7):  # ftfy's segments: lines, and at most max_decode_length characters
        config = _config(form, max_decode_length=size)
        for text in texts:
            assert fix_text(text, config) == ftfy.fix_text(text, config=config), repr(text)


def test_html_unescaping_stops_at_the_first_angle_bracket_as_in_ftfy():
    config = _config("NFC")
    text = "fish &amp; chips\n<p>x</p>\nsalt &amp; vinegar ’\n"
    assert fix_text(text, config) == ftfy.fix_text(text) == "fish & chips\n<p>x</p>\nsalt &amp; vinegar '\n"


def test_windowed_mojibake_test_equals_ftfys():
    from ftfy.badness import is_bad

    from sparkops.ops.cleaning.fix_unicode import _RUNS, _is_bad

    assert _RUNS is not None  # ftfy's pattern still has the shape the windows rely on
    # letters, spaces and punctuation around lead characters of mojibake (Ã Â â Ø Ù à √ ‚ в Г β ā),
    # what follows them, and characters no match holds (CJK, ASCII)
    alphabet = "ab Z.,?!\n\t ÃÂâ€™œŠ©°ØÙà²√±‚Äìв‚ГўВЂβāĀ×³Œ·»«é中文—–’”"
    rnd = random.Random(20261206)
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(60000)]
    # a match near a window's edge: a run far from the text's start, after and before ASCII
    texts += [("x" * k) + "Ã©" + ("y" * j) for k in range(10) for j in range(10)]
    texts += [("文" * k) + " Ã " + ("字" * j) for k in range(10) for j in range(10)]
    bad = [is_bad(t) for t in texts]
    assert sum(bad) > 10000 and len(bad) - sum(bad) > 10000  # both answers are well represented
    assert [_is_bad(t) for t in texts] == bad


def test_real_segments_that_need_more_than_quotes_still_go_through_ftfy():
    config = _config("NFC")
    # each needs a step the shortcut does not take: mojibake, an entity, a ligature, a
    # full-width letter, a line separator, a C1 control
    for text in ("cafÃ©", "caf&eacute; ok", "ﬁne", "ＡＢ", "a\u2028b", "x\x85y", "Ã© and “quotes”"):
        assert fix_text(text, config) == ftfy.fix_text(text) != text, repr(text)
