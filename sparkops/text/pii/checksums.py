"""Check-digit validators behind the PII detectors: each takes the candidate text and says
whether it is a well-formed identifier, so look-alike numbers are left alone."""

from __future__ import annotations

import datetime
import hashlib

from sparkops.text.pii.tables import CN_PROVINCE_CODES, IBAN_LENGTHS


def luhn_valid(number: str) -> bool:
    """Luhn (mod 10) check over the digits of ``number``; other characters are ignored."""
    digits = [ord(c) - 48 for c in number if "0" <= c <= "9"]
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616: known country, that country's registry length, alphanumeric BBAN, and
    ISO 7064 MOD 97-10 over BBAN + country + check digits equal to 1. Spaces are ignored."""
    s = iban.replace(" ", "").upper()
    if len(s) < 5 or not s.isascii() or not s.isalnum():
        return False
    if IBAN_LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit():
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"


def cn_id_valid(number: str, today: datetime.date | None = None) -> bool:
    """PRC resident identity number (GB 11643-1999): 18 characters, a known province code, a
    real birth date YYYYMMDD in positions 7-14 not after ``today`` and not before 1800, and the
    ISO 7064 MOD 11-2 check character (0-9 or X)."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789Xx":
        return False
    if number[:2] not in CN_PROVINCE_CODES:
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1800 or born > (today or datetime.date.today()):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _CN_WEIGHTS))
    return _CN_CHECK[total % 11] == number[17].upper()


def ssn_valid(ssn: str) -> bool:
    """US Social Security number allocation rules (SSA): area not 000, 666 or 900-999, group
    not 00, serial not 0000; plus the numbers that were published and voided (078-05-1120,
    219-09-9999) and the textbook 123-45-6789. Separators are ignored."""
    digits = "".join(c for c in ssn if c.isdigit())
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in ("078051120", "219099999", "123456789")


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def _b58decode(s: str) -> bytes | None:
    n = 0
    for c in s:
        i = _B58_INDEX.get(c)
        if i is None:
            return None
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(s) - len(s.lstrip("1"))) + body


def btc_base58_valid(address: str) -> bool:
    """Bitcoin legacy address: Base58Check of 25 bytes, version 0x00 (P2PKH, leading "1") or
    0x05 (P2SH, leading "3"), last 4 bytes = first 4 of double SHA-256 of the first 21."""
    if not 25 <= len(address) <= 35:
        return False
    raw = _b58decode(address)
    if raw is None or len(raw) != 25 or raw[0] not in (0x00, 0x05):
        return False
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32_CHARSET)}
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def _bech32_polymod(values) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def bech32_decode(text: str) -> tuple[str, list[int], int] | None:
    """BIP-173 / BIP-350 string decoding: (hrp, data without checksum, checksum constant) or
    None when the string is not valid bech32 or bech32m (mixed case, bad characters, length
    over 90, checksum mismatch)."""
    if len(text) > 90 or (text.lower() != text and text.upper() != text):
        return None
    if any(not 33 <= ord(c) <= 126 for c in text):
        return None
    s = text.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s):
        return None
    hrp = s[:pos]
    data = [_BECH32_INDEX.get(c, -1) for c in s[pos + 1:]]
    if -1 in data:
        return None
    const = _bech32_polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST):
        return None
    return hrp, data[:-6], const


def _convert_bits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    # decoding: leftover bits must be padding (fewer than frombits, all zero)
    if bits >= frombits or (acc << (tobits - bits)) & maxv:
        return None
    return out


def bech32_valid(address: str, hrps: tuple[str, ...] = ("bc", "tb")) -> bool:
    """Segwit address (BIP-173, BIP-350): bech32 for witness version 0 with a 20- or 32-byte
    program, bech32m for versions 1-16 with 2-40 bytes; human-readable part in ``hrps``."""
    dec = bech32_decode(address)
    if dec is None:
        return False
    hrp, data, const = dec
    if hrp not in hrps or not data or data[0] > 16:
        return False
    prog = _convert_bits(data[1:], 5, 8)
    if prog is None or not 2 <= len(prog) <= 40:
        return False
    if data[0] == 0:
        return const == _BECH32_CONST and len(prog) in (20, 32)
    return const == _BECH32M_CONST
