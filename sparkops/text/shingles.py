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

Where a C compiler is present, a kernel (``sparkops/native/minhash.c``) cuts and hashes the
"space" and "punctuation" shingles of a batch in one pass, bit for bit the numpy code's
(tests/test_minhash_kernel.py compares them); the numpy code stays, as the reference and the
fallback. Numpy needs the batch joined into one string, and one emoji anywhere makes that
string and its code-point array 4 bytes a character; the kernel reads each document at its own
width instead. It also lower-cases, by a per-character table that is ``str.lower`` for every
character but two (see ``_lower_table``), so a batch needs no lowered copy of its text (only the
documents that hold one of the two). The kernel also computes MinHash signatures
(``sparkops.ops.dedup.minhash``): it is loaded here for both.
"""

from __future__ import annotations

import ctypes
import unicodedata
from functools import lru_cache

import numpy as np
import regex

from sparkops.text import hashing
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
    with repeats. Exactly the shingles ``shingle_hashes`` gives each document, computed by the
    kernel or, without it, over the batch joined into one array, so the per-document cost is
    a few array slots, not a few dozen numpy calls."""
    if tokenization != "character":
        kernel = native_minhash()
        if kernel is not None:
            out = kernel.shingles(texts, tokenization, window_size, lowercase, ignore_pattern)
            if out is not None:
                return out
    return _batch_shingle_hashes_numpy(texts, tokenization, window_size, lowercase, ignore_pattern)


def _batch_shingle_hashes_numpy(texts: list[str | None], tokenization: str, window_size: int, lowercase: bool,
                                ignore_pattern) -> tuple[np.ndarray, np.ndarray]:
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


# lower-cased by str.lower before the kernel sees them: see _lower_table
_LOWERED_BY_PYTHON = (0x130, 0x3A3)
_SIGMA, _DOTTED_I = "\u03a3", "\u0130"


@lru_cache(maxsize=1)
def _lower_table() -> np.ndarray:
    """lower[c]: ``chr(c).lower()`` as one code point, for every code point but U+0130 and
    U+03A3 (the kernel's lower-casing; those two map to themselves here).

    ``str.lower`` maps each character on its own, by its full lower-case mapping, except the
    capital sigma, whose mapping depends on its neighbours (final sigma); only U+0130 (İ) maps
    to two characters. A document holding either is lowered by ``str.lower`` before the
    kernel sees it; the table maps every lower-case result to itself, so lowering such a
    document again by the table changes nothing (tests/test_minhash_kernel.py checks all of
    this on every code point). Lowering all code points as one string takes 30 ms, where a
    loop over ``chr(c).lower()`` takes a second."""
    points = np.arange(0x110000, dtype=np.uint32)
    points[list(_LOWERED_BY_PYTHON)] = ord("a")  # no final sigma, no expansion in the string
    text = points.tobytes().decode("utf-32-le", "surrogatepass")
    lower = np.frombuffer(text.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    if len(lower) != 0x110000:
        raise RuntimeError("a character other than U+0130 lower-cases to several: the kernel's table "
                           "cannot be str.lower")
    lower[list(_LOWERED_BY_PYTHON)] = list(_LOWERED_BY_PYTHON)
    return lower


@lru_cache(maxsize=2)
def _separators(tokenization: str) -> np.ndarray:
    """The token separators of a tokenization by code point, for the kernel: a table over all
    of Unicode, so that it needs no bounds check per character."""
    sep = np.zeros(0x110000, dtype=np.bool_)
    sep[:len(_IS_SPACE)] = _IS_SPACE
    if tokenization == "punctuation":
        sep |= _punctuation_table()
    return sep


class MinhashKernel:
    """``sparkops/native/minhash.c``: batch shingles and MinHash signatures (inputs it does
    not take are left to the numpy code: these return None)."""

    def __init__(self, lib: ctypes.CDLL):
        p, i64 = ctypes.c_void_p, ctypes.c_int64
        self._shingles = lib.batch_shingles
        self._shingles.argtypes = [ctypes.c_char_p] * 3 + [p] * 3 + [i64, p, p, i64] + [p] * 5 + [i64]
        self._shingles.restype = i64
        self._signatures = lib.signatures
        self._signatures.argtypes = [p, p, i64, i64, i64, p, p, ctypes.c_int, i64, p, p]
        self._signatures.restype = ctypes.c_int
        self._tables: dict[str, tuple[np.ndarray, int]] = {}

    def _table(self, name: str, make) -> int:
        """The address of a table built once (kept alive here)."""
        if name not in self._tables:
            table = make()
            self._tables[name] = (table, hashing._address(table))
        return self._tables[name][1]

    def shingles(self, texts: list[str | None], tokenization: str, window_size: int, lowercase: bool,
                 ignore_pattern) -> tuple[np.ndarray, np.ndarray] | None:
        """``batch_shingle_hashes`` for "space" and "punctuation" tokenization.

        Each document goes to the kernel at its own width, in one of three buffers: ASCII 1
        byte a character, else its UTF-16 (2 bytes a character when it has none beyond
        U+FFFF) or its UTF-32, as ``code_points`` would make it. So an emoji widens only its
        own document, and the kernel gets the documents without a separator between them."""
        if tokenization not in ("space", "punctuation"):
            return None
        if not isinstance(window_size, (int, np.integer)) or window_size < 1:
            return None
        w = int(window_size)
        sep = self._table(tokenization, lambda: _separators(tokenization))
        by_table = lowercase and ignore_pattern is None
        narrow, utf16, utf32 = [], [], []
        n = len(texts)
        width, starts, lengths = bytearray(b"\1" * n), [0] * n, [0] * n
        at = {1: 0, 2: 0, 4: 0}
        for i, t in enumerate(texts):
            if not t:
                continue
            if ignore_pattern is not None:
                t = normalise(t, lowercase, ignore_pattern)
            elif by_table and not t.isascii() and (_SIGMA in t or _DOTTED_I in t):
                t = t.lower()
            size = len(t)
            if t.isascii():
                narrow.append(t)
                wide = 1
            else:
                units = t.encode("utf-16-le", "surrogatepass")
                if len(units) == 2 * size:  # no character beyond U+FFFF: 2 bytes each
                    utf16.append(units)
                    wide = width[i] = 2
                else:
                    utf32.append(t.encode("utf-32-le", "surrogatepass"))
                    wide = width[i] = 4
            starts[i], lengths[i] = at[wide], size
            at[wide] += size
        lower = self._table("lower", _lower_table) if by_table else None
        width_a = np.frombuffer(width, dtype=np.int8)
        starts_a = np.array(starts, dtype=np.int64)
        lengths_a = np.array(lengths, dtype=np.int64)
        buffers = ("".join(narrow).encode("ascii"), b"".join(utf16), b"".join(utf32))
        # a token takes a character and a separator: (length + 1) // 2 tokens at most
        ring = np.empty(max(1, min(w, (max(lengths, default=0) + 1) // 2)), dtype=np.uint64)
        short = np.empty(2 * n, dtype=np.int64)
        short_at = hashing._address(short)
        cap = sum(at.values()) // 4 + n  # room for the shingles of ordinary text: ~7 characters a token
        while True:
            pairs = np.empty(2 * cap, dtype=np.int64)  # documents, then hashes: one allocation
            out_at = hashing._address(pairs)
            count = self._shingles(*buffers, hashing._address(width_a), hashing._address(starts_a),
                                   hashing._address(lengths_a), n, lower, sep, w, hashing._address(ring),
                                   short_at, short_at + 8 * n, out_at, out_at + 8 * cap, cap)
            if count < 0:
                return None
            if count <= cap:
                break
            cap = count  # denser text than foreseen: once more, with room for all
        doc, h = pairs[:count], pairs[cap:cap + count].view(np.uint64)
        if 2 * count < cap:  # the pairs keep their array alive: give back what is unused
            doc, h = doc.copy(), h.copy()
        return doc, h

    def signatures(self, doc: np.ndarray, shingles: np.ndarray, n_docs: int, k: int, probe: np.ndarray,
                   rank: np.ndarray, sparse_max: int) -> tuple[np.ndarray, np.ndarray] | None:
        """``sparkops.ops.dedup.minhash.signatures``, given its probe orders and their ranks
        (``_probe_order``, ``_probe_rank_by_bin``); documents with at most ``sparse_max``
        filled bins are densified by ranks, the others by probing."""
        n_docs, k = int(n_docs), int(k)
        # ranks of a byte up to K = 256, else of 2 bytes, which the kernel compares as int16
        small_ranks = rank.dtype == np.uint8 and k <= 256 or rank.dtype == np.uint16 and k <= 1 << 15
        if (doc.dtype.kind not in "iu" or shingles.dtype != np.uint64 or len(doc) != len(shingles) or k < 1
                or n_docs < 0 or probe.shape != (k, k) or probe.dtype != np.int32 or rank.shape != (k, k)
                or not small_ranks):
            return None
        doc = np.ascontiguousarray(doc, dtype=np.int64)
        shingles = np.ascontiguousarray(shingles)
        probe, rank = np.ascontiguousarray(probe), np.ascontiguousarray(rank)
        sig = np.empty((n_docs, k), dtype=np.uint32)
        has = np.empty(n_docs, dtype=np.bool_)
        if self._signatures(hashing._address(doc), hashing._address(shingles), len(doc), n_docs, k,
                            hashing._address(probe), hashing._address(rank), rank.itemsize, sparse_max,
                            hashing._address(sig), hashing._address(has)):
            return None
        return sig, has


_UNSET = object()
_NATIVE: MinhashKernel | None | object = _UNSET


def native_minhash() -> MinhashKernel | None:
    """The kernel, loaded (and compiled if the cache has none) on the first call of the
    process, not at import; None without a C compiler or with ``SPARKOPS_NATIVE=0``."""
    global _NATIVE
    if _NATIVE is _UNSET:
        from sparkops import native

        hashing.native_spans()  # checks the fast way to read an array's address (hashing._address)
        lib = native.library("minhash")
        _NATIVE = None if lib is None else MinhashKernel(lib)
    return _NATIVE


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
