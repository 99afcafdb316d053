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
tests/test_kernels.py compares with ``ftfy.fix_text`` on real text and on edge cases.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.fixes import uncurl_quotes

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY

_NORMAL_FORMS = ("NFC", "NFKC", "NFD", "NFKD")
# a character some step of ftfy may change: anything but tab, newline and printable ASCII
# other than '&'
_NEEDS_FTFY = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
# ... and a character beyond those plus the curly quotes, dashes and ellipsis (see above)
_NEEDS_PASSES = re.compile("[^\t\n\x20-\x25\x27-\x7e\u2013\u2014\u2018\u2019\u201c\u201d\u2026]")


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
                out.append(ftfy.fix_and_explain(segment, use).text)
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
