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
# A run of digit groups joined by single spaces or dashes, not glued to a word, a '+', a '-'
# or a decimal point. Possessive: the run is cut where it ends, never re-tried shorter.
_DIGIT_RUN = re.compile(r"(?<![\w+\-])(?<!\d[.,])\d++(?:[ \-]\d++)*+")
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


def _card_groups_ok(groups: list[str], seps: list[str]) -> bool:
    """Printed card layouts: one unbroken number, or groups of 3-6 digits starting with 4 and
    joined by one kind of separator (4-4-4-4, 4-6-5, 4-4-4-4-3 ...)."""
    if len(groups) == 1:
        return True
    return (len(set(seps)) == 1 and len(groups[0]) == 4
            and all(3 <= len(g) <= 6 for g in groups))


def find_cards(text: str) -> Iterator[Span]:
    for m in _DIGIT_RUN.finditer(text):
        run = m.group()
        if len(run) < _CARD_MIN:
            continue
        # groups with their offsets inside the run
        groups, offs, seps = [], [], []
        pos = 0
        for part in re.split(r"([ \-])", run):
            if part in (" ", "-"):
                seps.append(part)
            else:
                groups.append(part)
                offs.append(pos)
            pos += len(part)
        k = len(groups)
        i = 0
        while i < k:
            if len(groups[i]) > _CARD_MAX or not _iin_lengths("".join(groups[i:i + 6])[:6]):
                i += 1
                continue
            # longest window of whole groups starting at i that is a valid card
            found = -1
            total = 0
            ends = []
            for j in range(i, k):
                total += len(groups[j])
                if total > _CARD_MAX:
                    break
                ends.append((j, total))
            for j, total in reversed(ends):
                if total < _CARD_MIN:
                    break
                digits = "".join(groups[i:j + 1])
                if (total in _iin_lengths(digits[:6]) and _card_groups_ok(groups[i:j + 1], seps[i:j])
                        and luhn_valid(digits)):
                    found = j
                    break
            if found < 0:
                i += 1
                continue
            start = m.start() + offs[i]
            yield Span("CREDIT_CARD", start, m.start() + offs[found] + len(groups[found]), 1.0)
            i = found + 1


# ---------------------------------------------------------------- IBAN
# Country code + check digits, then the first characters of the BBAN; the exact end comes from
# the country's registry length, so the scan never needs an open-ended repetition.
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?= ?[A-Za-z0-9]{4})")
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
_SSN_SEP = re.compile(r"(?<![\w\-.])(\d{3})([\- ])(\d{2})\2(\d{4})(?![\w]|[\-.]\d)")
_SSN_PLAIN = re.compile(r"(?<![\w\-.])\d{9}(?![\w]|[\-.]\d)")
# a plain 9-digit number is an SSN only when one of these words closes in on it
_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssns?|ss#|ssn#|social[ \-]security|sozialversicherungs|ssid)\b")
_SSN_CONTEXT_WINDOW = 40


def find_ssns(text: str) -> Iterator[Span]:
    for m in _SSN_SEP.finditer(text):
        if ssn_valid(m.group()):
            yield Span("US_SSN", m.start(), m.end(), 0.85 if m.group(2) == "-" else 0.7)
    for m in _SSN_PLAIN.finditer(text):
        if ssn_valid(m.group()) and _SSN_CONTEXT.search(
                text, max(0, m.start() - _SSN_CONTEXT_WINDOW), m.start()):
            yield Span("US_SSN", m.start(), m.end(), 0.5)


# ---------------------------------------------------------------- PRC resident ID
_CN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def find_cn_ids(text: str) -> Iterator[Span]:
    for m in _CN_ID.finditer(text):
        if cn_id_valid(m.group()):
            yield Span("CN_ID_CARD", m.start(), m.end(), 1.0)


# ---------------------------------------------------------------- Bitcoin
_BTC_BASE58 = re.compile(r"(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{24,34}+(?![0-9A-Za-z])")
# bech32 data characters exclude 1, b, i, o; the separator is the last '1'
_BTC_BECH32 = re.compile(r"(?i)(?<![0-9a-z])(?:bc|tb)1[02-9ac-hj-np-z]{11,87}+(?![0-9a-z])")


def find_crypto(text: str) -> Iterator[Span]:
    for m in _BTC_BASE58.finditer(text):
        if btc_base58_valid(m.group()):
            yield Span("CRYPTO", m.start(), m.end(), 1.0)
    for m in _BTC_BECH32.finditer(text):
        if bech32_valid(m.group()):
            yield Span("CRYPTO", m.start(), m.end(), 1.0)
