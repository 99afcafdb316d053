"""Credentials: provider API keys, ``key = value`` secret assignments, JSON Web Tokens and PEM
private-key blocks."""

from __future__ import annotations

import base64
import bisect
import binascii
import json
import math
import re
from collections import Counter
from typing import Iterator

from sparkops.text.pii.spans import Span

# ---------------------------------------------------------------- provider API keys
# Formats as the providers document them (prefix, alphabet, length). A key is a whole token:
# not glued to other token characters on either side.
_B = r"(?<![A-Za-z0-9_\-])"
_E = r"(?![A-Za-z0-9_\-])"
_PREFIXED_KEYS = re.compile(
    _B + r"(?:"
    r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"             # AWS access key id (IAM user / STS)
    r"|gh[pousr]_[A-Za-z0-9]{36,251}"                  # GitHub classic / OAuth / app tokens
    r"|github_pat_[A-Za-z0-9_]{82,240}"                # GitHub fine-grained PAT
    r"|xox[bpars]-[A-Za-z0-9\-]{10,250}"               # Slack bot/user/app/refresh tokens
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,247}"    # Stripe secret / restricted keys
    r"|AIza[0-9A-Za-z_\-]{35}"                         # Google API key
    r"|sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_\-]{32,250}"  # OpenAI (and Anthropic sk-ant-)
    r"|hf_[A-Za-z0-9]{30,40}"                          # Hugging Face user access token
    r")" + _E, re.ASCII
)

# `api_key = "..."`, `"client_secret": "..."`, `AUTH_TOKEN: ...`: a name ending in key, secret or
# token, an assignment sign, and a value; only the value becomes the span, and only when it
# looks random (see _high_entropy). The names are found with str.find on a lower-cased copy
# (a regex alternation tried at every position costs ~5x more), the rest is matched anchored.
_SECRET_NAMES = ("key", "secret", "token")
_IDENT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_SECRET_NAME = re.compile(r"(?i)(?=[kst])(?:key|secret|token)", re.ASCII)
_ASSIGNED_VALUE = re.compile(
    r"[\"']?[ \t]{0,3}(?::=|=>|:|=)[ \t]{0,3}[\"']?([A-Za-z0-9_\-+/=.~]{16,256}+)", re.ASCII
)
_PLACEHOLDER = re.compile(
    r"(?i)x{4}|\*{3}|your|example|sample|placeholder|changeme|redacted|dummy|<|\$\{", re.ASCII
)


def _high_entropy(value: str) -> bool:
    """Random-looking: 20+ characters, at least two of lower/upper/digit, Shannon entropy of
    at least 3.5 bits per character (English words and identifiers sit near 2.5-3.2; hex keys
    reach ~3.7-4; base64 keys ~5), and no placeholder words."""
    if len(value) < 20 or _PLACEHOLDER.search(value):
        return False
    classes = (any(c.islower() for c in value) + any(c.isupper() for c in value)
               + any(c.isdigit() for c in value))
    if classes < 2:
        return False
    n = len(value)
    entropy = -sum(k / n * math.log2(k / n) for k in Counter(value).values())
    return entropy >= 3.5


def _secret_name_ends(text: str) -> Iterator[int]:
    """End offsets of key/secret/token in any case. ASCII text: str.find on a lower-cased copy
    (fastest; lower() keeps ASCII offsets); otherwise a regex, as lower() may change lengths."""
    if not text.isascii():
        yield from (m.end() for m in _SECRET_NAME.finditer(text))
        return
    lower = text.lower()
    for name in _SECRET_NAMES:
        pos = lower.find(name)
        while pos >= 0:
            yield pos + len(name)
            pos = lower.find(name, pos + len(name))


def find_api_keys(text: str) -> Iterator[Span]:
    for m in _PREFIXED_KEYS.finditer(text):
        key = m.group()
        # the open-ended prefixes (sk-, hf_) also start kebab-case words: want letters + digits
        if key[:3] in ("sk-", "hf_") and not (any(c.isdigit() for c in key[3:])
                                              and any(c.isalpha() for c in key[3:])):
            continue
        yield Span("API_KEY", m.start(), m.end(), 0.9)
    for end in _secret_name_ends(text):
        # the name must end here: "api_key" yes, "key_id" / "keyboard" no
        if end < len(text) and text[end].lower() in _IDENT:
            continue
        m = _ASSIGNED_VALUE.match(text, end)
        if m is None:
            continue
        value = m.group(1).rstrip(".")
        if _high_entropy(value):
            yield Span("API_KEY", m.start(1), m.start(1) + len(value), 0.6)


# ---------------------------------------------------------------- JWT
# header "eyJ" = base64url of '{"'; three dot-joined base64url parts (RFC 7519 compact JWS)
_JWT = re.compile(
    r"(?<![A-Za-z0-9_\-.])eyJ[A-Za-z0-9_\-]{4,4096}+\.[A-Za-z0-9_\-]{2,65536}+\.[A-Za-z0-9_\-]{0,8192}+"
    r"(?![A-Za-z0-9_\-]|\.[A-Za-z0-9_\-])", re.ASCII
)


def _b64json(part: str):
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        return None


def find_jwts(text: str) -> Iterator[Span]:
    for m in _JWT.finditer(text):
        header, payload, signature = m.group().split(".")
        h = _b64json(header)
        if not isinstance(h, dict) or "alg" not in h:
            continue
        if not isinstance(_b64json(payload), dict):
            continue
        # an unsecured JWT ("alg": "none") has an empty signature, a signed one has not
        if (h["alg"] == "none") != (signature == ""):
            continue
        yield Span("JWT", m.start(), m.end(), 1.0)


# ---------------------------------------------------------------- PEM private keys
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]{1,10} ){0,3}PRIVATE KEY(?: BLOCK)?)-----", re.ASCII)
_PEM_END = re.compile(r"-----END ((?:[A-Z0-9]{1,10} ){0,3}PRIVATE KEY(?: BLOCK)?)-----", re.ASCII)
# body of a key cut before its END line: header fields and base64 lines, possessively
_PEM_BODY = re.compile(
    r"(?:\r?\n[ \t]*(?:[A-Za-z\-]{1,32}: [^\r\n]{0,256}+|[A-Za-z0-9+/=]{1,128}+)[ \t]*)*+", re.ASCII
)


def find_private_keys(text: str) -> Iterator[Span]:
    """A BEGIN line up to the next END line of the same label is the key (score 1.0); a BEGIN
    line with no END before the next BEGIN is a truncated key: the span runs over the base64
    lines that follow it (score 0.8). END lines are located once, so a text full of BEGIN
    lines without END costs one pass."""
    begins = list(_PEM_BEGIN.finditer(text))
    if not begins:
        return
    ends: dict[str, list[re.Match]] = {}
    for m in _PEM_END.finditer(text):
        ends.setdefault(m.group(1), []).append(m)
    end_starts = {label: [m.start() for m in ms] for label, ms in ends.items()}
    for k, b in enumerate(begins):
        nxt = begins[k + 1].start() if k + 1 < len(begins) else len(text)
        label = b.group(1)
        starts = end_starts.get(label, [])
        i = bisect.bisect_left(starts, b.end())
        if i < len(starts) and starts[i] < nxt:
            yield Span("PRIVATE_KEY", b.start(), ends[label][i].end(), 1.0)
        else:
            body = _PEM_BODY.match(text, b.end(), nxt)
            yield Span("PRIVATE_KEY", b.start(), body.end(), 0.8)
