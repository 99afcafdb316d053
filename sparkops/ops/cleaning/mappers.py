"""Text-cleaning mappers with Data-Juicer 1.6.1's exact output.

Each kernel maps a list of strings to a list of strings. Regular expressions use the
``regex`` module with DOTALL, as Data-Juicer does (its character classes and ``\\b`` differ
slightly from ``re`` on non-ASCII text).
"""

from __future__ import annotations

import ftfy
import regex

from sparkops.text.charsets import VARIOUS_WHITESPACES
from sparkops.core import Example, Op, OpError, Param, declare

FAMILY = "cleaning"

# --------------------------------------------------------------------------- whitespace / punctuation

_WHITESPACE_TO_SPACE = str.maketrans({c: " " for c in VARIOUS_WHITESPACES})


def normalize_whitespace(texts, p):
    # strip() first (it also removes '\n', '\r' at the ends), then map the listed
    # whitespace characters to ' '; inner newlines are kept
    return [t.strip().translate(_WHITESPACE_TO_SPACE) for t in texts]


declare(Op(
    name="whitespace_normalization_mapper", kind="mapper", family=FAMILY,
    doc="Strip the text, then replace every kind of Unicode space (no-break, en/em, ideographic, "
        "zero-width, tab ...) with ' '. Line breaks inside the text are kept.",
    apply=normalize_whitespace,
    examples=(
        Example("whitespace_normalization('  a\\u3000b\\tc\\n')", "a b c", "an ideographic space and a tab"),
        Example("whitespace_normalization(' a\\n\\u00a0b ')", "a\n b", "the inner line break stays; the "
                "no-break space becomes ' '"),
    ),
))

_PUNCTUATION = str.maketrans({
    "，": ",", "。": ".", "、": ",", "„": '"', "”": '"', "“": '"', "«": '"', "»": '"', "１": '"',
    "」": '"', "「": '"', "《": '"', "》": '"', "´": "'", "∶": ":", "：": ":", "？": "?", "！": "!",
    "（": "(", "）": ")", "；": ";", "–": "-", "—": " - ", "．": ". ", "～": "~", "’": "'",
    "…": "...", "━": "-", "〈": "<", "〉": ">", "【": "[", "】": "]", "％": "%", "►": "-",
})


def normalize_punctuation(texts, p):
    return [t.translate(_PUNCTUATION) for t in texts]


declare(Op(
    name="punctuation_normalization_mapper", kind="mapper", family=FAMILY,
    doc="Replace full-width and typographic punctuation with ASCII equivalents (，→, 。→. “→\" —→' - ' ...), "
        "using Data-Juicer's table (which also maps the full-width digit １ to '\"').",
    apply=normalize_punctuation,
    examples=(Example("punctuation_normalization('“Hi”，he said…')", '"Hi",he said...'),),
))

# --------------------------------------------------------------------------- unicode

_NORMAL_FORMS = ("NFC", "NFKC", "NFD", "NFKD")


def _prepare_fix_unicode(p, where):
    form = (p["normalization"] or "NFC").upper()
    if form not in _NORMAL_FORMS:
        raise OpError(f"{where}: parameter 'normalization' must be one of {list(_NORMAL_FORMS)}, "
                      f"got {p['normalization']!r}")
    return dict(p, form=form)


def fix_unicode(texts, p):
    form = p["form"]
    return [ftfy.fix_text(t, normalization=form) for t in texts]


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

# --------------------------------------------------------------------------- regex cleaners

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


def _regex_cleaner(name: str, default_pattern: str, what: str, examples: tuple[Example, ...]) -> Op:
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
        return dict(p, compiled=compiled)

    def apply(texts, p):
        compiled, repl = p["compiled"], p["repl"]
        return [compiled.sub(repl, t) for t in texts]

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
))
_regex_cleaner("clean_ip_mapper", IP_PATTERN, "IPv4 and IPv6 addresses", (
    Example("clean_ip('host 192.168.0.1 up')", "host  up"),
    Example("clean_ip('v6 fe80:0:0:0:202:b3ff:fe1e:8329 ok', NULL, '<IP>')", "v6 <IP> ok"),
))

# --------------------------------------------------------------------------- repeated sentences

_SENTENCE_RULES = [
    (regex.compile(r"([.。！!？\?])([^’”])"), r"\1\n\2"),
    (regex.compile(r"(\.{6})([^’”])"), r"\1\n\2"),
    (regex.compile(r"(\…{2})([^’”])"), r"\1\n\2"),
    (regex.compile(r"([.。!！？\?\.{6}\…{2}][’”])([^’”])"), r"\1\n\2"),
]
_NOT_KEPT_CHARS = regex.compile(r"[^a-zA-Z0-9\u4e00-\u9fa5\n\t ]")


def split_sentences(line: str) -> list[str]:
    """Data-Juicer's rule-based splitter: break after . 。 ! ！ ? ？ (and closing quotes).

    Pieces keep their leading whitespace, so joining them back gives the line unchanged.
    """
    for pattern, repl in _SENTENCE_RULES:
        line = pattern.sub(repl, line)
    return line.split("\n")


def _prepare_repeat(p, where):
    if p["tokenizer"] is not None:
        raise OpError(f"{where}: parameter 'tokenizer' is not supported: a lambda string in a recipe is "
                      "arbitrary code run on every executor; sparkops uses Data-Juicer's built-in splitter")
    return dict(p, remove=_NOT_KEPT_CHARS if p["ignore_special_character"] else None)


def remove_repeat_sentences(texts, p):
    lowercase, remove, min_len = p["lowercase"], p["remove"], p["min_repeat_sentence_length"]
    out = []
    for text in texts:
        seen: set[str] = set()
        new_lines = []
        for line in text.split("\n"):
            kept = []
            if line:
                for sentence in split_sentences(line):
                    key = sentence.strip()
                    if lowercase:
                        key = key.lower()
                    if remove is not None:
                        key = remove.sub("", key)
                    if len(key) < min_len:
                        kept.append(sentence)  # too short to count as a repeat
                    elif key not in seen:
                        kept.append(sentence)
                        seen.add(key)
            new_lines.append("".join(kept))
        out.append("\n".join(new_lines))
    return out


declare(Op(
    name="remove_repeat_sentences_mapper", kind="mapper", family=FAMILY,
    doc="Drop every sentence already seen earlier in the same document (sentences split by "
        "Data-Juicer's punctuation rules inside each line; line structure is kept).",
    params=(
        Param("lowercase", "bool", False, "Compare sentences case-insensitively."),
        Param("ignore_special_character", "bool", True, "Ignore everything but letters, digits and CJK "
              "ideographs when comparing."),
        Param("min_repeat_sentence_length", "int", 2, "Shorter sentences (after the above) are never removed."),
        Param("tokenizer", "str", None, "Not supported (Data-Juicer evaluates a lambda string); must be null.",
              nullable=True),
    ),
    apply=remove_repeat_sentences, prepare=_prepare_repeat,
    sql_params=("lowercase", "ignore_special_character", "min_repeat_sentence_length"),
    examples=(
        Example("remove_repeat_sentences('Hi there. Hi there. Bye.')", "Hi there. Bye."),
        Example("remove_repeat_sentences('Hi there. hi there! Bye.')", "Hi there. hi there! Bye.",
                "case matters by default"),
        Example("remove_repeat_sentences('Hi there. hi there! Bye.', true)", "Hi there. Bye."),
    ),
))
