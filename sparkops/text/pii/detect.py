"""``detect``: run the per-type detectors that the text can possibly hold, then resolve
overlaps into a left-to-right list of disjoint spans."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator, Sequence

from sparkops.text.pii.network import find_emails, find_ips, find_macs, find_urls
from sparkops.text.pii.identifiers import find_cards, find_cn_ids, find_crypto, find_ibans, find_ssns
from sparkops.text.pii.phones import DEFAULT_REGIONS, find_phones
from sparkops.text.pii.credentials import find_api_keys, find_jwts, find_private_keys
from sparkops.text.pii.spans import Span, resolve_overlaps

ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN", "URL",
    "CRYPTO", "MAC_ADDRESS", "CN_ID_CARD", "API_KEY", "JWT", "PRIVATE_KEY",
)
_ORDER = {t: i for i, t in enumerate(ENTITIES)}

_DIGITS = re.compile(r"\d", re.ASCII)


def _digits_at_least(text: str, n: int) -> bool:
    """True when ``text`` holds at least ``n`` digits; stops counting at ``n``."""
    for k, _ in enumerate(_DIGITS.finditer(text), 1):
        if k >= n:
            return True
    return False


def _detectors(text: str, regions: Sequence[str]) -> dict[str, Callable[[], Iterator[Span]]]:
    # each entry: (cheap pre-check that the type can occur at all, the scan)
    return {
        "EMAIL_ADDRESS": lambda: find_emails(text) if "@" in text else iter(()),
        "PHONE_NUMBER": lambda: find_phones(text, regions) if _digits_at_least(text, 7) else iter(()),
        "CREDIT_CARD": lambda: find_cards(text) if _digits_at_least(text, 12) else iter(()),
        "IBAN_CODE": lambda: find_ibans(text) if _digits_at_least(text, 4) else iter(()),
        "IP_ADDRESS": lambda: find_ips(text) if ("." in text or ":" in text) else iter(()),
        "US_SSN": lambda: find_ssns(text) if _digits_at_least(text, 9) else iter(()),
        "URL": lambda: find_urls(text) if "." in text or "://" in text else iter(()),
        "CRYPTO": lambda: find_crypto(text) if _digits_at_least(text, 1) else iter(()),
        "MAC_ADDRESS": lambda: find_macs(text) if any(c in text for c in ":-.") else iter(()),
        "CN_ID_CARD": lambda: find_cn_ids(text) if _digits_at_least(text, 17) else iter(()),
        "API_KEY": lambda: find_api_keys(text),
        "JWT": lambda: find_jwts(text) if "eyJ" in text else iter(()),
        "PRIVATE_KEY": lambda: find_private_keys(text) if "-----BEGIN " in text else iter(()),
    }


def detect(text: str, entities: Iterable[str] | None = None,
           regions: Sequence[str] = DEFAULT_REGIONS) -> list[Span]:
    """Detected PII spans of ``text``, disjoint, sorted by (start, -end).

    ``entities`` restricts the types (default: all of ENTITIES; an unknown name raises
    ValueError); ``regions`` are the ISO 3166 region hints for national-format phone numbers.
    Overlaps are resolved as ``spans.resolve_overlaps`` describes.
    """
    if entities is None:
        wanted = ENTITIES
    else:
        # a lone name is one entity, not an iterable of characters
        wanted = (entities,) if isinstance(entities, str) else tuple(dict.fromkeys(entities))
        unknown = [e for e in wanted if e not in _ORDER]
        if unknown:
            raise ValueError(f"unknown PII entity {unknown}; known: {', '.join(ENTITIES)}")
    if not text:
        return []
    scans = _detectors(text, tuple(regions))
    candidates = [s for name in wanted for s in scans[name]()]
    return resolve_overlaps(candidates, _ORDER)
