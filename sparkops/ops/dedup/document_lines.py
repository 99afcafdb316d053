"""document_line_deduplicator: remove lines found in too many documents (pure; Spark side:
sparkops.spark.dedup.document_lines).

Data-Juicer 1.6.1's rules: a document's lines are ``text.split("\\n")``; a line is exempt when
its stripped length is below ``min_line_length``, or (each rule switchable) it holds only
``{}[]();`` characters, starts with ``#``, opens a LaTeX ``\\begin{``/``\\end{``, or is a lone
HTML/XML tag. Every other line is keyed by the MD5 of itself (lower-cased, then without
whitespace, digits and ASCII punctuation when asked), stripped. A key found in more than
``frequency_threshold`` distinct documents is removed from *every* document, its first one
too; the kept lines are joined with ``\\n``. Rows are never dropped.
"""

from __future__ import annotations

import hashlib
import re
import string

from sparkops.core import Example, Op, Param, Sketch, declare

# Data-Juicer 1.6.1, ops/deduplicator/document_line_deduplicator.py (facts we must match)
BRACKETS_ONLY = frozenset("{}[]();")
LATEX_ENV = re.compile(r"^\s*\\(begin|end)\{")
HTML_TAG = re.compile(r"^\s*</?[a-z][a-z0-9]*[^>]*>?\s*$", re.IGNORECASE)
SPECIAL = re.compile(rf"\s+|\d+|[{re.escape(string.punctuation)}]")


def exempt(line: str, p: dict) -> bool:
    """Whether a line is never counted nor removed."""
    s = line.strip()
    return (len(s) < p["min_line_length"]
            or (p["skip_brackets"] and all(c in BRACKETS_ONLY for c in s))
            or (p["skip_markdown_headers"] and s.startswith("#"))
            or (p["skip_latex_env"] and LATEX_ENV.match(s) is not None)
            or (p["skip_html_tags"] and HTML_TAG.match(s) is not None))


def line_key(line: str, p: dict) -> str:
    if p["lowercase"]:
        line = line.lower()
    if p["ignore_special_character"]:
        line = SPECIAL.sub("", line)
    return hashlib.md5(line.strip().encode("utf-8", "surrogatepass")).hexdigest()


def line_hashes(text: str, p: dict) -> list[str]:
    """Per line of ``text.split('\\n')``, its key ('' for an exempt line): Data-Juicer's line_hashes."""
    return ["" if exempt(line, p) else line_key(line, p) for line in text.split("\n")]


def line_hash_rows(texts: list[str], p: dict) -> list[list[str]]:
    """``document_line_hashes()``: each text's line keys."""
    return [line_hashes(t, p) for t in texts]


def distinct_keys(text: str, p: dict) -> list[str]:
    """The document's distinct non-exempt keys (what its document frequency counts)."""
    return sorted({h for h in line_hashes(text, p) if h})


def remove_lines(text: str, drop: set[str], p: dict) -> str:
    """The text without its lines whose key is in ``drop``."""
    lines = text.split("\n")
    return "\n".join(line for line, h in zip(lines, line_hashes(text, p)) if not (h and h in drop))


def _nonnegative(v):
    return None if v >= 0 else "must be >= 0"


declare(Op(
    name="document_line_deduplicator", kind="deduplicator", family="dedup",
    doc="Remove the lines that appear in more than `frequency_threshold` documents (boilerplate, "
        "navigation, copyright notices) from every document, as Data-Juicer does.",
    params=(
        Param("frequency_threshold", "int", 6, "Lines in more than this many distinct documents are removed.",
              check=_nonnegative),
        Param("lowercase", "bool", False, "Lower-case a line before hashing."),
        Param("ignore_special_character", "bool", False, "Drop whitespace, digits and ASCII punctuation from "
              "a line before hashing."),
        Param("min_line_length", "int", 2, "Lines whose stripped length is below this are never counted or "
              "removed."),
        Param("skip_brackets", "bool", True, "Exempt lines of only `{ } [ ] ( ) ;`."),
        Param("skip_markdown_headers", "bool", True, "Exempt lines starting with `#` (after stripping)."),
        Param("skip_latex_env", "bool", True, "Exempt LaTeX `\\begin{...}` / `\\end{...}` lines."),
        Param("skip_html_tags", "bool", True, "Exempt lines that are a lone HTML/XML tag."),
    ),
    frame="sparkops.spark.dedup.document_lines:deduplicate",
    sketches=(
        Sketch("document_line_hashes", "array<string>",
               ("lowercase", "ignore_special_character", "min_line_length", "skip_brackets",
                "skip_markdown_headers", "skip_latex_env", "skip_html_tags"), line_hash_rows,
               "Per line (split at `\\n`), the MD5 (hex) the deduplicator counts, '' for an exempt line: "
               "Data-Juicer's `line_hashes`."),
    ),
    examples=(
        Example("cardinality(document_line_hashes('a\\nhello\\n}\\n# Title'))", 4),
        Example("document_line_hashes('hello\\n# Title')[1]", "", "a markdown header is exempt"),
        Example("document_line_hashes('hello')[0] = md5('hello')", True),
        Example("document_line_hashes('Hello 42!', true, true)[0] = md5('hello')", True,
                "lower-cased, digits, spaces and punctuation dropped"),
        Example("document_line_hashes('x')[0]", "", "shorter than min_line_length 2"),
    ),
    notes="Decisions are Data-Juicer 1.6.1's (a fixture it made over real text, "
          "`tests/test_catalogue_agent.py`). A frequent line is removed from every document it is in, the "
          "first one included (unlike `line_deduplicator`, which keeps its first copies); documents are "
          "never dropped, a document left empty stays with an empty text. Lines are split at `\\n` only (a "
          "`\\r` stays part of the line). With `ignore_special_character`, every line of only digits and "
          "punctuation (`12:30`, `---`) has the key of the empty string, so they count as one line. A "
          "dataset of one document is left unchanged (Data-Juicer's shortcut: matters only with "
          "`frequency_threshold` 0). A null text is kept unchanged. A negative `frequency_threshold` is "
          "refused (Data-Juicer takes it as 0).",
))
