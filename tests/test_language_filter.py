"""language_filter against datatrove 0.10.1's LanguageFilter itself (the fixture
``tests/fixtures/datatrove_language.json.gz``, made by tools/dt_parity/gen_language_fixture.py
with the same lid.176 model file): the same kept rows and the same language and score on every
document of the parity corpus."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from parity_corpus import pinned_documents
from sparkops.core import OpError, bind
from sparkops.text.doc import Doc

FIXTURE = Path(__file__).parent / "fixtures" / "datatrove_language.json.gz"


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def corpus(fixture, shared_data):
    return [Doc(t) for _, t in pinned_documents(fixture)]


def test_language_and_score_are_datatrove_s(fixture, corpus):
    stats = bind("language_filter").compute(corpus)
    assert stats["language"] == fixture["language"]
    far = [(i, a, b) for i, (a, b) in enumerate(zip(stats["language_score"], fixture["language_score"]))
           if abs(a - b) > 1e-9]
    assert not far, far[:5]


@pytest.mark.parametrize("case", range(6))
def test_decisions_are_datatrove_s(fixture, corpus, case):
    entry = fixture["cases"][case]
    bound = bind({"language_filter": entry["params"]})
    stats = bound.compute(corpus)
    ours = [bound.keep({k: v[i] for k, v in stats.items()}) for i in range(len(corpus))]
    diff = [fixture["doc_ids"][i] for i, (a, b) in enumerate(zip(ours, entry["kept"])) if a != b]
    assert not diff, f"{entry['params']}: {len(diff)} decisions differ, e.g. {diff[:5]}"
    assert 0 < sum(ours) <= len(ours)


def test_it_differs_from_data_juicer_s_filter_where_case_matters(fixture, corpus):
    """Data-Juicer lower-cases first: on this corpus some documents get another language or
    score, which is why FineWeb's pipeline needs datatrove's filter."""
    ours = bind("language_filter").compute(corpus)
    dj = bind("language_id_score_filter").compute(corpus)
    assert sum(a != b for a, b in zip(ours["language"], dj["lang"])) > 0


def test_wrong_parameters():
    with pytest.raises(OpError, match="'languages' is empty"):
        bind({"language_filter": {"languages": []}})
    with pytest.raises(OpError, match="only ft176"):
        bind({"language_filter": {"backend": "glotlid"}})
