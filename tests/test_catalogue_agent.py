"""general_field_filter and document_line_deduplicator against Data-Juicer 1.6.1 itself.

``tests/fixtures/dj_catalogue_agent.json.gz`` holds what Data-Juicer's own ops did
(``tools/dj_parity/gen_catalogue_agent_fixture.py``): general_field_filter's keep flag,
statistic or exception per record of ``field_filters_corpus.records()`` for every condition of
``catalogue_agent_corpus.GENERAL_FIELD_CASES``; document_line_deduplicator's line hashes and
output per document of ``parity_corpus.documents()`` + ``LINE_EXTRA`` for every configuration.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

import catalogue_agent_corpus as cases
import field_filters_corpus
import parity_corpus
from sparkops.core import OpError, bind
from sparkops.core.pipeline import Pipeline
from sparkops.core.row import MISSING, lookup

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_catalogue_agent.json.gz"


@pytest.fixture(scope="module")
def dj():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def records(dj, shared_data):
    recs = field_filters_corpus.records(shared_data)
    assert field_filters_corpus.sha256_records(recs) == dj["records"]["sha256"], "corpus changed: regenerate"
    # Data-Juicer's __dj__stats__ held the score: our record holds it under stats
    return [dict(r, stats={"score_stat": r.get("score")}) for r in recs]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@pytest.fixture(scope="module")
def docs(dj, shared_data):
    got = parity_corpus.documents() + cases.LINE_EXTRA
    assert [d for d, _ in got] == dj["docs"]["ids"]
    assert _digest("".join(_digest(t) for _, t in got)) == dj["docs"]["sha256"], "corpus changed: regenerate"
    return got


def test_general_field_filter_decides_as_data_juicer(dj, records):
    seen = Counter()
    for case in dj["general_field_filter"]:
        cond = case["condition"]
        bound = bind({"general_field_filter": {"filter_condition": cond}})
        paths = bound.prepared["paths"]
        fields = {p: [lookup(r, p, MISSING) for r in records] for p in paths}
        res = Pipeline([bound]).run([r["text"] for r in records], fields)
        for j, rec in enumerate(records):
            where = f"{cond!r} on {rec['id']}"
            if any("." in k for k in rec):  # the core's lookup: a top-level dotted key wins (pinned below)
                continue
            err = case["errors"].get(rec["id"])
            if err is not None:  # Data-Juicer raised on this row: ours is an error row of the same type
                assert res.dropped_by[j] is not None and res.dropped_by[j].startswith(
                    f"error:general_field_filter: {err.split(':')[0]}"), where
                seen["error"] += 1
                continue
            assert res.keep[j] == case["keep"][j], where
            stat = res.stats["general_field_filter_condition"][j]
            assert stat == (int(bool(case["stats"][j])) if cond else None), where
            seen["kept" if res.keep[j] else "dropped"] += 1
    dotted = next(j for j, r in enumerate(records) if r["id"] == "odd:dotted_key")
    res = Pipeline([bind({"general_field_filter": {"filter_condition": "meta.words == 1000"}})]).run(
        [records[dotted]["text"]], {"meta.words": [lookup(records[dotted], "meta.words")]})
    assert res.keep == [True]  # Data-Juicer walks meta -> words (5)
    assert seen["error"] > 300 and seen["kept"] > 3000 and seen["dropped"] > 1000, seen


@pytest.mark.parametrize("cond", ["len(text) > 1", "meta.a + 1 > 2", "x is None", "a[0] == 1", "~a",
                                  "'abc'.upper == 1", " a > 1", "   ", "a >", "lambda: 1"])
def test_general_field_filter_refuses_what_it_cannot_evaluate_at_bind(cond):
    with pytest.raises(OpError, match="filter_condition"):
        bind({"general_field_filter": {"filter_condition": cond}})


def _dedup(texts, p):
    """The deduplicator's decision with our kernels, as the Spark half makes it."""
    from sparkops.ops.dedup.document_lines import distinct_keys, remove_lines

    keys = [distinct_keys(t, p) for t in texts]
    df = Counter(k for ks in keys for k in ks)
    frequent = {k for k, n in df.items() if n > p["frequency_threshold"]}
    if len(texts) <= 1:
        return list(texts)
    return [remove_lines(t, frequent & set(ks), p) if frequent & set(ks) else t for t, ks in zip(texts, keys)]


def test_document_line_deduplicator_kernel_matches_data_juicer(dj, docs):
    from sparkops.ops.dedup.document_lines import line_hashes

    texts = [t for _, t in docs]
    for case in dj["document_line_deduplicator"]:
        p = bind({"document_line_deduplicator": case["params"]}).prepared
        assert [_digest(json.dumps(line_hashes(t, p))) for t in texts] == case["line_hashes"], case["params"]
        out = _dedup(texts, p)
        want = [None if o is None else o for o in case["out"]]
        got = [None if o == t else (o if len(o) <= 200 else [_digest(o), len(o)]) for t, o in zip(texts, out)]
        assert got == want, case["params"]
    for case in dj["document_line_deduplicator_small"]:
        small = dict(cases.LINE_SMALL)[case["name"]]
        p = bind({"document_line_deduplicator": case["params"]}).prepared
        texts = [t for _, t in small]
        got = [None if o == t else o for t, o in zip(texts, _dedup(texts, p))]
        assert got == case["out"], case["name"]


def test_document_line_deduplicator_refuses_a_negative_threshold():
    with pytest.raises(OpError, match="frequency_threshold"):
        bind({"document_line_deduplicator": {"frequency_threshold": -1}})


@pytest.mark.spark
def test_spark_runs_both_ops_as_data_juicer(spark, dj, docs):
    import sparkops

    case = next(c for c in dj["document_line_deduplicator"] if c["params"] == {"frequency_threshold": 1})
    rows = [{"text": t, "_source": "in.jsonl", "_line": n, "n": n} for n, (_, t) in enumerate(docs)]
    df = spark.createDataFrame(rows, "text string, _source string, _line long, n long")
    out = sparkops.apply(df, [{"document_line_deduplicator": case["params"]},
                              {"general_field_filter": {"filter_condition": "n < 1000"}}])
    got = {r.n: r.text for r in out.collect()}
    assert sorted(got) == list(range(1000))  # the filter read the column n
    for n in range(1000):
        text, want = docs[n][1], case["out"][n]
        have = got[n]
        assert (None if have == text else (have if len(have) <= 200 else [_digest(have), len(have)])) == want, n
