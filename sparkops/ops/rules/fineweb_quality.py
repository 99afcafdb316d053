"""fineweb_quality_filter: FineWeb's own rules (line punctuation, short lines, duplicated
characters, list-like lines), with datatrove 0.10.1's definitions."""

from __future__ import annotations

from sparkops.core import Example, OpError, Param, Stat
from sparkops.ops.rules.common import (
    declare_rule_set, doc_words, duplicates, language_param, ratio, terminal_punctuation,
)
from sparkops.text.doc import Doc


def fineweb_stats(doc: Doc, p) -> dict:
    text = doc.text
    lines = [line for line in text.split("\n") if line.strip() != ""]
    if not lines:
        return dict.fromkeys(FINEWEB_KEYS)
    n = len(lines)
    words = doc_words(doc, p["language"])
    return {
        "fineweb_line_punct_ratio": sum(1 for line in lines if line.endswith(p["stop_chars"])) / n,
        "fineweb_short_line_ratio": sum(1 for line in lines if len(line) <= p["short_line_length"]) / n,
        "fineweb_char_dup_ratio": duplicates(lines)[1] / (len(text) - text.count("\n")),
        "fineweb_list_ratio": ratio(text.count("\n"), len(words)),
    }


FINEWEB_KEYS = ("fineweb_line_punct_ratio", "fineweb_short_line_ratio", "fineweb_char_dup_ratio",
                "fineweb_list_ratio")


def fineweb_reason(s: dict, p) -> str | None:
    ratio = s["fineweb_line_punct_ratio"]
    if ratio is None:
        return "empty"
    if ratio < p["line_punct_thr"] and not (ratio == 0 and p["line_punct_exclude_zero"]):
        return "line_punct_ratio"
    if s["fineweb_short_line_ratio"] > p["short_line_thr"]:
        return "short_line_ratio"
    if s["fineweb_char_dup_ratio"] > p["char_duplicates_ratio"]:
        return "char_dup_ratio"
    if s["fineweb_list_ratio"] is not None and s["fineweb_list_ratio"] > p["new_line_ratio"]:
        return "list_ratio"
    return None


def _fineweb_prepare(p, where):
    stops = p["stop_chars"]
    if stops is not None and not all(stops):
        raise OpError(f"{where}: parameter 'stop_chars' holds an empty string (every line would end with it)")
    return dict(p, stop_chars=tuple(sorted(terminal_punctuation())) if stops is None else tuple(stops))


declare_rule_set(
    name="fineweb_quality_filter", sql_name="fineweb_quality",
    doc="FineWeb's own rules (Penedo et al. 2024, as datatrove's FineWebQualityFilter): lines ending in "
        "terminal punctuation, short lines, duplicated line characters, newlines per word.",
    params=(
        Param("line_punct_thr", "float", 0.12, "Drop documents where fewer lines than this share end in a "
              "stop character."),
        Param("line_punct_exclude_zero", "bool", False, "Do not drop documents where no line does."),
        Param("stop_chars", "list[str]", None, "Line endings that count as punctuated; default: Unicode's "
              "sentence terminals (datatrove's TERMINAL_PUNCTUATION).", nullable=True),
        Param("short_line_thr", "float", 0.67, "Drop documents where more lines than this share are short."),
        Param("short_line_length", "int", 30, "A line of at most this many characters is short."),
        Param("char_duplicates_ratio", "float", 0.01, "Drop documents whose repeated lines hold more than "
              "this share of the characters (newlines not counted)."),
        Param("new_line_ratio", "float", 0.3, "Drop documents with more newlines per word than this."),
        language_param(),
    ),
    stats=(
        Stat("fineweb_line_punct_ratio", "double", "Non-blank lines (split at '\\n') ending in a stop "
             "character / non-blank lines; null when there is none (as every statistic here)."),
        Stat("fineweb_short_line_ratio", "double", "Non-blank lines of at most short_line_length characters "
             "/ non-blank lines."),
        Stat("fineweb_char_dup_ratio", "double", "Characters of non-blank lines repeating an earlier one "
             "/ characters other than '\\n'."),
        Stat("fineweb_list_ratio", "double", "Newlines / words (spaCy tokens)."),
    ),
    stats_of=fineweb_stats,
    prepare=_fineweb_prepare, reason=fineweb_reason,
    sql_params=("short_line_length", "language"),
    notes="Rules are checked in datatrove's order; the first that fails is the reason "
          "(`sparkops.ops.rules.fineweb_quality.fineweb_reason`: `empty`, `line_punct_ratio`, `short_line_ratio`, "
          "`char_dup_ratio`, `list_ratio`).",
    examples=(
        Example("fineweb_quality('Hello there.\\nHello there.\\nA short line')",
                {"fineweb_line_punct_ratio": 2 / 3, "fineweb_short_line_ratio": 1.0,
                 "fineweb_char_dup_ratio": 12 / 36, "fineweb_list_ratio": 2 / 9},
                "the repeated line holds 12 of the 36 characters other than line breaks; 2 line breaks / "
                "9 tokens"),
        Example("fineweb_quality('Hello there.\\nHello there.\\nA short line', 5).fineweb_short_line_ratio",
                0.0, "short_line_length 5"),
        Example("fineweb_quality(' \\n')", {"fineweb_line_punct_ratio": None, "fineweb_list_ratio": None},
                "no non-blank line"),
    ),
)
