"""fix_unicode_mapper: ftfy's repair of mojibake, then a Unicode normal form.

Exactly ``ftfy.fix_text(text, normalization=form)``, faster: ftfy fixes a text line by line
(its segments), each through about ten passes, and most lines of real text need none of them.
A segment of printable ASCII without ``&``, ``\\r`` or control characters is provably left as it
is by every step (ftfy returns ASCII from its encoding fixer untouched, its other fixers and
every normal form change only non-ASCII, ``&`` entities, ``\\r`` line breaks, escapes and control
characters), so only the segments holding another character go through ftfy, with the config
ftfy itself would give them (HTML unescaping switched off from the first ``<`` on).

A segment whose only other characters are curly quotes, en and em dashes and the ellipsis (most
of them in English web text) gets what ftfy gives it without its ten passes: the quotes
uncurled, then the normal form. ftfy's encoding fixer cannot change such a segment: in every
single-byte encoding it tries, these characters are either absent or bytes that cannot start a
valid UTF-8 sequence before ASCII or each other, and none is a C1 control or a lead byte of its
other repairs; its remaining steps touch none of them.
Any other segment is left as it is by every step of ftfy but two when (a) it holds no character
that ftfy's other fixers change (``_TOUCHED``, built from ftfy's own tables), (b) no HTML entity
where ftfy would unescape one, and (c) ftfy's mojibake test ``is_bad`` finds nothing (then its
encoding fixer returns the text as it is). The two left are uncurling quotes and the normal form,
applied here; ftfy repeats its steps until nothing changes, and so does this, checking (a)-(c)
again each time. ``is_bad`` itself, a search with about 70 alternatives at every position, is
searched only around the characters a match must hold (``_is_bad``). A segment failing a
check goes through ftfy. tests/test_fix_unicode.py compares with ``ftfy.fix_text`` on real text
and on every short string over the characters where these shortcuts meet ftfy's repairs.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE, is_bad
from ftfy.fixes import uncurl_quotes

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY
from sparkops.text.charsets import regex_class

_NORMAL_FORMS = ("NFC", "NFKC", "NFD", "NFKD")
# a character some step of ftfy may change: anything but tab, newline and printable ASCII
# other than '&'
_NEEDS_FTFY = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
# ... and a character beyond those plus the curly quotes, dashes and ellipsis (see above)
_NEEDS_PASSES = re.compile("[^\t\n\x20-\x25\x27-\x7e\u2013\u2014\u2018\u2019\u201c\u201d\u2026]")


_FIXERS_ON = ("remove_terminal_escapes", "fix_encoding", "restore_byte_a0", "replace_lossy_sequences",
              "decode_inconsistent_utf8", "fix_c1_controls", "fix_latin_ligatures", "fix_character_width",
              "uncurl_quotes", "fix_line_breaks", "fix_surrogates", "remove_control_chars")


# what ftfy's fixers other than the encoding fixer and uncurl_quotes can change: ligatures,
# full/half-width forms, control characters (remove_control_chars; \x1b starts the terminal
# escapes), C1 controls, surrogates, and the line breaks fix_line_breaks rewrites
_TOUCHED = re.compile(regex_class(
    set(chardata.LIGATURES) | set(chardata.WIDTH_MAP) | set(chardata.CONTROL_CHARS)
    | set(range(0x80, 0xA0)) | set(range(0xD800, 0xE000)) | {ord(c) for c in "\r\u2028\u2029\x85\x1b"}))


def _looks_around(items) -> bool:
    """Whether a parsed pattern holds a lookaround, a back reference or an anchor other than
    ``^`` (a window's edges would change what those see)."""
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and not isinstance(item[0], (tuple, list)):
            op, av = item
            if str(op) in ("ASSERT", "ASSERT_NOT", "GROUPREF", "GROUPREF_EXISTS") \
                    or (str(op) == "AT" and str(av) != "AT_BEGINNING"):
                return True
            item = av
        if isinstance(item, (tuple, list)) and _looks_around(item):
            return True
        if hasattr(item, "data") and _looks_around(item.data):
            return True
    return False


def _restricted_runs():
    """(a regex for runs of the characters every match of ftfy's BADNESS_RE holds one of, the
    longest match), or None when the pattern is not of the shape this relies on: an
    alternation whose every branch has a character class (or character) of non-ASCII
    characters only, no lookaround, anchors other than ``^``, or unbounded repeats."""
    try:
        from re import _parser as parser  # noqa: PLC0415 - the stdlib's own regex parser (3.11+)
    except ImportError:  # pragma: no cover - older Python
        import sre_parse as parser
    tree = parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    width = tree.getwidth()[1]
    if len(tree.data) != 1 or str(tree.data[0][0]) != "BRANCH" or width > 64 or _looks_around(tree.data):
        return None
    needed: set[int] = set()
    for branch in tree.data[0][1][1]:
        found = False
        for op, av in branch.data:
            name = str(op)
            chars: set[int] | None = None
            if name == "LITERAL":
                chars = {av}
            elif name == "IN":
                chars = set()
                for item, value in av:
                    if str(item) == "LITERAL":
                        chars.add(value)
                    elif str(item) == "RANGE":
                        chars.update(range(value[0], value[1] + 1))
                    else:  # a negated class or a category (\w, \s): not a restriction
                        chars = None
                        break
            if chars and min(chars) >= 0x80:
                needed |= chars
                found = True
        if not found:
            return None
    return re.compile(regex_class(needed) + "+"), width


_RUNS = _restricted_runs()


def _is_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``: BADNESS_RE searched only in windows around the runs of
    characters a match must hold (a match is at most ``width`` characters long, so it lies
    within ``width - 1`` characters either side of one of them). The pattern has no lookaround
    and no end anchor, and its ``^`` matches only at the real start of the text when a search
    starts later, so a match inside a window is a match of the whole text."""
    if _RUNS is None:
        return is_bad(text)
    runs, width = _RUNS
    span, n = width - 1, len(text)
    start = end = -1
    for m in runs.finditer(text):
        if start >= 0 and m.start() - span <= end:
            end = m.end() + span
            continue
        if start >= 0 and BADNESS_RE.search(text, start, min(end, n)):
            return True
        start, end = max(m.start() - span, 0), m.end() + span
    return start >= 0 and BADNESS_RE.search(text, start, min(end, n)) is not None


def _defaults(config: "ftfy.TextFixerConfig") -> bool:
    return config.unescape_html in ("auto", True, False) and all(getattr(config, f) is True for f in _FIXERS_ON)


def _untouched_but_quotes(segment: str, config: "ftfy.TextFixerConfig") -> str | None:
    """What ``ftfy.fix_and_explain(segment, config)`` gives when each of its rounds can change
    only quotes and the normal form; None when a round may need another step."""
    unescape = config.unescape_html is True or (config.unescape_html == "auto" and "<" not in segment)
    text = segment
    while True:
        before = text
        if _TOUCHED.search(text) is not None or _is_bad(text) \
                or (unescape and chardata.HTML_ENTITY_RE.search(text) is not None):
            return None
        text = unicodedata.normalize(config.normalization, uncurl_quotes(text))
        if text == before:
            return text


def _prepare_fix_unicode(p, where):
    form = (p["normalization"] or "NFC").upper()
    if form not in _NORMAL_FORMS:
        raise OpError(f"{where}: parameter 'normalization' must be one of {list(_NORMAL_FORMS)}, "
                      f"got {p['normalization']!r}")
    return dict(p, form=form, config=ftfy.TextFixerConfig(explain=False, normalization=form))


def fix_text(text: str, config: "ftfy.TextFixerConfig") -> str:
    """``ftfy.fix_text(text, config)``, with the segments no step can change copied as they are."""
    found = _NEEDS_FTFY.search(text)
    if found is None:
        return text
    first_lt = text.find("<")
    quiet = config._replace(unescape_html=False) if config.unescape_html == "auto" else config
    size, end = config.max_decode_length, len(text)
    shortcut = _defaults(config)
    out, pos = [], 0
    while found is not None:
        # every position just after a newline starts one of ftfy's segments: copy up to the
        # start of the line that holds the character
        line = text.rfind("\n", pos, found.start()) + 1
        if line > pos:
            out.append(text[pos:line])
            pos = line
        # then ftfy's own segments until past that character
        while pos <= found.start():
            cut = text.find("\n", pos) + 1 or end
            cut = min(cut, pos + size)
            segment = text[pos:cut]
            if _NEEDS_PASSES.search(segment) is None:
                out.append(unicodedata.normalize(config.normalization, uncurl_quotes(segment)))
            else:  # ftfy stops unescaping HTML for good at the first segment holding a '<'
                use = quiet if 0 <= first_lt < cut else config
                fixed = _untouched_but_quotes(segment, use) if shortcut else None
                out.append(ftfy.fix_and_explain(segment, use).text if fixed is None else fixed)
            pos = cut
        found = _NEEDS_FTFY.search(text, pos)
    out.append(text[pos:])
    return "".join(out)


def fix_unicode(texts, p):
    config = p["config"]
    return [fix_text(t, config) for t in texts]


declare(Op(
    name="fix_unicode_mapper", kind="mapper", family=FAMILY,
    doc="Repair mojibake and other Unicode errors with ftfy, then apply a Unicode normal form.",
    params=(Param("normalization", "str", None, "NFC (default), NFKC, NFD or NFKD.", nullable=True),),
    apply=fix_unicode, prepare=_prepare_fix_unicode,
    examples=(
        Example("fix_unicode('schÃ¶n')", "schön", "UTF-8 read as Latin-1, repaired"),
        Example("fix_unicode('x²')", "x²"),
        Example("fix_unicode('x²', 'NFKC')", "x2"),
    ),
))
