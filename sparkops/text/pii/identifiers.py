"""Number-shaped identifiers validated by check digits or allocation rules: payment cards,
IBANs, US SSNs, PRC resident IDs, Bitcoin addresses.

Every pattern is a single pass of bounded or possessive quantifiers over disjoint classes, so
a scan is linear in the text; validation then works on the (short) candidate only.
"""

from __future__ import annotations

import functools
import re
from typing import Iterator

from sparkops.text.pii.checksums import (
    bech32_valid,
    btc_base58_valid,
    cn_id_valid,
    iban_valid,
    luhn_valid,
    ssn_valid,
)
from sparkops.text.pii.spans import Span
from sparkops.text.pii.tables import CARD_IIN_RANGES, IBAN_LENGTHS

# ---------------------------------------------------------------- payment cards
# A card as printed: one unbroken number of 12-19 digits, or 3-5 groups of 3-6 digits starting
# with a group of 4 and joined by one kind of separator (4-4-4-4, 4-6-5, 4-4-4-4-3 ...). Not
# glued to a word, a '+', a '-' or a decimal point. The leading look-ahead lists the first
# digits some scheme issues (cheap pruning; the IIN table decides).
_CARD = re.compile(
    r"(?<![\w+\-])(?<!\d[.,])(?=1800|2|3|4|5|6|9792)"
    r"(?:\d{4}([ \-])\d{3,6}(?:\1\d{3,6}){1,3}|\d{12,19})(?![\w]|[.,]\d)",
    re.ASCII,
)
_CARD_MIN, _CARD_MAX = 12, 19


@functools.lru_cache(maxsize=65536)
def _iin_lengths(digits: str) -> tuple[int, ...]:
    """Allowed lengths for a number starting with ``digits`` (empty: no scheme issues it)."""
    out: tuple[int, ...] = ()
    for first, last, lengths in CARD_IIN_RANGES:
        p = digits[: len(first)]
        if len(p) == len(first) and first <= p <= last:
            out += lengths
    return out


def _card_end(m: re.Match) -> int:
    """End offset of the longest valid card the match starts with (whole groups), or -1."""
    text = m.group()
    sep = m.group(1)
    groups = text.split(sep) if sep else [text]
    lengths = _iin_lengths("".join(groups)[:6])
    if not lengths:
        return -1
    for j in range(len(groups), 0, -1):
        digits = "".join(groups[:j])
        if len(digits) < _CARD_MIN:
            break
        if len(digits) in lengths and luhn_valid(digits):
            return m.start() + sum(map(len, groups[:j])) + j - 1
    return -1


_IBAN_BEFORE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2} ?$", re.ASCII)


def find_cards(text: str) -> Iterator[Span]:
    pos = 0
    while True:
        m = _CARD.search(text, pos)
        if m is None:
            return
        end = _card_end(m)
        # the BBAN digits of an IBAN that failed its own check ("DE77 3968 1631 7556 6553 46")
        # are no card, even where 16 of them pass Luhn
        if end >= 0 and _IBAN_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            pos = end
        elif end >= 0:
            yield Span("CREDIT_CARD", m.start(), end, 1.0)
            pos = end
        else:
            # no card starts here: try again from the next group (a card may follow a number)
            pos = m.start() + (m.group().find(m.group(1)) + 1 if m.group(1) else len(m.group()))


# ---------------------------------------------------------------- IBAN
# Country code + check digits, then the first characters of the BBAN; the exact end comes from
# the country's registry length, so the scan never needs an open-ended repetition.
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?= ?[A-Za-z0-9]{4})", re.ASCII)
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def find_ibans(text: str) -> Iterator[Span]:
    n = len(text)
    for m in _IBAN_START.finditer(text):
        cc = m.group(1)
        length = IBAN_LENGTHS.get(cc.upper())
        # one case throughout: "GB82WEST..." or "gb82west...", not "Gb82West"
        if length is None or (cc.upper() != cc and cc.lower() != cc):
            continue
        # electronic form (no spaces) or paper form (a single space after every 4 characters)
        for spaced in (False, True):
            chars, i = 4, m.end()
            while chars < length and i < n:
                if spaced and chars % 4 == 0:
                    if text[i] != " ":
                        break
                    i += 1
                    if i >= n:
                        break
                if text[i] not in _ALNUM:
                    break
                chars += 1
                i += 1
            if chars != length or (i < n and text[i] in _ALNUM):
                continue
            cand = text[m.start():i]
            if cand.upper() != cand and cand.lower() != cand:
                continue
            if iban_valid(cand):
                yield Span("IBAN_CODE", m.start(), i, 1.0)
                break


# ---------------------------------------------------------------- US SSN
# look-behind after the first digit: the pattern starts with \d, so the engine skips to digits
_SSN_SEP = re.compile(r"\d(?<![\w\-.]\d)\d\d([\- ])\d\d\1\d{4}(?![\w]|[\-.]\d)", re.ASCII)
_SSN_PLAIN = re.compile(r"\d(?<![\w\-.]\d)\d{8}(?![\w]|[\-.]\d)", re.ASCII)
# a plain 9-digit number is an SSN only when one of these words closes in on it
_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssns?|ss#|ssn#|social[ \-]security|ssid)\b", re.ASCII)
_SSN_CONTEXT_WINDOW = 40


def find_ssns(text: str) -> Iterator[Span]:
    for m in _SSN_SEP.finditer(text):
        if ssn_valid(m.group()):
            yield Span("US_SSN", m.start(), m.end(), 0.85 if m.group(1) == "-" else 0.7)
    for m in _SSN_PLAIN.finditer(text):
        if ssn_valid(m.group()) and _SSN_CONTEXT.search(
                text, max(0, m.start() - _SSN_CONTEXT_WINDOW), m.start()):
            yield Span("US_SSN", m.start(), m.end(), 0.5)


# ---------------------------------------------------------------- PRC resident ID
_CN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])", re.ASCII)


def find_cn_ids(text: str) -> Iterator[Span]:
    for m in _CN_ID.finditer(text):
        if cn_id_valid(m.group()):
            yield Span("CN_ID_CARD", m.start(), m.end(), 1.0)


# ---------------------------------------------------------------- Bitcoin
_BTC_BASE58 = re.compile(r"(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{24,34}+(?![0-9A-Za-z])", re.ASCII)
# bech32 data characters exclude 1, b, i, o; the separator is the last '1'
_BTC_BECH32 = re.compile(r"(?i)(?<![0-9a-z])(?:bc|tb)1[02-9ac-hj-np-z]{11,87}+(?![0-9a-z])", re.ASCII)


def find_crypto(text: str) -> Iterator[Span]:
    for m in _BTC_BASE58.finditer(text):
        if btc_base58_valid(m.group()):
            yield Span("CRYPTO", m.start(), m.end(), 1.0)
    for m in _BTC_BECH32.finditer(text):
        if bech32_valid(m.group()):
            yield Span("CRYPTO", m.start(), m.end(), 1.0)
