"""Parity with datatrove 0.10.1: the Gopher, C4 and FineWeb rule sets against decisions
datatrove itself made.

The fixture (tests/fixtures/datatrove_parity.json.gz) was written by
tools/dt_parity/gen_fixture.py running datatrove's own filters over
tests/parity_corpus.documents() (1,235 real documents plus edge cases) for every case of
tests/datatrove_cases.py. Each case must keep the same documents, for the same reason (the
first rule that fails), and C4 must rewrite each kept document to the same text. No JVM.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from datatrove_cases import CASES, case_id
from parity_corpus import documents
from sparkops.ops.rules import c4_quality, common, fineweb_quality, gopher_quality, gopher_repetition
from sparkops.models import spacy_blank
from sparkops.models.cache import models
from sparkops.text import spacy_words
from sparkops.text.doc import Doc
from sparkops.core import get_op

FIXTURE = Path(__file__).parent / "fixtures" / "datatrove_parity.json.gz"
REASONS = {
    "gopher_quality_filter": gopher_quality.gopher_quality_reason,
    "gopher_repetition_filter": gopher_repetition.gopher_repetition_reason,
    "c4_quality_filter": c4_quality.c4_reason,
    "fineweb_quality_filter": fineweb_quality.fineweb_reason,
}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def docs(corpus):
    # one Doc per text for every case: the spaCy words are made once, as in a fused pass
    return [Doc(t) for _, t in corpus]


@pytest.fixture(scope="module")
def corpus(fixture, shared_data):
    docs = documents()
    assert [d for d, _ in docs] == fixture["doc_ids"], "corpus changed since the fixture was generated"
    assert [_sha(t) for _, t in docs] == fixture["doc_sha256"], "texts changed since the fixture was generated"
    return docs


def test_fixture_covers_every_rule_set(fixture):
    from sparkops.core import all_ops

    ours = {o.name for o in all_ops() if o.family == common.FAMILY}
    assert {c["op"] for c in fixture["cases"]} == ours == set(REASONS)
    assert [c["id"] for c in fixture["cases"]] == [case_id(op, p) for op, p in CASES]
    assert fixture["datatrove"] == "0.10.1"


def test_punctuation_sets_are_datatrove_s(fixture):
    assert sorted(map(ord, common.PUNCTUATION)) == fixture["punctuation"]
    assert sorted(map(ord, common.terminal_punctuation())) == fixture["terminal_punctuation"]


def test_words_are_datatrove_s(fixture, corpus, monkeypatch):
    """Our spaCy word spans give datatrove's split_into_words on every document, also across
    the renewals of a pipeline whose vocabulary grew (forced often here)."""
    monkeypatch.setattr(spacy_blank, "MAX_STRINGS", 5_000)
    models.evict(spacy_blank.KIND, "en")
    renewed = set()
    wrong = []
    for doc_id, text in corpus:
        expected = fixture["words"][doc_id]
        got = spacy_words.words(text, "en")
        renewed.add(id(spacy_words.pipeline("en")))
        if (len(got), _sha("\x00".join(got))) != (expected["n"], expected["sha256"]):
            wrong.append((doc_id, len(got), expected["n"]))
    assert not wrong, f"{len(wrong)} documents tokenized differently, e.g. {wrong[:5]}"
    assert len(renewed) > 5


def test_long_texts_are_tokenized_in_pieces_with_the_same_words(corpus, monkeypatch):
    text = "\n\n".join(t for _, t in corpus[:400])
    whole = spacy_words.words(text, "en")
    monkeypatch.setattr(spacy_words, "CHUNK", 5_000)
    assert spacy_words.words(text, "en") == whole
    assert sum(1 for _ in spacy_words._pieces(text)) > 100


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case_id(op, p) for op, p in CASES])
def test_parity(index, fixture, corpus, docs):
    case = fixture["cases"][index]
    op, params = CASES[index]
    bound = get_op(op).bind(params)
    values = bound.compute(docs)
    reason_of = REASONS[op]
    mismatches, undefined = [], 0
    for j, (doc_id, _) in enumerate(corpus):
        expected = case["results"][doc_id]
        row = {k: v[j] for k, v in values.items()}
        reason = reason_of(row, bound.prepared)
        assert bound.keep(row) == (reason is None)
        if "error" in expected:  # datatrove divides by zero here; ours is defined (see the op's notes)
            undefined += 1
            continue
        got = {"keep": reason is None, "reason": reason}
        want = {"keep": expected["keep"], "reason": expected["reason"]}
        if op == "c4_quality_filter" and expected["keep"]:
            got["text_sha256"] = _sha(row["text"])
            want["text_sha256"] = expected["text_sha256"]
        if got != want:
            mismatches.append((doc_id, want, got))
    assert not mismatches, f"{len(mismatches)} of {len(corpus)} differ, e.g. {mismatches[:3]}"
    assert undefined <= 10


def test_cases_exercise_every_rule(fixture):
    """The fixture is only as good as the rules it reaches: every reason of every set occurs."""
    seen = Counter(r["reason"] for c in fixture["cases"] for r in c["results"].values() if r.get("reason"))
    expected = {
        "gopher_short_doc", "gopher_long_doc", "gopher_below_avg_threshold", "gopher_above_avg_threshold",
        "gopher_too_many_hashes", "gopher_too_many_ellipsis", "gopher_too_many_bullets",
        "gopher_too_many_end_ellipsis", "gopher_below_alpha_threshold", "gopher_enough_stop_words",
        "empty", "dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac",
        "top_2_gram", "top_3_gram", "top_4_gram", "duplicated_5_n_grams", "duplicated_10_n_grams",
        "lorem_ipsum", "curly_bracket", "too_few_sentences",
        "line_punct_ratio", "short_line_ratio", "char_dup_ratio", "list_ratio",
    }
    assert expected - set(seen) == set(), sorted(seen.items())
