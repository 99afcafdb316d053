"""n-gram frequencies of integer sequences (code points, word ids) without building n-gram
strings."""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import numpy as np


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio)
_SHIFT = np.uint64(31)
_PACK_BITS = np.uint64(21)


_CHUNK = 1 << 20  # symbols hashed per step: bounds the temporaries for 50 MB documents


def ngram_counts(seq: np.ndarray, n: int) -> np.ndarray:
    """How often each distinct n-gram of an integer sequence occurs (order unspecified).

    Used for character n-grams (code points) and word n-grams (word ids). n-grams of up to
    3 symbols below 2**21 are packed exactly into 63 bits; longer ones are hashed to 64 bits
    with a multiply-xorshift mix per symbol. Memory: one uint64 key per n-gram plus
    chunk-sized temporaries, whatever ``n`` is (a dict of n-gram strings, as Data-Juicer
    builds, costs ~80 bytes per character). Two distinct n-grams of one document collide
    with probability ~m²/2⁶⁵ for m n-grams: 3e-8 for a 1 MB document.
    """
    m = len(seq) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.int64)
    exact = n <= 3 and int(seq.max()) < (1 << 21)
    keys = np.empty(m, dtype=np.uint64)
    for start in range(0, m, _CHUNK):
        stop = min(m, start + _CHUNK)
        wide = seq[start:stop + n - 1].astype(np.uint64)
        size = stop - start
        chunk = wide[:size].copy()
        if exact:
            for j in range(1, n):
                chunk <<= _PACK_BITS
                chunk |= wide[j:j + size]
        else:
            for j in range(n):
                if j:
                    chunk ^= wide[j:j + size]
                chunk *= _MIX
                chunk ^= chunk >> _SHIFT
        keys[start:stop] = chunk
    keys.sort()
    boundaries = np.flatnonzero(keys[1:] != keys[:-1])
    del keys
    edges = np.empty(len(boundaries) + 2, dtype=np.int64)
    edges[0], edges[-1] = 0, m
    edges[1:-1] = boundaries + 1
    return np.diff(edges)


class NgramStats(NamedTuple):
    """What the repetition filters ask of a sequence's n-gram counts."""

    total: int  # n-grams: len - n + 1, or 0
    distinct: int
    repeated: int  # distinct n-grams occurring more than once
    repeated_sum: int  # their occurrences
    top_sum: int  # occurrences of the int(sqrt(distinct)) most frequent repeated ones


# sequences up to this long take the C kernel (sparkops/native/ngrams.c: exact counts, one pass,
# about 24 bytes a distinct n-gram); longer ones this module's sort (8 bytes an n-gram: a 50 MB text
# stays in bounds)
NATIVE_MAX = 1 << 20
_NATIVE: list = []


def _kernel():
    if not _NATIVE:
        from sparkops import native

        lib = native.library("ngrams")
        if lib is not None:
            lib.ngram_stats.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int64, ctypes.c_int, ctypes.c_void_p]
            lib.ngram_stats.restype = ctypes.c_int
        _NATIVE.append(lib)
    return _NATIVE[0]


def ngram_stats(seq: np.ndarray, n: int) -> NgramStats:
    """The n-gram statistics of ``seq`` (an unsigned integer array), from the C kernel or,
    without one or for a sequence over ``NATIVE_MAX``, from ``ngram_counts``: the same numbers."""
    lib = _kernel() if len(seq) <= NATIVE_MAX else None
    if lib is not None and n > 0:
        seq = np.ascontiguousarray(seq)
        out = (ctypes.c_int64 * 5)()
        if lib.ngram_stats(seq.ctypes.data, seq.dtype.itemsize, len(seq), n, out) == 0:
            return NgramStats(*out)
    return ngram_stats_numpy(seq, n)


def ngram_stats_numpy(seq: np.ndarray, n: int) -> NgramStats:
    counts = ngram_counts(seq, n)
    distinct = len(counts)
    if distinct == 0:
        return NgramStats(0, 0, 0, 0, 0)
    rep = counts[counts > 1]
    top = min(int(np.sqrt(distinct)), len(rep))
    top_sum = int(np.partition(rep, len(rep) - top)[len(rep) - top:].sum()) if top > 0 else 0
    return NgramStats(int(counts.sum()), distinct, len(rep), int(rep.sum()), top_sum)
