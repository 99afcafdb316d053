"""The PII patterns of Data-Juicer 1.6.1's ``pii_redaction_mapper``, and linear-time finders
for the three of them whose backtracking is quadratic.

The regex literals are facts copied from ``data_juicer/ops/mapper/pii_redaction_mapper.py``
(py-data-juicer 1.6.1, ``_compile_patterns``): what they match *is* the semantics to keep.

Python's ``re`` takes quadratic time on three of them (measured on DJ itself, see
``tests/test_safety_pii_redaction.py`` and the op's notes): ``email`` on any long word (40,000
letters: 5 s; a 1 MB word would take about an hour), ``pem_block`` on a header of many dashes
or many unterminated BEGIN lines, ``jwt`` on ``eyJ-eyJ-...``. ``email_spans``, ``pem_spans``
and ``jwt_spans`` find exactly the spans ``pattern.finditer`` finds (same starts, same ends, in
the same left-to-right, non-overlapping scan), in linear time; the reasoning is in each
docstring and a randomised test compares them with the regexes.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# ---- Data-Juicer 1.6.1's literals (``_compile_patterns``), verbatim
_IPV4 = r"(?<![0-9.])" r"(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}" r"(?:25[0-5]|2[0-4]\d|[01]?\d\d?)" r"(?![0-9])"
PATH_UNIX = re.compile(
    r"(^|[\s\"'(\[=])(/(?:Users?|home|tmp|etc|var|opt|Applications)" r"[^\s\"')\]]*(?:/[^\s\"')\]]*)*)")
PATH_WIN = re.compile(r"(^|[\s\"'(\[=])([A-Za-z]:\\[^\s\"')\]]*(?:\\[^\s\"')\]]*)*)")
PATH_WIN_UNC = re.compile(r"(^|[\s\"'(\[=])(\\\\[^\s\"')\]]+)")
EMAIL = re.compile(r"[a-zA-Z0-9][\w.+-]*@[\w.-]+\.(?:[a-zA-Z]{2,}|\w{2,})")
SECRET_KV = re.compile(
    r"(\b(?:api[_-]?key|apikey|secret|password|passwd|token|auth|authorization"
    r"|credential|license[_-]?key)\s*[:=]\s*[\"']?)([^\s\"',}\]]+)", re.IGNORECASE)
ID_KV = re.compile(
    r"\b(session[_-]?id|user[_-]?id|request[_-]?id|trace[_-]?id)\s*[:=]\s*[\"']?" r"[\w.-]+", re.IGNORECASE)
CHANNEL_KV = re.compile(
    r"(\bchannel\s*[:=]\s*[\"']?|当前的\s*channel\s*[:：]\s*)"
    r"(feishu|dingtalk|wecom|wechat_work|email|mail|飞书|钉钉|企业微信|邮箱)\b", re.IGNORECASE)
FEISHU_OPEN_ID = re.compile(r"\bou_[0-9a-f]{32}\b", re.IGNORECASE)
PLATFORM_OPEN_ID = re.compile(r"\b(ou_|u_|uid_)[0-9a-zA-Z_-]{16,64}\b")
PHONE_CN = re.compile(r"\b1[3-9]\d{9}\b")
PHONE_INTL = re.compile(r"\+\d{1,4}[-.\s]?\d{6,14}\b")
ID_CARD_CN = re.compile(r"\b[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])" r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b")
PEM_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 -]+-----[\s\S]*?-----END [A-Z0-9 -]+-----", re.MULTILINE)
JWT = re.compile(r"\beyJ[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\b")
URL = re.compile(r"https?://[^\s\"'<>]+")
IPV4 = re.compile(_IPV4)
IPV6 = re.compile(r"\[[0-9a-fA-F:.]{3,}\](?::\d{1,5})?\b")
MAC = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b")

# The path patterns' ``X*(?:/X*)*`` (X a class that holds ``/``) is a nested quantifier, but
# nothing follows it in the pattern, so the first (greedy) attempt always succeeds and never
# backtracks: they run in linear time (measured: '/home' + 50,000 '/' + '!' in < 1 ms) and are
# used as they are.

# ---- pieces of the linear finders (each a single greedy class run: linear)
_LOCAL_RUN = re.compile(r"[\w.+-]*")        # EMAIL's local part class
_ASCII_ALNUM = re.compile(r"[a-zA-Z0-9]")   # EMAIL's first character
_DOMAIN_RUN = re.compile(r"[\w.-]+")        # EMAIL's domain class
_TLD_ALPHA = re.compile(r"[a-zA-Z]{2,}")    # EMAIL's first top-level alternative
_TLD_WORD = re.compile(r"\w{2,}")           # ... and its second
_JWT_START = re.compile(r"\beyJ")
_JWT_RUN = re.compile(r"[A-Za-z0-9_=-]+")
_PEM_RUN = re.compile(r"[A-Z0-9 -]+")       # PEM header / footer label class
_BEGIN, _END, _DASHES = "-----BEGIN ", "-----END ", "-----"


def email_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``EMAIL.finditer(text)``, in linear time.

    A match holds exactly one ``@`` (neither class has it). For the ``@`` at ``a``: the local
    part is a run of ``[\\w.+-]`` ending at ``a``, so the leftmost start is the first ASCII
    alphanumeric of that run (not before where the scan resumed); the end depends on ``a``
    alone: ``[\\w.-]+`` backs off from the end of its run to the last ``.`` (not the run's first
    character) followed by two ASCII letters (then all of them) or else two word characters
    (then all of them). Different ``@`` have disjoint runs, in order, so the first ``@`` with
    both a start and an end gives the leftmost match, as the regex scan does. The regex itself
    retries every start of a long word and rescans it: quadratic."""
    at = text.find("@")
    if at < 0:
        return []
    spans: list[tuple[int, int]] = []
    pos = 0
    rev = None
    n = len(text)
    while at >= 0:
        end = _email_end(text, at)
        if end is not None:
            if rev is None:
                rev = text[::-1]
            # the run of local-part characters just before the '@' (it cannot cross an earlier
            # '@', so these scans are disjoint), read backwards
            run = _LOCAL_RUN.match(rev, n - at).end() - (n - at)
            first = _ASCII_ALNUM.search(text, max(pos, at - run), at)
            if first is not None:
                spans.append((first.start(), end))
                pos = end
        at = text.find("@", at + 1)
    return spans


def _email_end(text: str, at: int) -> int | None:
    run = _DOMAIN_RUN.match(text, at + 1)
    if run is None:
        return None
    start, stop = run.span()
    dot = text.rfind(".", start + 1, stop)
    while dot >= 0:
        tld = _TLD_ALPHA.match(text, dot + 1) or _TLD_WORD.match(text, dot + 1)
        if tld is not None:
            return tld.end()
        dot = text.rfind(".", start + 1, dot)
    return None


def jwt_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``JWT.finditer(text)``, in linear time.

    None of the three segments' class holds ``.``, so from a start ``eyJ`` the first segment
    runs to the end of its ``[A-Za-z0-9_=-]`` run and the rest of the match depends on that end
    only: when the first start in a run fails, every later start in the same run fails too and
    is skipped (the regex retries each, rescanning the run: quadratic on ``eyJ-eyJ-...``)."""
    spans: list[tuple[int, int]] = []
    pos = dead = 0
    for start in _JWT_START.finditer(text):
        p = start.start()
        if p < pos or p < dead:
            continue
        hit = JWT.match(text, p)
        if hit is not None:
            spans.append(hit.span())
            pos = hit.end()
        else:
            dead = _JWT_RUN.match(text, p).end()
    return spans


def pem_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``PEM_BLOCK.finditer(text)``, in linear time.

    A footer ``-----END `` at ``f`` matches when the run of label characters ``[A-Z0-9 -]`` from
    ``f + 9`` holds ``-----`` at ``f + 10`` or later; it ends after the last one (greedy label).
    For ``-----BEGIN `` at ``p`` the label is a prefix of the run from ``p + 11`` followed by
    ``-----`` at ``k >= p + 12``; the regex tries ``k`` from the largest, each time taking the
    first footer at or after ``k + 5`` (lazy body). So it takes the largest ``k`` with a footer
    after ``k + 5`` (i.e. ``k + 5 <= last footer``) and the first footer from there; a BEGIN
    without one fails and the scan moves to the next BEGIN. The regex rescans the rest of the
    text for every ``k`` and every unterminated BEGIN: quadratic."""
    p = text.find(_BEGIN)
    if p < 0:
        return []
    foot_starts: list[int] = []
    foot_ends: list[int] = []
    run_end = last = -1
    f = text.find(_END)
    while f >= 0:
        label = f + 9
        if label >= run_end:  # a new run (footers inside one run share its end and last dashes)
            run = _PEM_RUN.match(text, label)
            run_end, last = (run.end(), text.rfind(_DASHES, label, run.end())) if run else (-1, -1)
        if run_end >= 0 and last >= f + 10:
            foot_starts.append(f)
            foot_ends.append(last + 5)
        f = text.find(_END, f + 1)
    if not foot_starts:
        return []
    last_foot = foot_starts[-1]
    spans: list[tuple[int, int]] = []
    pos = 0
    run_end = best = -1
    while p >= 0:
        if p >= pos:
            label = p + 11
            if label >= run_end:
                run = _PEM_RUN.match(text, label)
                run_end, best = ((run.end(), text.rfind(_DASHES, label + 1, min(run.end(), last_foot)))
                                 if run else (-1, -1))
            # `best` is the largest k of the run; it serves this BEGIN when k >= label + 1
            if run_end >= 0 and best >= label + 1:
                end = foot_ends[bisect_left(foot_starts, best + 5)]
                spans.append((p, end))
                pos = end
        p = text.find(_BEGIN, p + 1)
    return spans
