"""clean_html_mapper, extract_tables_from_html_mapper, remove_table_text_mapper: our kernels
against what Data-Juicer 1.6.1 itself output (tests/fixtures/dj_html.json.gz, written by
tools/dj_parity/gen_html_fixture.py over tests/html_corpus.py), plus the regular expression
remove_table_text replaces, and one Spark run."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
import regex

import html_corpus as hc
from sparkops.core import OpError, get_op
from sparkops.ops.cleaning.remove_table_text import remove_table_text
from sparkops.ops.web.clean_html import clean_html
from sparkops.ops.web.extract_tables import extract_tables, extract_tables_batch

FIXTURE = Path(__file__).parent / "fixtures" / "dj_html.json.gz"


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def inputs(fixture, shared_data):
    html = hc.html_documents()
    ours = {"html": html, "text": hc.text_documents(),
            "cleaned": [(d, clean_html(t)) for d, t in html]}
    for name, docs in ours.items():
        want = fixture["inputs"][name]
        assert [d for d, _ in docs] == want["ids"], f"{name}: documents changed since the fixture was made"
        if name != "cleaned":  # 'cleaned' is Data-Juicer's clean_html output: compared in test_parity
            assert hc.doc_digests(docs) == want["sha16"], f"{name}: texts changed since the fixture was made"
    return ours


def test_fixture_is_data_juicers(fixture):
    assert fixture["data_juicer"] == "1.6.1"
    assert fixture["selectolax"] == "1.0.2" and fixture["beautifulsoup4"] == "4.15.0"
    assert {c["op"] for c in fixture["cases"]} == {
        "clean_html_mapper", "extract_tables_from_html_mapper", "remove_table_text_mapper"}
    assert len(fixture["inputs"]["html"]["ids"]) >= 400


def test_cleaned_inputs_are_data_juicers_clean_html_output(fixture, inputs):
    assert hc.doc_digests(inputs["cleaned"]) == fixture["inputs"]["cleaned"]["sha16"]


def _ours(bound, text):
    """Our value for one document, in the fixture's form (html_corpus.text_value / tables_value)."""
    if bound.name == "extract_tables_from_html_mapper":
        key = bound.prepared["tables_field_name"]
        return hc.tables_value(extract_tables_batch([text], bound.prepared)[key][0])
    return hc.text_value(text, bound.apply([text])[0])


@pytest.mark.parametrize("case_id", [c["id"] for c in hc.CASES])
def test_parity(case_id, fixture, inputs):
    case = next(c for c in fixture["cases"] if c["id"] == case_id)
    docs = inputs[case["input"]]
    bound = get_op(case["op"]).bind(case["params"])
    compared, mismatches = 0, []
    for (doc_id, text), want in zip(docs, case["values"]):
        if isinstance(want, dict) and "error" in want:
            continue  # Data-Juicer did not finish (regex backtracking): see test_backtracking_texts
        compared += 1
        got = _ours(bound, text)
        if got != want:
            mismatches.append((doc_id, str(got)[:120], str(want)[:120]))
    assert not mismatches, f"{len(mismatches)}/{compared} differ from Data-Juicer, e.g. {mismatches[:3]}"
    assert compared >= len(docs) - 10


def test_only_backtracking_texts_have_no_data_juicer_value(fixture):
    # Data-Juicer raised on nothing; it only failed to finish remove_table_text on pages whose
    # cleaned text keeps minified JavaScript full of '||'
    assert set(fixture["errors"]) <= {"remove_table_text/cleaned"}
    assert all(msg == "timeout" for msg in fixture["errors"].get("remove_table_text/cleaned", {}).values())


def test_backtracking_texts(inputs, fixture):
    # what Data-Juicer's regex cannot finish, the kernel does (nothing to remove: one row, then a
    # one-column line), and the pages Data-Juicer gave up on give an answer too
    assert remove_table_text(hc.BACKTRACKING) == hc.BACKTRACKING
    timed_out = set(fixture["errors"].get("remove_table_text/cleaned", {}))
    for doc_id, text in inputs["cleaned"]:
        if doc_id in timed_out:
            assert isinstance(remove_table_text(text), str)


_PATTERN = r"(?<=\n)((\S+?)([ |\t](\S+?)){%d}\n+){2,}"


def _by_regex(text, lo, hi):
    for i in range(lo - 1, hi):
        text = regex.compile(_PATTERN % i).sub("", text, timeout=5)
    return text


def test_remove_table_text_is_data_juicers_regex_on_random_texts():
    rng = random.Random(7)
    atoms = ["a", "b", "|", "||", " ", "\t", "\n", "\n", "\n", "\r", "é", "\xa0", "\x1c", "\u3000", "a b", "x|y"]
    for _ in range(3000):
        text = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 30)))
        lo = rng.randint(2, 5)
        hi = rng.randint(lo - 1, 6)
        assert remove_table_text(text, lo, hi) == _by_regex(text, lo, hi), (text, lo, hi)


@pytest.mark.parametrize("params", [{"min_col": 1}, {"max_col": 21}, {"min_col": True}])
def test_remove_table_text_rejects_data_juicers_out_of_range_columns(params):
    with pytest.raises(OpError, match="min_col|max_col"):
        get_op("remove_table_text_mapper").bind(params)


def test_clean_html_quirks():
    assert clean_html("") == ""
    assert clean_html("a < b & c") == "a < b & c"
    # only lower-case <li> becomes '\n*'; whitespace before the first tag or text is dropped
    assert clean_html("<ol><li>x<LI>y</ol>") == "*\n*xy"
    assert clean_html("  \n lead  \n") == "lead  \n"
    assert clean_html("<script>s()</script><!--c--><p>a</p><p>b</p>") == "s()ab"
    assert clean_html("<div>" * 20000 + "deep") == "deep"


def test_extract_tables_shapes():
    page = dict(hc.ADVERSARIAL)["table_nested"]
    tables = extract_tables(page)
    # the nested table is listed on its own, and its rows are rows of the outer table too
    assert tables[1] == [["in1", "in2"], ["ih"]]
    assert ["in1", "in2"] in tables[0] and tables[0][0] == ["k", "v"]
    assert ["k", "v"] not in extract_tables(page, include_header=False)[0]
    assert extract_tables(page, retain_html_tags=True)[1].startswith("<table><tr><td>in1")
    assert extract_tables("no tables") == [] and extract_tables("") == []
    out = extract_tables_batch(["<table><tr><td>a</td></tr></table>", "x"],
                               get_op("extract_tables_from_html_mapper").bind({}).prepared)
    assert out == {"text": ["<table><tr><td>a</td></tr></table>", "x"], "html_tables": [[[["a"]]], []]}


def test_clean_html_through_spark(spark):
    from sparkops.spark.fusion import DROPPED_BY, KEEP, stage_pass

    rows = [(1, "<p>Hello&nbsp;<b>world</b></p><ul><li>a</li><li>b</li></ul>"), (2, "plain & simple"), (3, None)]
    df = spark.createDataFrame(rows, "id int, text string")
    out = {r.id: r for r in stage_pass(df, ["clean_html_mapper"]).collect()}
    assert out[1].text == "Hello\u00a0world\n*a\n*b" and out[1][KEEP]
    assert out[2].text == "plain & simple" and out[2][KEEP]
    assert not out[3][KEEP] and out[3][DROPPED_BY] == "null_text"


def test_extract_tables_writes_meta_through_spark(spark):
    """A mapper's meta fields land in the `meta` struct: beside the fields the data's meta has,
    into a row whose meta is null, or as a new column; their type follows the parameters."""
    from sparkops.spark.fusion import stage_pass

    page = "<table><tr><th>k</th></tr><tr><td>a</td><td>b</td></tr></table>"
    df = spark.createDataFrame([(1, page, ("en",)), (2, "no tables", None)],
                               "id int, text string, meta struct<lang: string>")
    out = stage_pass(df, ["extract_tables_from_html_mapper", {"text_length_filter": {"min_len": 1}}])
    assert out.schema["meta"].dataType.simpleString() == \
        "struct<lang:string,html_tables:array<array<array<string>>>>"
    rows = {r.id: r for r in out.collect()}
    assert rows[1].meta.lang == "en" and rows[1].meta.html_tables == [[["k"], ["a", "b"]]]
    assert rows[2].meta.lang is None and rows[2].meta.html_tables == []
    assert rows[1].text == page  # the text is unchanged
    # no meta column: a new one; the key and type follow tables_field_name / retain_html_tags
    plain = spark.createDataFrame([(1, page)], "id int, text string")
    got = stage_pass(plain, [{"extract_tables_from_html_mapper": {"tables_field_name": "t",
                                                                  "retain_html_tags": True}}]).first()
    assert got.meta.asDict() == {"t": [page]}
    # a meta column that is no struct cannot take fields: an error before any task runs
    from sparkops.core import OpError

    bad = spark.createDataFrame([(1, page, "x")], "id int, text string, meta string")
    with pytest.raises(OpError, match="column 'meta' is string, not a struct"):
        stage_pass(bad, ["extract_tables_from_html_mapper"])
