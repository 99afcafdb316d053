"""sentence_deduplicator: remove every span of N consecutive sentences already seen earlier in
the corpus, as datatrove 0.10.1's SentenceDedup (pure; Spark side: sparkops.spark.dedup.sentences).

datatrove's three steps, its facts (``pipeline/dedup/sentence_dedup.py``, ``utils/text.py``):

1. **Windows.** A document's sentences are spaCy's rule-based ``sentencizer`` sentences of the
   blank pipeline of its language (``split_sentences``), stripped, blank ones left out; or its
   ``str.splitlines()`` lines. A document with fewer than ``n_sentences`` has no window. Every
   run of ``n_sentences`` consecutive sentences, each normalised (``simplify_text``: lower-cased,
   digit runs -> ``0``, punctuation -> space, whitespace runs -> one space, accents dropped) and
   joined by a space, is a window keyed by a 64-bit hash; a window that normalises to '' has none.
2. **First copies.** A window whose key was seen at a smaller (document, sentence) position -
   earlier in the corpus, or earlier in the same document - is a duplicate; the first stays.
3. **Removal.** The document is walked sentence span by span (``span_tokenize``: each piece is
   the text from the end of the previous sentence to the end of this one, so it carries the
   whitespace before it); a duplicate window at sentence ``i`` drops pieces ``i .. i+n-1``. The
   kept pieces are joined (lines: by ``\\n``) and left-stripped. A document whose text changed
   is kept only with at least ``min_doc_words`` words (spaCy tokens) and ``min_num_sentences``
   sentences (a value <= 0 switches the rule off); an empty text is never kept.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import regex

from sparkops.core import Example, Op, Param, Sketch, Stat, declare
from sparkops.ops.rules.common import PUNCTUATION, language_param
from sparkops.text import spacy_words
from sparkops.text.hashing import span_hashes

# datatrove 0.10.1 utils/text.py NUMBERS_PATTERN (a fact we must match): digit runs of any
# script, with one decimal part after . , or an Arabic / other decimal separator
NUMBERS = regex.compile(r"\p{Nd}+([.,،٫⎖⎗⎘]{1}\p{Nd}+)?", regex.VERBOSE | regex.UNICODE)
_PUNCTUATION_TO_SPACE = str.maketrans({c: " " for c in PUNCTUATION})
_WHITESPACE = re.compile(r"\s+")


def simplify(sentence: str) -> str:
    """datatrove's ``simplify_text`` with its default TextNormConfig, in its order."""
    s = NUMBERS.sub("0", sentence.lower())
    s = _WHITESPACE.sub(" ", s.translate(_PUNCTUATION_TO_SPACE).strip())
    if not s.isascii():  # NFD leaves ASCII alone and it has no combining marks
        s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return s.strip()


def pieces(text: str, p: dict) -> list[tuple[int, int]]:
    """The (start, end) offsets of the units step 3 walks: sentence spans, or lines
    (``str.splitlines``, without their line break)."""
    if p["split_sentences"]:
        return spacy_words.sentence_spans(text, p["language"])
    out, at = [], 0
    for line in text.splitlines(keepends=True):
        out.append((at, at + len(line.splitlines()[0])))
        at += len(line)
    return out


def normalised(text: str, spans: list[tuple[int, int]], p: dict) -> list[str]:
    """The sentences step 1 hashes, normalised: sentence texts stripped, blank ones left out
    (datatrove's ``sent_tokenize``); lines as they are."""
    if not p["split_sentences"]:
        return [simplify(text[a:b]) for a, b in spans]
    return [simplify(s) for s in (text[a:b].strip() for a, b in spans) if s]


BLOCK = 1 << 20  # characters of normalised text hashed at once (bounds a huge document's memory)


def windows(text: str, p: dict, spans: list[tuple[int, int]] | None = None) -> tuple[list[int], list[int]]:
    """(sentence index, signed 64-bit key) of each window of the document (step 1).

    A window's key is the hash of ``" ".join(its normalised sentences)`` (datatrove's string; it
    is not the tuple: "a b" + "c" is "a" + "b c"). Those strings are hashed as substrings of
    one joined block of sentences, never built one by one (a window is n times its text)."""
    n = p["n_sentences"]
    simple = normalised(text, pieces(text, p) if spans is None else spans, p)
    count = len(simple) - n + 1  # windows
    if count <= 0:
        return [], []
    lengths = np.fromiter(map(len, simple), dtype=np.int64, count=len(simple))
    starts_out, keys_out = [], []
    i = 0
    while i < count:
        j, size = i + 1, int(lengths[i])
        while j < count and size < BLOCK:  # windows i..j-1 hash sentences i..j+n-2
            size += int(lengths[j]) + 1
            j += 1
        block = lengths[i:j + n - 1]
        at = np.concatenate(([0], np.cumsum(block + 1)))  # where each sentence starts in the block
        first, last = at[:j - i], at[n - 1:j - i + n - 1] + block[n - 1:j - i + n - 1]
        # a window of only empty sentences is blank: datatrove skips it
        filled = np.convolve(block > 0, np.ones(n, dtype=np.int64), "valid")[:j - i] > 0
        if filled.any():
            points = np.frombuffer(" ".join(simple[i:j + n - 1]).encode("utf-32-le", "surrogatepass"),
                                   dtype=np.uint32)
            keys = span_hashes(points, first[filled], last[filled])
            starts_out.extend((np.flatnonzero(filled) + i).tolist())
            keys_out.extend(keys.view("int64").tolist())
        i = j
    return starts_out, keys_out


def window_keys(texts: list[str], p: dict) -> list[list[int] | None]:
    """``sentence_window_keys()``: each text's window keys, in sentence order."""
    return [None if t is None else windows(t, p)[1] for t in texts]


def remove_windows(text: str, dup: list[int], p: dict,
                   spans: list[tuple[int, int]] | None = None) -> str:
    """The text without the pieces the duplicate windows starting at sentences ``dup`` cover
    (step 3, datatrove's ``remove_dup_sentences``)."""
    spans = pieces(text, p) if spans is None else spans
    dup = sorted(set(dup))
    n, split = p["n_sentences"], p["split_sentences"]
    kept: list[str] = []
    removed: list[str] = []  # datatrove keeps only the first piece of a removed run here
    last, at, drop_until = 0, 0, 0
    for idx, (a, b) in enumerate(spans):
        piece = text[last:b] if split else text[a:b]
        if at < len(dup) and dup[at] == idx:
            drop_until = idx + n
            at += 1
        if idx >= drop_until:
            if removed:
                _restore_short(kept, removed, p)
                removed.clear()
            kept.append(piece)
        elif not removed:
            removed.append(piece)
        if split:
            last = b
    if removed:
        _restore_short(kept, removed, p)
    return ("" if split else "\n").join(kept).lstrip()


def _restore_short(kept: list[str], removed: list[str], p: dict) -> None:
    """``min_words_to_remove_span``: a removed run with fewer words is put back. As in datatrove
    0.10.1, only the run's first piece is counted and put back (the rest stays removed)."""
    least = p["min_words_to_remove_span"]
    if least > 0 and len(spacy_words.spans("\n".join(removed), p["language"])[0]) < least:
        kept.extend(removed)


def verdict(text: str, new: str, p: dict) -> str | None:
    """The rule a document breaks after removal (None: kept). An unchanged text is kept
    unless it is empty."""
    if new == "":
        return "empty"
    if new == text:
        return None
    if p["min_doc_words"] > 0 and len(spacy_words.spans(new, p["language"])[0]) < p["min_doc_words"]:
        return "too_few_words"
    if p["min_num_sentences"] > 0 and spacy_words.sentence_count(new, p["language"]) < p["min_num_sentences"]:
        return "too_few_sentences"
    return None


def window_offsets(spans: list[tuple[int, int]], starts: list[int], p: dict) -> list[tuple[int, int]]:
    """Per duplicate window, the (start, end) offsets in the input text of the sentences it covers."""
    n, last = p["n_sentences"], len(spans) - 1
    return [(spans[min(i, last)][0], spans[min(i + n - 1, last)][1]) for i in starts]


def dedup_document(text: str, dup: list[int], p: dict) -> tuple[str, str | None, list[tuple[int, int]]]:
    """(new text, rule or None, per duplicate window its offsets): steps 3 and the verdict."""
    spans = pieces(text, p)
    new = remove_windows(text, dup, p, spans)
    return new, verdict(text, new, p), window_offsets(spans, sorted(set(dup)), p)


declare(Op(
    name="sentence_deduplicator", kind="deduplicator", family="dedup",
    doc="datatrove's sentence dedup (C4's 'three-sentence span'): every run of `n_sentences` consecutive "
        "sentences (normalised) that occurred earlier in the corpus is cut from the later documents; a "
        "document left with too few words or sentences is dropped.",
    params=(
        Param("n_sentences", "int", 3, "Sentences per compared span.",
              check=lambda v: None if v >= 1 else "must be >= 1"),
        Param("split_sentences", "bool", True, "Split into spaCy sentences; false: into lines "
              "(`str.splitlines`, the kept ones joined by `\\n`)."),
        Param("min_doc_words", "int", 50, "A document that lost spans is dropped with fewer words (spaCy "
              "tokens) than this; <= 0: never."),
        Param("min_num_sentences", "int", 3, "A document that lost spans is dropped with fewer sentences than "
              "this; <= 0: never."),
        Param("min_words_to_remove_span", "int", 0, "A removed run with fewer words than this is put back "
              "(datatrove 0.10.1 counts and restores only the run's first sentence); 0: off."),
        language_param(),
    ),
    stats=(
        Stat("sentence_dup_chars", "long", "Characters the removed spans took from the text (0: untouched; "
             "on a dropped row, what they took before the rest was dropped)."),
        Stat("sentence_dup_windows", "array<struct<sentence:int,start:int,end:int,first_of:string,"
             "first_sentence:int>>", "Per duplicate window: its first sentence's index, its [start, end) "
             "offsets in the input text, and where its first copy is (`_duplicate_of`'s document id, and "
             "that document's sentence index)."),
    ),
    frame="sparkops.spark.dedup.sentences:deduplicate",
    requires=("rules",), models=("spaCy blank pipeline (sentencizer, tokenizer rules)",),
    sketches=(
        Sketch("sentence_window_keys", "array<bigint>", ("n_sentences", "split_sentences", "language"),
               window_keys, "The 64-bit keys of the text's windows of `n_sentences` normalised sentences, in "
               "order, as the deduplicator compares them (empty with fewer sentences)."),
    ),
    examples=(
        Example("cardinality(sentence_window_keys('One here. Two there. Three now. Four later.'))", 2),
        Example("cardinality(sentence_window_keys('One here. Two there.'))", 0, "fewer than 3 sentences"),
        Example("sentence_window_keys('Dogs bark. Cats purr. Birds sing.') = "
                "sentence_window_keys('dogs  BARK! Cats, purr? birds -- sing...')", True,
                "case, punctuation and spacing are normalised away"),
        Example("sentence_window_keys('It is 12. Then 7.5 more. Done.') = "
                "sentence_window_keys('It is 3. Then 1,2 more. Done.')", True, "numbers compare as 0"),
        Example("cardinality(sentence_window_keys('a\\nb\\nc', 3, false))", 1, "lines"),
    ),
    notes="Decisions are datatrove 0.10.1's (a fixture its three SentenceDedup steps made over real C4 text "
          "with pasted boilerplate, `tests/test_sentence_dedup.py`: every decision, duplicate window and text "
          "agrees). Earlier means the input order (in a job: file, then line), as datatrove's document index "
          "with one task. Windows are compared by a 64-bit hash of their normalised text (datatrove: xxhash64; "
          "for ordinary text either collides with probability ~2^-64 per pair). The rejected row keeps its "
          "input text; `_dropped_by` is `sentence_deduplicator:<rule>` (`empty`, `too_few_words`, "
          "`too_few_sentences`) and `_duplicate_of` names the document holding the first copy of its first "
          "removed window. Kept rows carry the cut text; `stats.sentence_dup_windows` gives the offsets of what "
          "was cut in the input text. As in datatrove, an empty text is dropped (`empty`) even when nothing was "
          "removed, an untouched document is never checked against the word and sentence minimums, and a "
          "repeated span inside one document loses its later copies. A null text is dropped as `null_text`, a "
          "text column of another type as `wrong_type`, a document the kernel fails on as `error:`. "
          "Differences: datatrove stops the whole run (OverflowError) on a document with a window past "
          "sentence 65,535 (it stores the index as a uint16) "
          "and tokenizes a text in one spaCy call; sparkops keeps going and cuts a text over 1,000,000 "
          "characters at whitespace first, so a sentence across such a cut is two. Only spaCy's blank "
          "pipelines are used (datatrove uses other tokenizers for e.g. Thai or the Indic languages); "
          "`norm_config` and `hash_config` are datatrove's defaults, and its index (`only_dedup_in_index`, "
          "SentenceDedupBuildIndex) is not supported.",
))
