"""remove_repeat_sentences_mapper: drop sentences already seen in the document, split by
Data-Juicer's punctuation rules."""

from __future__ import annotations

import re

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
    return dict(p, remove=_NOT_KEPT_CHARS if p["ignore_special_character"] else None)


def remove_repeat_sentences(texts, p):
    lowercase, remove, min_len = p["lowercase"], p["remove"], p["min_repeat_sentence_length"]
    out = []
    for text in texts:
        lines = _lines_of_sentences(text)
        flat = [sentence for sentences in lines for sentence in sentences]
        # every sentence's key at once: stripped one by one, then lower-cased and cleaned as one
        # string, cut again at the '\n' between them (no sentence holds one, lower() makes none
        # and treats it as a word boundary, and the cleaning keeps it)
        joined = "\n".join([sentence.strip() for sentence in flat])
        if lowercase:
            joined = joined.lower()
        if remove is not None:
            joined = remove.sub("", joined)
        keys = joined.split("\n")
        if len(set(keys)) == len(keys):  # no key twice: nothing to remove
            out.append(text)
            continue
        seen: set[str] = set()
        drop = set()
        for i, key in enumerate(keys):
            if len(key) < min_len:
                continue  # too short to count as a repeat
            if key in seen:
                drop.add(i)
            else:
                seen.add(key)
        if not drop:  # only short sentences repeat: the pieces would join back to the text itself
            out.append(text)
            continue
        new_lines, i = [], 0
        for sentences in lines:
            kept = []
            for sentence in sentences:
                if i not in drop:
                    kept.append(sentence)
                i += 1
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
