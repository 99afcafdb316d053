"""Reference tables the validators check against (facts, with their sources)."""

from __future__ import annotations

# IBAN length per country (SWIFT IBAN Registry, release 99, plus the experimental/partner
# entries most banks accept); the value counts every character of the electronic format,
# country code and check digits included.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

# Payment card issuer identification number ranges (ISO/IEC 7812 IINs as published by the
# schemes; summarised in Wikipedia's "Payment card number" table). Each row is
# (first prefix, last prefix, allowed lengths); a number belongs to a row when its leading
# len(first) digits lie in [first, last].
_ANY = tuple(range(16, 20))
CARD_IIN_RANGES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("4", "4", (13, 16, 19)),                                       # Visa
    ("51", "55", (16,)), ("2221", "2720", (16,)),                   # Mastercard
    ("34", "34", (15,)), ("37", "37", (15,)),                       # American Express
    ("300", "305", (14,) + _ANY), ("3095", "3095", (14,) + _ANY),   # Diners Club
    ("36", "36", (14, 15) + _ANY), ("38", "39", (14,) + _ANY),
    ("6011", "6011", _ANY), ("644", "649", _ANY), ("65", "65", _ANY),  # Discover
    ("622126", "622925", _ANY),
    ("3528", "3589", _ANY),                                         # JCB
    ("1800", "1800", (15,)), ("2131", "2131", (15,)),               # JCB, legacy 15-digit
    ("62", "62", _ANY),                                             # UnionPay
    ("5018", "5018", tuple(range(12, 20))), ("5020", "5020", tuple(range(12, 20))),  # Maestro
    ("5038", "5038", tuple(range(12, 20))), ("5893", "5893", tuple(range(12, 20))),
    ("6304", "6304", tuple(range(12, 20))), ("6759", "6759", tuple(range(12, 20))),
    ("6761", "6763", tuple(range(12, 20))),
    ("2200", "2204", _ANY),                                         # Mir
    ("60", "60", (16,)), ("508", "508", (16,)), ("353", "353", (16,)), ("356", "356", (16,)),  # RuPay
    ("637", "639", (16,)),                                          # InstaPayment
    ("9792", "9792", (16,)),                                        # Troy
    ("5019", "5019", (16,)),                                        # Dankort
    ("506099", "506198", (16, 18, 19)), ("507865", "507964", (16, 18, 19)),  # Verve
    ("650002", "650027", (16, 18, 19)),
)

# First two digits of a PRC resident ID: the province-level division (GB/T 2260).
CN_PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82 83 91".split()
)
