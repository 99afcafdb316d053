"""Words and sentences as datatrove 0.10.1 splits them: spaCy's rule-based tokenizer.

datatrove's Gopher, C4 and FineWeb rule sets count *tokens of spaCy's blank pipeline* for
the document's language (``spacy.blank("en")``: no trained model, nothing downloaded), with
whitespace tokens dropped and every token stripped; sentences come from spaCy's rule-based
``sentencizer``. Our users compare numbers with theirs, so we call the same tokenizer rather
than imitate it: punctuation splits ("end." -> "end", "."), contractions ("don't" -> "do",
"n't") and URL / emoticon exceptions would otherwise all shift word counts.

spaCy comes from PyPI with its language rules; ``spacy.blank`` needs no model download.
One pipeline per language per Python process (``sparkops.models.spacy_blank``, renewed
when its vocabulary grows large).
Parity with datatrove is tested for English. For another language code we build spaCy's
blank pipeline of that code, which is datatrove's choice for many languages but not all (it
uses other tokenizers for e.g. Thai and the Indic languages, and its own for Japanese, which
we refuse rather than differ); Chinese is segmented with jieba, as datatrove configures it.
A language whose spaCy tokenizer needs a package that is missing (``zh``: jieba, ``vi``:
pyvi, ``ko``: mecab-ko ...) raises a clear error.

Texts over ``CHUNK`` characters are tokenized in pieces cut right after a space or line
break: spaCy splits on whitespace before anything else, so the tokens are the same, and a
50 MB document never becomes one spaCy ``Doc`` of all its tokens.
"""

from __future__ import annotations

import numpy as np

from sparkops.models.spacy_blank import done_with, pipeline
from sparkops.text.doc import code_points

CHUNK = 1_000_000


def _pieces(text: str):
    """The text cut into pieces of about CHUNK characters, each ending in whitespace."""
    start, n = 0, len(text)
    while n - start > CHUNK:
        cut = max(text.rfind(" ", start, start + CHUNK), text.rfind("\n", start, start + CHUNK))
        if cut <= start:  # no break in a whole chunk: cut at the next one, however far
            spaces = [i for i in (text.find(" ", start + CHUNK), text.find("\n", start + CHUNK)) if i >= 0]
            if not spaces:
                break
            cut = min(spaces)
        yield text[start:cut + 1]
        start = cut + 1
    yield text[start:]


def spans(text: str, language: str, points: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets (code points) of the words ``words`` returns, without building
    a string per word: spaCy's token offsets, whitespace tokens dropped. ``points``: the text's
    code points (``sparkops.text.doc.code_points``) when the caller has them."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    nlp = pipeline(language)
    starts, ends = [], []
    offset = 0
    # offsets as int32 where they fit: half the memory of int64 on a document of millions of words
    dtype = np.int32 if len(text) < 2**31 - 1 else np.int64
    for piece in _pieces(text):
        doc = nlp.tokenizer(piece)
        if len(doc):
            cols = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(dtype)
            word = cols[:, 2] == 0
            starts.append(cols[word, 0] + offset)
            ends.append(cols[word, 0] + cols[word, 1] + offset)
        offset += len(piece)
    done_with(nlp, language)
    if not starts:
        empty = np.zeros(0, dtype=dtype)
        return empty, empty
    s, e = np.concatenate(starts), np.concatenate(ends)
    return _strip(text, s, e, code_points(text) if points is None else points)


# every code point str.isspace() holds true for (29, none above U+3000): a token's first and
# last characters are looked up in it as arrays, not one str.isspace() call per token
_SPACES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _strip(text: str, starts: np.ndarray, ends: np.ndarray, points: np.ndarray):
    """datatrove strips every token: spaCy's non-space tokens hardly ever start or end with
    whitespace, but when one does, trim it (and drop it if nothing is left)."""
    if not len(starts):
        return starts, ends
    first = np.isin(points[starts], _SPACES)
    last = np.isin(points[ends - 1], _SPACES)
    odd = np.flatnonzero(first | last)
    if not len(odd):
        return starts, ends
    keep = np.ones(len(starts), dtype=np.bool_)
    for i in odd.tolist():
        a, b = int(starts[i]), int(ends[i])
        word = text[a:b]
        stripped = word.strip()
        if not stripped:
            keep[i] = False
            continue
        lead = len(word) - len(word.lstrip())
        starts[i], ends[i] = a + lead, a + lead + len(stripped)
    return starts[keep], ends[keep]


def words(text: str, language: str) -> list[str]:
    """datatrove's ``split_into_words``: spaCy tokens, stripped, whitespace tokens dropped."""
    starts, ends = spans(text, language)
    return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


def sentence_count(text: str, language: str) -> int:
    """How many parts datatrove's ``split_into_sentences`` cuts ``text`` into (at least 1)."""
    nlp = pipeline(language)
    count = sum(_sentencizer_count(nlp, nlp.tokenizer(piece)) for piece in _pieces(text))
    done_with(nlp, language)
    return max(count, 1)


def _sentencizer_count(nlp, doc) -> int:
    """The number of sentences spaCy's sentencizer finds in ``doc``, from its tokens' string
    ids and IS_PUNCT flags, without a Python ``Token`` (and its text) per token.

    Its rule: the first token starts a sentence; after a token in its ``punct_chars`` has been
    seen, the next token that is neither ``is_punct`` nor in ``punct_chars`` starts one."""
    from spacy.attrs import IS_PUNCT, ORTH

    if not len(doc):
        return 0
    marks = _punct_orths(nlp)
    count, seen = 1, False
    for orth, punct in doc.to_array([ORTH, IS_PUNCT]).tolist():
        if orth in marks:
            seen = True
        elif seen and not punct:
            count += 1
            seen = False
    return count


def _punct_orths(nlp) -> frozenset[int]:
    """The string ids (ORTH) of the sentencizer's ``punct_chars``, once per pipeline."""
    orths = getattr(nlp, "_sparkops_punct_orths", None)
    if orths is None:
        chars = nlp.get_pipe("sentencizer").punct_chars
        orths = nlp._sparkops_punct_orths = frozenset(nlp.vocab.strings.add(c) for c in chars)
    return orths


def sentence_spans(text: str, language: str) -> list[tuple[int, int]]:
    """datatrove's ``span_tokenize``: (start, end) code-point offsets of each sentencizer
    sentence (the whitespace between two sentences belongs to neither); none for ''.

    A piece (of a text over CHUNK characters) that ends in a blank sentence (a line break after
    a full stop) hands it to the next piece's first sentence, which it starts in one spaCy call."""
    nlp = pipeline(language)
    sentencizer = nlp.get_pipe("sentencizer")
    out: list[tuple[int, int]] = []
    offset, carry = 0, None
    for piece in _pieces(text):
        spans = [(offset + s.start_char, offset + s.end_char) for s in sentencizer(nlp.tokenizer(piece)).sents]
        if carry is not None and spans:
            spans[0] = (carry, spans[0][1])
            carry = None
        if spans and offset + len(piece) < len(text) and not text[spans[-1][0]:spans[-1][1]].strip():
            carry = spans.pop()[0]
        out.extend(spans)
        offset += len(piece)
    done_with(nlp, language)
    return out


def sentences(text: str, language: str) -> list[str]:
    """datatrove's ``split_into_sentences``: the text cut at the end of each sentencizer
    sentence but the last, so the pieces keep the whitespace between sentences."""
    nlp = pipeline(language)
    sentencizer = nlp.get_pipe("sentencizer")
    ends: list[int] = []
    offset = 0
    for piece in _pieces(text):
        ends.extend(offset + s.end_char for s in sentencizer(nlp.tokenizer(piece)).sents)
        offset += len(piece)
    done_with(nlp, language)
    cuts = [0] + ends[:-1]
    return [text[a:b] for a, b in zip(cuts, ends[:-1] + [len(text)])]
