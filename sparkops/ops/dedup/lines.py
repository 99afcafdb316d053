"""Line- and paragraph-level exact dedup across a corpus (pure; Spark side: sparkops.spark.dedup.lines).

C4-style boilerplate removal: a span (a line, or a paragraph) that occurs in more than
``max_occurrences`` documents is kept in the first ``max_occurrences`` of them (input
order) and deleted from every later one. Spans are compared after stripping surrounding
whitespace, collapsing inner whitespace runs and, with ``lowercase``, lower-casing; spans
shorter than ``min_length`` characters (after that) are never counted or removed, so blank
lines and a lone ``}`` survive. A document left without any non-blank text is dropped.

- ``line``: spans are the lines (split at ``\\n``); a removed line takes its line break.
- ``paragraph``: spans are separated by blank lines (``\\n`` + optional spaces + ``\\n``...);
  a removed paragraph takes the separator that follows it.
"""

from __future__ import annotations

import regex

from sparkops.text.hashing import string_hashes
from sparkops.core import Example, Op, Param, Sketch, declare

_PARAGRAPH_BREAK = regex.compile(r"(\n[ \t\r\f\v]*\n\s*)")
_WS = regex.compile(r"\s+")


def spans(text: str, unit: str) -> list[str]:
    """The text cut into spans, each with its trailing separator: ``"".join(spans) == text``."""
    if unit == "line":
        return text.splitlines(keepends=True) if "\n" in text else [text]
    parts = _PARAGRAPH_BREAK.split(text)
    out = [parts[i] + (parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]
    return [s for s in out if s]


def _normal(span: str, lowercase: bool) -> str:
    span = _WS.sub(" ", span).strip()
    return span.lower() if lowercase else span


def span_keys(text: str, p: dict) -> list[int]:
    """Distinct signed 64-bit keys of the document's countable spans."""
    norm = {_normal(s, p["lowercase"]) for s in spans(text, p["unit"])}
    norm = sorted(s for s in norm if len(s) >= p["min_length"])
    return string_hashes(norm).view("int64").tolist() if norm else []


def span_key_rows(texts: list[str], p: dict) -> list[list[int]]:
    """``line_keys()``: each text's span keys."""
    return [span_keys(t, p) for t in texts]


def remove_spans(text: str, drop: set[int], p: dict) -> str:
    """The text without its spans whose key is in ``drop``."""
    parts = spans(text, p["unit"])
    norms = [_normal(s, p["lowercase"]) for s in parts]
    keys = string_hashes(norms).view("int64").tolist()
    return "".join(s for s, n, k in zip(parts, norms, keys) if len(n) < p["min_length"] or k not in drop)


declare(Op(
    name="line_deduplicator", kind="deduplicator", family="dedup",
    doc="sparkops (not in Data-Juicer): corpus-wide exact dedup of lines or paragraphs, as C4 does for "
        "boilerplate. A span found in more than `max_occurrences` documents stays in the first ones (input "
        "order) and is deleted from the others; a document left blank is dropped.",
    params=(
        Param("unit", "str", "line", "'line' or 'paragraph' (spans separated by blank lines).",
              choices=("line", "paragraph")),
        Param("max_occurrences", "int", 1, "Documents a span may appear in before later copies are deleted.",
              check=lambda v: None if v >= 1 else "must be >= 1"),
        Param("lowercase", "bool", False, "Compare spans case-insensitively."),
        Param("min_length", "int", 1, "Spans shorter than this (characters, whitespace collapsed) are never "
              "counted or removed.", check=lambda v: None if v >= 0 else "must be >= 0"),
    ),
    frame="sparkops.spark.dedup.lines:deduplicate",
    sketches=(
        Sketch("line_keys", "array<bigint>", ("unit", "lowercase", "min_length"), span_key_rows,
               "The 64-bit keys of the text's distinct lines (or paragraphs) as the deduplicator compares "
               "them, in the order of the sorted spans; spans shorter than min_length have none."),
    ),
    examples=(
        Example("cardinality(line_keys('a\\nb\\na\\n\\n'))", 2, "a and b; the blank line is shorter than "
                "min_length 1"),
        Example("line_keys('Hello  world') = line_keys(' Hello world\\n')", True, "whitespace runs collapse"),
        Example("line_keys('Hello', 'line', true) = line_keys('hello')", True, "lowercase"),
        Example("cardinality(line_keys('x\\n\\ny\\nz', 'paragraph'))", 2),
        Example("cardinality(line_keys('}\\nok', 'line', false, 2))", 1, "'}' is shorter than min_length 2"),
    ),
    notes="Kept documents have the deleted spans cut out of their text. Documents left blank go to the "
          "rejected table with `_dropped_by = 'line_deduplicator'`. Spans are compared by a 64-bit hash.",
))
