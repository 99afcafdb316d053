"""64-bit hashes of many substrings at once, so word statistics need no per-word Python objects.

A span ``text[s:e]`` hashes to ``mix(sum(c[k] * B**(k-s)) , e - s)`` over its code points
``c``, modulo 2**64. With prefix sums ``P[i] = sum(c[k] * B**k, k < i)`` every span's hash is
``(P[e] - P[s]) * B**-s``: a handful of numpy operations for all spans of a document
(B is odd, so it has an inverse modulo 2**64). Equal strings hash equally wherever they
occur; two distinct words of one document collide with probability about 2**-64 per pair
(a polynomial hash modulo 2**64 can be forced to collide by adversarial words of 2,048+
characters built on the Thue-Morse sequence; ordinary text does not do that).

Long texts are hashed window by window so the prefix arrays stay bounded (24 bytes per
character of one window).
"""

from __future__ import annotations

import numpy as np

_B = 0x100000001B3  # the 64-bit FNV prime: odd
_B64 = np.uint64(_B)
_B_INV = np.uint64(pow(_B, -1, 1 << 64))
_LEN_MIX = np.uint64(0x9E3779B97F4A7C15)
_FINAL_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SHIFT = np.uint64(31)
WINDOW = 1 << 20  # characters per window (~40 MB of temporaries)


def _powers(n: int, base: np.uint64) -> np.ndarray:
    """base**0 .. base**n (modulo 2**64); up to a window's length from a table built once per
    process (two 8 MB tables): recomputing them per call was a tenth of the MinHash kernel's
    time (docs/decisions/tables-per-process.md)."""
    table = _TABLES.get(int(base))
    if table is None:
        table = _TABLES[int(base)] = _cumulative_powers(WINDOW, base)
    if n < len(table):
        return table[:n + 1]
    return _cumulative_powers(n, base)  # one span longer than a window


def _cumulative_powers(n: int, base: np.uint64) -> np.ndarray:
    out = np.full(n + 1, base, dtype=np.uint64)
    out[0] = 1
    np.cumprod(out, out=out)  # wraps modulo 2**64, as intended
    return out


_TABLES: dict[int, np.ndarray] = {}


def span_hashes(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """One uint64 hash per span ``points[starts[i]:ends[i]]`` (spans sorted by start)."""
    count = len(starts)
    out = np.empty(count, dtype=np.uint64)
    i = 0
    while i < count:
        base = int(starts[i])
        j = int(np.searchsorted(ends, base + WINDOW, side="right"))
        j = max(j, i + 1)  # a single span longer than a window still gets hashed
        top = int(ends[j - 1])
        window = points[base:top].astype(np.uint64)
        forward = _powers(len(window), _B64)
        prefix = np.zeros(len(window) + 1, dtype=np.uint64)
        np.cumsum(window * forward[:-1], out=prefix[1:])
        del window, forward
        s = starts[i:j] - base
        e = ends[i:j] - base
        h = (prefix[e] - prefix[s]) * _powers(int(s[-1]) if len(s) else 0, _B_INV)[s]
        h ^= (e - s).astype(np.uint64) * _LEN_MIX
        h *= _FINAL_MIX
        h ^= h >> _SHIFT
        out[i:j] = h
        i = j
    return out


def string_hashes(strings: list[str]) -> np.ndarray:
    """The same hash for each string of a list (word lists, augmented words)."""
    if not strings:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    joined = "".join(strings).encode("utf-32-le", "surrogatepass")
    return span_hashes(np.frombuffer(joined, dtype=np.uint32), starts, ends)
