"""substring_deduplicator: remove every stretch of at least ``length_threshold`` units (tokens or
UTF-8 bytes) already seen earlier in the corpus, as Lee et al. 2022's exact-substring dedup
(pure; Spark side: sparkops.spark.dedup.substrings).

1. **Units.** ``unit="token"``: tokens are the maximal runs of non-whitespace characters
   (``str.isspace``), their offsets in characters; ``unit="byte"``: the UTF-8 bytes of the text
   (``surrogatepass``). With K = ``length_threshold``, a document with n >= K units has the
   windows 0 .. n-K: units p .. p+K-1. A token window is compared by its token sequence (the
   string ``" ".join(tokens)``: the whitespace between tokens does not matter), a byte window by
   its bytes; both by a 64-bit hash of that content (``sparkops.text.hashing``).
2. **Duplicates.** A window at (document d, position p) is a duplicate when the same window
   occurs at a smaller (document, position): in an earlier document, or earlier in the same one.
   The first occurrence stays.
3. **Removal.** A unit is removed when a duplicate window covers it; a *span* is a maximal run
   of removed units, and its first occurrence is that of the duplicate window starting at the
   span's first unit (the document, the unit position there and its character offset). Units
   stay only where no duplicate window covers them: a run "a a a ..." of n > K tokens keeps its
   first token alone (windows 1 .. n-K repeat window 0 and cover tokens 1 .. n-1).
   Tokens: a span is [start of its first token, end of its last token) in the input text; the
   two whitespace runs around it become one, the one with more ``\\n`` (the earlier on a tie),
   so lines and paragraphs keep their breaks; a span at the start (end) of the text takes the
   whitespace before (after) it along. Bytes: a character is removed when all its bytes are
   (spans snapped inward to whole characters, so nothing that was not a copy goes), and the
   text is cut exactly there, whitespace untouched, as Lee et al.'s tool cuts bytes.
4. **Verdict.** A document that lost characters is dropped with no token left (``empty``) or
   fewer than ``min_doc_words`` tokens (``too_few_words``); an untouched one is kept as it is.
"""

from __future__ import annotations

import re

import numpy as np

from sparkops.core import Example, OpError, Op, Param, Sketch, Stat, declare
from sparkops.text.hashing import span_hashes

UNITS = ("token", "byte")
DEFAULT_LENGTH = {"token": 50, "byte": 100}  # Lee et al.'s 50 tokens; text-dedup's suffix-array k=100 bytes
BLOCK = 1 << 20  # windows hashed (and handed on) at once: bounds a huge document's temporaries

# str.isspace(): these 29 code points (tests/test_substring_dedup.py checks the list against Python)
SPACES = np.array([0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
                   *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000], dtype=np.uint32)
_TOKEN = re.compile(r"\S+")  # the same tokens (re's \s is str.isspace), for short texts


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def tokens(text: str, points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) character offsets of the tokens (maximal runs of non-whitespace)."""
    if points is None and len(text) < 4096:
        spans = [m.span() for m in _TOKEN.finditer(text)]
        return (np.array([a for a, _ in spans], dtype=np.int64), np.array([b for _, b in spans], dtype=np.int64))
    points = code_points(text) if points is None else points
    word = np.concatenate(([False], ~np.isin(points, SPACES), [False])).astype(np.int8)
    edges = np.diff(word)
    return np.flatnonzero(edges == 1).astype(np.int64), np.flatnonzero(edges == -1).astype(np.int64)


class Units:
    """A document's units laid out for hashing any run of them: the UTF-8 bytes, or the tokens
    joined by one space (as code points; token i starts at ``joined_at[i]`` there)."""

    def __init__(self, text: str, unit: str):
        self.unit = unit
        if unit == "byte":
            self.data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
            self.count = len(self.data)
            return
        points = code_points(text)
        self.starts, ends = tokens(text, points)
        self.count = len(self.starts)
        if not self.count:
            return
        self.lengths = ends - self.starts
        self.joined_at = np.concatenate(([0], np.cumsum(self.lengths[:-1] + 1)))
        self.data = np.full(int(self.joined_at[-1] + self.lengths[-1]), 32, dtype=np.uint32)
        solid = ~np.isin(points, SPACES)
        self.data[np.repeat(self.joined_at - self.starts, self.lengths) + np.flatnonzero(solid)] = points[solid]

    def keys(self, k: int, lo: int, hi: int) -> np.ndarray:
        """The signed 64-bit keys of the runs of k units starting at units lo .. hi-1."""
        if self.unit == "byte":
            pos = np.arange(lo, hi, dtype=np.int64)
            return span_hashes(self.data, pos, pos + k).view(np.int64)
        last = slice(lo + k - 1, hi + k - 1)
        return span_hashes(self.data, self.joined_at[lo:hi], self.joined_at[last] + self.lengths[last]).view(np.int64)


def window_blocks(text: str, p: dict):
    """Yield (positions, character offsets, signed 64-bit keys) of the document's windows, in
    position order, at most BLOCK at a time (step 1)."""
    k = p["length_threshold"]
    units = Units(text, p["unit"])
    count = units.count - k + 1
    if count <= 0:
        return
    char_at = utf8_starts(code_points(text)) if p["unit"] == "byte" else None  # byte offset of each character
    for lo in range(0, count, BLOCK):
        hi = min(count, lo + BLOCK)
        pos = np.arange(lo, hi, dtype=np.int64)
        chars = units.starts[lo:hi] if char_at is None else np.searchsorted(char_at, pos, side="right") - 1
        yield pos, chars, units.keys(k, lo, hi)


def fingerprint_sizes(k: int) -> tuple[int, int]:
    """(g, w): winnowing w consecutive g-grams, g + w - 1 = k, so a window of k units holds
    exactly one winnowing window."""
    g = (k + 1) // 2
    return g, k - g + 1


def fingerprints(text: str, p: dict):
    """Yield (keys, positions) of the document's winnowed fingerprints, for finding the documents
    that can hold a duplicate window without listing every window (Schleimer et al. 2003).

    Every run of w consecutive g-grams (g + w - 1 = K, ``fingerprint_sizes``) selects its
    minimum key; for each selected key, up to its first two g-gram positions are given. A
    window of K units is exactly one such run, so two occurrences of a window (in two
    documents, or at two positions of one) give the same key at two (document, position)
    pairs: a document with a duplicate window, and the one with its first occurrence, always
    share a fingerprint with another (document, position). The converse is not needed (a
    shared fingerprint only makes a candidate). About 2 / (w + 1) of the positions are selected."""
    g, w = fingerprint_sizes(p["length_threshold"])
    units = Units(text, p["unit"])
    count = units.count - p["length_threshold"] + 1  # windows of K = runs of w g-grams
    for lo in range(0, max(count, 0), BLOCK):
        hi = min(count, lo + BLOCK)
        keys = units.keys(g, lo, hi + w - 1)
        chosen = np.unique(sliding_min(keys, w))
        at = np.flatnonzero(np.isin(keys, chosen))
        got = keys[at]
        order = np.argsort(got, kind="stable")  # positions ascending within a key
        got, at = got[order], at[order]
        first = np.searchsorted(got, got, side="left")
        two = np.arange(len(got)) - first < 2
        yield got[two], at[two] + lo


def sliding_min(values: np.ndarray, w: int) -> np.ndarray:
    """The minimum of each run of w consecutive values (len - w + 1 of them): a sparse table,
    log2(w) passes over the array."""
    out, span = values, 1
    while span * 2 <= w:
        out = np.minimum(out[:-span], out[span:])  # minima of runs of 2 * span
        span *= 2
    if span < w:  # two overlapping runs of `span` cover a run of w
        out = np.minimum(out[:len(values) - w + 1], out[w - span:w - span + len(values) - w + 1])
    return out[:len(values) - w + 1]


def utf8_starts(points: np.ndarray) -> np.ndarray:
    """The byte offset at which each character starts in the UTF-8 text (surrogates: 3 bytes)."""
    sizes = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    return np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)


def windows(text: str, p: dict) -> tuple[list[int], list[int], list[int]]:
    """(positions, character offsets, keys) of all the document's windows."""
    got = list(window_blocks(text, p))
    if not got:
        return [], [], []
    return tuple(np.concatenate(c).tolist() for c in zip(*got))


def window_keys(texts: list[str], p: dict) -> list[list[int] | None]:
    """``substring_window_keys()``: each text's window keys, in position order."""
    return [None if t is None else windows(t, p)[2] for t in texts]


def runs_of(positions: list[int], firsts: list) -> list[tuple[int, int, object]]:
    """Consecutive duplicate positions as runs (first, last, first occurrence of the first)."""
    out: list[list] = []
    for pos, first in sorted(zip(positions, firsts), key=lambda x: x[0]):
        if out and pos == out[-1][1] + 1:
            out[-1][1] = pos
        elif not out or pos > out[-1][1]:
            out.append([pos, pos, first])
    return [tuple(r) for r in out]


def removed_units(runs, k: int) -> list[tuple[int, int, object]]:
    """The maximal runs of removed units, [first, end) unit indices, with the first occurrence of
    the window starting at each (runs of duplicate windows (first, last, first occurrence),
    sorted; a window at p covers units p .. p+k-1)."""
    out: list[list] = []
    for lo, hi, first in runs:
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi + k)
        else:
            out.append([lo, hi + k, first])
    return [tuple(r) for r in out]


def dedup_document(text: str, runs, p: dict) -> tuple[str, str | None, list[tuple[int, int, object]]]:
    """(new text, rule or None, removed spans as (start, end, first occurrence) character
    offsets in the input text): steps 3 and 4, given the runs of duplicate windows."""
    units = removed_units(sorted(runs, key=lambda r: r[0]), p["length_threshold"])
    if p["unit"] == "byte":
        new, spans = _cut_bytes(text, units)
    else:
        new, spans = _cut_tokens(text, units)
    return new, verdict(text, new, p), spans


def _cut_tokens(text: str, units) -> tuple[str, list]:
    starts, ends = tokens(text)
    n, out, spans, at = len(starts), [], [], 0
    for a, b, first in units:  # tokens a .. b-1
        b = min(b, n)
        s, e = int(starts[a]), int(ends[b - 1])
        spans.append((s, e, first))
        left = int(ends[a - 1]) if a > 0 else 0
        right = int(starts[b]) if b < n else len(text)
        out.append(text[at:left])
        if a > 0 and b < n:
            before, after = text[left:s], text[e:right]
            out.append(after if after.count("\n") > before.count("\n") else before)
        at = right
    out.append(text[at:])
    return "".join(out), spans


def _cut_bytes(text: str, units) -> tuple[str, list]:
    at_byte = utf8_starts(code_points(text))
    nbytes = len(text.encode("utf-8", "surrogatepass"))
    out, spans, at = [], [], 0
    for a, b, first in units:  # bytes a .. b-1: the characters wholly inside
        s = int(np.searchsorted(at_byte, a, side="left"))
        e = int(np.searchsorted(np.append(at_byte[1:], nbytes), min(b, nbytes), side="right"))
        if e <= s:
            continue
        spans.append((s, e, first))
        out.append(text[at:s])
        at = e
    out.append(text[at:])
    return "".join(out), spans


def verdict(text: str, new: str, p: dict) -> str | None:
    """The rule a document breaks after removal (None: kept, as is any untouched text)."""
    if new == text:
        return None
    words = len(tokens(new)[0])
    if words == 0:
        return "empty"
    if p["min_doc_words"] > 0 and words < p["min_doc_words"]:
        return "too_few_words"
    return None


def _prepare(values: dict, where: str) -> dict:
    k = values["length_threshold"]
    if k is None:
        k = DEFAULT_LENGTH[values["unit"]]
    elif k < 1:
        raise OpError(f"{where}: parameter 'length_threshold' must be >= 1, got {k}")
    return dict(values, length_threshold=k)


declare(Op(
    name="substring_deduplicator", kind="deduplicator", family="dedup",
    doc="Exact-substring dedup (Lee et al. 2022): every stretch of at least `length_threshold` tokens (or "
        "UTF-8 bytes) that occurred earlier in the corpus is cut from the later copies; a document left with "
        "too few words is dropped.",
    params=(
        Param("length_threshold", "int", None, "Units per compared window (K): a repeat of at least K units is "
              "removed; default 50 tokens (Lee et al.) or 100 bytes (text-dedup's suffix-array `k`).",
              nullable=True),
        Param("unit", "str", "token", "`token` (runs of non-whitespace; whitespace between them ignored) or "
              "`byte` (UTF-8 bytes, spans snapped inward to whole characters).", choices=UNITS),
        Param("min_doc_words", "int", 50, "A document that lost text is dropped with fewer tokens than this "
              "(with none: always); <= 0: only when none is left."),
    ),
    stats=(
        Stat("substring_dup_chars", "long", "Characters removed (0: untouched; on a dropped row, what the spans "
             "took before the rest was dropped)."),
        Stat("substring_dup_spans", "array<struct<start:int,end:int,first_of:string,first_unit:long,"
             "first_start:int>>", "Per removed span: its [start, end) character offsets in the input text and "
             "where the window starting it first occurs (`_duplicate_of`'s document id, that window's unit "
             "position there (token index or byte offset) and its character offset)."),
    ),
    frame="sparkops.spark.dedup.substrings:deduplicate", prepare=_prepare,
    sketches=(
        Sketch("substring_window_keys", "array<bigint>", ("length_threshold", "unit"), window_keys,
               "The 64-bit keys of the text's windows of `length_threshold` units, in order, as the "
               "deduplicator compares them (empty with fewer units; one per byte position for `byte`)."),
    ),
    examples=(
        Example("cardinality(substring_window_keys('a b c d e', 3))", 3),
        Example("substring_window_keys('one  two\\nthree', 3) = substring_window_keys('one two three', 3)", True,
                "tokens compare as a sequence: the whitespace between them does not matter"),
        Example("cardinality(substring_window_keys('héllo', 4, 'byte'))", 3, "6 UTF-8 bytes"),
        Example("cardinality(substring_window_keys('too short'))", 0, "fewer than 50 tokens"),
    ),
    notes="Earlier means the input order (in a job: file, then line). Windows are compared by a 64-bit "
          "polynomial hash of their content (token windows: of `\" \".join(tokens)`), so two distinct windows "
          "collide with probability about 2^-64 per pair (~3e-6 over 10^7 distinct windows; such a collision "
          "would cut one window wrongly). In Spark only the documents sharing a winnowed fingerprint (of "
          "ceil(K/2)-unit grams, about 2 / (w + 1) of the positions, w = K - ceil(K/2) + 1) with another "
          "(document, position) have their windows listed and ranked: exact, since two occurrences of a window "
          "always share one. Kept rows carry the cut text, `stats.substring_dup_spans` the removed "
          "spans in the input text; a rejected row keeps its input text, `_dropped_by` is "
          "`substring_deduplicator:<rule>` (`empty`, `too_few_words`) and `_duplicate_of` names the document "
          "holding the first occurrence of its first removed span. A repeat inside one document loses its later "
          "copies, overlapping ones too. An empty or blank text has no window and is kept as it is; a null text "
          "is dropped as `null_text`, a text column of another type as `wrong_type`, a document the kernel "
          "fails on as `error:`. Differences from Lee et al.'s suffix-array tool: it cuts raw bytes (a "
          "character split by a cut is dropped when decoding); the byte unit here snaps inward to whole "
          "characters. The token unit is sparkops' own (whitespace tokens, not a model's tokenizer).",
))
