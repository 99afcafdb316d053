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

Where a C compiler is present, a kernel (``sparkops/native/spans.c``) computes the same hashes
bit for bit in one pass without temporaries: on a document of a few KB numpy's dozen calls
cost more than the arithmetic, and the kernel takes a third of their time (half of that is the
call from Python). The numpy code stays, as the reference and the fallback
(tests/test_spans_kernel.py compares them). The kernel also finds charsets' refined words: it
is loaded here for both.
"""

from __future__ import annotations

import ctypes

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
    """One uint64 hash per span ``points[starts[i]:ends[i]]`` (spans in order: starts and ends
    each non-decreasing, as the numpy code needs; the kernel takes any order)."""
    kernel = native_spans()
    if kernel is not None:
        out = kernel.span_hashes(points, starts, ends)
        if out is not None:
            return out
    return _span_hashes_numpy(points, starts, ends)


def _span_hashes_numpy(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
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


# Characters up to which refined_spans allocates for the most words there can be and scans
# once (8 bytes a character at most, a 2**20-character document 8 MB for a moment); larger
# documents are scanned twice instead. Unused room over SPARE words is given back by a copy.
ONE_PASS = 1 << 20
SPARE = 4096


def _ctypes_address(a: np.ndarray) -> int:
    return a.ctypes.data


_VOID_P = ctypes.c_void_p
_DATA_AT = object.__basicsize__  # numpy's PyArrayObject: the object header, then the data pointer


def _header_address(a: np.ndarray) -> int:
    return _VOID_P.from_address(id(a) + _DATA_AT).value


_address = _ctypes_address  # replaced by _header_address where that reads the same pointer


class SpansKernel:
    """``sparkops/native/spans.c``: its functions by code-point dtype (other dtypes, and spans
    outside the array, are left to the numpy code: these return None)."""

    def __init__(self, lib: ctypes.CDLL):
        p, i64 = ctypes.c_void_p, ctypes.c_int64
        self._hashes, self._refined, self._counts = {}, {}, {}
        for dtype in (np.uint8, np.uint16, np.uint32):
            bits = np.dtype(dtype).itemsize * 8
            f = getattr(lib, f"span_hashes_u{bits}")
            f.argtypes, f.restype = [p, i64, p, p, i64, p], ctypes.c_int
            self._hashes[np.dtype(dtype)] = f
            f = getattr(lib, f"refined_spans_u{bits}")
            f.argtypes, f.restype = [p, i64, p, p, p], i64
            self._refined[np.dtype(dtype)] = f
            f = getattr(lib, f"table_count_u{bits}")
            f.argtypes, f.restype = [p, i64, p], i64
            self._counts[np.dtype(dtype)] = f
        self._hits = lib.sorted_hits
        self._hits.argtypes, self._hits.restype = [p, i64, p, i64], i64
        self._special, self._special_at = None, 0
        self._tables: dict[int, tuple[np.ndarray, int]] = {}

    def span_hashes(self, points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
        f = self._hashes.get(points.dtype)
        if f is None or starts.dtype.kind not in "iu" or ends.dtype.kind not in "iu" or len(starts) != len(ends):
            return None
        points = np.ascontiguousarray(points)  # callers may pass a strided slice
        starts = np.ascontiguousarray(starts, dtype=np.int64)
        ends = np.ascontiguousarray(ends, dtype=np.int64)
        out = np.empty(len(starts), dtype=np.uint64)
        if f(_address(points), len(points), _address(starts), _address(ends), len(starts), _address(out)):
            return None
        return out

    def table_count(self, points: np.ndarray, table: np.ndarray) -> int | None:
        """``int(table[points].sum())`` for a boolean table over every code point."""
        f = self._counts.get(points.dtype)
        known = self._tables.get(id(table))
        if known is None or known[0] is not table:
            if table.dtype != np.bool_ or len(table) != 0x110000 or not table.flags.c_contiguous:
                return None
            known = self._tables[id(table)] = (table, _address(table))  # kept alive here
        if f is None:
            return None
        points = np.ascontiguousarray(points)
        count = f(_address(points), len(points), known[1])
        return None if count < 0 else count

    def sorted_hits(self, listed: np.ndarray, hashes: np.ndarray) -> int | None:
        """How many of ``hashes`` occur in ``listed`` (uint64, sorted ascending)."""
        if listed.dtype != np.uint64 or hashes.dtype != np.uint64:
            return None
        listed, hashes = np.ascontiguousarray(listed), np.ascontiguousarray(hashes)
        return self._hits(_address(listed), len(listed), _address(hashes), len(hashes))

    def refined_spans(self, points: np.ndarray, special: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """charsets' refined words (``special``: its table over every code point)."""
        f = self._refined.get(points.dtype)
        if f is None:
            return None
        if special is not self._special:  # checked once: the kernel reads 0x110000 entries
            if special.dtype != np.bool_ or len(special) != 0x110000 or not special.flags.c_contiguous:
                return None
            self._special, self._special_at = special, _address(special)  # kept alive here
        points = np.ascontiguousarray(points)
        n, table = len(points), self._special_at
        if n > ONE_PASS:  # counted first, so the arrays have their exact size: a second scan
            count = f(_address(points), n, table, None, None)
            if count < 0:
                return None
            spans = np.empty(2 * count, dtype=np.int64)
            at = _address(spans)
            f(_address(points), n, table, at, at + 8 * count)
            return spans[:count], spans[count:]
        cap = n // 2 + 1  # room for the most words there can be: one scan
        spans = np.empty(2 * cap, dtype=np.int64)  # starts, then ends: one allocation
        at = _address(spans)
        count = f(_address(points), n, table, at, at + 8 * cap)
        if count < 0:
            return None
        if cap - count > SPARE:  # the words keep their arrays alive: give back what is unused
            return spans[:count].copy(), spans[cap:cap + count].copy()
        return spans[:count], spans[cap:cap + count]


_UNSET = object()
_NATIVE: SpansKernel | None | object = _UNSET


def native_spans() -> SpansKernel | None:
    """The kernel, loaded (and compiled if the cache has none) on the first call of the
    process, not at import; None without a C compiler or with ``SPARKOPS_NATIVE=0``."""
    global _NATIVE, _address
    if _NATIVE is _UNSET:
        from sparkops import native

        lib = native.library("spans")
        if lib is not None:
            # numpy's ``a.ctypes.data`` costs ~1 µs, as much as the kernel's work on a short
            # word list; reading the pointer from the array's header costs a sixth. The layout
            # is numpy's public C API (PyArray_DATA), checked here on live arrays (CPython:
            # id() is the address) before it is used.
            probes = (np.zeros(3, np.uint8), np.frombuffer(b"abc", np.uint8), np.arange(5)[2:])
            if all(_header_address(a) == a.ctypes.data for a in probes):
                _address = _header_address
        _NATIVE = None if lib is None else SpansKernel(lib)
    return _NATIVE


def string_hashes(strings: list[str]) -> np.ndarray:
    """The same hash for each string of a list (word lists, augmented words)."""
    if not strings:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    joined = "".join(strings).encode("utf-32-le", "surrogatepass")
    return span_hashes(np.frombuffer(joined, dtype=np.uint32), starts, ends)
