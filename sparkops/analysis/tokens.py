"""Tokens per document as a near-dedup op cuts them (``sparkops.text.shingles``), so the
analyzer can compare documents' lengths with the op's ``window_size``.

A document with fewer tokens than the window has one shingle (all its tokens), so two such
documents are near-duplicates only when they are equal (Data-Juicer gives them no shingle at
all: every short document falls in one cluster). Chinese or Japanese text under ``space``
tokenization is the usual case: a whole line is one token.

Pure Python: no pyspark.
"""

from __future__ import annotations

import regex

from sparkops.text.doc import code_points
from sparkops.text.shingles import compile_ignore, normalise, token_spans

_WS_RUNS = regex.compile(r"\s+")


def token_counts(texts: list[str | None], tokenization: str, lowercase: bool = True,
                 ignore_pattern: str | None = None) -> list[int | None]:
    """Tokens of each text (None for a null text), as ``batch_shingle_hashes`` cuts them."""
    ignore = compile_ignore(ignore_pattern, "ignore_pattern")
    out: list[int | None] = []
    for text in texts:
        if text is None:
            out.append(None)
            continue
        text = normalise(text, lowercase, ignore)
        if tokenization == "character":  # whitespace runs count as one space, ends stripped
            out.append(len(_WS_RUNS.sub(" ", text).strip()))
            continue
        starts, _ = token_spans(code_points(text), tokenization)
        out.append(int(len(starts)))
    return out
