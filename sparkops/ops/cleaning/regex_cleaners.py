"""clean_email_mapper, clean_links_mapper, clean_ip_mapper: Data-Juicer's patterns, one shared
declaration (a pattern and its replacement). Patterns use the ``regex`` module with DOTALL, as
Data-Juicer does (its character classes and ``\\b`` differ slightly from ``re`` on non-ASCII text).

The ``regex`` module tries these patterns' alternatives at every position of a text, slowly;
most texts hold no e-mail address, link or IP address, and those that do hold few. So each
default pattern comes with a *hint*: a cheap pattern that matches inside every match of the
default one (a necessary condition, stated next to each). No match of a default pattern holds a
white-space character (to ``regex``: its classes exclude them, and its only anchor is a
leading ``\\b``, which a space before or the start of a text satisfies alike), so its matches lie
inside runs of non-space characters, and only the runs holding a hint match are searched: the
rest of the text is copied as it is. A pattern of the user's own has no hint."""

from __future__ import annotations

import re

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

# A hint: (pattern, needles) pairs; every match of the default pattern holds a match of one of
# the patterns, and a text holding none of a pattern's needles (if it has any) holds no match of
# it. Each pattern starts with a literal, which Python's re finds fast; the character a hint
# match starts at lies inside the default pattern's match.
# Every e-mail match holds an '@'.
_EMAIL_HINT = ((re.compile("@"), ()),)
# Every link match holds one of: ':' then '/' or [a-z0-9%] (any case; a character whose case
# folds into a-z is a letter, so a \w to re), 'www' (any case: it holds 'ww', 'WW', 'wW' or
# 'Ww'), or '.', two to four letters and '/'.
_LINK_HINT = ((re.compile(r":[/\w%]"), (":",)), (re.compile(r"[wW]{3}"), ("ww", "WW", "wW", "Ww")),
              (re.compile(r"\.[^\W\d_]{2,4}/"), ("/",)))
# An IPv4 match holds three times '.' + a digit, the middle two octets of one to three digits
# (version numbers like 1.2.3 do not pass). An IPv6 match holds a colon followed by six groups
# of one to four hex digits (regex's \d: any decimal digit; each a \w to re) and a colon each.
_IP_HINT = ((re.compile(r"\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]"), (".",)), (re.compile(r":(?:\w{1,4}:){6}"), (":",)))
# the white space that ends a run, as the patterns' own module sees it (searched backwards too)
_SPACE = regex.compile(r"\s")
_SPACE_BEFORE = regex.compile(r"\s", flags=regex.REVERSE)


def hint_positions(text: str, hint) -> list[int]:
    """Where the matches of ``hint`` start in ``text``, in order."""
    found: list[int] = []
    for pattern, needles in hint:
        if not needles or any(n in text for n in needles):
            found.extend(m.start() for m in pattern.finditer(text))
    return sorted(found) if len(hint) > 1 else found


def sub_in_runs(compiled, repl, text: str, hint) -> str:
    """``compiled.sub(repl, text)`` for a pattern whose matches hold no white space and each
    hold a match of ``hint``: the pattern runs only over the runs of non-space characters that
    hold the start of a hint match."""
    out, done = [], 0
    for at in hint_positions(text, hint):
        if at < done:  # inside a run already searched
            continue
        space = _SPACE_BEFORE.search(text, done, at)
        start = space.end() if space else done
        space = _SPACE.search(text, at)
        end = space.start() if space else len(text)
        out.append(text[done:start])
        out.append(compiled.sub(repl, text[start:end]))
        done = end
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _regex_cleaner(name: str, default_pattern: str, what: str, examples: tuple[Example, ...],
                   hint: tuple | None = None) -> Op:
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
        compiled, repl, hint = p["compiled"], p["repl"], p["hint"]
        if hint is None:
            return [compiled.sub(repl, t) for t in texts]
        return [sub_in_runs(compiled, repl, t, hint) for t in texts]

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
), hint=_EMAIL_HINT)
_regex_cleaner("clean_links_mapper", LINK_PATTERN, "links (http/https/ftp/... URLs, www. hosts, host/paths)", (
    Example("clean_links('see https://example.com/a?b=1 now')", "see  now"),
    Example("clean_links('docs at www.example.org, or not', NULL, '<URL>')", "docs at <URL>, or not",
            "the trailing comma is not part of the link"),
), hint=_LINK_HINT)
_regex_cleaner("clean_ip_mapper", IP_PATTERN, "IPv4 and IPv6 addresses", (
    Example("clean_ip('host 192.168.0.1 up')", "host  up"),
    Example("clean_ip('v6 fe80:0:0:0:202:b3ff:fe1e:8329 ok', NULL, '<IP>')", "v6 <IP> ok"),
), hint=_IP_HINT)
