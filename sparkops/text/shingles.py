"""Shingle sets of documents, as sorted arrays of 64-bit hashes (for near-dedup).

The text is first normalised: lower-cased (``lowercase``), then every match of
``ignore_pattern`` (a ``regex`` pattern, as in Data-Juicer) is deleted. Then, per
``tokenization``:

- ``space``: tokens are the runs of non-whitespace characters (``str.split()``: every
  Unicode whitespace, line breaks included, separates; runs count once). Data-Juicer splits
  on ' ' only, so a copy whose line breaks changed loses shingles there.
- ``punctuation``: tokens are the runs of characters that are neither whitespace nor Unicode
  punctuation (``\\p{P}``). Data-Juicer splits on punctuation only and keeps the spaces
  inside its tokens; here "word," and "word" are the same token.
- ``character``: whitespace runs are collapsed to one space and the ends stripped; tokens
  are the characters.

A shingle is ``window_size`` consecutive tokens. A document with at least one token but
fewer than ``window_size`` tokens has exactly one shingle, all its tokens (Data-Juicer gives
such documents no shingle at all, so every short document lands in one cluster). A document
without tokens has no shingles and is never a near-duplicate of anything.

Tokens are hashed by their code points (``sparkops.text.hashing``), never materialised as
strings; a shingle's hash combines its tokens' hashes in order. Equal shingles hash equally
in every document, so the Jaccard similarity of two shingle-hash sets is the Jaccard
similarity of the shingle sets (up to 64-bit collisions).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import regex

from sparkops.text.doc import code_points
from sparkops.text.hashing import span_hashes

TOKENIZATIONS = ("space", "punctuation", "character")
_IS_SPACE = np.array([chr(c).isspace() for c in range(0x10000)], dtype=np.bool_)  # none above U+3000
_COMBINE = np.uint64(0x100000001B3)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_WS_RUNS = regex.compile(r"\s+")


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of uint64 that spreads every input bit."""
    x = x ^ (x >> _S30)
    x = x * _MIX1
    x = x ^ (x >> _S27)
    x = x * _MIX2
    return x ^ (x >> _S31)


def _is_space(points: np.ndarray) -> np.ndarray:
    """Unicode whitespace (``str.isspace``) per code point. ASCII is compared, not looked up:
    its whitespace is exactly \\t..\\r and \\x1c..' ' (a test checks this against the table), and
    four vectorised comparisons cost a fraction of a table gather; the rare other characters
    are looked up."""
    sep = ((points >= 9) & (points <= 13)) | ((points >= 28) & (points <= 32))
    if points.dtype != np.uint8:
        high = np.flatnonzero(points >= 128)
        if len(high):
            wide = points[high]
            if points.dtype == np.uint32:  # none above U+3000 is whitespace
                high, wide = high[wide < 0x10000], wide[wide < 0x10000]
            sep[high] = _IS_SPACE[wide]
    return sep


@lru_cache(maxsize=1)
def _punctuation_table() -> np.ndarray:
    # built on first use only (~0.5 s): most jobs never tokenize on punctuation
    return np.array([unicodedata.category(chr(c)).startswith("P") for c in range(0x110000)], dtype=np.bool_)


def compile_ignore(pattern: str | None, where: str):
    """The compiled ``ignore_pattern`` of a near-dedup op (None when unset); a clear error if invalid."""
    from sparkops.core import OpError

    try:
        return regex.compile(pattern) if pattern else None
    except regex.error as e:
        raise OpError(f"{where}: parameter 'ignore_pattern' is not a valid regular expression: {e}") from None


def normalise(text: str, lowercase: bool, ignore_pattern) -> str:
    if lowercase:
        text = text.lower()
    if ignore_pattern is not None:
        text = ignore_pattern.sub("", text)
    return text


def token_spans(points: np.ndarray, tokenization: str) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the tokens: runs of characters that are not separators."""
    sep = _is_space(points)
    if tokenization == "punctuation":
        sep |= _punctuation_table()[points]
    begin = ~sep  # a token character after a separator (or first)
    end = begin.copy()  # a token character before a separator (or last)
    begin[1:] &= sep[:-1]
    end[:-1] &= sep[1:]
    return np.flatnonzero(begin), np.flatnonzero(end) + 1


def shingle_hashes(text: str, tokenization: str = "space", window_size: int = 5, lowercase: bool = True,
                   ignore_pattern=None) -> np.ndarray:
    """The sorted, distinct uint64 hashes of the document's shingles (maybe empty)."""
    text = normalise(text, lowercase, ignore_pattern)
    if tokenization == "character":
        text = _WS_RUNS.sub(" ", text).strip()
        points = code_points(text)
        n = len(points)
        if n == 0:
            return np.zeros(0, dtype=np.uint64)
        w = min(window_size, n)
        starts = np.arange(n - w + 1, dtype=np.int64)
        return np.unique(mix64(span_hashes(points, starts, starts + w)))
    points = code_points(text)
    starts, ends = token_spans(points, tokenization)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64)
    tokens = span_hashes(points, starts, ends)
    w = min(window_size, len(tokens))
    count = len(tokens) - w + 1
    h = np.zeros(count, dtype=np.uint64)
    for j in range(w):  # polynomial in the token hashes: order matters
        h = h * _COMBINE + tokens[j:j + count]
    return np.unique(mix64(h ^ np.uint64(w)))


def batch_shingle_hashes(texts: list[str | None], tokenization: str = "space", window_size: int = 5,
                         lowercase: bool = True, ignore_pattern=None) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many documents at once: (document index, hash) arrays, unordered,
    with repeats. Exactly the shingles ``shingle_hashes`` gives each document, computed over
    the batch joined into one array, so the per-document cost is a few array slots, not a
    few dozen numpy calls."""
    if tokenization == "character":  # per document: character shingles are cheap to cut
        parts = [(i, shingle_hashes(t, tokenization, window_size, lowercase, ignore_pattern))
                 for i, t in enumerate(texts) if t]
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        return (np.concatenate([np.full(len(h), i, dtype=np.int64) for i, h in parts]),
                np.concatenate([h for _, h in parts]))
    norm = [normalise(t, lowercase, ignore_pattern) if t else "" for t in texts]
    # one separator between documents: '\n' separates tokens in both tokenizations
    lengths = np.fromiter((len(t) + 1 for t in norm), dtype=np.int64, count=len(norm))
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    points = code_points("\n".join(norm) + "\n")
    starts, ends = token_spans(points, tokenization)
    doc = np.searchsorted(offsets, starts, side="right") - 1
    tokens = span_hashes(points, starts, ends)
    n_tok = np.bincount(doc, minlength=len(texts))
    first = np.concatenate(([0], np.cumsum(n_tok)))[:-1]
    w = window_size
    out_doc, out_h = [], []
    if len(tokens) >= w:  # full windows that stay inside one document
        count = len(tokens) - w + 1
        h = np.zeros(count, dtype=np.uint64)
        for j in range(w):
            h = h * _COMBINE + tokens[j:j + count]
        inside = doc[:count] == doc[w - 1:]
        out_doc.append(doc[:count][inside])
        out_h.append(mix64(h[inside] ^ np.uint64(w)))
    for d in np.flatnonzero((n_tok > 0) & (n_tok < w)):  # short documents: one shingle of all tokens
        n, h = int(n_tok[d]), np.zeros(1, dtype=np.uint64)
        for j in range(n):
            h = h * _COMBINE + tokens[first[d] + j:first[d] + j + 1]
        out_doc.append(np.array([d], dtype=np.int64))
        out_h.append(mix64(h ^ np.uint64(n)))
    if not out_doc:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(out_doc).astype(np.int64), np.concatenate(out_h)


def document_sets(doc: np.ndarray, h: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Batch shingle hashes as one array of every document's sorted distinct hashes, back to
    back, and the ``n_docs + 1`` offsets where each document's begin (document i:
    ``values[bounds[i]:bounds[i + 1]]``).

    ``doc`` comes nearly in order (short documents last), so a stable sort by document is a
    run merge; each document's hashes are then sorted in place, one small sort each: ten
    times faster than one two-key ``lexsort`` of the batch, which sorts every hash against
    every other."""
    order = np.argsort(doc, kind="stable")
    doc, h = doc[order], h[order]
    bounds = np.searchsorted(doc, np.arange(n_docs + 1))
    for i in np.flatnonzero(np.diff(bounds) > 1):
        h[bounds[i]:bounds[i + 1]].sort()
    keep = np.ones(len(h), dtype=np.bool_)
    keep[1:] = (doc[1:] != doc[:-1]) | (h[1:] != h[:-1])
    kept = np.concatenate(([0], np.cumsum(keep)))
    return h[keep], kept[bounds]


def per_document_sets(doc: np.ndarray, h: np.ndarray, n_docs: int) -> list[np.ndarray]:
    """Split batch shingle hashes into one sorted distinct array per document."""
    values, bounds = document_sets(doc, h, n_docs)
    return [values[bounds[i]:bounds[i + 1]] for i in range(n_docs)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted distinct hash arrays (1.0 for two empty sets)."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    if len(a) < len(b):
        a, b = b, a
    if len(b) == 0:
        return 0.0
    # each of the smaller set's hashes looked up in the larger by binary search: a quarter of
    # intersect1d's time, which concatenates and sorts both
    at = np.minimum(a.searchsorted(b), len(a) - 1)
    inter = int(np.count_nonzero(a[at] == b))
    return inter / (len(a) + len(b) - inter)
