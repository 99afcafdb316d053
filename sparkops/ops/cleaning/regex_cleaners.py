"""clean_email_mapper, clean_links_mapper, clean_ip_mapper: Data-Juicer's patterns, one shared
declaration (a pattern and its replacement). Patterns use the ``regex`` module with DOTALL, as
Data-Juicer does (its character classes and ``\\b`` differ slightly from ``re`` on non-ASCII text).

The ``regex`` module tries these patterns' alternatives at every position of a text, slowly;
most texts hold no link and no IP address. So the default link and IP patterns come with a
*hint*: a cheap test that holds for every text in which the pattern can match (a necessary
condition, stated next to each), and a text failing it is returned as it is. A pattern of the
user's own has no hint."""

from __future__ import annotations

import re
from typing import Callable

import regex

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY

EMAIL_PATTERN = r"[A-Za-z0-9.\-+_]+@[a-z0-9.\-+_]+\.[a-z]+"
LINK_PATTERN = (
    r"(?i)\b("
    r"(?:[a-z][\w-]+:(?:\/{1,3}|[a-z0-9%])|www\d{0,3}[.]|[a-z0-9.\-]+[.][a-z]{2,4}\/)"
    r"(?:[^\s()<>]+|\(([^\s()<>]+|(\([^\s()<>]+\)))*\))"
    r"+(?:\(([^\s()<>]+|(\([^\s()<>]+\)))*\)|[^\s`!()\[\]{};:\'\".,<>?«»“”‘’])"
    r")"
)
_IPV4_OCTET = r"(?:(?:1[0-9][0-9])|(?:2[0-4][0-9])|(?:25[0-5])|(?:[1-9][0-9])|(?:[0-9]))"
IP_PATTERN = (
    r"(?:(?:1[0-9][0-9]\.)|(?:2[0-4][0-9]\.)|(?:25[0-5]\.)|(?:[1-9][0-9]\.)|(?:[0-9]\.)){3}"
    + _IPV4_OCTET
    + r"|([\da-fA-F]{1,4}:){7}[\da-fA-F]{1,4}"
)

# Every link match starts with one of: a word character then ':' then '/' or [a-z0-9%] (any
# case; a character whose case folds into a-z is a letter), 'www' (any case), or '.', two to four
# letters and '/'. Before the ':' any non-space character stands for regex's \w (which, unlike
# re's, also takes combining marks).
_LINK_HINT = re.compile(r"\S:[/\w%]|[wW]{3}|\.[^\W\d_]{2,4}/")
# An IPv4 match holds a digit and three times '.' + a digit, the middle two octets of one to
# three digits (version numbers like 1.2.3 do not pass). An IPv6 match holds 7 colons, and a
# colon followed by six groups of one to four hex digits (regex's \d: any decimal digit; each a
# \w to re) and a colon each.
_IPV4_HINT = re.compile(r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")
_IPV6_HINT = re.compile(r":(?:\w{1,4}:){6}")


def _may_hold_link(text: str) -> bool:
    return _LINK_HINT.search(text) is not None


def _may_hold_ip(text: str) -> bool:
    return _IPV4_HINT.search(text) is not None or (text.count(":") >= 7 and _IPV6_HINT.search(text) is not None)


def _regex_cleaner(name: str, default_pattern: str, what: str, examples: tuple[Example, ...],
                   hint: Callable[[str], bool] | None = None) -> Op:
    def prepare(p, where):
        pattern = p["pattern"]
        if pattern is None:
            pattern = default_pattern
        elif len(pattern) > 2 and pattern[:2] in ("r'", 'r"') and pattern[-1] == pattern[1]:
            pattern = pattern[2:-1]  # Data-Juicer accepts a Python raw-string literal in YAML
        try:
            compiled = regex.compile(pattern, flags=regex.DOTALL)
        except regex.error as err:
            raise OpError(f"{where}: parameter 'pattern' is not a valid regular expression: {err}") from None
        return dict(p, compiled=compiled, hint=hint if pattern == default_pattern else None)

    def apply(texts, p):
        compiled, repl, may_match = p["compiled"], p["repl"], p["hint"]
        if may_match is None:
            return [compiled.sub(repl, t) for t in texts]
        return [compiled.sub(repl, t) if may_match(t) else t for t in texts]

    return declare(Op(
        name=name, kind="mapper", family=FAMILY,
        doc=f"Replace {what} with `repl` (default: remove them).",
        params=(
            Param("pattern", "str", None, f"Regular expression (regex module, DOTALL); default: Data-Juicer's "
                  f"{what} pattern.", nullable=True),
            Param("repl", "str", "", "Replacement text."),
        ),
        apply=apply, prepare=prepare, examples=examples,
    ))


_regex_cleaner("clean_email_mapper", EMAIL_PATTERN, "e-mail addresses", (
    Example("clean_email('mail me: john.doe+tag@example.com!')", "mail me: !"),
    Example("clean_email('a@b.co', NULL, '<EMAIL>')", "<EMAIL>", "NULL pattern: the default one"),
))
_regex_cleaner("clean_links_mapper", LINK_PATTERN, "links (http/https/ftp/... URLs, www. hosts, host/paths)", (
    Example("clean_links('see https://example.com/a?b=1 now')", "see  now"),
    Example("clean_links('docs at www.example.org, or not', NULL, '<URL>')", "docs at <URL>, or not",
            "the trailing comma is not part of the link"),
), hint=_may_hold_link)
_regex_cleaner("clean_ip_mapper", IP_PATTERN, "IPv4 and IPv6 addresses", (
    Example("clean_ip('host 192.168.0.1 up')", "host  up"),
    Example("clean_ip('v6 fe80:0:0:0:202:b3ff:fe1e:8329 ok', NULL, '<IP>')", "v6 <IP> ok"),
), hint=_may_hold_ip)
