"""The tuned blank spaCy pipelines (``sparkops.models.spacy_blank._tune``) tokenize and split
sentences exactly as the untouched ``spacy.blank(code)`` + sentencizer, which is what datatrove
runs: the same token texts and offsets, the same IS_SPACE / IS_PUNCT flags, the same sentence
starts. On real text in every language we tune (C4 and Wikipedia samples, the UDHR in eight
languages) and on words made to hit every branch of spaCy's suffix rules. No JVM."""

from __future__ import annotations

import json
import re

import pytest

from sparkops.models import spacy_blank
from sparkops.models.cache import models

LANGUAGES = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por_BR", "nl": "nld",
             "ru": "rus"}


def _plain(code: str):
    import spacy

    nlp = spacy.blank(code)
    nlp.add_pipe("sentencizer")
    return nlp


def _tuned(code: str):
    models.evict(spacy_blank.KIND, code)
    return spacy_blank.pipeline(code)


def _analysis(nlp, text: str):
    doc = nlp.get_pipe("sentencizer")(nlp.tokenizer(text))
    return ([(t.idx, t.text, t.is_space, t.is_punct) for t in doc], [s.start for s in doc.sents])


def _texts(shared_data, code: str) -> list[str]:
    udhr = (shared_data / "lid" / "udhr" / f"{LANGUAGES[code]}.txt").read_text(encoding="utf-8")
    texts = [udhr]
    if code == "en":
        with open(shared_data / "web" / "c4_sample.jsonl", encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f]
        wiki = (shared_data / "web" / "wiki_sample.txt").read_text(encoding="utf-8")
        texts += [wiki[i:i + 50_000] for i in range(0, len(wiki), 50_000)]
    return texts


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_tuned_pipeline_tokenizes_as_spacy_blank(shared_data, code):
    plain, tuned = _plain(code), _tuned(code)
    assert getattr(tuned.tokenizer.suffix_search, "__wrapped__", None) is not None, "the bounded search is in place"
    texts = _texts(shared_data, code)
    assert sum(map(len, texts)) > (1_500_000 if code == "en" else 8_000)
    for text in texts:
        assert _analysis(tuned, text) == _analysis(plain, text)


def _suffix_words(nlp) -> list[str]:
    """Words ending in every literal suffix of the language's rules (and in runs of dots, a
    newline after them), after letters, digits, a degree sign and a closing bracket, so that
    each branch and its look-behind get their chance; plus the long and short extremes."""
    endings = set()
    for rule in nlp.Defaults.suffixes:
        if isinstance(rule, str):
            endings.update(re.findall(r"[^\\\[\](){}|?*+^$.<=!]+|\.", rule)[:3])
            endings.add(rule.replace("\\", "")[:8])
    endings |= {".", "..", "...", "......", "'s", "’s", "n't", "%", "km", "°C.", ")", "”", "!!", "?.."}
    stems = ["", "a", "word", "Word", "10", "3.5", "x°", "(note", "http://example.com/a", "ZZZ" * 20]
    words = []
    for stem in stems:
        for end in sorted(endings):
            for tail in ("", "\n"):
                words.append(stem + end + tail)
    return words


@pytest.mark.parametrize("code", ["en", "de", "fr", "ru"])
def test_bounded_suffix_search_finds_the_same_suffix(code):
    plain = _plain(code).tokenizer.suffix_search
    bounded = spacy_blank.bounded_suffix_search(plain)
    assert bounded is not plain
    words = _suffix_words(_plain(code))
    assert len(words) > 1000
    found = 0
    for word in words:
        a, b = plain(word), bounded(word)
        assert (a and a.span()) == (b and b.span()), word
        found += a is not None
    assert found > len(words) // 3  # the words do hit the rules


def test_patterns_it_cannot_bound_are_searched_whole():
    for pattern in (r"abc", r"a+$|b$", r"(?:x|y)$z", r"[a-z]*$|q$", r"a$|b"):
        search = re.compile(pattern).search
        assert spacy_blank.bounded_suffix_search(search) is search, pattern
    search = re.compile(r"ab$|\.\.+$", re.MULTILINE).search
    assert spacy_blank.bounded_suffix_search(search) is search
    search = re.compile(r"ab$|\.\.+$").search
    bounded = spacy_blank.bounded_suffix_search(search)
    assert bounded is not search
    for word in ("xxxxxxxxab", "xxxxxxxx" + "." * 30, "xxxxxxxx" + "." * 30 + "\n", "xxxxxxxxab\n", "xxxxxxxxa"):
        assert (search(word) and search(word).span()) == (bounded(word) and bounded(word).span()), word


def test_only_the_flags_read_are_computed_per_new_word():
    from spacy.attrs import IS_PUNCT, IS_SPACE

    nlp = _tuned("en")
    assert set(nlp.vocab.lex_attr_getters) == {IS_SPACE, IS_PUNCT}
    before = len(nlp.vocab.strings)
    nlp.tokenizer("Zyxwvut-qponm 12,345.67 Qwerty")
    # a new word adds its own string, not its norm, shape, prefix and suffix as well
    assert len(nlp.vocab.strings) - before <= 8


def test_sentence_count_is_the_sentencizer_s(shared_data):
    """``spacy_words.sentence_count`` counts from token arrays what the sentencizer's sentences
    are, on every line of the C4 sample and on lines made of its edge cases."""
    from sparkops.text import spacy_words

    plain = _plain("en")
    with open(shared_data / "web" / "c4_sample.jsonl", encoding="utf-8") as f:
        lines = [line.strip() for row in f for line in json.loads(row)["text"].splitlines()]
    lines += ["", " ", "...", "!!! ?", "a. b. c.", "a.. b", "a . . . b", "“Yes.” he said! (Really?) ok",
              "end.\nstart", "1. 2. 3.", "x!", "!x", "e.g. this", "a ; . b", "a\u3002b\u3002"]
    assert len(lines) > 2500
    counts = []
    for line in lines:
        expected = max(sum(1 for _ in plain(line).sents), 1)
        assert spacy_words.sentence_count(line, "en") == expected, line
        counts.append(expected)
    assert max(counts) > 5 and counts.count(1) < len(counts)
