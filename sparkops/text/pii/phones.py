"""Phone numbers, validated by libphonenumber's metadata (the ``phonenumbers`` port).

``PhoneNumberMatcher`` is accurate but costs ~0.1 ms per call and per region, so it is not run
over the whole text: a linear scan first cuts out short windows that could hold a number (a
run of digits and the separators phone numbers are written with, holding 7 to 17 digits,
plus a trailing extension), and the matcher (leniency VALID) runs on each window for each
region hint. A number written with its +country code is found whatever the hints.
"""

from __future__ import annotations

import re
from typing import Iterator, Sequence

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from sparkops.text.pii.spans import Span

# presidio-analyzer 2.2.366's PhoneRecognizer hints (US GB DE FR IL IN CA BR) minus CA, which
# shares the US numbering plan, plus the other large numbering plans
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "IT", "IL", "IN", "CN", "JP", "BR", "AU")

# A phone run starts with '+', '(' or a digit not glued to a word, and continues over digits
# and single separators. Possessive over disjoint alternatives: linear, never re-tried.
_RUN = re.compile(
    r"(?<![\w+\-.])(?:\+|\(\+?)?\d(?:\d|[ .\-/]?\(\d{1,5}\)|[ .\-/]\d|\)[ .\-]?\d)*+"
    r"(?:[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6})?(?![\w])", re.ASCII
)
_MIN_DIGITS, _MAX_DIGITS, _MAX_WINDOW = 7, 17, 40
_SCORE = 0.75
_CONTEXT = 8
_CN_MOBILE = re.compile(r"(?<![\d+])1[3-9]\d{9}(?!\d)", re.ASCII)


def _windows(text: str) -> Iterator[tuple[int, int]]:
    for m in _RUN.finditer(text):
        s, e = m.span()
        if e - s <= _MAX_WINDOW:
            if _MIN_DIGITS <= sum(c.isdigit() for c in text[s:e]) <= _MAX_DIGITS:
                yield s, e
            continue
        # a long run (a table row, a serial): cut it at spaces into windows of at most
        # _MAX_WINDOW characters; a number straddling a cut is missed
        ws = s
        while ws < e:
            we = min(e, ws + _MAX_WINDOW)
            if we < e:
                cut = text.rfind(" ", ws + 1, we)
                if cut < 0:
                    # no space in 40 characters: a serial such as 1234-5678-..., not a phone
                    nxt = text.find(" ", we, e)
                    ws = e if nxt < 0 else nxt + 1
                    continue
                we = cut
            if _MIN_DIGITS <= sum(c.isdigit() for c in text[ws:we]) <= _MAX_DIGITS:
                yield ws, we
            ws = we + 1


def find_phones(text: str, regions: Sequence[str]) -> Iterator[Span]:
    seen = set()
    for s, e in _windows(text):
        # the matcher looks at the characters around a number to reject dates and times
        # ("2024-01-15 11:30"), so it sees a little context; its finds must touch the window
        cs, ce = max(0, s - _CONTEXT), min(len(text), e + _CONTEXT)
        window = text[cs:ce]
        hints = regions[:1] if text[s:e].lstrip("(").startswith("+") else regions
        for region in hints:
            for match in PhoneNumberMatcher(window, region, leniency=Leniency.VALID):
                key = (cs + match.start, cs + match.end)
                if key[1] <= s or key[0] >= e:
                    continue
                if key not in seen:
                    seen.add(key)
                    yield Span("PHONE_NUMBER", key[0], key[1], _SCORE)
    # Chinese mobiles are often written as 11 bare digits, which the matcher only reads with
    # the CN hint; check them against CN metadata whatever the hints
    if "CN" not in regions:
        for m in _CN_MOBILE.finditer(text):
            key = m.span()
            if key in seen:
                continue
            try:
                num = phonenumbers.parse(m.group(), "CN")
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(num):
                seen.add(key)
                yield Span("PHONE_NUMBER", key[0], key[1], _SCORE)
