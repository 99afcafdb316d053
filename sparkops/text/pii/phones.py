"""Phone numbers, validated by libphonenumber's metadata (the ``phonenumbers`` port).

``PhoneNumberMatcher`` is accurate but costs ~0.1 ms per call and per region, so it is not run
over the whole text: a linear scan first cuts out short windows that could hold a number (a
run of digits and the separators phone numbers are written with, holding 7 to 17 digits,
plus a trailing extension), and the matcher (leniency VALID) runs on each window for each
region hint. A number written with its +country code is found whatever the hints.

``phonenumbers`` (the ``safety`` extra) is imported on first use, so the other types work
without it.
"""

from __future__ import annotations

import functools
import re
from typing import Iterator, Sequence

from sparkops.text.pii.spans import Span
from sparkops.text.pii.network import VERSION_WORD

# presidio-analyzer 2.2.366's PhoneRecognizer hints (US GB DE FR IL IN CA BR) minus CA, which
# shares the US numbering plan, plus the other large numbering plans
DEFAULT_REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "IL", "IN", "CN", "JP", "BR", "AU",
)

# A phone run starts with '+', '(' or a digit not glued to a word, and continues over digits
# and single separators. Possessive over disjoint alternatives: linear, never re-tried.
_RUN = re.compile(
    r"(?<![\w+\-.])(?:\+|\(\+?)?\d(?:\d|[ .\-/]?\(\d{1,5}\)|[ .\-/]\d|\)[ .\-]?\d)*+"
    r"(?:[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6})?(?![\w])", re.ASCII
)
# a calendar date, optionally with a time, is never dialled: skip the matcher calls for it
_DATE = re.compile(
    r"(?:(?:19|20)\d\d([\-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([\-/.])(?:0?[1-9]|1[0-2])\2(?:19|20)\d\d"
    r"|(?:0?[1-9]|1[0-2])([\-/.])(?:0?[1-9]|[12]\d|3[01])\3(?:19|20)\d\d)"
    r"(?: (?:[01]?\d|2[0-3])(?:[:.][0-5]\d){0,2})?",
    re.ASCII,
)
_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)", re.ASCII)
_ISBN13 = re.compile(r"97[89][\- ]?\d{1,5}[\- ]?\d{1,7}[\- ]?\d{1,7}[\- ]?\d", re.ASCII)


# a decimal fraction ("0.9235687435", "2001.1970"): one dot, no other separator
_DECIMAL = re.compile(r"\d+\.\d+", re.ASCII)
# an operand of arithmetic ("<<3000-2920=80>>", "12 * 4567890"): an operator right before or
# after the window (one space allowed) means a calculation, not a phone number
_ARITHMETIC = re.compile(r"[=*×÷^<>] ?$")
_ARITHMETIC_AFTER = re.compile(r" ?[=*×÷^<>]")


# what precedes another kind of number: a reference sign or word ("#380093024", "PO 2019/307488",
# "order no. 4411", "quote 371437012312"), or the start of an IBAN ("NL21 OPHA 5857 7335 19")
_REFERENCE_BEFORE = re.compile(
    r"(?:#|\bno\.?|\bnr\.?|(?i:\b(?:po|order|invoice|ticket|ref|reference|quote|account|acct|"
    r"tracking|shipment|parcel|package|serial|sku|isbn|issn|case|claim|policy))\b[:#.]?)\s{0,3}$|"
    r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4})+ ?$", re.ASCII)
# a version number written with dots, "9.1.7101.1168": a one-digit group before the last one
# (dotted phone numbers group their digits by two or more: 555.123.4567, 01.23.45.67.89)
_DOTTED_VERSION = re.compile(r"\d+(?:\.\d+)*\.\d\.\d+(?:\.\d+)*|\d\.\d+\.\d+(?:\.\d+)*", re.ASCII)


_EXTENSION = re.compile(r" ?(?:x|ext\.?|extension|#) ?\d{1,6}$", re.ASCII)


def another_number(text: str, start: int, end: int) -> bool:
    """A phone-shaped span that is something else, by what precedes it or its shape: an
    order, ticket or reference number, the digits of an IBAN, a dotted version number, fewer
    than 7 digits (a piece of a longer number; libphonenumber accepts short codes of some
    regions), or a long bare digit string (13+ digits before any extension without a leading
    + or 00 are no national number: card-like)."""
    if _REFERENCE_BEFORE.search(text, max(0, start - 24), start):
        return True
    span = text[start:end]
    if _DOTTED_VERSION.fullmatch(span):
        return True
    digits = sum(c.isdigit() for c in _EXTENSION.sub("", span))
    return digits < _MIN_DIGITS or (digits > 12 and not span.startswith(("+", "00", "(+")))


def _not_a_phone(core: str) -> bool:
    """Shapes that are something else and cost a dozen matcher calls each: calendar dates
    (with an optional time), IPv4 dotted quads, decimal fractions, ISBN-13s with a valid
    check digit."""
    if _DATE.fullmatch(core) or _DOTTED_QUAD.fullmatch(core) or _DECIMAL.fullmatch(core):
        return True
    if _ISBN13.fullmatch(core):
        digits = [int(c) for c in core if c.isdigit()]
        return len(digits) == 13 and sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
    return False


_MIN_DIGITS, _MAX_DIGITS, _MAX_WINDOW = 7, 17, 40
_SCORE = 0.75
# the matcher reads one character before a number (a letter there voids it) and up to three
# after it (":30" makes "2024-01-15 11" a time stamp); two before covers "= " for the
# arithmetic check; that much context, and no more, keeps the memo effective
_BEFORE, _AFTER = 2, 3
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


@functools.lru_cache(maxsize=16384)
def _match_window(window: str, lo: int, hi: int,
                  regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Matcher finds in ``window`` that touch [lo, hi), for every region hint; memoised, as
    the same number (a shop's phone, a footer) recurs across a corpus."""
    from phonenumbers import Leniency, PhoneNumberMatcher  # the `safety` extra

    core = window[lo:hi]
    if _not_a_phone(core) or _ARITHMETIC.search(window[:lo]) or _ARITHMETIC_AFTER.match(window, hi):
        return ()
    hints = regions[:1] if core.lstrip("(").startswith("+") else regions
    out: dict[tuple[int, int], None] = {}
    for region in hints:
        for match in PhoneNumberMatcher(window, region, leniency=Leniency.VALID):
            # inside the window: the context is there to be looked at, not matched
            if match.start >= lo and match.end <= hi:
                out[(match.start, match.end)] = None
    return tuple(out)


def find_phones(text: str, regions: Sequence[str]) -> Iterator[Span]:
    seen = set()
    regions = tuple(regions)
    for s, e in _windows(text):
        # its finds must touch the window
        cs, ce = max(0, s - _BEFORE), min(len(text), e + _AFTER)
        for a, b in _match_window(text[cs:ce], s - cs, e - cs, regions):
            key = (cs + a, cs + b)
            # "build 12.0.6020.822": a version number right after its word, not a phone
            if key not in seen and not VERSION_WORD.search(text, max(0, key[0] - 16), key[0]) \
                    and not another_number(text, *key):
                seen.add(key)
                yield Span("PHONE_NUMBER", key[0], key[1], _SCORE)
    # Chinese mobiles are often written as 11 bare digits, which the matcher only reads with
    # the CN hint; check them against CN metadata whatever the hints
    if "CN" not in regions:
        import phonenumbers

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
