"""An exact scorer of ARPA back-off n-gram models in numpy: ``kenlm.Model.score`` without C++.

``ArpaModel.score(line)`` gives what ``kenlm.Model(arpa).score(line, bos=True, eos=True)``
gives (kenlm 0.3.0's Python module, ARPA loaded as probing or trie without quantisation), bit for bit:

- words are ``line.encode("utf-8").split()`` (kenlm splits the UTF-8 bytes on ASCII
  whitespace only, so U+3000 or U+00A0 stay inside a word), read as C strings as kenlm does (a
  NUL ends the line, or the word when bos or eos is off: ``ids``);
- a word outside the vocabulary is ``<unk>``; a model without ``<unk>`` gets it at log10 p =
  -100, as kenlm's loader adds it;
- log10 p(w | h) = p(h w) when the n-gram is in the model, else b(h) + log10 p(w | h[1:]),
  b of an n-gram that is not in the model being 0 (this equals kenlm's minimised state when
  every n-gram's prefix and suffix are in the model, which ARPA files from lmplz and from
  ``sparkops.models.kneser_ney`` guarantee);
- the arithmetic is kenlm's: values parsed to float32, each word's probability summed with its
  back-offs in float32 (shortest context first), the sentence total accumulated in float32.

The model is held as sorted uint64 keys (the word ids of an n-gram packed in 16 to 21 bits
each) and float32 columns, so a whole batch of words is looked up with ``searchsorted``.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

UNK, BOS, EOS = "<unk>", "<s>", "</s>"
CHUNK = 1 << 18  # words looked up per vectorised step
MISSING_UNK_PROB = -100.0  # kenlm's loader: "<unk> ... not in the model: setting its probability to -100"


class ArpaError(ValueError):
    """A file that is not a readable ARPA model."""


@dataclass
class _Order:
    keys: np.ndarray      # uint64, sorted: packed word ids of each n-gram
    prob: np.ndarray      # float32 log10 p
    backoff: np.ndarray   # float32 log10 b (0 where the file gives none)


class ArpaModel:
    """A back-off n-gram model read from an ARPA file (plain or gzipped)."""

    def __init__(self, vocab: dict[str, int], orders: list[_Order], bits: int):
        self.vocab = vocab
        # kenlm looks words up as bytes: so do we (a word's UTF-8 bytes, no decoding per word)
        self._byte_vocab = {w.encode("utf-8", "surrogatepass"): i for w, i in vocab.items()}
        self.order = len(orders)
        self._orders = orders  # orders[0]: unigrams, keyed by id (keys == arange)
        self._bits = bits
        self._unk = vocab[UNK]
        self._bos = vocab[BOS]
        self._eos = vocab[EOS]

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike) -> "ArpaModel":
        path = Path(path)
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="\n") as handle:
            return cls.parse(handle, str(path))

    @classmethod
    def parse(cls, lines, where: str = "ARPA") -> "ArpaModel":
        lines = iter(lines)
        counts: list[int] = []
        for line in lines:
            if line.strip() == "\\data\\":
                break
        else:
            raise ArpaError(f"{where}: no \\data\\ section")
        for line in lines:
            line = line.strip()
            if not line:
                if counts:
                    break
                continue
            if not line.startswith("ngram "):
                raise ArpaError(f"{where}: unexpected line in \\data\\: {line!r}")
            n, count = line[6:].split("=")
            if int(n) != len(counts) + 1:
                raise ArpaError(f"{where}: n-gram counts out of order at {line!r}")
            counts.append(int(count))
        if not counts:
            raise ArpaError(f"{where}: no n-gram counts")
        tables: list[tuple[list[str], np.ndarray, np.ndarray]] = []
        for n, count in enumerate(counts, 1):
            for line in lines:
                if line.strip():
                    break
            if line.strip() != f"\\{n}-grams:":
                raise ArpaError(f"{where}: expected \\{n}-grams:, got {line.strip()!r}")
            grams, probs, backs = [], [], []
            for _ in range(count):
                fields = next(lines).rstrip("\n").split("\t")
                if len(fields) not in (2, 3):
                    raise ArpaError(f"{where}: bad {n}-gram line {fields!r}")
                probs.append(fields[0])
                grams.append(fields[1])
                backs.append(fields[2] if len(fields) == 3 else "0")
            # float32 as kenlm's strtof: numpy parses the decimal string straight to float32
            tables.append((grams, np.array(probs, dtype=np.float32), np.array(backs, dtype=np.float32)))
        for line in lines:
            if line.strip():
                if line.strip() != "\\end\\":
                    raise ArpaError(f"{where}: expected \\end\\, got {line.strip()!r}")
                break
        return cls._build(tables, where)

    @classmethod
    def _build(cls, tables, where) -> "ArpaModel":
        words, uprob, uback = tables[0]
        words, uprob, uback = list(words), list(uprob), list(uback)
        for special in (BOS, EOS):
            if special not in words:
                raise ArpaError(f"{where}: the vocabulary lacks {special}")
        if UNK not in words:
            words.append(UNK)
            uprob.append(np.float32(MISSING_UNK_PROB))
            uback.append(np.float32(0.0))
        vocab = {w: i for i, w in enumerate(words)}
        if len(vocab) != len(words):
            raise ArpaError(f"{where}: a unigram appears twice")
        bits = max(16, int(len(words) - 1).bit_length())
        if bits * len(tables) > 64:
            raise ArpaError(f"{where}: order {len(tables)} with {len(words):,} words does not fit 64-bit keys")
        orders = [_Order(np.arange(len(words), dtype=np.uint64), np.array(uprob, dtype=np.float32),
                         np.array(uback, dtype=np.float32))]
        for n, (grams, prob, back) in enumerate(tables[1:], 2):
            keys = np.empty(len(grams), dtype=np.uint64)
            for i, gram in enumerate(grams):
                ids = gram.split(" ")
                if len(ids) != n:
                    raise ArpaError(f"{where}: {gram!r} is not a {n}-gram")
                key = 0
                for word in ids:
                    wid = vocab.get(word)
                    if wid is None:
                        raise ArpaError(f"{where}: {gram!r} uses a word that is not a unigram")
                    key = (key << bits) | wid
                keys[i] = key
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            if len(keys) > 1 and bool((keys[1:] == keys[:-1]).any()):
                raise ArpaError(f"{where}: a {n}-gram appears twice")
            orders.append(_Order(keys, prob[order], back[order]))
        return cls(vocab, orders, bits)

    # -- scoring -----------------------------------------------------------------------------
    def ids(self, line: str, whole: bool = True) -> list[int]:
        """Word ids of a line as kenlm's ``score`` splits it: UTF-8 bytes on ASCII whitespace,
        read as C strings. With bos and eos (``whole``) kenlm hands the whole line to C++ as one
        C string, so a NUL ends the line; otherwise each word is one, so a NUL ends the word."""
        data = line.encode("utf-8", "surrogatepass")
        if whole:
            words = data.split(b"\0", 1)[0].split()
        else:
            words = [w.split(b"\0", 1)[0] for w in data.split()]
        get, unk = self._byte_vocab.get, self._unk
        return [get(w, unk) for w in words]

    def _lookup(self, n: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found, prob, backoff) of the n-grams ``keys`` (0 where absent)."""
        table = self._orders[n - 1]
        if len(table.keys) == 0:
            zero = np.zeros(len(keys), dtype=np.float32)
            return np.zeros(len(keys), dtype=bool), zero, zero
        at = np.minimum(np.searchsorted(table.keys, keys), len(table.keys) - 1)
        found = table.keys[at] == keys
        zero = np.float32(0)
        return found, np.where(found, table.prob[at], zero), np.where(found, table.backoff[at], zero)

    def _scores_at(self, seq: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """float32 log10 p of the word at each of ``pos`` in ``seq`` given the words before it;
        -1 in ``seq`` marks where a sentence's history ends."""
        bits = np.uint64(self._bits)
        word = seq[pos].astype(np.uint64)
        best = self._orders[0].prob[seq[pos]]
        matched = np.ones(len(pos), dtype=np.int8)
        valid = np.ones(len(pos), dtype=bool)
        key = word
        context = np.zeros(len(pos), dtype=np.uint64)
        backs = []  # back-off of the context of length k, 0 where that context does not exist
        for k in range(1, self.order):
            before = seq[pos - k]
            valid &= before >= 0
            w = np.where(valid, before, 0).astype(np.uint64)
            shift = bits * np.uint64(k)
            # an n-gram packs its words in reading order, the last word in the lowest bits
            context = w if k == 1 else context | (w << (bits * np.uint64(k - 1)))
            if k == 1:
                back = np.where(valid, self._orders[0].backoff[w.astype(np.int64)], np.float32(0))
            else:
                found, _, back = self._lookup(k, context)
                back = np.where(found & valid, back, np.float32(0))
            backs.append(back)
            key = key | (w << shift)
            found, prob, _ = self._lookup(k + 1, key)
            found &= valid
            best = np.where(found, prob, best)
            matched = np.where(found, k + 1, matched)
        # kenlm adds the back-offs of the contexts longer than the matched n-gram's, shortest
        # first, each addition rounded to float32
        total = best
        for k, back in enumerate(backs, 1):
            total = np.where(matched <= k, total + back, total)
        return total

    def score_lines(self, lines: list[str], bos: bool = True, eos: bool = True) -> list[float]:
        """``score(line)`` of each line, looked up in one vectorised pass (in slices of
        ``CHUNK`` words, so a huge text needs bounded memory)."""
        pad = [-1] * (self.order - 1 - bos) + ([self._bos] if bos else [])
        tail = [self._eos] if eos else []
        seq: list[int] = []
        bounds = []  # (first predicted position, end) per line
        for line in lines:
            seq += pad
            start = len(seq)
            seq += self.ids(line, bos and eos)
            seq += tail
            bounds.append((start, len(seq)))
        flat = np.array(seq, dtype=np.int64)
        predicted = np.flatnonzero(flat >= 0)
        if bos:  # the <s> that opens a sentence is context, never predicted
            opening = np.array([b[0] - 1 for b in bounds], dtype=np.int64)
            predicted = np.setdiff1d(predicted, opening, assume_unique=True)
        scores = np.zeros(len(flat), dtype=np.float32)
        for i in range(0, len(predicted), CHUNK):
            at = predicted[i:i + CHUNK]
            scores[at] = self._scores_at(flat, at)
        # kenlm's float total, accumulated word by word in float32
        return [float(np.add.accumulate(scores[a:b], dtype=np.float32)[-1]) if b > a else 0.0 for a, b in bounds]

    def line_scorer(self) -> "LineScorer":
        """A scorer of lines handed over in fragments (``score(line)`` with bos and eos)."""
        return LineScorer(self)

    def score(self, line: str, bos: bool = True, eos: bool = True) -> float:
        """log10 p(line) as ``kenlm.Model.score(line, bos, eos)``."""
        return self.score_lines([line], bos, eos)[0]


class LineScorer:
    """``ArpaModel.score(line)`` (bos and eos) of a line given in fragments, in memory bounded by
    the longest fragment: ``add`` extends the current line, ``end`` closes it and returns its
    score. Joined, the fragments must be the line, each fragment boundary falling on ASCII
    whitespace (a word never spans two fragments). Equal to ``score_lines`` bit for bit: the
    n-gram context crosses the fragment boundaries, and the float32 total goes on word by word."""

    def __init__(self, model: ArpaModel):
        self._model = model
        self._keep = max(model.order - 1, 0)  # the history a word's probability reads
        self._reset()

    def _reset(self) -> None:
        self._context = [-1] * (self._model.order - 2) + [self._model._bos]
        self._total = None
        self._stopped = False  # kenlm reads the line as a C string: a NUL ends it

    def add(self, fragment: str) -> None:
        if self._stopped:
            return
        data = fragment.encode("utf-8", "surrogatepass")
        if b"\0" in data:
            data = data.split(b"\0", 1)[0]
            self._stopped = True
        get, unk = self._model._byte_vocab.get, self._model._unk
        self._feed([get(w, unk) for w in data.split()])

    def end(self) -> float:
        self._feed([self._model._eos])
        total = float(self._total)
        self._reset()
        return total

    def _feed(self, ids: list[int]) -> None:
        if not ids:
            return
        seq = np.array(self._context + ids, dtype=np.int64)
        first = len(self._context)
        scores = np.empty(len(ids), dtype=np.float32)
        for i in range(0, len(ids), CHUNK):
            at = np.arange(first + i, first + min(i + CHUNK, len(ids)), dtype=np.int64)
            scores[i:i + len(at)] = self._model._scores_at(seq, at)
        if self._total is not None:
            scores = np.concatenate((np.array([self._total], dtype=np.float32), scores))
        self._total = np.add.accumulate(scores, dtype=np.float32)[-1]
        self._context = seq[len(seq) - self._keep:].tolist()
