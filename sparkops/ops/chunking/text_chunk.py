"""``text_chunk_mapper``: one record in, one record per chunk of its text out (a generator).

Data-Juicer 1.6.1's chunking, in code points (no tokenizer), three modes:

- ``split_pattern`` only (``max_len`` null): the text split by the pattern (Python ``re``;
  a capture group's matches are chunks of their own, as ``re.split`` returns them), without
  the pieces that are empty or whitespace only;
- ``max_len`` only (``split_pattern`` null): the text itself if it is at most ``max_len``
  long, else windows of ``max_len`` starting every ``max_len - overlap_len`` code points until
  the end of the text (the last windows may be short and lie inside the one before);
- both (the default pattern ``\\n\\n`` with a ``max_len``): a text at most ``max_len`` long is a
  chunk as it is (even when empty or blank) and ends the split; a longer one is cut at the
  last match of the pattern that lies wholly inside its first ``max_len`` code points (the
  match is dropped, no overlap), or, without such a match, after ``max_len`` code points (the
  next chunk starts ``overlap_len`` earlier); a cut-off piece that is blank is not a chunk.
"""

from __future__ import annotations

import re

from sparkops.core import Op, OpError, Param, declare
from sparkops.core.declaration import Example

FAMILY = "chunking"


def chunks(text: str, max_len: int | None, pattern: re.Pattern | None, overlap: int) -> list[str]:
    """The chunks of one text, in text order."""
    if max_len is None:
        return [p for p in pattern.split(text) if p is not None and p.strip()]
    if pattern is None:
        if len(text) <= max_len:
            return [text]
        return [text[s:s + max_len] for s in range(0, len(text), max_len - overlap)]
    out = []
    while len(text) > max_len:  # a loop where Data-Juicer recurses (see notes: no depth limit)
        window = text[:max_len]
        last = None
        for last in pattern.finditer(window):
            pass
        if last is not None:
            piece, text = window[:last.start()], text[last.end():]
        else:
            piece, text = window, text[max_len - overlap:]
        if piece.strip():
            out.append(piece)
    out.append(text)
    return out


def expand(texts: list[str], p: dict) -> list[list[str]]:
    return [chunks(t, p["max_len"], p["pattern"], p["overlap_len"]) for t in texts]


def _prepare(p: dict, where: str) -> dict:
    if p["tokenizer"] is not None:
        raise OpError(f"{where}: parameter 'tokenizer' ({p['tokenizer']!r}): token-based lengths need a "
                      "Hugging Face tokenizer, which sparkops does not load (no model downloads at run time); "
                      "leave it null to measure max_len and overlap_len in characters (code points)")
    if p["max_len"] is None and p["split_pattern"] is None:
        raise OpError(f"{where}: max_len and split_pattern cannot be both null (Data-Juicer refuses it too)")
    if p["max_len"] is not None and p["overlap_len"] >= p["max_len"]:
        raise OpError(f"{where}: overlap_len ({p['overlap_len']}) must be less than max_len ({p['max_len']})")
    pattern = None
    if p["split_pattern"] is not None:
        try:
            pattern = re.compile(p["split_pattern"])
        except re.error as err:
            raise OpError(f"{where}: parameter 'split_pattern' {p['split_pattern']!r} is not a valid "
                          f"regular expression: {err}") from None
    return dict(p, pattern=pattern)


def _at_least(n: int):
    return lambda v: None if v >= n else f"must be >= {n}"


declare(Op(
    name="text_chunk_mapper", kind="generator", family=FAMILY,
    doc="Split each text into chunks, one output row per chunk: by a regular expression, by a maximum "
        "length (with optional overlap), or both. Every other field of the record is copied onto each "
        "chunk row; rows keep input order, chunks text order.",
    params=(
        Param("max_len", "int", None, "Maximum chunk length in characters (code points); null: split by "
              "`split_pattern` only.", nullable=True, check=_at_least(1)),
        Param("split_pattern", "str", r"\n\n", "Regular expression (Python `re`) to split at; null: cut by "
              "`max_len` only.", nullable=True),
        Param("overlap_len", "int", 0, "Characters a chunk shares with the one before it when a text is cut "
              "at `max_len` (not at a pattern match).", check=_at_least(0)),
        Param("tokenizer", "str", None, "Data-Juicer measures lengths in tokens of this Hugging Face "
              "tokenizer; sparkops refuses a non-null value (no model downloads).", nullable=True),
        Param("trust_remote_code", "bool", False, "Data-Juicer's tokenizer option; without a tokenizer it "
              "has no effect."),
    ),
    expand=expand, prepare=_prepare,
    sql_name="text_chunk", sql_params=("max_len", "split_pattern", "overlap_len"),
    examples=(
        Example("text_chunk('one\\n\\ntwo')", ["one", "two"], "split at the default pattern"),
        Example("text_chunk('abcdefgh', 3, NULL)", ["abc", "def", "gh"], "windows of max_len"),
        Example("text_chunk('abcdefgh', 4, NULL, 2)", ["abcd", "cdef", "efgh", "gh"],
                "windows overlapping by 2; the last lies inside the one before"),
        Example("text_chunk('aaa\\n\\nbb\\n\\ncc', 8)", ["aaa", "bb\n\ncc"],
                "cut at the last pattern match within 8 characters"),
    ),
    notes="Rows: the input row's fields are repeated on each of its chunk rows (mapped field replaced by "
          "the chunk); in a job the chunk rows keep the input order, chunks in text order (`_order`). "
          "A record that gives no chunk at all (an empty or blank text with `split_pattern` only, as in "
          "Data-Juicer, where it silently disappears) is rejected with `text_chunk_mapper:no_chunks`, so it "
          "is counted and kept in the stage's rejected table. A record whose field is missing, null or not "
          "a string is rejected with `missing_field:` / `wrong_type:` (Data-Juicer loses the whole batch "
          "that holds it). Data-Juicer splits recursively, one Python frame per chunk: a text of about "
          "1,000 chunks or more raises RecursionError there and its whole batch is lost; sparkops splits "
          "in a loop and has no such limit. `tokenizer` must stay null (lengths are code points: an emoji "
          "is 1, CRLF is 2). In SQL, `text_chunk(text[, max_len[, split_pattern[, overlap_len]]])` "
          "returns the chunks as an array (`SELECT explode(text_chunk(text, 512)) FROM docs`).",
))
