"""llm_extract_mapper: prompts and parser against what Data-Juicer 1.6.1 itself sends and makes of
answers (tests/fixtures/dj_llm_extract.json, written by tests/llm_extract_corpus.py); a job against
a loopback endpoint that misbehaves (garbage, 500s) where every row comes out with its values or
the reason; one tiny job against the REAL local model, re-run from the cache."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import extract

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_extract.json").read_text(encoding="utf-8"))
SCHEMA = {"name": "The person's full name", "year": "Year of birth as a number"}
PEOPLE = [("Ada Lovelace", 1815), ("Alan Turing", 1912), ("Grace Hopper", 1906), ("Emmy Noether", 1882),
          ("Kurt Goedel", 1906), ("Marie Curie", 1867), ("Carl Gauss", 1777), ("Hedy Lamarr", 1914)]


def bound(params: dict):
    return get_op("llm_extract_mapper").bind({"api_or_hf_model": "m", **params})


# -- the pure halves, against Data-Juicer ----------------------------------------------------------

def test_messages_are_data_juicers_for_every_strategy_and_grounding():
    assert FIXTURE["extract"]["meta_output_key_default"] == extract.META_OUTPUT_KEY
    assert bound({"input_keys": ["text"], "output_schema": SCHEMA}).params["meta_output_key"] == "llm_extract"
    for case in FIXTURE["extract"]["samples"]:
        p = bound(case["params"]).prepared
        for row in case["rows"]:
            ours = extract.messages(row["sample"], p)
            if not row["messages"]:  # Data-Juicer asked nothing: an empty input
                assert ours is None, (case["name"], row)
            else:
                assert [ours] == row["messages"], (case["name"], row)


def test_parser_gives_data_juicers_values_and_says_why_not():
    for row in FIXTURE["extract"]["parse"]:
        ours = extract.parse(row["raw"], list(row["schema"]))
        assert ours.values == row["result"], row
        if ours.parsed:  # a JSON object (or a one-key array) was found: Data-Juicer's values, no reason
            assert ours.reason is None
        else:  # every key None, as Data-Juicer writes them, and why
            assert set(ours.values.values()) == {None} and ours.reason, row
    assert extract.parse("{x: 1}", ["a"]).reason.startswith("invalid JSON")
    assert extract.parse("", ["a"]).reason == "empty answer"


def test_data_juicers_meta_for_a_parsed_answer_is_what_we_write():
    """process_single's meta (fixture) equals our parse of its scripted answer, key for key; without
    a meta_output_key the keys go to meta one by one."""
    for case in FIXTURE["extract"]["samples"]:
        keys = list(case["params"]["output_schema"])
        meta_key = case["params"].get("meta_output_key", "llm_extract")
        for row in case["rows"]:
            got = row["meta"][meta_key] if meta_key else {k: row["meta"][k] for k in keys}
            want = extract.parse(case["answer"], keys).values if row["messages"] else {k: None for k in keys}
            assert got == want, (case["name"], row)


def test_parameters_are_checked_with_the_way_out():
    with pytest.raises(OpError, match="input_keys is required"):
        bound({"output_schema": SCHEMA})
    with pytest.raises(OpError, match="output_schema is required"):
        bound({"input_keys": ["text"]})
    with pytest.raises(OpError, match="string instruction"):
        bound({"input_keys": ["text"], "output_schema": {"a": 1}})
    with pytest.raises(OpError, match="strategy must be one of"):
        bound({"input_keys": ["text"], "output_schema": SCHEMA, "strategy": "tree_of_thought"})
    with pytest.raises(OpError, match="sparkops llm serve"):
        bound({"input_keys": ["text"], "output_schema": SCHEMA, "is_hf_model": True})
    with pytest.raises(OpError, match="sparkops llm serve"):
        bound({"input_keys": ["text"], "output_schema": SCHEMA, "enable_vllm": True})
    # Data-Juicer's enum by value or by name
    assert bound({"input_keys": ["t"], "output_schema": SCHEMA, "strategy": "COT_SHOT"}).prepared["strategy"] == "cot_shot"


# -- Spark ----------------------------------------------------------------------------------------

def people_input(folder: Path) -> Path:
    path = folder / "people.jsonl"
    lines = [{"id": i, "text": f"record {i}", "bio": f"{n} was born in {y}."} for i, (n, y) in enumerate(PEOPLE)]
    # no value: not asked; '' is 'bio: ', asked
    lines += [{"id": 8, "text": "record 8", "bio": None}, {"id": 9, "text": "record 9", "bio": ""}]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


def write_job(folder: Path, src: Path, params: dict, extra: str = "") -> Path:
    spec = folder / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: extract
        input: {{format: jsonl, path: {src}, text_key: text}}
        output: {{path: {folder / 'out'}}}
        stages:
          - name: extracted
            process:
              - llm_extract_mapper: {json.dumps(params)}
    """) + extra, encoding="utf-8")
    return spec


def rows_of(spark, out: Path, stage: str):
    kept = [{"_dropped_by": None, **r.asDict(recursive=True)}
            for r in spark.read.format("delta").load(str(out / stage)).collect()]
    return kept + [r.asDict(recursive=True) for r in spark.read.format("delta").load(str(out / f"{stage}_rejected"))
                   .collect()]


@pytest.mark.spark
def test_job_with_a_misbehaving_endpoint_loses_nothing_and_records_why(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    def behave(body, n, headers):  # per prompt: JSON, fenced JSON, prose, a 500
        text = body["messages"][-1]["content"]
        i = next((k for k, (nm, _) in enumerate(PEOPLE) if nm in text), 8)
        person, fate = (PEOPLE[i] if i < 8 else ("?", 0)), i % 4
        if fate == 0:
            return 200, {}, answer_body(json.dumps({"name": person[0], "year": person[1], "extra": 1})), 0
        if fate == 1:
            return 200, {}, answer_body(f"Sure:\n```json\n{{\"name\": \"{person[0]}\"}}\n```"), 0
        if fate == 2:
            return 200, {}, answer_body("I cannot tell."), 0
        return 500, {}, b"boom", 0

    src = people_input(tmp_path)
    with FakeEndpoint(behave) as fake:
        params = {"api_or_hf_model": "fake", "input_keys": ["bio"], "output_schema": SCHEMA, "try_num": 2,
                  "max_retries": 0, "model_params": {"base_url": fake.base_url}}
        # a later op reads the extracted year where the other ops read meta values
        extra = ("  - name: checked\n    process:\n"
                 "      - specified_numeric_field_filter: {field_key: meta.llm_extract.year, min_value: 1800}\n")
        spec = load(write_job(tmp_path, src, params, extra))
        result = run(spark, spec, say=lambda m: None)
        rows = {json.loads(r["_record"])["id"]: r for r in rows_of(spark, tmp_path / "out", "extracted")}
        assert len(rows) == 10 == result.input_rows  # nothing lost
        checked = {json.loads(r["_record"])["id"]: r["_dropped_by"] for r in rows_of(spark, tmp_path / "out", "checked")}
        fates = set()
        for i, r in rows.items():
            st, meta = r["stats"], r["meta"]["llm_extract"]
            assert meta == st["llm_extract"] and set(meta) == {"name", "year"}
            values = json.loads(st["llm_extract_json"])
            assert {k: extract.shown(v) for k, v in values.items()} == meta
            if i == 8:  # no input value: all null without asking, as Data-Juicer
                assert st["llm_requests"] == 0 and st["llm_extract_raw"] is None and values == {"name": None,
                                                                                                "year": None}
                assert st["llm_extract_reason"].startswith("empty input")
                assert checked[i] == "specified_numeric_field_filter:not_numeric"
                continue
            name, year = PEOPLE[i] if i < 8 else ("?", 0)  # row 9 ('') is asked: 'bio: '
            if st["llm_extract_reason"] is None:  # parsed: the model's values, typed in the JSON
                assert st["llm_requests"] == 1 and values["name"] == name
                assert values["year"] in (year, None) and meta["year"] == (None if values["year"] is None else str(year))
                fates.add("fenced" if values["year"] is None else "json")
            else:  # unparsable or failed after try_num requests: all null, the reason and the raw answer kept
                assert values == {"name": None, "year": None} and st["llm_requests"] == 2
                why = st["llm_extract_reason"]
                assert why == "no JSON object in the answer" or why.startswith("endpoint: http_500"), why
                assert (st["llm_extract_raw"] == "I cannot tell.") == (why == "no JSON object in the answer")
                fates.add(why[:8])
            assert r["_dropped_by"] is None  # the mapper keeps every row
            # the next stage's filter read meta.llm_extract.year
            year_seen = meta["year"]
            want = ("specified_numeric_field_filter:not_numeric" if year_seen is None else
                    None if int(year_seen) >= 1800 else "specified_numeric_field_filter:out_of_range")
            assert checked[i] == want, (i, checked[i], meta)
        assert {"json", "fenced", "no JSON ", "endpoint"} <= fates, fates
        sent = len(fake.requests)
        assert spark_llm.SUMMARIES[-1]["requests_sent"] == sent
        run(spark, spec, fresh=True, say=lambda m: None)
        # answers came from the cache; only the failed requests are asked again
        failed = sum(r["stats"]["llm_requests"] for r in rows.values()
                     if (r["stats"]["llm_extract_reason"] or "").startswith("endpoint"))
        assert spark_llm.SUMMARIES[-1]["requests_sent"] == failed == len(fake.requests) - sent


@pytest.mark.spark
def test_per_key_meta_on_a_dataframe_beside_existing_meta(spark, tmp_path):
    from sparkops.spark.fusion import stage_pass

    answers = {n: json.dumps({"name": n.upper(), "year": [y, "AD"]}) for n, y in PEOPLE[:3]}

    def behave(body, n, headers):
        text = body["messages"][-1]["content"]
        return 200, {}, answer_body(next(a for k, a in answers.items() if k in text)), 0

    df = spark.createDataFrame([(n, f"{n} bio", {"name": "old", "lang": "en"}) for n, _ in PEOPLE[:3]],
                               "who string, text string, meta struct<name: string, lang: string>")
    with FakeEndpoint(behave) as fake:
        out = stage_pass(df, [{"llm_extract_mapper": {
            "api_or_hf_model": "fake", "input_keys": ["who"], "output_schema": SCHEMA, "meta_output_key": None,
            "knowledge_grounding_key": "text", "model_params": {"base_url": fake.base_url}}}]).collect()
        assert len(fake.requests) == 3
        assert all(m[1]["content"].startswith("# Background / grounding\n") for _, b in fake.requests
                   for m in [b["messages"]])
    for r in out:
        n = r.who
        y = dict(PEOPLE)[n]
        assert r._keep and r.meta.lang == "en" and r.meta.name == n.upper() and r.meta.year == f'[{y}, "AD"]'
        assert json.loads(r.stats.llm_extract_json) == {"name": n.upper(), "year": [y, "AD"]}


@pytest.mark.spark
def test_job_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    src = tmp_path / "two.jsonl"
    src.write_text("".join(json.dumps({"text": f"{n} was born in {y}."}) + "\n" for n, y in PEOPLE[:2]),
                   encoding="utf-8")
    params = {"api_or_hf_model": "SmolLM2-135M-Instruct", "input_keys": ["text"], "output_schema": SCHEMA,
              "try_num": 1, "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 64}}
    spec = load(write_job(tmp_path, src, params))
    run(spark, spec, say=lambda m: None)
    first = spark_llm.SUMMARIES[-1]
    rows = rows_of(spark, tmp_path / "out", "extracted")
    assert len(rows) == 2 and first["requests_sent"] == 2 and first["answers_cached"] == 0
    for r in rows:
        st = r["stats"]
        assert r["_dropped_by"] is None and st["llm_extract_raw"] and st["llm_prompt_tokens"] > 0
        # the model's values, or all null with the reason: as our parser (Data-Juicer's) reads the answer
        parsed = extract.parse(st["llm_extract_raw"], list(SCHEMA))
        assert json.loads(st["llm_extract_json"]) == parsed.values
        assert st["llm_extract_reason"] == parsed.reason
    run(spark, spec, fresh=True, say=lambda m: None)
    again = spark_llm.SUMMARIES[-1]
    assert again["requests_sent"] == 0 and again["answers_cached"] == 2
    assert sorted(r["stats"]["llm_extract_json"] for r in rows_of(spark, tmp_path / "out", "extracted")) == \
        sorted(r["stats"]["llm_extract_json"] for r in rows)
