"""remove_table_text_mapper: delete runs of lines that look like a plain-text table.

Data-Juicer 1.6.1 applies, for every column count ``c`` from ``min_col`` to ``max_col``,
``regex.sub(r"(?<=\\n)((\\S+?)([ |\\t](\\S+?)){c-1}\\n+){2,}", "", text)``. That pattern
backtracks exponentially on a line with many ``|`` (``|`` is both a separator and a ``\\S``
character: a 400-character line of ``a|`` followed by one non-table line does not finish
within seconds), so the kernel decides the same thing line by line, in linear time:

- a *row* of ``c`` columns is a whole line (it can match nothing else: ``\\S`` and
  ``[ |\\t]`` never match ``\\n``) that ends with ``\\n`` and is ``c`` non-empty pieces
  of ``\\S`` characters joined by single ``' '``, ``'\\t'`` or ``'|'`` characters;
- a line with ``w`` spaces/tabs (single, not at its ends, no other whitespace) can be
  cut into ``w + 1 + k`` pieces for every ``k`` from 0 to the number of its ``|`` that
  can serve as separators (never first or last in their piece, never two adjacent);
- a match starts at a line preceded by ``\\n`` (so never at the first line), takes every
  following row (blank lines between rows included), needs at least two rows, and
  ends after the newlines following its last row; the scan then resumes there.

``tests/test_web_clean_html.py`` checks this against the regular expression itself on
random texts and against Data-Juicer's outputs in ``tests/fixtures/dj_html.json.gz``.
"""

from __future__ import annotations

import regex

from sparkops.core import Example, Op, OpError, Param, declare

# any whitespace, in the regex module's sense of \s, other than the two separators
_OTHER_SPACE = regex.compile(r"[^\S \t]")
_SEPARATOR = regex.compile(r"[ \t]")


def _row_span(line: str) -> tuple[int, int] | None:
    """(least, most) number of columns this line can be read as, or None if no row."""
    if not line or _OTHER_SPACE.search(line):
        return None
    pieces = _SEPARATOR.split(line)
    usable_pipes = 0
    for piece in pieces:
        if not piece:
            return None  # a separator at either end, or two in a row: \S+ cannot be empty
        # greedy left to right picks the most '|' that leave every sub-piece non-empty
        last = len(piece) - 1
        previous = -2
        for j in range(1, last):
            if piece[j] == "|" and j - previous > 1:
                usable_pipes += 1
                previous = j
    return len(pieces), len(pieces) + usable_pipes


def _remove_tables(text: str, columns: int, spans: dict) -> str:
    """``regex.sub`` of Data-Juicer's pattern for one column count, without backtracking."""
    lines = text.split("\n")
    last = len(lines) - 1  # lines[last] has no '\n' after it, so it is never a row

    def is_row(k: int) -> bool:
        if k >= last:
            return False
        line = lines[k]
        if line not in spans:
            spans[line] = _row_span(line)
        span = spans[line]
        return span is not None and span[0] <= columns <= span[1]

    kept: list[str] = lines[:1]
    k = 1
    while k <= last:
        if not is_row(k):
            kept.append(lines[k])
            k += 1
            continue
        rows, j = 1, k + 1
        while True:
            while j < last and lines[j] == "":
                j += 1  # '\n+' swallows blank lines
            if is_row(j):
                rows, j = rows + 1, j + 1
            else:
                break
        if rows < 2:
            kept.append(lines[k])
            k += 1
            continue
        # the match ran to the next non-blank line j (or through the final '\n')
        if j == last and lines[j] == "":
            kept.append("")
            break
        k = j
    return "\n".join(kept)


def remove_table_text(text: str, min_col: int = 2, max_col: int = 20) -> str:
    spans: dict = {}  # a line's column span does not depend on the column count
    for columns in range(min_col, max_col + 1):
        if "\n" not in text:
            break  # the pattern needs a '\n' before the first row
        text = _remove_tables(text, columns, spans)
    return text


def _prepare(p, where):
    for name in ("min_col", "max_col"):
        if not 2 <= p[name] <= 20:
            raise OpError(f"{where}: parameter '{name}' must be between 2 and 20 (Data-Juicer's bounds), "
                          f"got {p[name]!r}")
    return p


def _apply(texts, p):
    return [remove_table_text(t, p["min_col"], p["max_col"]) for t in texts]


declare(Op(
    name="remove_table_text_mapper", kind="mapper", family="cleaning",
    doc="Delete runs of two or more lines that look like a plain-text table: each line `min_col` to "
        "`max_col` non-blank cells joined by single spaces, tabs or `|` (Data-Juicer's regular "
        "expression, evaluated without its exponential backtracking).",
    params=(Param("min_col", "int", 2, "Fewest columns of a table to remove (2 to 20)."),
            Param("max_col", "int", 20, "Most columns of a table to remove (2 to 20).")),
    apply=_apply, prepare=_prepare,
    notes="Exactly Data-Juicer 1.6.1's output, quirks included: a table's first line is kept when it "
          "is the text's first line, and a last row without `\\n` is not a row (the pattern wants "
          "`\\n` before and after each row); rows are removed one column count at a time, so lines "
          "alternating 2 and 3 columns all survive; any two consecutive lines with the same number "
          "(2 to 20) of single-space-separated words count as a table, prose included, while a double "
          "space, a `\\r` (CRLF text), U+00A0 or U+3000 between words makes a line no row; "
          "`min_col > max_col` removes nothing. Linear in the text length, where Data-Juicer's regex "
          "backtracks exponentially on a line of many `|` not followed by a second row: on the "
          "`clean_html_mapper` output of 7 of 412 real pages (inline minified JavaScript full of `||`) "
          "it did not finish in 15 s.",
    examples=(
        Example("remove_table_text('intro\\na b\\nc d\\nend')", "intro\nend", "two 2-column rows"),
        Example("remove_table_text('a b\\nc d\\n')", "a b\nc d\n", "nothing before the first row"),
        Example("remove_table_text('x\\na|b|c\\n1 2 3\\ny', 3, 3)", "x\ny", "'|' separates columns too"),
    ),
))
