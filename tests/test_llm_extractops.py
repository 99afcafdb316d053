"""Data-Juicer 1.6.1's LLM extraction mappers: our requests and parsed values against what
Data-Juicer itself sent and wrote for scripted answers on real text
(tests/fixtures/dj_llm_extractops.json, written by tests/llm_extractops_corpus.py); the Spark halves
replaying those answers; a job against a misbehaving endpoint where every row comes out with its
reason; one tiny job against the REAL local model, re-run from the cache."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import extraction as X

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_extractops.json").read_text(encoding="utf-8"))
STRINGS, DJ_META = FIXTURE["strings"], FIXTURE["meta_key"]
OPS = list(FIXTURE["ops"])
CASES = [(op, case) for op in OPS for case in FIXTURE["ops"][op]]


def bound(op: str, params: dict):
    # the corpus built Data-Juicer's ops with these two
    return get_op(op).bind({"api_model": "m", "sampling_params": {"temperature": 0}, **params})


def dj_calls(case) -> list[list[dict]]:
    return [[{"role": r, "content": STRINGS[i]} for r, i in call] for call in case["calls"]]


def canon(value) -> str:
    """A value compared as JSON (NaN equal to NaN); lists of relation / entity dicts as multisets:
    Data-Juicer's set order is the hash seed's."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return json.dumps(sorted(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in value))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Model:
    """The corpus's stand-in: answers in call order, '' once the script runs out."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def __call__(self, messages):
        self.calls.append(messages)
        i = len(self.calls) - 1
        return self.answers[i] if i < len(self.answers) else ""


def _retried(model, messages, parse, tries):
    """The common step's loop: the same request again while the answer does not parse."""
    for _ in range(tries):
        value, ok = parse(model(messages))
        if ok:
            return value, True
    return None, False


def _generated(meta: dict, keys: list[str]) -> bool:
    return all(meta.get(k) is not None for k in keys)


def ours(op: str, case: dict):
    """What our kernels ask and write for the case's samples, as the Spark halves drive them."""
    p = bound(op, case["params"]).prepared
    model, keys, tries = Model(case["answers"]), p["out_keys"], p["try_num"]
    outputs = []
    for sample in case["samples"]:
        text, meta = sample["text"], dict(sample[DJ_META])
        if _generated(meta, keys):
            outputs.append(meta if op != "extract_event_mapper" else [])
            continue
        if op == "extract_keyword_mapper":
            value, ok = _retried(model, X.keyword_messages(text, p), lambda r: X.parse_keywords(r, p), tries)
            meta[keys[0]] = value if ok else X.no_answer(op, p)
        elif op == "extract_nickname_mapper":
            value, ok = _retried(model, X.nickname_messages(text, p), lambda r: X.parse_nicknames(r, p), tries)
            meta[keys[0]] = value if ok else X.no_answer(op, p)
        elif op == "relation_identity_mapper":
            if p["source_entity"] is None or p["target_entity"] is None:
                meta[keys[0]] = ""
            else:
                value, ok = _retried(model, X.identity_messages(text, p), lambda r: X.parse_identity(r, p), tries)
                meta[keys[0]] = value if ok else ""
        elif op == "extract_support_text_mapper":
            summary = meta.get(p["summary_key"])
            if isinstance(summary, str):
                value, ok = _retried(model, X.support_messages(text, summary, p), lambda r: X.parse_support(r, p),
                                     tries)
                meta[keys[0]] = value if ok else summary
        elif op == "extract_entity_attribute_mapper":
            lists = [[], [], [], []]
            for entity, attribute in X.attribute_pairs(p):
                value, ok = _retried(model, X.attribute_messages(text, entity, attribute, p),
                                     lambda r, a=attribute: X.parse_attribute(r, a, p), tries)
                desc, demos = value if ok else ("", [])
                for li, v in zip(lists, (entity, attribute, desc, demos)):
                    li.append(v)
            meta.update(zip(keys, lists))
        elif op == "extract_entity_relation_mapper":
            value, ok = None, False
            for _ in range(tries):
                state = X.conversation(text, p)
                while (messages := X.next_messages(state, p)) is not None:
                    state = X.advance(state, model(messages), p)
                value, ok = X.parse_relations(state["result"], p)
                if ok:
                    break
            meta.update(zip(keys, value))
        elif op == "extract_event_mapper":
            value, ok = _retried(model, X.event_messages(text, p), lambda r: X.parse_events(r, p), tries)
            outputs.append([{"text": text, "meta": {**meta, keys[0]: d, keys[1]: c}} for d, c in value or []])
            continue
        outputs.append(meta)
    return model.calls, outputs


# -- the pure halves, against Data-Juicer ----------------------------------------------------------

def test_defaults_are_data_juicers():
    from sparkops.ops.llm import extraction_prompts as P

    assert all(get_op(op).bind({}).params["api_model"] == "gpt-4o" for op in OPS)
    assert bound("extract_entity_relation_mapper", {}).prepared["entity_types"] == P.RELATION_ENTITY_TYPES
    assert [bound(op, {}).prepared["out_keys"] for op in OPS] == [
        ["keyword"], ["nickname"], ["event_description", "relevant_characters"],
        ["main_entities", "attributes", "attribute_descriptions", "attribute_support_texts"], ["entity", "relation"],
        ["support_text"], ["role_relation"]]
    assert bound("extract_entity_relation_mapper", {}).params["max_gleaning"] == 1
    assert all(bound(op, {}).params["try_num"] == 3 for op in OPS)


@pytest.mark.parametrize("op,case", CASES, ids=[f"{op}:{c['name']}" for op, c in CASES])
def test_requests_and_values_are_data_juicers(op, case):
    calls, outputs = ours(op, case)
    assert calls == dj_calls(case)  # every request, in Data-Juicer's order, to the character
    if op == "extract_event_mapper":
        rows = [r for per_sample in outputs for r in per_sample]
        if rows:
            assert [canon(r) for r in rows] == [canon(r) for r in case["output"]]
        else:  # no event in the whole batch: Data-Juicer returns it unchanged (here: rejected rows)
            assert case["output"] == [{"text": s["text"], "meta": s[DJ_META]} for s in case["samples"]]
        return
    for got, want in zip(outputs, case["output"], strict=True):
        assert set(got) == set(want)
        assert {k: canon(v) for k, v in got.items()} == {k: canon(v) for k, v in want.items()}


def test_parsers_on_odd_answers():
    p = bound("extract_keyword_mapper", {}).prepared
    assert X.parse_keywords(None, p) == ([], False)
    assert X.split_by_punctuation(" ,, ") == [" ,, "]  # no piece: the text itself, as Data-Juicer
    q = bound("extract_entity_relation_mapper", {}).prepared
    assert X.parse_relations(None, q) == ([X.NO_ENTITY, X.NO_RELATION], False)
    r = bound("relation_identity_mapper", {"source_entity": "a", "target_entity": "b"}).prepared
    assert X.parse_identity("所以：。\n\n", r) == ("", False)
    a = bound("extract_entity_attribute_mapper", {}).prepared
    assert X.parse_attribute("## x(：d", "x(", a) == (["", []], False)  # the pattern does not compile


def test_parameters_are_checked():
    with pytest.raises(OpError, match="drop_text"):
        bound("extract_keyword_mapper", {"drop_text": True})
    with pytest.raises(OpError, match="6 group"):
        bound("extract_nickname_mapper", {"output_pattern": "(a)(b)"})
    with pytest.raises(OpError, match="str.format template"):
        bound("extract_event_mapper", {"input_template": "{txt}"})
    with pytest.raises(OpError, match="at most one group"):
        bound("extract_keyword_mapper", {"output_pattern": "(a)(b)"})
    with pytest.raises(OpError, match="not a regular expression"):
        bound("relation_identity_mapper", {"source_entity": "a(", "target_entity": "b"})
    with pytest.raises(OpError, match=">= 0"):
        bound("extract_entity_relation_mapper", {"max_gleaning": -1})
    with pytest.raises(OpError, match="must differ"):
        bound("extract_entity_relation_mapper", {"entity_key": "x", "relation_key": "x"})


# -- Spark ----------------------------------------------------------------------------------------

def replayed(spark, op: str, cases: list[dict], fake_url: str):
    """The op over the cases' samples (one DataFrame; the cases share their parameters): text,
    the job record with Data-Juicer's meta, and a meta column of the op's types."""
    from sparkops.spark.fusion import stage_pass
    from sparkops.spark.llm_extraction import meta_types

    params = cases[0]["params"]
    p = bound(op, params).prepared
    types = meta_types(op, p)
    samples = [s for c in cases for s in c["samples"]]
    keys = sorted({k for s in samples for k in s[DJ_META]} | set(types))
    fields = {k: types.get(k, "string") for k in keys}
    rows = []
    for i, s in enumerate(samples):
        meta = {k: (v if (fields[k] == "string") == isinstance(v, str) else None) for k, v in s[DJ_META].items()}
        rows.append({"i": i, "text": s["text"], "_record": json.dumps({"text": s["text"], "meta": s[DJ_META]},
                                                                      ensure_ascii=False),
                     "meta": {k: meta.get(k) for k in keys}})
    schema = f"i long, text string, _record string, meta struct<{','.join(f'`{k}`:{t}' for k, t in fields.items())}>"
    df = spark.createDataFrame(rows, schema)
    entry = {op: {"api_model": "m", "sampling_params": {"temperature": 0}, "model_params": {"base_url": fake_url},
                  "max_retries": 0, **params}}
    out = stage_pass(df, [entry]).collect()
    return samples, [r.asDict(recursive=True) for r in out]


def scripted(cases: list[dict]):
    """A FakeEndpoint behaviour answering each request as Data-Juicer's stand-in did at that point
    of the conversation (the same request asked again: the next answer given to it)."""
    queues: dict[str, list] = {}
    for case in cases:
        for k, call in enumerate(dj_calls(case)):
            answer = case["answers"][k] if k < len(case["answers"]) else ""
            queues.setdefault(json.dumps(call, ensure_ascii=False), []).append(answer)
    unknown = []

    def behave(body, n, headers):
        q = queues.get(json.dumps(body["messages"], ensure_ascii=False))
        if not q:
            unknown.append(body["messages"])
            return 404, {}, b"not scripted", 0
        return 200, {}, answer_body(q.pop(0)), 0

    return behave, unknown


REPLAYED = {  # per op, cases sharing their parameters
    "extract_keyword_mapper": ["well_formed", "retries_then_parses", "chinese_punctuation_and_several_matches",
                               "generated_already"],
    "extract_nickname_mapper": ["well_formed_with_dupes_and_skips", "malformed_then_good"],
    "extract_event_mapper": ["two_texts_events"],
    "extract_entity_attribute_mapper": ["two_attributes"],
    "extract_entity_relation_mapper": ["never_parses"],
    "extract_support_text_mapper": ["well_formed", "no_summary", "summary_not_a_string", "generated_already"],
    "relation_identity_mapper": ["well_formed"],
}


@pytest.mark.spark
def test_spark_halves_replay_data_juicers_conversations(spark):
    for op, names in REPLAYED.items():
        cases = [c for c in FIXTURE["ops"][op] if c["name"] in names]
        assert len(cases) == len(names) and all(c["params"] == cases[0]["params"] for c in cases)
        behave, unknown = scripted(cases)
        with FakeEndpoint(behave) as fake:
            samples, out = replayed(spark, op, cases, fake.base_url)
            assert not unknown, (op, unknown[:1])  # every request was one Data-Juicer made
            assert len(fake.requests) == sum(len(c["calls"]) for c in cases), op
        wanted = [w for c in cases for w in c["output"]]
        keys = bound(op, cases[0]["params"]).prepared["out_keys"]
        if op == "extract_event_mapper":
            kept = sorted((r for r in out if r["_keep"]), key=lambda r: r["_order"])
            assert [canon({k: r["meta"][k] for k in keys}) for r in kept] == \
                [canon({k: w["meta"][k] for k in keys}) for w in wanted]
            assert [r["stats"]["extract_event_index"] for r in kept] == [0, 1, 0, 1]
            continue
        assert len(out) == len(samples)
        for r in sorted(out, key=lambda r: r["i"]):
            want = wanted[r["i"]]
            for k in keys:
                assert canon(r["meta"][k]) == canon(want.get(k)), (op, r["i"], k)
            st = r["stats"]
            prefix = {"relation_identity_mapper": "relation_identity"}.get(op, op.removesuffix("_mapper"))
            asked = any(c["calls"] for c in cases if samples[r["i"]] in c["samples"])
            assert (st["llm_requests"] > 0) == asked and r["_keep"]
            if not asked:
                assert st[f"{prefix}_reason"], (op, r["i"])


def write_job(folder: Path, src: Path, stages: list[tuple[str, dict]]) -> Path:
    spec = folder / "job.yaml"
    body = "".join(f"  - name: {name}\n    process:\n      - {json.dumps(entry)}\n" for name, entry in stages)
    spec.write_text(textwrap.dedent(f"""
        name: extraction
        input: {{format: jsonl, path: {src}, text_key: text}}
        output: {{path: {folder / 'out'}}}
        stages:
    """) + body, encoding="utf-8")
    return spec


def rows_of(spark, out: Path, stage: str):
    kept = [{"_dropped_by": None, **r.asDict(recursive=True)}
            for r in spark.read.format("delta").load(str(out / stage)).collect()]
    return kept + [r.asDict(recursive=True) for r in spark.read.format("delta").load(str(out / f"{stage}_rejected"))
                   .collect()]


@pytest.mark.spark
def test_job_with_a_misbehaving_endpoint_loses_nothing_and_records_why(spark, tmp_path, c4_path):
    """Per document: a good answer, garbage, or 500s. The entity-relation conversation and events
    (1 -> N): every row comes out, with its values or the reason."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load

    docs = [json.loads(line) for line in c4_path.read_text(encoding="utf-8").splitlines()[:3]]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": d["text"][:300]}) + "\n" for i, d in enumerate(docs)),
                   encoding="utf-8")

    def behave(body, n, headers):
        prompt = body["messages"][0]["content"] + body["messages"][-1]["content"]
        i = next(k for k, d in enumerate(docs) if d["text"][:300] in prompt)
        fate, last = i % 3, body["messages"][-1]["content"]
        if fate == 2:
            return 500, {}, b"boom", 0
        if fate == 1:
            return 200, {}, answer_body("\u0000garbage \ud7ff"), 0
        if "情节" in prompt:
            return 200, {}, answer_body(f"### 情节1：\n- **情节描述**：d{i}\n- **相关人物**：A，B\n"
                                        f"### 情节2：\n- **情节描述**：e{i}\n- **相关人物**：C\n"), 0
        if last.startswith("MANY entities"):
            return 200, {}, answer_body('("entity"<|>"Extra"<|>"event"<|>"more")'), 0
        return 200, {}, answer_body(f'("entity"<|>"Doc{i}"<|>"organization"<|>"a doc")##'
                                    f'("relationship"<|>"Doc{i}"<|>"Extra"<|>"r"<|>"k"<|>3)'), 0

    with FakeEndpoint(behave) as fake:
        common = {"api_model": "fake", "try_num": 2, "max_retries": 0, "model_params": {"base_url": fake.base_url}}
        # the event stage last: its rows are the next stage's input
        spec = load(write_job(tmp_path, src, [("er", {"extract_entity_relation_mapper": common}),
                                              ("ev", {"extract_event_mapper": common})]))
        result = run(spark, spec, say=lambda m: None)
        assert result.input_rows == 3
        ev = rows_of(spark, tmp_path / "out", "ev")
        er = {json.loads(r["_record"])["id"]: r for r in rows_of(spark, tmp_path / "out", "er")}
    # events: two rows per good document, one rejected row per other (nothing lost)
    good = [r for r in ev if r["_dropped_by"] is None]
    assert sorted((json.loads(r["_record"])["id"], r["meta"]["event_description"]) for r in good) == \
        sorted((0, f"{x}0") for x in "de")
    bad = {json.loads(r["_record"])["id"]: r["_dropped_by"] for r in ev if r["_dropped_by"] is not None}
    assert bad == {1: "extract_event_mapper:no_events", 2: bad[2]}
    assert bad[2].startswith("error:extract_event_mapper: endpoint: http_500")
    # the entity-relation conversation: prompt + one gleaning per attempt
    assert sorted(er) == [0, 1, 2]
    for i, r in er.items():
        st, meta = r["stats"], r["meta"]
        assert r["_dropped_by"] is None
        if i % 3 == 0:
            assert sorted(e["entity_name"] for e in meta["entity"]) == sorted([f"Doc{i}", "Extra"])
            assert meta["relation"][0]["relation_strength"] == 3.0 and st["llm_requests"] == 2
        else:
            assert meta["entity"] == X.NO_ENTITY and meta["relation"] == X.NO_RELATION
            assert st["llm_requests"] == 4 and st["extract_entity_relation_reason"]
            assert st["extract_entity_relation_reason"].startswith("endpoint: http_500" if i % 3 == 2 else
                                                                   "unparsable answer")
            # the last attempt's answers, concatenated as Data-Juicer parses them
            assert st["extract_entity_relation_raw"] == ("" if i % 3 == 2 else "\u0000garbage \ud7ff" * 2)
    # relations: 2 + 4 + 4 requests; events: 1 + 2 + 2
    assert len(fake.requests) == 15


@pytest.mark.spark
def test_job_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    """One document x (nicknames, relation identity): 2 requests (Data-Juicer's Chinese prompts are
    ~700 tokens for this model), then none, from the cache."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    src = tmp_path / "two.jsonl"
    src.write_text(json.dumps({"text": "段誉对马五德说：“马五爷，再见。”"}, ensure_ascii=False) + "\n", encoding="utf-8")
    common = {"api_model": "SmolLM2-135M-Instruct", "try_num": 1, "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 64}}
    who = {"source_entity": "段誉", "target_entity": "马五德"}
    stages = [("nick", {"extract_nickname_mapper": common}), ("ri", {"relation_identity_mapper": {**common, **who}})]
    spec = load(write_job(tmp_path, src, stages))
    run(spark, spec, say=lambda m: None)
    assert [s["requests_sent"] for s in spark_llm.SUMMARIES[-2:]] == [1, 1]
    first = {s: rows_of(spark, tmp_path / "out", s) for s, _ in stages}
    nick = get_op("extract_nickname_mapper").bind({}).prepared
    ident = get_op("relation_identity_mapper").bind(who).prepared
    for r in first["nick"]:
        st = r["stats"]
        assert r["_dropped_by"] is None and st["extract_nickname_raw"] is not None and st["llm_prompt_tokens"] > 0
        # the relations our parser (Data-Juicer's) reads in the answer, or its empty one with the reason
        value, ok = X.parse_nicknames(st["extract_nickname_raw"], nick)
        assert r["meta"]["nickname"] == (value if ok else X.NO_NICKNAME)
        assert (st["extract_nickname_reason"] is None) == ok
    for r in first["ri"]:
        value, ok = X.parse_identity(r["stats"]["relation_identity_raw"], ident)
        assert r["meta"]["role_relation"] == (value if ok else "") and r["meta"]["nickname"] is not None
    run(spark, spec, fresh=True, say=lambda m: None)
    assert [(s["requests_sent"], s["answers_cached"]) for s in spark_llm.SUMMARIES[-2:]] == [(0, 1), (0, 1)]
    again = {s: rows_of(spark, tmp_path / "out", s) for s, _ in stages}
    for s in again:
        assert sorted(json.dumps(r["meta"], sort_keys=True) for r in again[s]) == \
            sorted(json.dumps(r["meta"], sort_keys=True) for r in first[s])
