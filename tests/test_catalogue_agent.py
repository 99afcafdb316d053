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


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def py_records(dj, shared_data):
    recs = cases.python_records(shared_data)
    assert _digest(json.dumps(recs, sort_keys=True)) == dj["python_records"]["sha256"], "corpus changed"
    return recs


def _user_params(params):
    params = dict(params)
    if "file_path" in params:
        params["file_path"] = str(ROOT / params["file_path"])
    return params


def test_python_mappers_map_records_as_data_juicer(dj, py_records):
    seen = Counter()
    for case in dj["python_mappers"]:
        res = Pipeline([bind({case["op"]: _user_params(case["params"])})]).run(
            [r["text"] for r in py_records], records=py_records)
        for j, rec in enumerate(py_records):
            want = case["out"].get(rec["id"])
            where = f"{case['op']} {case['params']} on {rec['id']}"
            if want is None:  # Data-Juicer dropped the row (skip_op_error): ours says why
                assert res.dropped_by[j].startswith(f"error:{case['op']}: "), where
                seen["error"] += 1
                continue
            assert res.keep[j], (where, res.dropped_by[j])
            got = res.records[j]
            assert _digest(json.dumps(got, sort_keys=True, ensure_ascii=False)) == want, (where, got)
            assert res.texts[j] == got["text"]
            seen["mapped"] += 1
    assert seen["error"] > 200 and seen["mapped"] > 1000, seen


@pytest.mark.parametrize("op, params, message", [
    ("python_lambda_mapper", {"lambda_str": "1 + 1"}, "lambda_str.*must be a lambda"),
    ("python_lambda_mapper", {"lambda_str": "lambda a, b: a"}, "lambda_str.*exactly one argument"),
    ("python_lambda_mapper", {"lambda_str": "lambda: {}"}, "lambda_str.*exactly one argument"),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {"}, "lambda_str.*not valid Python"),
    ("python_file_mapper", {"file_path": "/no/such/file.py"}, "file_path.*does not exist"),
    ("python_file_mapper", {"file_path": str(Path(__file__))[:-3] + ".pyc"}, "file_path.*does not exist"),
    ("python_file_mapper", {"file_path": str(ROOT / "README.md")}, "file_path.*not a Python file"),
    ("python_file_mapper", {"file_path": str(ROOT / cases.USER_FUNCTIONS), "function_name": "nope"},
     "function_name.*'nope' not found"),
    ("python_file_mapper", {"file_path": str(ROOT / cases.USER_FUNCTIONS), "function_name": "__doc__"},
     "function_name.*not callable"),
])
def test_python_mappers_refuse_wrong_parameters_at_bind(op, params, message):
    with pytest.raises(OpError, match=message):
        bind({op: params})


@pytest.fixture(scope="module")
def agent_records(dj, shared_data):
    recs = cases.agent_records()
    assert [i for i, _ in recs] == dj["agent_records"]["ids"]
    assert _digest(json.dumps(recs, sort_keys=True, ensure_ascii=True)) == dj["agent_records"]["sha256"], \
        "corpus changed: regenerate"
    return recs


def _agent_result(bounds, record):
    """What our kernels make of one record (each op's records in, records out), as the fixture stores it."""
    try:
        rec = record
        for bound in bounds:
            rec = bound.apply_records([rec])[0]
    except Exception as err:  # noqa: BLE001 - compared with Data-Juicer's exception
        return {"error": type(err).__name__}
    return json.loads(json.dumps(rec, ensure_ascii=False))


def test_agent_ops_tag_records_as_data_juicer(dj, agent_records):
    seen = Counter()
    for case in dj["agent_ops"]:
        if case["op"] == "chain":
            bounds = [bind({name: {}}) for name in cases.AGENT_CHAIN]
        else:
            bounds = [bind({case["op"]: case["params"]})]
        for rid, record in agent_records:
            want, got = case["out"][rid], _agent_result(bounds, record)
            where = f"{case['op']} {case['params']} on {rid}"
            if "error" in want:
                assert "error" in got and want["error"].startswith(got["error"]), (where, want, got)
                seen["error"] += 1
            elif "sha16" in want:
                assert _digest(json.dumps(got, sort_keys=True, ensure_ascii=False)) == want["sha16"], (where, got)
                seen["digest"] += 1
            else:
                assert got == want, where
                seen["verbatim"] += 1
    assert seen["verbatim"] > 80 and seen["digest"] > 3000 and seen["error"] > 20, seen


def test_agent_ops_in_a_pass_keep_going_past_a_malformed_trace():
    """Through the fused pass: a trace Data-Juicer raises on is one error row, the others are tagged."""
    traces = dict(cases.AGENT_TRACES)
    recs = [traces["agent:openai_tools"], traces["agent:bad_messages"], traces["agent:zh"],
            traces["agent:anthropic"]]
    pipe = Pipeline([bind({name: {}}) for name in cases.AGENT_CHAIN])
    res = pipe.run(["" for _ in recs], records=[dict(r, text="") for r in recs])
    assert res.dropped_by[1].startswith("error:agent_dialog_normalize_mapper: AttributeError")
    # a token count held as a string: Data-Juicer's sum raises too
    assert res.dropped_by[2].startswith("error:usage_counter_mapper: TypeError")
    assert res.keep == [True, False, False, True]
    meta = res.records[0]["meta"]
    assert (meta["tool_fail_count"], meta["agent_bad_case_tier"], meta["primary_tool_type"]) == (1, "high_precision",
                                                                                               "list_dir")
    assert res.texts[0].startswith("User: List the files")
    assert res.records[3]["meta"]["total_tokens"] == 340 and res.records[3]["meta"]["agent_request_id"] == "tr-9"


@pytest.mark.parametrize("op, params, message", [
    ("tool_success_tagger_mapper", {"error_patterns": ["(unclosed"]}, "error_patterns.*invalid regex"),
    ("tool_success_tagger_mapper", {"success_patterns": ["[a-"]}, "success_patterns.*invalid regex"),
    ("agent_dialog_normalize_mapper", {"messages_key": ""}, "messages_key"),
    ("agent_tool_type_mapper", {"top_k_dominant": "5"}, "top_k_dominant"),
])
def test_agent_ops_refuse_wrong_parameters_at_bind(op, params, message):
    with pytest.raises(OpError, match=message):
        bind({op: params})


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
    rows = [{"text": t, "_source": "in.jsonl", "_line": n, "n": n, "lang_guess": None} for n, (_, t) in enumerate(docs)]
    df = spark.createDataFrame(rows, "text string, _source string, _line long, n long, lang_guess string")
    out = sparkops.apply(df, [{"document_line_deduplicator": case["params"]},
                              {"general_field_filter": {"filter_condition": "n < 1000"}},
                              {"python_lambda_mapper": {"lambda_str": "lambda s: {'text': 1 / 0 if s['n'] == 7 "
                                                        "else s['text']}"}},
                              {"python_file_mapper": {"file_path": str(ROOT / cases.USER_FUNCTIONS),
                                                      "function_name": "tag_batch", "batched": True}}])
    collected = out.collect()
    got = {r.n: r.text for r in collected}
    langs = {r.n: r.lang_guess for r in collected}
    assert langs[next(n for n, (d, _) in enumerate(docs) if d.startswith("zh_novel"))] == "zh"
    assert langs[0] == "other"  # C4: the batched function filled the column
    # the filter read the column n; the lambda failed on row 7 only
    assert sorted(got) == [n for n in range(1000) if n != 7]
    for n in sorted(got):
        text, want = docs[n][1], case["out"][n]
        have = got[n]
        assert (None if have == text else (have if len(have) <= 200 else [_digest(have), len(have)])) == want, n
