"""One document and the work several operators share: word and line splits, code points.

Operators of a fused pass receive the same ``Doc``; the first one that needs the words (or
lines, or code points) computes them and the rest reuse them. The splits are Data-Juicer's:

- words: ``get_words_from_document`` without a tokenizer, i.e. split on ' ', '\\n' and '\\t'
  only (other whitespace such as '\\r' or U+3000 stays inside words), empty pieces dropped;
- refined words: ``words_refinement`` with ``strip_chars=SPECIAL_CHARACTERS``, optionally
  lower-cased *before* stripping (order matters: 'Г' is special, 'г' is not);
- lines: ``str.splitlines()`` (so '\\r', '\\x0b', '\\x85', U+2028 ... also end lines).
"""

from __future__ import annotations

import numpy as np

from sparkops.text.charsets import refined_spans
from sparkops.text.hashing import span_hashes


def code_points(text: str) -> np.ndarray:
    """The text's code points as the narrowest unsigned array that holds them.

    1 byte per character for ASCII, 2 without characters beyond U+FFFF, else 4: on a 50 MB
    document this is the difference between 50 MB and 200 MB per copy.
    """
    if text.isascii():  # O(1) in CPython
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    # surrogatepass: a Python str may hold lone surrogates (Arrow strings cannot)
    utf16 = text.encode("utf-16-le", "surrogatepass")
    if len(utf16) == 2 * len(text):  # no surrogate pairs: one unit per character
        return np.frombuffer(utf16, dtype=np.uint16)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class Words:
    """Refined words as spans of a text: iterated lazily, so a 50 MB document never holds
    millions of word objects at once (a list costs ~60 bytes per word)."""

    __slots__ = ("text", "points", "starts", "ends", "_hashes")

    def __init__(self, text: str, points: np.ndarray):
        self.text = text
        self.points = points
        self.starts, self.ends = refined_spans(points)
        self._hashes = None

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self):
        text = self.text
        for s, e in zip(self.starts.tolist(), self.ends.tolist()):
            yield text[s:e]

    def hashes(self) -> np.ndarray:
        """A 64-bit hash per word (``sparkops.text.hashing``): equal words, equal hashes."""
        if self._hashes is None:
            self._hashes = span_hashes(self.points, self.starts, self.ends)
        return self._hashes


class Doc:
    """A document's text plus lazily computed, cached shared work."""

    __slots__ = ("text", "_cache")

    def __init__(self, text: str):
        self.text = text
        self._cache: dict = {}

    def _get(self, key, make):
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = make()
            return value

    def shared(self, key, make):
        """Work several operators of other families need (e.g. spaCy words), made once."""
        return self._get(key, make)

    @property
    def code_points(self) -> np.ndarray:
        return self._get("cp", lambda: code_points(self.text))

    @property
    def refined_words(self) -> Words:
        """Words stripped of special characters, case kept (words_num_filter)."""
        return self._get("refined", lambda: Words(self.text, self.code_points))

    @property
    def refined_lower_words(self) -> Words:
        """Lower-cased, then stripped (word_repetition, stopwords, flagged_words)."""

        def make():
            # lower-casing never creates or removes ' ', '\n' or '\t', so refining the
            # lower-cased text equals lower-casing each word first, as Data-Juicer does
            lower = self.text.lower()
            return Words(lower, code_points(lower))

        return self._get("refined_lower", make)

    @property
    def lines(self) -> list[str]:
        return self._get("lines", self.text.splitlines)
