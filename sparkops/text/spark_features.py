"""Spark ML's ``Tokenizer`` and ``HashingTF`` (pyspark 4.2.0) in pure Python, so a model trained
with Spark ML scores rows inside the fused pandas pass without a Spark ML call per batch.

- ``Tokenizer``: ``text.toLowerCase.split("\\\\s")`` in Java: split at every single ASCII
  whitespace character (Java's ``\\s`` is ``[ \\t\\n\\x0B\\f\\r]``), so two spaces in a row give an
  empty token, a leading space gives a leading empty token; Java drops the trailing empty
  tokens, and a text without whitespace is one token (``""`` -> ``[""]``, but ``"  "`` -> ``[]``).
- ``HashingTF`` (Spark >= 3.0): term index = ``nonNegativeMod(murmur3_x86_32(utf8(term), seed=42),
  numFeatures)``, the value the term's count in the document (``binary=False``). Java encodes an
  unpaired surrogate as ``?``, as ``errors="replace"`` does.

``tests/test_quality_classifier.py`` checks both against Spark itself.
"""

from __future__ import annotations

import re
from collections import Counter

SEED = 42  # Spark's HashingTF seed (feature.HashingTF.seed)
DEFAULT_NUM_FEATURES = 1 << 18  # HashingTF's default numFeatures
_JAVA_SPACE = re.compile(r"[ \t\n\x0b\f\r]")
_MASK = 0xFFFFFFFF
_C1, _C2 = 0xCC9E2D51, 0x1B873593


def spark_tokenize(text: str) -> list[str]:
    """Spark ML ``Tokenizer``'s tokens of ``text``."""
    parts = _JAVA_SPACE.split(text.lower())
    if len(parts) == 1:
        return parts  # no whitespace: the text itself (Java's split returns its input)
    while parts and parts[-1] == "":
        parts.pop()  # Java's String.split(regex) drops trailing empty strings
    return parts


def murmur3_32(data: bytes, seed: int = SEED) -> int:
    """MurmurHash3 x86_32 of ``data``, as a signed 32-bit int (Spark's ``hashUnsafeBytes2``)."""
    h = seed & _MASK
    n = len(data)
    body = n - (n & 3)
    for i in range(0, body, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * _C1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        k = (k * _C2) & _MASK
        h ^= k
        h = ((h << 13) | (h >> 19)) & _MASK
        h = (h * 5 + 0xE6546B64) & _MASK
    tail = n & 3
    if tail:
        k = 0
        for j in range(tail - 1, -1, -1):
            k = (k << 8) | data[body + j]
        k = (k * _C1) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        k = (k * _C2) & _MASK
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


class TermIndexer:
    """term -> HashingTF index for one ``num_features``, with a bounded per-process memo (a
    corpus repeats its words: most lookups never hash)."""

    MEMO = 1 << 20  # terms remembered; the memo is dropped and restarted past this

    def __init__(self, num_features: int = DEFAULT_NUM_FEATURES) -> None:
        if num_features <= 0:
            raise ValueError(f"num_features must be positive, got {num_features}")
        self.num_features = num_features
        self._memo: dict[str, int] = {}

    def index(self, term: str) -> int:
        got = self._memo.get(term)
        if got is None:
            # Python's % of a positive modulus is already non-negative: Spark's nonNegativeMod
            got = murmur3_32(term.encode("utf-8", "replace"), SEED) % self.num_features
            if len(self._memo) >= self.MEMO:
                self._memo.clear()
            self._memo[term] = got
        return got

    def features(self, terms: list[str]) -> dict[int, float]:
        """HashingTF's sparse vector of ``terms``: index -> count (colliding terms add up)."""
        out: Counter = Counter()
        for term in terms:
            out[self.index(term)] += 1.0
        return dict(out)
