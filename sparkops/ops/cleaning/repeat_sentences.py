"""remove_repeat_sentences_mapper: drop sentences already seen in the document, split by
Data-Juicer's punctuation rules."""

from __future__ import annotations

import re
from itertools import compress

import regex

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY

_SENTENCE_RULES = [
    (regex.compile(r"([.。！!？\?])([^’”])"), r"\1\n\2"),
    (regex.compile(r"(\.{6})([^’”])"), r"\1\n\2"),
    (regex.compile(r"(\…{2})([^’”])"), r"\1\n\2"),
    (regex.compile(r"([.。!！？\?\.{6}\…{2}][’”])([^’”])"), r"\1\n\2"),
]
# The same rules applied to a whole document at once, marking sentence breaks with a character
# the document does not hold: no rule matches across a line break (none of their characters is
# '\n' here), so each line is cut exactly as on its own, and one pass per rule replaces one per
# line. The last three rules only run where their characters occur.
_MARK = "\ue000"  # private use; a document holding it takes the per-line way
_MARKED_RULES = [
    (regex.compile(r"([.。！!？\?])([^’”\n])"), None),
    (regex.compile(r"(\.{6})([^’”\n])"), ("......",)),
    (regex.compile(r"(\…{2})([^’”\n])"), ("……",)),
    (regex.compile(r"([.。!！？\?\.{6}\…{2}][’”])([^’”\n])"), ("’", "”")),
]
_NOT_KEPT_CHARS = re.compile(r"[^a-zA-Z0-9\u4e00-\u9fa5\n\t ]+")
# the same removal for ASCII text as one bytes.translate: the ASCII characters outside the class
_NOT_KEPT_ASCII = bytes(c for c in range(128) if _NOT_KEPT_CHARS.match(chr(c)))


def _remove_not_kept(text: str) -> str:
    if text.isascii():
        return text.encode("ascii").translate(None, _NOT_KEPT_ASCII).decode("ascii")
    return _NOT_KEPT_CHARS.sub("", text)


def split_sentences(line: str) -> list[str]:
    """Data-Juicer's rule-based splitter: break after . 。 ! ！ ? ？ (and closing quotes).

    Pieces keep their leading whitespace, so joining them back gives the line unchanged.
    """
    for pattern, repl in _SENTENCE_RULES:
        line = pattern.sub(repl, line)
    return line.split("\n")


def _lines_of_sentences(text: str) -> list[list[str]]:
    """Each line of ``text`` cut by ``split_sentences`` (an empty line: no sentence)."""
    if _MARK in text:
        return [split_sentences(line) if line else [] for line in text.split("\n")]
    for pattern, needs in _MARKED_RULES:
        if needs is None or any(n in text for n in needs):
            text = pattern.sub(r"\1" + _MARK + r"\2", text)
    return [line.split(_MARK) if line else [] for line in text.split("\n")]


def _prepare_repeat(p, where):
    if p["tokenizer"] is not None:
        raise OpError(f"{where}: parameter 'tokenizer' is not supported: a lambda string in a recipe is "
                      "arbitrary code run on every executor; sparkops uses Data-Juicer's built-in splitter")
    return dict(p, remove=bool(p["ignore_special_character"]))


def _pieces(text: str) -> list[str] | None:
    """The sentences of every line with a '\\n' piece between lines (an empty line: one empty
    piece), in order, so that joined they give the text back: one split for the whole document.
    None when the text holds the mark (then it is cut line by line)."""
    if _MARK in text:
        return None
    for pattern, needs in _MARKED_RULES:
        if needs is None or any(n in text for n in needs):
            text = pattern.sub(r"\1" + _MARK + r"\2", text)
    return text.replace("\n", _MARK + "\n" + _MARK).split(_MARK)


def _keys(pieces: list[str], lowercase: bool, remove: bool) -> list[str]:
    """Every piece's comparison key at once: stripped one by one, then lower-cased and cleaned as
    one string, cut again at the '\\n' between them (no piece keeps one after strip(), lower()
    makes none and treats it as a word boundary, and the cleaning keeps it)."""
    joined = "\n".join([piece.strip() for piece in pieces])
    if lowercase:
        joined = joined.lower()
    if remove:
        joined = _remove_not_kept(joined)
    return joined.split("\n")


def _kept(keys: list[str], min_len: int) -> list[bool] | None:
    """Which pieces stay: not one whose key an earlier piece has, unless the key is shorter than
    ``min_len``; None when every piece stays."""
    n = len(keys)
    repeats = n - len(set(keys))
    if repeats and min_len >= 1:  # empty keys (line breaks, empty lines) never count as repeats
        empty = keys.count("")
        repeats -= max(empty - 1, 0)
    if not repeats:  # no key twice: nothing to remove
        return None
    first = dict(zip(reversed(keys), range(n - 1, -1, -1)))  # each key's first piece, built in C
    keep = [first[key] == i or len(key) < min_len for i, key in enumerate(keys)]
    return None if all(keep) else keep


def remove_repeat_sentences(texts, p):
    lowercase, remove, min_len = p["lowercase"], p["remove"], p["min_repeat_sentence_length"]
    out = []
    for text in texts:
        # the line pieces' keys are '' (as are an empty line's): kept while min_len >= 1
        pieces = _pieces(text) if min_len >= 1 else None
        if pieces is not None:
            keep = _kept(_keys(pieces, lowercase, remove), min_len)
            out.append(text if keep is None else "".join(compress(pieces, keep)))
            continue
        lines = _lines_of_sentences(text)
        keep = _kept(_keys([sentence for sentences in lines for sentence in sentences], lowercase, remove), min_len)
        if keep is None:
            out.append(text)
            continue
        new_lines, i = [], 0
        for sentences in lines:
            j = i + len(sentences)
            new_lines.append("".join(compress(sentences, keep[i:j])))
            i = j
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
