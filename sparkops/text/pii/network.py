"""Network identifiers: e-mail addresses, URLs, IPv4/IPv6 and MAC addresses."""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator

from sparkops.text.pii.spans import Span
from sparkops.text.pii.tlds import BARE_DOMAIN_TLDS, ICANN_TLDS

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"

# ---------------------------------------------------------------- e-mail
# RFC 5322 dot-atom, restricted to the characters real addresses use, ASCII only; the local
# part may not start or end with a dot (the look-behind keeps us from starting mid-address).
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
    r"@((?:" + _LABEL + r"\.){1,10})([A-Za-z]{2,24})(?![A-Za-z0-9\-]|@)", re.ASCII
)


def find_emails(text: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        if ".." in m.group() or m.group(2).lower() not in ICANN_TLDS:
            continue
        yield Span("EMAIL_ADDRESS", m.start(), m.end(), 0.9)


# ---------------------------------------------------------------- URL
# What may follow a host: anything but white space, quotes, angle brackets and the characters
# RFC 3986 never allows raw; the tail is trimmed afterwards (trailing punctuation, unbalanced
# closing brackets), so the scan itself is one possessive class run.
_URL_TAIL = r"[^\s<>\"'`{}|\\^]*+"
_URL_SCHEME = re.compile(r"(?i)(?<![A-Za-z0-9+.\-])(?:https?|ftps?|sftp|wss?)://" + _URL_TAIL, re.ASCII)
_URL_WWW = re.compile(r"(?i)(?<![\w.\-@/])www\d{0,3}\.(?=[A-Za-z0-9])" + _URL_TAIL, re.ASCII)
_URL_BARE = re.compile(
    r"(?<![\w.\-@/:])((?:" + _LABEL + r"\.){1,8})([A-Za-z]{2,24})(?![\w\-@]|\.[A-Za-z0-9])"
    r"(?::\d{1,5}(?![\w]))?(?:[/?#]" + _URL_TAIL + ")?", re.ASCII
)
_TRAILING = ".,;:!?*'\""
_HOST = re.compile(r"(?:" + _LABEL + r"\.)*+" + _LABEL + r"\.?", re.ASCII)


def _trim(url: str) -> str:
    """Drop sentence punctuation and closing brackets the URL did not open."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        elif last == "]" and url.count("[") < url.count("]"):
            url = url[:-1]
        else:
            break
    return url


def _host_of(rest: str) -> str:
    """Host part of what follows ``scheme://``: before the path, minus user info and port."""
    end = len(rest)
    for sep in "/?#":
        k = rest.find(sep)
        if 0 <= k < end:
            end = k
    auth = rest[:end]
    auth = auth[auth.rfind("@") + 1:]
    if auth.startswith("["):
        return auth[: auth.find("]") + 1] if "]" in auth else ""
    return auth.rsplit(":", 1)[0] if auth.count(":") == 1 else auth


def _valid_host(host: str, need_tld: bool) -> bool:
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1].split("%")[0])
            return True
        except ValueError:
            return False
    if len(host) > 253 or not _HOST.fullmatch(host):
        return False
    labels = host.rstrip(".").split(".")
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(host)
            return True
        except ValueError:
            return False
    return not need_tld or (len(labels) > 1 and labels[-1].lower() in ICANN_TLDS)


def find_urls(text: str) -> Iterator[Span]:
    for m in _URL_SCHEME.finditer(text):
        url = _trim(m.group())
        if _valid_host(_host_of(url[url.index("://") + 3:]), need_tld=False):
            yield Span("URL", m.start(), m.start() + len(url), 0.8)
    for m in _URL_WWW.finditer(text):
        url = _trim(m.group())
        if _valid_host(_host_of(url), need_tld=True):
            yield Span("URL", m.start(), m.start() + len(url), 0.7)
    for m in _URL_BARE.finditer(text):
        tld = m.group(2)
        labels = m.group(1)
        # "home.It" is a missing space, not a domain: the TLD is all lower case, or the whole
        # name is upper case; at least one letter before the TLD (not "3.14.de")
        if tld.lower() not in BARE_DOMAIN_TLDS or not (tld.islower() or (labels + tld).isupper()):
            continue
        if not any(c.isalpha() for c in labels):
            continue
        url = _trim(m.group())
        yield Span("URL", m.start(), m.start() + len(url), 0.5)


# ---------------------------------------------------------------- IP addresses
# The boundary look-behinds sit after the first character (checking two characters back) so
# the pattern starts with a character class and the regex engine skips ahead to candidates.
_IPV4 = re.compile(
    r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?:/\d{1,2})?(?![\w]|\.\d|/\d)", re.ASCII
)
# a dotted quad right after one of these words is a version number, not an address
VERSION_WORD = re.compile(
    r"(?i)\b(?:version|ver|release|rel|build|revision|rev|firmware|fw|v)\.?\s{0,3}[:#=]?\s{0,3}$",
    re.ASCII,
)
_IPV6 = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{3,45}+"
    r"(?:%[0-9A-Za-z]{1,16})?(?![\w:])", re.ASCII
)


def find_ips(text: str) -> Iterator[Span]:
    if "." in text:
        for m in _IPV4.finditer(text):
            addr, _, prefix = m.group().partition("/")
            try:
                ipaddress.IPv4Address(addr)  # octets <= 255, no leading zeros
            except ValueError:
                continue
            if prefix and int(prefix) > 32:
                continue
            if VERSION_WORD.search(text, max(0, m.start() - 16), m.start()):
                continue
            yield Span("IP_ADDRESS", m.start(), m.end(), 0.9)
    if text.count(":") >= 2:
        for m in _IPV6.finditer(text):
            cand = m.group()
            core = cand.split("%")[0].rstrip(".")
            if not any(c not in ":." for c in core):
                continue
            try:
                ipaddress.IPv6Address(core)
            except ValueError:
                continue
            end = m.end() if "%" in cand else m.start() + len(core)
            yield Span("IP_ADDRESS", m.start(), end, 0.9)


# ---------------------------------------------------------------- MAC addresses
_MAC_SEP = re.compile(
    r"[0-9A-Fa-f](?<![\w:\-.][0-9A-Fa-f])[0-9A-Fa-f]([:\-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
    r"(?![\w:\-])",
    re.ASCII,
)
_MAC_DOT = re.compile(
    r"[0-9A-Fa-f](?<![\w.][0-9A-Fa-f])[0-9A-Fa-f]{3}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w]|\.\w)", re.ASCII
)


def find_macs(text: str) -> Iterator[Span]:
    for pat, score in ((_MAC_SEP, 0.8), (_MAC_DOT, 0.7)):
        for m in pat.finditer(text):
            hexdigits = re.sub(r"[:\-.]", "", m.group()).upper()
            # all-zero and broadcast addresses identify no device
            if hexdigits in ("000000000000", "FFFFFFFFFFFF"):
                continue
            yield Span("MAC_ADDRESS", m.start(), m.end(), score)
