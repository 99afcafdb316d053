"""Data-Juicer 1.6.1's LLM aggregators: our requests and values against what Data-Juicer itself
sent and wrote for scripted answers on real text (tests/fixtures/dj_llm_aggregators.json, written by
tests/llm_aggregator_corpus.py); the Spark half replaying those answers through grouped rows; a job
whose endpoint misbehaves (every grouped row comes out, with its reason); one tiny grouper ->
aggregator job against the REAL local model, re-run from the cache."""

from __future__ import annotations

import copy
import json
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import aggregators as A

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_aggregators.json").read_text(encoding="utf-8"))
CASES = [(op, c) for op, cases in FIXTURE["cases"].items() for c in cases]
OPS = list(FIXTURE["cases"])


def bound(op: str, params: dict, **extra):
    return get_op(op).bind({"api_model": "gpt-4o", **params, **extra})


def expected(op: str, case: dict, state: dict, p: dict) -> tuple[dict, list]:
    """(batch meta, metas) as Data-Juicer's sample holds them after our state."""
    batch, metas = dict(case["batch_meta"]), copy.deepcopy(case["metas"])
    if state["stage"] == A.DONE:
        if op == A.TAGS:
            for m, tag in zip(metas, state["value"]):
                m[p["meta_tag_key"]] = tag
        else:
            batch[p["output_key"]] = state["value"]
    return batch, metas


def test_defaults_are_data_juicers():
    for op, theirs in FIXTURE["defaults"].items():
        ours = {p.name: p.default for p in get_op(op).all_params()}
        for name, default in theirs.items():
            assert ours[name] == default, (op, name)


@pytest.mark.parametrize("op,case", CASES, ids=[f"{op}/{c['name']}" for op, c in CASES])
def test_requests_and_values_are_data_juicers(op, case):
    """Data-Juicer's every call (messages and sampling parameters), in order, and its output."""
    p = bound(op, case["params"]).prepared
    answers, calls = list(case["answers"]), []

    def ask(messages):
        calls.append({"messages": messages, "kwargs": p["sampling_params"]})
        return answers.pop(0) if answers else ""

    state = A.run(op, copy.deepcopy(case["metas"]), case["batch_meta"], p, ask)
    assert calls == case["calls"]
    batch, metas = expected(op, case, state, p)
    assert batch == case["result"]["batch_meta"] and metas == case["result"]["meta"]
    # a row left as Data-Juicer leaves it says why; a row asked says nothing unless an answer was missing
    if state["stage"] == A.SKIP:
        assert state["reason"] and not calls


def test_avg_split_is_data_juicers_rule():
    docs = list("abcdef")
    assert A.avg_split(docs, [1] * 6, None) == [docs]
    assert A.avg_split(docs, [1] * 6, 6) == [docs]
    # total 12 over a limit of 5: 3 groups (average 4); a group closes before it would pass the limit
    assert A.avg_split(docs, [2] * 6, 5) == [["a", "b"], ["c", "d"], ["e", "f"]]
    # ... or once it holds more than the average (12 / 2 = 6): the rest is a smaller group
    assert A.avg_split(list("abcd"), [3] * 4, 10) == [["a", "b", "c"], ["d"]]
    # a doc over the limit is a group of its own
    assert A.avg_split(["x", "y", "z"], [1, 9, 1], 4) == [["x"], ["y"], ["z"]]
    # nested pairs the docs when every one is a group
    p = {"max_token_num": 4}
    assert A.nested_groups(["x", "y", "z"], p, lambda d, _: [9, 9, 9]) == [["x", "y"], ["z"]]


def test_parsers_on_odd_answers():
    assert A.parse_nested(" “ '`quoted`' ” ") == ("quoted", True)
    assert A.parse_nested('"') == ('"', True)
    assert A.parse_nested(None) == ("", False)
    p = bound(A.RELEVANT, {"entity": "e", "query_entity_type": "t"}).prepared
    assert A.parse_relevant("## 列表\n", p) == ([""], True)
    assert A.parse_relevant("## 分析\n...\n## 列表\na,b;c", p) == (["a", "b", "c"], True)
    t = bound(A.TAGS, {}).prepared
    assert A.parse_tags("** a归类为b **\n** a归类为c **", t) == ({"a": "c"}, True)
    assert A.parse_tags("", t) == ({}, False)


def test_parameters_are_checked():
    with pytest.raises(OpError, match="entity and attribute must be given"):
        get_op(A.ATTRIBUTE).bind({})
    with pytest.raises(OpError, match="query_entity_type must be given"):
        get_op(A.RELEVANT).bind({"entity": "x"})
    with pytest.raises(OpError, match="output_pattern must have 2 group"):
        get_op(A.TAGS).bind({"output_pattern": "(a)"})
    with pytest.raises(OpError, match="sub_doc_template must be a str.format template"):
        get_op(A.NESTED).bind({"sub_doc_template": "{doc}"})
    with pytest.raises(OpError, match="output_pattern_template must have 1 group"):
        get_op(A.ATTRIBUTE).bind({"entity": "a", "attribute": "b", "output_pattern_template": "{entity}{attribute}"})
    with pytest.raises(OpError, match="neither 'wordllama'"):
        get_op(A.NESTED).bind({"max_token_num": 10, "tokenizer": "/nowhere/tokenizer.json"})
    assert get_op(A.NESTED).bind({"input_key": None}).prepared["output_key"] == "text"


def test_a_recipe_s_grouper_aggregator_reverse_grouper_list_is_one_stage():
    from sparkops.core import bind
    from sparkops.core.declaration import check_sequence

    def ops(*entries):
        return [bind(e) for e in entries]

    nested = {A.NESTED: {}}
    assert check_sequence(ops("key_value_grouper", nested, {A.TAGS: {}}, "naive_reverse_grouper")) is False
    # a selector rejects grouped rows: a grouper after it would mix shapes in the rejected rows
    with pytest.raises(OpError, match=r"process\[3\]: op 'naive_reverse_grouper' \(grouper\) changes the rows' shape"):
        check_sequence(ops("naive_grouper", {"random_selector": {"select_num": 1}}, nested, "naive_reverse_grouper"))


def test_members_meta_is_the_column_over_the_record():
    from sparkops.spark.llm_aggregators import _members

    record = {"text": ["p", "q"], "meta": [{"a": "r", "c": 1}, {"a": "s"}], A.BATCH_META: [None, None]}
    metas, batch, _, column = _members('[{"a": "x"}, {"b": "y"}]', json.dumps(record), '{"k": "v"}')
    assert metas == [{"a": "x", "c": 1}, {"a": "s", "b": "y"}] and batch == {"k": "v"}
    assert column == [{"a": "x"}, {"b": "y"}]
    # no meta anywhere: Data-Juicer's 'no meta'; an ungrouped meta struct is no member list
    assert _members(None, json.dumps({"text": ["p"]}), None)[0] is None
    assert _members('{"a": "x"}', None, None)[0] is None
    record = {"meta": [{"event_description": "d"}], A.BATCH_META: {"nested": "done"}}
    assert _members(None, json.dumps(record), None)[:2] == ([{"event_description": "d"}], {"nested": "done"})


# -------------------------------------------------------------------------------------------------- Spark

def replayer(cases):
    """A loopback endpoint answering each request with Data-Juicer's scripted answer for the same
    messages (the k-th time they are asked: the k-th answer Data-Juicer got for them)."""
    script = defaultdict(list)
    for _, case in cases:
        answers = list(case["answers"])
        for call in case["calls"]:
            script[json.dumps(call["messages"], ensure_ascii=False)].append(answers.pop(0) if answers else "")
    seen = defaultdict(int)

    def behave(body, n, headers):
        key = json.dumps(body["messages"], ensure_ascii=False)
        k = seen[key]
        seen[key] += 1
        return 200, {}, answer_body(script[key][k]), 0

    return behave


META_DDL = {A.TAGS: None}


def grouped_frame(spark, case, op):
    """A grouped row as key_value_grouper makes it: every column a list (the members' meta structs)."""
    metas = case["metas"]
    keys = sorted({k for m in metas for k in m})
    ddl = {k: next((("array<string>" if isinstance(m[k], list) else "string") for m in metas
                    if isinstance(m.get(k), (str, list))), "string") for k in keys}
    fields = ", ".join(f"`{k}`: {t}" for k, t in ddl.items())
    rows = [([f"t{i}" for i in range(len(metas))],
             [{k: (m.get(k) if isinstance(m.get(k), (str, list)) else None) for k in keys} for m in metas])]
    return spark.createDataFrame(rows, f"text array<string>, meta array<struct<{fields}>>")


@pytest.mark.spark
def test_spark_half_replays_data_juicers_cases(spark):
    """Fixture cases as grouped DataFrame rows (the members' meta a list of structs, as a grouper
    makes it): the same requests reach the endpoint and the same values come out (a nested summary's
    levels; tags rewritten in the meta column)."""
    from sparkops.spark.fusion import stage_pass

    chosen = [(op, c) for op, c in CASES if c["name"] in (
        "tight_limit_pairs_every_doc", "lists_no_targets_retry")]
    with FakeEndpoint(replayer(chosen)) as fake:
        for op, case in chosen:
            df = grouped_frame(spark, case, op)
            params = {"api_model": "gpt-4o", "model_params": {"base_url": fake.base_url}, "max_retries": 0,
                      **case["params"]}
            row = stage_pass(df, [{op: params}]).collect()[0].asDict(recursive=True)
            st = row["stats"]
            assert row["_keep"] and st["llm_requests"] == len(case["calls"]), (op, case["name"])
            if op == A.TAGS:
                ours = [{k: v for k, v in m.items() if v is not None} for m in row["meta"]]
                assert ours == case["result"]["meta"], case["name"]
                assert (st[f"{op}_map"] is None) == (len(case["calls"]) == 0)
            else:
                assert row[A.BATCH_META] == case["result"]["batch_meta"], (op, case["name"])
            assert st[f"{op}_raw"] == (case["answers"] + [""] * 9)[len(case["calls"]) - 1]
        asked = sorted(json.dumps(b["messages"], ensure_ascii=False) for _, b in fake.requests)
    theirs = sorted(json.dumps(c["messages"], ensure_ascii=False) for _, case in chosen for c in case["calls"])
    assert asked == theirs


def write_job(folder: Path, src: Path, stages: list[tuple[str, list]]) -> Path:
    spec = folder / "job.yaml"
    body = "".join(f"  - name: {name}\n    process:\n" + "".join(f"      - {json.dumps(e, ensure_ascii=False)}\n"
                                                              for e in entries)
                   for name, entries in stages)
    spec.write_text(textwrap.dedent(f"""
        name: aggregation
        input: {{format: jsonl, path: {src}, text_key: text}}
        output: {{path: {folder / 'out'}}}
        stages:
    """) + body, encoding="utf-8")
    return spec


def table(spark, out: Path, stage: str) -> list[dict]:
    return [r.asDict(recursive=True) for r in spark.read.format("delta").load(str(out / stage)).collect()]


@pytest.mark.spark
def test_job_with_a_misbehaving_endpoint_keeps_every_group_and_says_why(spark, tmp_path):
    """One stage of a job, as a Data-Juicer recipe's process list: key_value_grouper ->
    entity_attribute_aggregator -> naive_reverse_grouper, the members' summaries in their records'
    meta. Group A gets Data-Juicer's scripted answers (an unparsable one, then one that parses), B
    only 500s, C garbage: every row comes out (with its group's stats), A's value is Data-Juicer's,
    B's and C's Data-Juicer's '' with the reason, all in the reverse grouper's batch meta file."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    case = next(c for op, c in CASES if c["name"] == "unparsable_then_parses")
    other = [m["event_description"] for m in FIXTURE["cases"][A.NESTED][0]["metas"]]
    groups = {"A": [m["event_description"] for m in case["metas"]], "B": other[:2], "C": other[2:4]}
    records = [{"text": f"{g}{i}", "group": g, "meta": {"event_description": d}}
               for g, docs in groups.items() for i, d in enumerate(docs)]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    replay = replayer([(A.ATTRIBUTE, case)])

    def behave(body, n, headers):
        prompt = body["messages"][-1]["content"]
        if other[0][:40] in prompt or other[1][:40] in prompt:
            return 500, {}, b"boom", 0
        if other[2][:40] in prompt or other[3][:40] in prompt:
            return 200, {}, answer_body("\u0000garbage"), 0
        return replay(body, n, headers)

    meta_file = tmp_path / "batch_meta.jsonl"
    with FakeEndpoint(behave) as fake:
        params = {**case["params"], "model_params": {"base_url": fake.base_url}, "max_retries": 0, "try_num": 2}
        spec = load(write_job(tmp_path, src, [
            ("agg", [{"key_value_grouper": {"group_by_keys": ["group"]}}, {A.ATTRIBUTE: params},
                     {"naive_reverse_grouper": {"batch_meta_export_path": str(meta_file)}}])]))
        result = run(spark, spec, say=lambda m: None)
    assert result.input_rows == len(records)
    out = tmp_path / "out"
    rows = table(spark, out, "agg")
    assert sorted(json.loads(r["_record"])["text"] for r in rows) == sorted(r["text"] for r in records)
    assert not table(spark, out, "agg_rejected")
    by_group = {g: [r["stats"] for r in rows if json.loads(r["_record"])["group"] == g] for g in groups}
    a, b, c = (by_group[g][0] for g in "ABC")
    assert all(len({json.dumps(st, sort_keys=True) for st in sts}) == 1 for sts in by_group.values())
    assert a["llm_requests"] == len(case["calls"]) == 2
    assert a[f"{A.ATTRIBUTE}_reason"] is None and a[f"{A.ATTRIBUTE}_rounds"] == 1
    # B: every request failed (2 tries): Data-Juicer's '' for the chunk (a single chunk is its own summary)
    assert b["llm_requests"] == 2 and b[f"{A.ATTRIBUTE}_reason"].startswith("round 1: endpoint: http_500")
    assert c["llm_requests"] == 2 and c[f"{A.ATTRIBUTE}_reason"] == "round 1: unparsable answer"
    assert c[f"{A.ATTRIBUTE}_raw"] == "\u0000garbage"
    # Data-Juicer's requests for A (B and C: 2 tries each)
    sent = [json.dumps(b["messages"], ensure_ascii=False) for _, b in fake.requests]
    theirs = sorted(json.dumps(call["messages"], ensure_ascii=False) for call in case["calls"])
    assert sorted(m for m in sent if m in set(theirs)) == theirs and len(sent) == len(theirs) + 4
    # the values, groups in order of first appearance
    assert [json.loads(line) for line in meta_file.read_text(encoding="utf-8").splitlines()] == \
        [case["result"]["batch_meta"], {"entity_attribute": ""}, {"entity_attribute": ""}]


@pytest.mark.spark
def test_grouper_to_nested_aggregator_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    """naive_grouper -> nested_aggregator on three Alpaca answers with a token limit that splits them:
    one level of two chunk summaries, then their summary (3 requests); re-run: 0 sent."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    docs = [m["event_description"][:150] for m in FIXTURE["cases"][A.NESTED][0]["metas"][:3]]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"text": d, "meta": {"event_description": d}}) + "\n" for d in docs),
                   encoding="utf-8")
    # 34-47 tokens each over a limit of 40: three chunks, paired (2 requests); their summaries (<= 33
    # tokens each) are one chunk or a pair (1 request)
    params = {"api_model": "SmolLM2-135M-Instruct", "max_token_num": 40, "try_num": 1,
              "system_prompt": "Summarise the documents in one sentence.",
              "model_params": {"base_url": llm_server.base_url}, "sampling_params": {"temperature": 0, "max_tokens": 32}}
    spec = load(write_job(tmp_path, src, [("agg", [{"naive_grouper": {}}, {A.NESTED: params}])]))
    run(spark, spec, say=lambda m: None)
    rounds = spark_llm.SUMMARIES[-2:]
    assert [s["requests_sent"] for s in rounds] == [2, 1]
    (row,) = table(spark, tmp_path / "out", "agg")
    st = row["stats"]
    assert st["llm_requests"] == 3 and st[f"{A.NESTED}_rounds"] == 2 and st["llm_prompt_tokens"] > 0
    summary = row[A.BATCH_META]["event_description"]
    # the value is Data-Juicer's reading of the last answer (or '' with the reason when it was blank)
    assert summary == A.parse_nested(st[f"{A.NESTED}_raw"])[0]
    assert (st[f"{A.NESTED}_reason"] is None) == (summary != "")
    run(spark, spec, fresh=True, say=lambda m: None)
    assert [(s["requests_sent"], s["answers_cached"]) for s in spark_llm.SUMMARIES[-2:]] == [(0, 2), (0, 1)]
    (again,) = table(spark, tmp_path / "out", "agg")
    assert again[A.BATCH_META] == row[A.BATCH_META]
