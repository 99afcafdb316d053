"""toxicity_filter on real labelled rows the model never saw: 25 toxic and 25 clean comments /
tweets held out of its training data (``tests/fixtures/toxicity_heldout.json.gz``, written by
``tools/train_toxicity.py --fixture``), plus the kernel's edge cases and its SQL function."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from sparkops.core import bind
from sparkops.ops.safety.toxicity import MAX_CHARS, normalise, toxicity_score, toxicity_scores
from sparkops.text.doc import Doc

FIXTURE = Path(__file__).parent / "fixtures" / "toxicity_heldout.json.gz"
# from the German UDHR's preamble (NLTK udhr2, ../shared/data/lid/udhr/deu.txt): German `die` is
# an English threat word to the model, which is why language_key exists
GERMAN = ("da die Nichtanerkennung und Verachtung der Menschenrechte zu Akten der Barbarei geführt haben, "
          "die das Gewissen der Menschheit mit Empörung erfüllen")


@pytest.fixture(scope="module")
def rows():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))["rows"]


def auc(labels, scores) -> float:
    pos = [s for y, s in zip(labels, scores) if y]
    neg = [s for y, s in zip(labels, scores) if not y]
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def test_held_out_toxic_rows_score_above_clean_ones(rows):
    scores = toxicity_scores([r["text"] for r in rows])
    labels = [r["label"] for r in rows]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert auc(labels, scores) >= 0.9
    toxic = sorted(s for y, s in zip(labels, scores) if y)
    clean = sorted(s for y, s in zip(labels, scores) if not y)
    assert toxic[len(toxic) // 2] > 0.5 > clean[len(clean) // 2]


def test_a_batch_scores_each_row_as_alone(rows):
    texts = [r["text"] for r in rows] + ["", None, "line one\nline two\r\nthree"]
    assert toxicity_scores(texts) == [toxicity_score(t) for t in texts]
    assert toxicity_scores(list(reversed(texts))) == list(reversed(toxicity_scores(texts)))


def test_empty_none_and_odd_input():
    assert toxicity_scores([]) == []
    assert toxicity_score(None) is None
    assert toxicity_score("") == 0.0
    assert toxicity_score(" \n\t ") == 0.0
    assert 0.0 <= toxicity_score("!!! ???") <= 1.0  # punctuation is a token: scored, not 0
    assert toxicity_score("a\nb") == toxicity_score("a b")  # newlines never reach fastText
    assert toxicity_score("idiot \ud800") == toxicity_score("idiot ?")  # a lone surrogate
    assert 0.0 <= toxicity_score("a\x00b \u2028 c") <= 1.0


def test_a_huge_text_is_scored_on_its_first_max_chars(rows):
    toxic = next(r["text"] for r in rows if r["label"] and toxicity_score(r["text"]) > 0.5)
    clean = next(r["text"] for r in rows if not r["label"] and toxicity_score(r["text"]) < 0.5)
    head = (toxic + " ") * (MAX_CHARS // (len(toxic) + 1) + 1)
    huge = head + (clean + " ") * (5_000_000 // len(clean))
    assert toxicity_score(huge) == toxicity_score(huge[:MAX_CHARS]) > 0.5
    assert normalise(huge) == normalise(huge[:MAX_CHARS])


def test_the_filter_keeps_rows_within_the_score_range(rows):
    docs = [Doc(r["text"]) for r in rows]
    scores = toxicity_scores([r["text"] for r in rows])
    for params in ({}, {"max_score": 0.2}, {"min_score": 0.5, "max_score": 1.0}):
        bound = bind({"toxicity_filter": params})
        stats = bound.compute(docs)
        assert stats["toxicity_score"] == scores
        lo, hi = params.get("min_score", 0.0), params.get("max_score", 0.5)
        kept = [bound.keep({"toxicity_score": s}) for s in scores]
        assert kept == [lo <= s <= hi for s in scores]
        assert 0 < sum(kept) < len(kept)


@pytest.mark.spark
def test_sql_function_gives_the_kernel_s_scores(spark, rows):
    texts = [r["text"] for r in rows] + ["", None]
    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "i long, text string").repartition(2)
    df.createOrReplaceTempView("toxicity_rows")
    got = {r["i"]: r["s"] for r in spark.sql("SELECT i, toxicity_score(text) AS s FROM toxicity_rows").collect()}
    want = toxicity_scores(texts)
    assert got[len(texts) - 1] is None and got[len(texts) - 2] == 0.0
    far = [(texts[i], got[i], w) for i, w in enumerate(want[:-1]) if abs(got[i] - w) > 1e-12]
    assert not far, far[:3]


@pytest.mark.spark
def test_declared_examples_hold_through_spark_sql(spark):
    from sparkops.core import all_ops

    op = next(o for o in all_ops() if o.name == "toxicity_filter")
    for ex in op.examples:
        assert spark.sql(f"SELECT {ex.call} AS e").first()[0] == ex.result, ex.call


def test_rows_in_another_language_are_not_judged():
    german = GERMAN
    docs = [Doc(german), Doc(german), Doc(german)]
    unguarded = toxicity_score(german)
    bound = bind({"toxicity_filter": {"language_key": "stats.lang", "max_score": 0.5}})
    stats = bound.compute(docs, {"language_key": ["de", "en", None]})
    assert stats["toxicity_score"] == [None, unguarded, unguarded]
    assert bound.keep({"toxicity_score": None})
    assert [bound.keep({"toxicity_score": s}) for s in stats["toxicity_score"][1:]] == [unguarded <= 0.5] * 2


@pytest.mark.spark
def test_fused_pass_with_language_id_judges_english_rows_only(spark, rows):
    from sparkops.spark.fusion import fused

    toxic = max((r["text"] for r in rows if r["label"]), key=toxicity_score)
    clean = min((r["text"] for r in rows if not r["label"]), key=toxicity_score)
    german = GERMAN
    df = spark.createDataFrame([(0, toxic), (1, clean), (2, german)], "i long, text string")
    steps = [{"language_id_score_filter": {"min_score": 0.0}},
             {"toxicity_filter": {"language_key": "stats.lang"}}]
    got = {r["i"]: r for r in fused(df, steps, short_circuit=False).collect()}
    assert got[0]["_dropped_by"] == "toxicity_filter" and got[0]["stats"]["toxicity_score"] > 0.5
    assert got[1]["_dropped_by"] is None and got[1]["stats"]["toxicity_score"] < 0.5
    assert got[2]["stats"]["lang"] == "de" and got[2]["stats"]["toxicity_score"] is None
    assert got[2]["_dropped_by"] is None
    unguarded = fused(df, [{"toxicity_filter": {}}]).where("i = 2").first()
    assert unguarded["stats"]["toxicity_score"] == toxicity_score(german)
