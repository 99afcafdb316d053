"""specified_numeric_field_filter and specified_field_filter against Data-Juicer 1.6.1 itself.

``tests/fixtures/dj_field_filters.json.gz`` holds what Data-Juicer's own ops decided (and the
exception they raised) for every record of ``field_filters_corpus.records()`` (real alpaca
and GSM8K records with derived fields, plus odd values) under every case of
``field_filters_corpus.CASES`` (``tools/dj_parity/gen_field_filters_fixture.py``). Our
decisions must be Data-Juicer's except where the ops' ``notes`` say otherwise, and each of
those differences is pinned here: 0 / 0.0 / false are numbers, a missing field or a value
Data-Juicer raises on is dropped with a reason (or judged, for an integer beyond a double).
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from pathlib import Path

import pytest

import field_filters_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.core.pipeline import Pipeline
from sparkops.core.row import MISSING, lookup
from sparkops.core.declaration import in_range

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_field_filters.json.gz"
NUMERIC, FIELD = corpus.NUMERIC, corpus.FIELD
MISSING_ERRORS = ("AssertionError", "AttributeError")  # Data-Juicer's walk down a path that is not there


@pytest.fixture(scope="module")
def dj():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def records(dj, shared_data):
    recs = corpus.records(shared_data)
    assert [r["id"] for r in recs] == dj["records"]["ids"]
    assert corpus.sha256_records(recs) == dj["records"]["sha256"], "the corpus changed: regenerate the fixture"
    return recs


def _nested(record, key):
    """The value at Data-Juicer's path (always nested; the core prefers a top-level dotted key)."""
    node = record
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def _run(case, recs):
    key = case["params"]["field_key"]
    pipe = Pipeline([bind({case["op"]: case["params"]})])
    fields = {key: [lookup(r, key, MISSING) for r in recs]} if key else {}
    return pipe.run([r["text"] for r in recs], fields)


def _falsy_number(value) -> bool:
    return isinstance(value, (bool, int, float)) and not value


def _expected_numeric(case, raw, dj_keep, dj_error):
    """Our decision for one record: Data-Juicer's, except where the notes differ; and why."""
    p = dict(case["params"])
    if not p["field_key"]:
        return True, "empty_key"
    full = bind({NUMERIC: p}).params
    if dj_error is not None:
        kind = dj_error.split(":")[0]
        if kind in MISSING_ERRORS:
            return False, "missing"
        if kind == "TypeError":  # a non-empty list or object
            return False, "not_a_number"
        assert kind == "OverflowError", dj_error
        return in_range(math.inf if raw > 0 else -math.inf, full["min_value"], full["max_value"], full), "overflow"
    if _falsy_number(raw):
        assert dj_keep is False, "Data-Juicer's is_number drops 0 / 0.0 / False"
        return in_range(float(raw), full["min_value"], full["max_value"], full), "zero"
    return dj_keep, "same"


@pytest.mark.parametrize("case", [c for c in corpus.CASES if c["op"] == NUMERIC], ids=lambda c: c["id"])
def test_numeric_field_filter_against_data_juicer(case, dj, records):
    got = next(c for c in dj["cases"] if c["id"] == case["id"])
    result = _run(case, records)
    key = case["params"]["field_key"]
    why = Counter()
    for i, rec in enumerate(records):
        if rec["id"] == "odd:dotted_key" and key in ("meta.words", "meta.lang"):
            # the core reads the top-level key "meta.words" (1000) before the nested path (5)
            assert result.stats["numeric_field_value"][i] == float(rec[key])
            continue
        raw = _nested(rec, key) if key else MISSING
        dj_error = got["errors"].get(rec["id"])
        want, reason = _expected_numeric(case, raw, got["keep"][i], dj_error)
        why[reason] += 1
        assert result.keep[i] is want, (rec["id"], raw, dj_error)
        stat = result.stats["numeric_field_value"][i]
        if not want:
            rule = "not_numeric" if stat is None else "out_of_range"
            assert result.dropped_by[i] == f"{NUMERIC}:{rule}", (rec["id"], result.dropped_by[i])
        if reason in ("same", "zero"):
            dj_stat = got["stats"][i]["value"]
            assert dj_stat == raw or (dj_stat != dj_stat and raw != raw), "Data-Juicer copies the raw value"
            try:
                number = float(raw) if raw is not None else None
            except (TypeError, ValueError):
                number = None
            assert stat == number or (math.isnan(stat) and math.isnan(number)), (rec["id"], raw, stat)
            # a row Data-Juicer kept held a number (unless reversed: then it may hold none)
            if got["keep"][i] and not case["params"].get("reversed_range"):
                assert stat is not None
        elif reason == "missing" and key:
            assert stat is None and result.dropped_by[i] == f"{NUMERIC}:not_numeric"
        elif reason == "overflow":
            assert math.isinf(stat)
    if key == "":
        assert why == {"empty_key": len(records)}
    elif key != "meta.nope":
        assert why["same"] >= 80 and why["missing"] >= 1 and why["overflow"] == 2


def test_data_juicer_drops_zero_and_we_keep_it(dj, records):
    """The zero bug, on real data: alpaca's empty inputs give input_len 0, inside [0, 10]."""
    case = next(c for c in corpus.CASES if c["id"] == "numeric/input_len_0_10")
    got = next(c for c in dj["cases"] if c["id"] == case["id"])
    result = _run(case, records)
    zeros = [i for i, r in enumerate(records) if _nested(r, "meta.input_len") == 0
             and not isinstance(_nested(r, "meta.input_len"), bool) and r["id"].startswith("en:")]
    assert len(zeros) > 100
    assert not any(got["keep"][i] for i in zeros)  # Data-Juicer drops every one of them
    assert all(result.keep[i] for i in zeros)  # we keep them
    assert all(result.stats["numeric_field_value"][i] == 0.0 for i in zeros)
    # '0' (a string) is a number for Data-Juicer too; False and -0.0 are not (its bug)
    odd = {r["id"]: i for i, r in enumerate(records)}
    assert got["keep"][odd[f"odd:{corpus.ODD_VALUES.index('0')}"]] is True
    for value in (False, -0.0, 0.0):
        i = odd[f"odd:{next(k for k, v in enumerate(corpus.ODD_VALUES) if v is value or repr(v) == repr(value))}"]
        assert got["keep"][i] is False and result.keep[i] is True


def test_reversed_range_keeps_bounds_as_data_juicer(dj, records):
    """Data-Juicer flips the interval flags before negating: a value on a bound is kept both ways."""
    got = {c["id"]: c for c in dj["cases"]}
    forward, backward = got["numeric/words_20_94"], got["numeric/words_20_94_reversed"]
    on_bound = [i for i, r in enumerate(records) if _nested(r, "meta.words") in (20, 94)
                and not isinstance(_nested(r, "meta.words"), bool) and r["id"].startswith("en:")]
    assert on_bound, "the corpus has outputs of exactly 20 or 94 words"
    assert all(forward["keep"][i] and backward["keep"][i] for i in on_bound)
    result = _run(next(c for c in corpus.CASES if c["id"] == "numeric/words_20_94_reversed"), records)
    assert all(result.keep[i] for i in on_bound)


def _expected_field(case, raw, dj_keep, dj_error):
    p = case["params"]
    if not (p["field_key"] and p["target_value"]):
        return True, "no_rule"
    if dj_error is not None:
        assert dj_error.split(":")[0] in MISSING_ERRORS, dj_error
        return (None in p["target_value"]) != bool(p.get("reversed_range")), "missing"
    return dj_keep, "same"


@pytest.mark.parametrize("case", [c for c in corpus.CASES if c["op"] == FIELD], ids=lambda c: c["id"])
def test_field_filter_against_data_juicer(case, dj, records):
    got = next(c for c in dj["cases"] if c["id"] == case["id"])
    result = _run(case, records)
    key = case["params"]["field_key"]
    why = Counter()
    for i, rec in enumerate(records):
        if rec["id"] == "odd:dotted_key" and key in ("meta.words", "meta.lang"):
            assert result.stats["field_value"][i] == json.dumps(rec[key])  # the top-level dotted key
            continue
        raw = _nested(rec, key) if key else MISSING
        dj_error = got["errors"].get(rec["id"])
        want, reason = _expected_field(case, raw, got["keep"][i], dj_error)
        why[reason] += 1
        assert result.keep[i] is want, (rec["id"], raw, dj_error, result.stats["field_value"][i])
        if not want:
            assert result.dropped_by[i] == FIELD
        stat = result.stats["field_value"][i]
        if key and dj_error is None:
            # the statistic is Data-Juicer's (raw) value, as JSON
            dj_stat = got["stats"][i]["value"]
            assert (None if stat is None else json.dumps(json.loads(stat))) == (
                None if dj_stat is None else json.dumps(dj_stat)), (rec["id"], stat, dj_stat)
        elif key:
            assert stat is None
    if key and case["params"]["target_value"]:
        assert why["same"] > 250 and why["missing"] >= 4


def test_field_filter_list_values_need_every_element():
    recs = [["en"], ["en", "zh"], ["en", "en"], [], ["en", 1], [["en"]], "en", {"lang": "en"}, 1.0, True]
    case = {"op": FIELD, "params": {"field_key": "v", "target_value": ["en", 1]}}
    result = _run(case, [{"text": "t", "v": v} for v in recs])
    assert result.keep == [True, False, True, True, True, False, True, False, True, True]


def test_parameters_are_checked():
    with pytest.raises(OpError, match="field_key"):
        bind({NUMERIC: {"field_key": "meta..n"}})
    with pytest.raises(OpError, match="target_value"):
        bind({FIELD: {"field_key": "meta.lang", "target_value": "en"}})
    assert bind({FIELD: {"field_key": "meta.lang", "target_value": None}}).keep({"field_value": '"fr"'})


@pytest.mark.spark
def test_nested_struct_fields_on_a_dataframe(spark):
    from pyspark.sql import Row

    import sparkops

    Meta = Row("words", "lang", "tags")
    df = spark.createDataFrame([
        Row(id=1, text="a", meta=Meta(0, "en", ["short"])),
        Row(id=2, text="b", meta=Meta(120, "en", ["short", "list"])),
        Row(id=3, text="c", meta=Meta(500, "en", ["long"])),
        Row(id=4, text="d", meta=Meta(None, "zh", [])),
        Row(id=5, text="e", meta=None),
        Row(id=6, text="f", meta=Meta(10, "fr", ["short"])),
    ], "id long, text string, meta struct<words: long, lang: string, tags: array<string>>")
    out = sparkops.fused(df, [
        {NUMERIC: {"field_key": "meta.words", "min_value": 0, "max_value": 200}},
        {FIELD: {"field_key": "meta.lang", "target_value": ["en", "zh"]}},
        {FIELD: {"field_key": "meta.tags", "target_value": ["short", "list"]}},
    ])
    rows = {r.id: r for r in out.collect()}
    assert out.schema["stats"].dataType.simpleString() == \
        "struct<numeric_field_value:double,field_value:string,field_value_2:string>"
    assert rows[1]._keep and rows[1].stats.numeric_field_value == 0.0  # Data-Juicer drops a 0
    assert rows[1].stats.field_value == '"en"' and rows[1].stats.field_value_2 == '["short"]'
    assert rows[2]._keep
    assert rows[3]._dropped_by == f"{NUMERIC}:out_of_range"
    assert rows[4]._dropped_by == f"{NUMERIC}:not_numeric"
    assert rows[5]._dropped_by == f"{NUMERIC}:not_numeric" and rows[5].stats.numeric_field_value is None
    assert rows[6]._dropped_by == FIELD and rows[6].stats.field_value == '"fr"'
    assert out.schema["meta"].dataType.fieldNames() == ["words", "lang", "tags"]  # the struct is left alone


@pytest.mark.spark
def test_job_reads_json_values_of_any_type(spark, tmp_path, records):
    """In a job the field comes from each input record's JSON: mixed types row by row, as in
    the fixture, with the same decisions as the kernel-level pass."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    recs = [r for r in records if not r["id"].startswith(("en:1", "en:2", "en:3"))]  # a smaller job
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    process = [{NUMERIC: {"field_key": "meta.input_len", "min_value": 0, "max_value": 10}},
               {FIELD: {"field_key": "meta.lang", "target_value": ["en"]}}]
    spec = tmp_path / "job.yaml"
    spec.write_text(json.dumps({"name": "fields", "input": {"format": "jsonl", "path": str(path)},
                                "output": {"path": str(tmp_path / "out")},
                                "stages": [{"name": "keep", "process": process}]}))
    run(spark, load(spec), say=lambda m: None)
    rejected = {json.loads(r._record)["id"]: r._dropped_by for r in
                spark.read.format("delta").load(str(tmp_path / "out" / "keep_rejected")).collect()}
    kept = {json.loads(r._record)["id"] for r in
            spark.read.format("delta").load(str(tmp_path / "out" / "keep")).collect()}
    assert len(rejected) + len(kept) == len(recs)
    pipe = Pipeline([bind(e) for e in process])
    direct = pipe.run([r["text"] for r in recs], {
        "meta.input_len": [lookup(r, "meta.input_len", MISSING) for r in recs],
        "meta.lang": [lookup(r, "meta.lang", MISSING) for r in recs]})
    assert kept == {r["id"] for r, k in zip(recs, direct.keep) if k}
    assert rejected == {r["id"]: d for r, d in zip(recs, direct.dropped_by) if d}
    assert kept & {r["id"] for r in recs if r["id"].startswith("en:") and r["meta"]["input_len"] == 0}


def test_field_key_may_name_a_statistic_of_an_earlier_filter():
    """`stats.num_words`: the statistic words_num_filter computed earlier in the same pass."""
    pipe = Pipeline([bind({"words_num_filter": {"min_num": 0}}),
                     bind({NUMERIC: {"field_key": "stats.num_words", "min_value": 2, "max_value": 3}})])
    result = pipe.run(["one", "one two", "one two three", "", None])
    assert result.stats["numeric_field_value"] == [1.0, 2.0, 3.0, 0.0, None]
    assert result.dropped_by == [f"{NUMERIC}:out_of_range", None, None, f"{NUMERIC}:out_of_range", "null_text"]
