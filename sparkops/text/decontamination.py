"""Benchmark (task) n-gram decontamination with NeMo Curator 0.x's ``TaskDecontamination`` semantics.

Facts read from NeMo Curator v0.8.0 (``nemo_curator/utils/text_utils.py:get_words``,
``nemo_curator/tasks/downstream_task.py:_update_ngrams``, ``nemo_curator/modules/task.py``;
unchanged since v0.4), reproduced here with their quirks so results match document for document:

- **Words** (``get_words``): the text lower-cased, ASCII punctuation (``string.punctuation``)
  deleted, then cut at the space character only: a newline or tab is part of a word (stripped
  at its ends only, so ``"end.\\nNext"`` is one word ``"end\\nnext"``; a lone newline between
  spaces is an empty word). Word positions are offsets in that *normalised* string, yet NeMo
  cuts the *original* text at them: every deleted punctuation mark before a match shifts the
  cut left by one character. When the normalised text starts with a word that strips to
  nothing (a newline), NeMo drops that word but not its position, so positions lag words by one.
  ``exact=True`` (sparkops, not NeMo) cuts around the hit's own characters instead: in a long
  text with many sentence ends before a hit, NeMo's first cut falls far before it, and the
  piece after that cut, rescanned, is cut again: extra pieces that count toward ``max_splits``.
- **Task n-grams** (``_update_ngrams``): per benchmark text, nothing if it has fewer than
  ``min_ngram_size`` (8) words; the whole text as one n-gram if it has fewer than
  ``max_ngram_size`` (13) words; else every 13-word window. An n-gram is its words joined by
  one space.
- **Scan** (``_remove_ngrams`` / ``_find_ngrams``): over a text of *n* words, for each start
  *i* in ``0..n-13``: the 13-word window, then windows of every task n-gram length in
  ascending order (short tasks' n-grams); the first hit wins. If nothing hit and *n* > 13, the
  last 13 words are searched for the shorter lengths (length-major order). A text of fewer
  than 13 words is never searched.
- **Counting pass**: each document is scanned against all task n-grams; after a hit the scan
  resumes at ``text[pos + len(ngram) + 1:]``. N-grams hit more than ``max_matches`` (10) times
  in the whole corpus are "too common" and are not removed; only n-grams hit at least once
  and at most ``max_matches`` times are.
- **Split** (``_split_text`` / ``_clean_text``): at a hit at position *p* (normalised offset)
  of n-gram *g*, the piece before ends at the last ``.!?`` at or before ``p - 200``
  (inclusive; none, or at offset 0: no piece), the piece after starts after the first
  ``.!?`` at or after ``p + len(g) + 200``. A piece is kept only if longer than
  ``min_document_length`` (200) characters; the piece after is scanned again, the piece
  before is not. A text without a hit is kept whole, whatever its length.
- **Verdict** (``_remove_ngrams_partition``): a document is kept, as its pieces (one row
  each), when it has 1 to ``max_splits`` (10) pieces; with none (everything removed) or more
  than ``max_splits`` it is dropped.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from typing import Iterable, Iterator

_DROP_PUNCT = str.maketrans("", "", string.punctuation)  # NeMo: remove_punctuation
_RUN = re.compile(r"[^ ]+")
_SENTENCE_END = ".!?"  # NeMo: TaskDecontamination._split_text


def words(text: str) -> tuple[list[str], list[int]]:
    """NeMo's ``get_words``: (words, word start offsets in the normalised text)."""
    norm = text.lower().translate(_DROP_PUNCT)
    found = [(m.group().strip(), m.start()) for m in _RUN.finditer(norm)]
    ws = [w for w, _ in found]
    pos = [s for _, s in found]
    # NeMo drops an empty first word but keeps its position (see the module doc)
    if ws and ws[0] == "" and norm[0] != " ":
        ws = ws[1:]
    return ws, pos


def task_ngrams(text: str, min_ngram_size: int = 8, max_ngram_size: int = 13) -> list[str]:
    """The n-grams one benchmark text contributes (NeMo's ``DownstreamTask._update_ngrams``)."""
    ws, _ = words(text)
    if len(ws) < min_ngram_size:
        return []
    out = [" ".join(ws)] if len(ws) < max_ngram_size else []
    out += [" ".join(ws[i:i + max_ngram_size]) for i in range(len(ws) - max_ngram_size + 1)]
    return out


@dataclass
class TaskTable:
    """Every task n-gram (first task that gave it), and the lengths the scan tries."""

    ngrams: dict[str, str] = field(default_factory=dict)  # n-gram -> task name
    lengths: tuple[int, ...] = ()  # ascending, as NeMo's ngrams_freq_sorted
    # the first ``k`` words of every n-gram (a tuple): a hit can only start where they are
    prefixes: frozenset = frozenset()
    k: int = 1

    def add(self, task: str, texts: Iterable[str], min_ngram_size: int = 8, max_ngram_size: int = 13):
        for t in texts:
            for g in task_ngrams(t, min_ngram_size, max_ngram_size):
                self.ngrams.setdefault(g, task)
        # NeMo counts an n-gram's length by tokenising its key again (an empty word then vanishes)
        self.lengths = tuple(sorted({len(words(g)[0]) for g in self.ngrams}))
        self._index()
        return self

    def _index(self):
        self.k = max(1, min(3, *self.lengths)) if self.lengths else 1
        self.prefixes = frozenset(tuple(g.split(" ")[:self.k]) for g in self.ngrams)

    def restricted(self, keep: Iterable[str]) -> "TaskTable":
        """The same lengths (NeMo keeps them from the full table) with only ``keep``'s n-grams."""
        out = TaskTable({g: self.ngrams[g] for g in keep if g in self.ngrams}, self.lengths)
        out._index()
        return out


def first_hit(ws: list[str], table: TaskTable, n: int = 13) -> tuple[int, str] | None:
    """(word index, n-gram) of the first task n-gram in ``ws`` in NeMo's scan order, or None."""
    grams, prefixes, lengths, k = table.ngrams, table.prefixes, table.lengths, table.k
    count = len(ws)
    if count < n:
        return None
    # the positions whose next k words start some n-gram: every window tried at i starts there
    # (k <= every task length; a window shorter than k, the n-word one when n < k, is no n-gram)
    starts = {i for i, t in enumerate(zip(*(ws[s:] for s in range(k)))) if t in prefixes}
    if not starts:
        return None
    for i in sorted(starts):
        if i > count - n:
            break
        seq = " ".join(ws[i:i + n])
        if seq in grams:
            return i, seq
        for length in lengths:
            seq = " ".join(ws[i:i + length])
            if seq in grams:
                return i, seq
    if count - n > 0:
        base = count - n
        for length in lengths:
            if length == n:
                continue
            for j in range(n - length + 1):
                if base + j not in starts:
                    continue
                seq = " ".join(ws[base + j:base + j + length])
                if seq in grams:
                    return base + j, seq
    return None


_PUNCT = re.compile("[" + re.escape(string.punctuation) + "]")


def original_offset(text: str, norm_pos: int) -> int:
    """The index in ``text`` of the character at ``norm_pos`` of its normalised form (lower-cased,
    without ASCII punctuation); ``len(text)`` past its end."""
    if len(text.lower()) == len(text):  # no character lower-cases to several: skip punctuation only
        x = norm_pos
        for m in _PUNCT.finditer(text):
            if m.start() > x:
                break
            x += 1
        return min(x, len(text))
    done = 0
    for index, ch in enumerate(text):
        done += len(ch.lower().translate(_DROP_PUNCT))
        if done > norm_pos:
            return index
    return len(text)


def _span(text: str, ws: list[str], pos: list[int], i: int, seq: str, exact: bool) -> tuple[int, int]:
    """Where a hit lies in ``text``: NeMo's (normalised start, start + len(n-gram)), or with
    ``exact`` the original characters from its first word to the end of its last."""
    if not exact:
        return pos[i], pos[i] + len(seq)
    last = i + seq.count(" ")
    if len(pos) != len(ws):  # NeMo's lagging positions (see words): each word's own
        pos = pos[1:]
    return original_offset(text, pos[i]), original_offset(text, pos[last] + len(ws[last]) - 1) + 1


def hits(text: str, table: TaskTable, n: int = 13, exact: bool = False) -> list[str]:
    """The counting pass over one document (NeMo's ``_find_ngrams``): the n-grams hit, in order."""
    out = []
    while True:
        ws, pos = words(text)
        hit = first_hit(ws, table, n)
        if hit is None:
            return out
        i, seq = hit
        out.append(seq)
        rest = _span(text, ws, pos, i, seq, exact)[1] + 1
        if rest >= len(text):
            return out
        text = text[rest:]


def split_around(text: str, start: int, end: int, each_side: int = 200) -> tuple[str, str]:
    """The text before and after a hit at ``text[start:end]``, cut at sentence ends ``each_side``
    characters away (NeMo's ``_split_text``, including its negative-offset behaviour)."""
    p = start - each_side
    while p > 0 and text[p] not in _SENTENCE_END:
        p -= 1
    before = text[:p + 1] if p > 0 else ""
    p = end + each_side
    while p < len(text) and text[p] not in _SENTENCE_END:
        p += 1
    after = text[p + 1:] if p + 1 < len(text) else ""
    return before, after


@dataclass
class Cleaned:
    """One document after decontamination: its pieces and the n-grams that cut it."""

    pieces: list[str]
    matched: list[str]


def remove(text: str, table: TaskTable, n: int = 13, each_side: int = 200,
           min_document_length: int = 200, exact: bool = False) -> Cleaned:
    """NeMo's ``_remove_ngrams``: the pieces left around every hit, in text order (``exact``: cut
    around the hit's own characters, not at NeMo's normalised offsets)."""
    pieces, matched = [], []
    todo: str | None = text
    while todo is not None:
        current, todo = todo, None
        ws, pos = words(current)
        hit = first_hit(ws, table, n)
        if hit is None:
            pieces.append(current)
            break
        i, seq = hit
        matched.append(seq)
        before, after = split_around(current, *_span(current, ws, pos, i, seq, exact), each_side)
        if len(before) > min_document_length:
            pieces.append(before)
        if len(after) > min_document_length:
            todo = after
    return Cleaned(pieces, matched)


def verdict(cleaned: Cleaned, max_splits: int = 10) -> str | None:
    """Why NeMo drops a document (None: kept as its pieces)."""
    if not cleaned.pieces:
        return "no_pieces"
    if len(cleaned.pieces) > max_splits:
        return "too_many_splits"
    return None


def read_task_texts(path: str, fields: list[str]) -> Iterator[str]:
    """The benchmark texts of a JSONL file: each listed field of each record (a list field gives
    each of its strings; other values are skipped)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            for key in fields:
                value = record.get(key) if isinstance(record, dict) else None
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
