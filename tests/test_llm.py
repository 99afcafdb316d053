"""LLM ops: the client (retries, timeouts, concurrency, rate limit, no key leaks) against a loopback
server that misbehaves on purpose; the Delta response cache and its spool; Data-Juicer's LLM
quality filter end to end through a job against the REAL local server (llama-cpp-python with
SmolLM2-135M-Instruct), re-run from the cache, and with a failing endpoint."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body, prompt_hash
from sparkops.core import OpError, get_op
from sparkops.llm.client import Client, endpoint_from
from sparkops.llm.keys import request_key
from sparkops.ops.llm import analysis

SECRET = "sk-test-0123456789abcdef-secret"
GOOD = ('{"dimension_scores": {"accuracy": 4, "grammar": 5, "informativeness": 3, "coherence": 4}, '
        '"flags": [], "rationale": "ok", "recommendation": "keep"}')


def ok(content=GOOD):
    return lambda body, n, headers: (200, {"Content-Type": "application/json"}, answer_body(content), 0)


# -- the client ------------------------------------------------------------------------------------

def test_endpoint_from_follows_data_juicer_and_the_openai_client():
    env = {"OPENAI_BASE_URL": "http://h:1/v1/", "OPENAI_API_KEY": SECRET}
    ep = endpoint_from("m", None, {}, env=env)
    assert ep.url == "http://h:1/v1/chat/completions" and ep.api_key == SECRET and ep.model == "m"
    assert endpoint_from("m", "/completions", {"base_url": "http://x/v2"}, env=env).url == "http://x/v2/completions"
    assert endpoint_from("m", "http://y/chat", {}, env=env).url == "http://y/chat"
    assert endpoint_from("m", None, {}, env={}).url == "https://api.openai.com/v1/chat/completions"
    assert endpoint_from("m", None, {"timeout": 5, "max_retries": 1}, env={}).timeout == 5.0
    assert SECRET not in repr(ep) and SECRET not in repr(Client(ep))


def test_5xx_is_retried_then_answers_with_usage():
    def behave(body, n, headers):
        return (500, {}, b"overloaded", 0) if n <= 2 else ok()(body, n, headers)

    with FakeEndpoint(behave) as fake:
        ep = endpoint_from("m", None, {"base_url": fake.base_url}, max_retries=3, env={})
        a = Client(ep).chat([{"role": "user", "content": "hi"}], {"temperature": 0})
    assert a.error is None and a.content == GOOD and a.attempts == 3
    assert (a.prompt_tokens, a.completion_tokens, a.finish_reason) == (11, 7, "stop")
    assert fake.requests[-1][1] == {"messages": [{"role": "user", "content": "hi"}], "model": "m", "temperature": 0}


def test_429_waits_as_retry_after_says():
    def behave(body, n, headers):
        return (429, {"Retry-After": "1"}, b"slow down", 0) if n == 1 else ok()(body, n, headers)

    with FakeEndpoint(behave) as fake:
        ep = endpoint_from("m", None, {"base_url": fake.base_url}, env={})
        t0 = time.monotonic()
        a = Client(ep).chat([{"role": "user", "content": "hi"}])
    assert a.content == GOOD and a.attempts == 2 and time.monotonic() - t0 >= 1.0


def test_timeouts_garbage_and_4xx_become_reasons():
    def behave(body, n, headers):
        what = body["messages"][0]["content"]
        if what == "slow":
            return 200, {}, answer_body("late"), 2.0
        if what == "garbage":
            return 200, {}, b"<html>not json</html>", 0
        return 400, {}, b'{"error": "bad request"}', 0

    with FakeEndpoint(behave) as fake:
        ep = endpoint_from("m", None, {"base_url": fake.base_url}, timeout=0.3, max_retries=1, env={})
        client = Client(ep)
        slow, garbage, bad = (client.chat([{"role": "user", "content": c}]) for c in ("slow", "garbage", "bad"))
    assert slow.content is None and slow.error.startswith("timeout") and slow.attempts == 2
    assert garbage.content is None and garbage.error.startswith("bad_response") and garbage.attempts == 1
    assert bad.error.startswith("http_400") and bad.attempts == 1  # a client error is not retried


def test_concurrency_is_capped_per_process_and_answers_keep_their_order():
    def behave(body, n, headers):
        return 200, {}, answer_body(body["messages"][0]["content"].upper()), 0.15

    with FakeEndpoint(behave) as fake:
        ep = endpoint_from("m", None, {"base_url": fake.base_url}, concurrency=3, env={})
        texts = [f"q{i}" for i in range(12)]
        answers = Client(ep).chat_many([([{"role": "user", "content": t}], None) for t in texts])
    assert [a.content for a in answers] == [t.upper() for t in texts]
    assert fake.max_in_flight == 3


def test_rate_limit_spaces_request_starts():
    with FakeEndpoint(ok()) as fake:
        ep = endpoint_from("m", None, {"base_url": fake.base_url}, concurrency=4, rate_limit=10, env={})
        t0 = time.monotonic()
        Client(ep).chat_many([([{"role": "user", "content": str(i)}], None) for i in range(6)])
    assert time.monotonic() - t0 >= 0.45  # 6 starts at 10/s: the last one 0.5 s after the first


def test_the_api_key_is_sent_but_never_reported():
    def behave(body, n, headers):  # a server that echoes the Authorization header in its error
        return 500, {}, f"denied for {headers.get('Authorization')}".encode(), 0

    with FakeEndpoint(behave) as fake:
        ep = endpoint_from("m", None, {"base_url": fake.base_url}, max_retries=0, env={"OPENAI_API_KEY": SECRET})
        a = Client(ep).chat([{"role": "user", "content": "hi"}])
    assert fake.requests[0][0]["Authorization"] == f"Bearer {SECRET}"
    assert a.error.startswith("http_500") and SECRET not in a.error and "***" in a.error


# -- the pure halves -------------------------------------------------------------------------------

def test_cache_keys_cover_model_messages_sampling_and_retry():
    m = [{"role": "user", "content": "hi"}]
    k = request_key("a", m, {"temperature": 0})
    assert k == request_key("a", m, {"temperature": 0}) and len(k) == 64
    assert len({k, request_key("b", m, {"temperature": 0}), request_key("a", m, {"temperature": 1}),
                request_key("a", [{"role": "user", "content": "ho"}], {"temperature": 0}),
                request_key("a", m, {"temperature": 0}, attempt=1)}) == 5


def test_parse_scores_like_data_juicer_and_says_why_not():
    p = get_op("llm_quality_score_filter").bind().prepared
    good = analysis.parse(f"Sure!\njson\n{GOOD}\nthanks", p)
    assert good.reason is None and good.score == pytest.approx((4 + 5 + 3 + 4) / 4 / 5)
    assert json.loads(good.record)["recommendation"] == ["keep"]
    for raw, why in ((None, "empty"), ("   ", "empty"), ("no braces here", "no JSON"), ("{not: json}", "invalid JSON"),
                     ('{"dimension_scores": {"accuracy": 4}}', "KeyError"),
                     ('{"dimension_scores": {"accuracy": "4", "grammar": 1, "informativeness": 1, "coherence": 1}}',
                      "TypeError")):
        out = analysis.parse(raw, p)
        assert out.score == 0.0 and out.record is None and why in out.reason, (raw, out)
    empty_dims = analysis.parse('{"rationale": "x"}', p)  # parsed, but Data-Juicer scores it 0
    assert empty_dims.score == 0.0 and empty_dims.record is not None and empty_dims.reason


def test_prompt_is_data_juicers():
    p = get_op("llm_difficulty_score_filter").bind({"input_keys": ["q", "a"], "field_names": ["Q", "A"]}).prepared
    msgs = analysis.messages({"q": "Why?", "a": "Because.", "other": 1}, p)
    assert msgs[0]["content"].startswith("\nYou are an expert pedagogical evaluator")
    assert msgs[1]["content"] == "# Data\n'''\n**Q**\nWhy?\n\n**A**\nBecause.\n'''\n\n# Response\njson\n"


def test_hf_and_vllm_models_are_refused_with_the_way_out():
    from sparkops.core import OpError

    with pytest.raises(OpError, match="sparkops llm serve"):
        get_op("llm_quality_score_filter").bind({"is_hf_model": True})
    with pytest.raises(OpError, match="model_params"):
        get_op("llm_quality_score_filter").bind({"model_params": "x"})


# -- Spark: cache, spool, jobs ---------------------------------------------------------------------

def alpaca_input(shared_data, folder: Path, n: int = 20) -> Path:
    records = json.loads((shared_data / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))[:n]
    path = folder / "alpaca.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def job(folder: Path, input_path: Path, op_params: dict):
    from sparkops.jobs.spec import load

    spec = folder / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: llm_quality
        input: {{format: jsonl, path: {input_path}, text_key: instruction}}
        output: {{path: {folder / 'out'}}}
        stages:
          - name: scored
            process:
              - llm_quality_score_filter: {json.dumps(op_params)}
    """), encoding="utf-8")
    return load(spec)


def tables(spark, out: Path, stage: str = "scored"):
    """Every row of a stage, kept and rejected, as dicts (a kept row's ``_dropped_by`` is None)."""
    kept = spark.read.format("delta").load(str(out / stage)).collect()
    rejected = spark.read.format("delta").load(str(out / f"{stage}_rejected")).collect()
    return [{"_dropped_by": None, **r.asDict()} for r in kept] + [r.asDict() for r in rejected]


@pytest.mark.spark
def test_spooled_answers_of_a_killed_run_are_merged_torn_line_and_all(spark, tmp_path):
    from sparkops.spark.llm import CACHE_COLUMNS, merge_spool

    cache = tmp_path / "_llm_cache"
    run_dir = cache / "_spool" / "run1"
    run_dir.mkdir(parents=True)
    lines = [json.dumps({"_llm_key": f"k{i}", "model": "m", "request": "{}", "content": f"a{i}",
                         "finish_reason": "stop", "prompt_tokens": 3, "completion_tokens": 2, "error": None,
                         "created": 1.0}) for i in range(3)]
    (run_dir / "t1.jsonl").write_text("\n".join(lines) + "\n" + lines[0][:40])  # killed mid-line
    assert merge_spool(spark, str(cache)) == 3
    table = spark.read.format("delta").load(str(cache))
    assert sorted(r.content for r in table.collect()) == ["a0", "a1", "a2"] and tuple(table.columns) == CACHE_COLUMNS
    assert not list((cache / "_spool").rglob("*.jsonl"))  # merged files are gone
    (run_dir.parent / "run2").mkdir()
    (run_dir.parent / "run2" / "t.jsonl").write_text(lines[1] + "\n")  # already cached: not added twice
    assert merge_spool(spark, str(cache)) == 0 and spark.read.format("delta").load(str(cache)).count() == 3


@pytest.mark.spark
def test_a_failing_endpoint_loses_no_row_and_says_why(spark, tmp_path, shared_data, monkeypatch):
    from sparkops.jobs.runner import run
    from sparkops.spark import llm as spark_llm

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)

    def behave(body, n, headers):  # per prompt: a good answer, a 500, garbage, or too slow
        fate = prompt_hash(body) % 4
        if fate == 0:
            return ok()(body, n, headers)
        if fate == 1:
            return 500, {}, f"boom {headers.get('Authorization')}".encode(), 0
        if fate == 2:
            return 200, {}, b"\x00garbage", 0
        return 200, {}, answer_body(GOOD), 1.0

    src = alpaca_input(shared_data, tmp_path)
    with FakeEndpoint(behave) as fake:
        params = {"api_or_hf_model": "fake", "model_params": {"base_url": fake.base_url}, "timeout": 0.3,
                  "max_retries": 1, "try_num": 2}
        messages = []
        result = run(spark, job(tmp_path, src, params), say=messages.append)
        rows = tables(spark, tmp_path / "out")
        assert len(rows) == 20 == result.input_rows  # nothing lost
        reasons = {r["_dropped_by"].split(": ", 2)[-1].split(":")[0] if r["_dropped_by"] else None for r in rows}
        assert reasons <= {None, "http_500", "bad_response", "timeout"} and len(reasons) >= 3, reasons
        for r in rows:
            st = r["stats"]
            if r["_dropped_by"]:  # every failed row says why, score 0 as Data-Juicer, asked again next time
                assert r["_dropped_by"].startswith("error:llm_quality_score_filter: endpoint: ")
                assert st.llm_quality_score == 0.0 and st.llm_quality_reason.startswith("endpoint: ")
                assert st.llm_requests == 2  # asked again once (try_num), as Data-Juicer does
            else:
                assert st.llm_quality_score == pytest.approx(0.8) and st.llm_prompt_tokens == 11
        good = sum(1 for r in rows if not r["_dropped_by"])
        sent_before = len(fake.requests)
        run(spark, job(tmp_path, src, params), fresh=True, say=messages.append)
        summary = spark_llm.SUMMARIES[-1]
        assert summary["answers_cached"] == good and summary["requests_sent"] == 2 * (20 - good)
        assert len(fake.requests) > sent_before  # the failed rows were asked again
    # the key went in the headers, and nowhere else: not in tables, cache, summaries, messages
    everything = [str(r) for r in rows] + messages + [json.dumps(spark_llm.SUMMARIES)]
    everything += [p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file()
                   and p.suffix in (".json", ".jsonl", ".crc", "")]
    everything += [str(r.asDict()) for r in spark.read.format("delta").load(str(tmp_path / "out" / "_llm_cache")).collect()]
    assert not [t for t in everything if SECRET in t]


@pytest.mark.spark
def test_quality_filter_job_against_the_real_local_model_then_from_the_cache(spark, tmp_path, shared_data,
                                                                             llm_server):
    from sparkops.jobs.runner import run
    from sparkops.spark import llm as spark_llm

    src = alpaca_input(shared_data, tmp_path, n=8)  # ~600 prompt tokens each: the suite's time
    params = {"api_or_hf_model": "SmolLM2-135M-Instruct", "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 96}, "input_keys": ["instruction", "output"],
              "field_names": ["Instruction", "Response"], "try_num": 1, "concurrency": 2}
    spec = job(tmp_path, src, params)
    first = run(spark, spec, say=lambda m: None)
    s1 = spark_llm.SUMMARIES[-1]
    rows = {r["_line"]: r for r in tables(spark, tmp_path / "out")}
    assert len(rows) == 8 == first.input_rows
    assert s1["requests_sent"] == sum(r["stats"].llm_requests for r in rows.values()) >= 8
    assert s1["answers_cached"] == 0
    for r in rows.values():
        st, dropped = r["stats"], r["_dropped_by"]
        assert st.llm_quality_raw is not None and st.llm_prompt_tokens > 0 and st.llm_cached is False
        if st.llm_quality_reason is None:  # parsed: the score is Data-Juicer's mean / 5 of the answer
            dims = json.loads(st.llm_quality_record)["dimension_scores"]
            assert st.llm_quality_score == pytest.approx(sum(dims[k] for k in analysis.prompts.QUALITY_DIMENSIONS)
                                                         / 4 / 5)
            assert dropped in (None, "llm_quality_score_filter")
            assert (dropped is None) == (0.5 <= st.llm_quality_score <= 1.0)
        else:  # score 0 as in Data-Juicer, the raw answer and the reason kept, dropped by the filter
            assert st.llm_quality_score == 0.0 and dropped == "llm_quality_score_filter"
            # unparsable: asked try_num times; parsed without dimension_scores: Data-Juicer stops there
            assert st.llm_requests == (1 if st.llm_quality_record else params["try_num"])
    cache = tmp_path / "out" / "_llm_cache"
    assert spark.read.format("delta").load(str(cache)).count() == s1["requests_sent"]

    again = run(spark, spec, fresh=True, say=lambda m: None)
    s2 = spark_llm.SUMMARIES[-1]
    assert not any(s.reused for s in again.stages)
    assert s2["requests_sent"] == 0 and s2["answers_cached"] == s1["requests_sent"]
    assert (s2["prompt_tokens"], s2["completion_tokens"]) == (s1["prompt_tokens"], s1["completion_tokens"])
    for r in tables(spark, tmp_path / "out"):
        before = rows[r["_line"]]
        assert r["stats"].llm_cached is True and r["_dropped_by"] == before["_dropped_by"]
        assert (r["stats"].llm_quality_score, r["stats"].llm_quality_raw) == (before["stats"].llm_quality_score,
                                                                              before["stats"].llm_quality_raw)


OPS_NOT_IN_A_SHIPPED_JOB = ("optimize_qa_mapper", "optimize_response_mapper", "calibrate_qa_mapper",
                            "calibrate_query_mapper", "llm_difficulty_score_filter", "llm_analysis_filter")


@pytest.mark.spark
def test_every_other_llm_op_runs_against_the_real_local_model_then_from_the_cache(spark, tmp_path, shared_data,
                                                                                 llm_server):
    """The LLM ops no shipped job and no other real-model test runs, one stage each through
    `sparkops run`, on one record: each asks the model once; a --fresh re-run asks nothing."""
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    src = alpaca_input(shared_data, tmp_path, n=1)
    common = {"model_params": {"base_url": llm_server.base_url}, "try_num": 1,
              "sampling_params": {"temperature": 0, "max_tokens": 32}}
    pair = {"query_key": "instruction", "response_key": "output"}
    scored = {"input_keys": ["instruction", "output"], "field_names": ["Instruction", "Response"], "min_score": 0.0}
    model = {"api_or_hf_model": "SmolLM2-135M-Instruct"}
    params = {"optimize_qa_mapper": {**model, **pair}, "optimize_response_mapper": {**model, **pair},
              "calibrate_qa_mapper": {"api_model": "SmolLM2-135M-Instruct", **pair},
              "calibrate_query_mapper": {"api_model": "SmolLM2-135M-Instruct", **pair},
              "llm_difficulty_score_filter": {**model, **scored}, "llm_analysis_filter": {**model, **scored}}
    assert set(params) == set(OPS_NOT_IN_A_SHIPPED_JOB)
    stages = "".join(f"""
          - name: {name}
            process:
              - {name}: {json.dumps({**common, **params[name]})}""" for name in OPS_NOT_IN_A_SHIPPED_JOB)
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: every_llm_op
        input: {{format: jsonl, path: {src}, text_key: instruction}}
        output: {{path: {tmp_path / 'out'}}}
        stages:""") + textwrap.indent(textwrap.dedent(stages), "  "), encoding="utf-8")
    run(spark, load(spec), say=lambda m: None)
    first = {s["op"]: s for s in spark_llm.SUMMARIES[-len(OPS_NOT_IN_A_SHIPPED_JOB):]}
    assert set(first) == set(OPS_NOT_IN_A_SHIPPED_JOB)
    records = {}
    for name in OPS_NOT_IN_A_SHIPPED_JOB:
        (row,) = tables(spark, tmp_path / "out", name)
        assert row["stats"].llm_requests == 1 and row["stats"].llm_cached is False, name
        assert first[name]["requests_sent"] == 1 and first[name]["completion_tokens"] > 0, name
        records[name] = row["_record"]
    run(spark, load(spec), fresh=True, say=lambda m: None)
    again = spark_llm.SUMMARIES[-len(OPS_NOT_IN_A_SHIPPED_JOB):]
    assert [s["requests_sent"] for s in again] == [0] * len(OPS_NOT_IN_A_SHIPPED_JOB)
    for name in OPS_NOT_IN_A_SHIPPED_JOB:
        (row,) = tables(spark, tmp_path / "out", name)
        assert row["stats"].llm_cached is True and row["_record"] == records[name], name


def test_parse_and_prompts_match_data_juicer_answer_by_answer():
    """Against tests/fixtures/dj_llm_parse.json, written by Data-Juicer 1.6.1 (tests/llm_corpus.py)."""
    fixture = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_parse.json").read_text(encoding="utf-8"))
    for name, rows in fixture["parse"].items():
        p = get_op(name).bind().prepared
        for row in rows:
            ours = analysis.parse(row["raw"], p)
            if row["raises"] or not row["record"]:  # unparsed there (a raise is caught by its retry loop)
                assert ours.record is None and ours.score == 0.0 and ours.reason, (name, row)
            else:
                assert (ours.score, ours.record, ours.tags) == (pytest.approx(row["score"]), row["record"],
                                                                row["tags"]), (name, row)
    for case in fixture["build_input"]:
        p = get_op("llm_quality_score_filter").bind({"input_keys": case["keys"], "field_names": case["names"]}).prepared
        assert analysis.build_input(case["sample"], p) == case["input"]


@pytest.mark.spark
def test_answers_survive_a_killed_job(spark, tmp_path, shared_data):
    """SIGKILL a job mid-step (driver, JVM, workers): the answers its tasks spooled are merged into
    the cache by the next run, which asks only for the rest."""
    import os
    import signal
    import subprocess
    import sys

    from sparkops.jobs.runner import run
    from sparkops.spark import llm as spark_llm

    src = alpaca_input(shared_data, tmp_path)
    with FakeEndpoint(lambda body, n, headers: (200, {}, answer_body(GOOD), 0.4)) as fake:
        params = {"api_or_hf_model": "fake", "model_params": {"base_url": fake.base_url}, "concurrency": 1,
                  "num_partitions": 1, "try_num": 1}
        spec = job(tmp_path, src, params)
        env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "SPARKOPS_MASTER": "local[2]"}
        proc = subprocess.Popen([sys.executable, "-m", "sparkops.cli", "run", str(spec.source)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        spool = tmp_path / "out" / "_llm_cache" / "_spool"
        deadline = time.monotonic() + 300
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                lines = sum(f.read_text().count("\n") for f in spool.rglob("*.jsonl")) if spool.is_dir() else 0
                if lines >= 5:
                    break
                time.sleep(0.1)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL and lines >= 5
        asked_before = len(fake.requests)
        assert asked_before < 20  # killed mid-step

        result = run(spark, spec, say=lambda m: None)
        summary = spark_llm.SUMMARIES[-1]
        rows = tables(spark, tmp_path / "out")
        assert len(rows) == 20 == result.input_rows and all(r["_dropped_by"] is None for r in rows)
        assert summary["answers_cached"] >= lines and summary["requests_sent"] == 20 - summary["answers_cached"]
        assert len(fake.requests) - asked_before == summary["requests_sent"]
        assert sum(r["stats"].llm_cached for r in rows) == summary["answers_cached"]


def test_optimize_mappers_parse_and_prompt_as_data_juicer():
    """Against the fixture Data-Juicer 1.6.1 wrote (tests/llm_corpus.py)."""
    from sparkops.ops.llm import optimize

    fixture = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_parse.json").read_text(encoding="utf-8"))
    for name, case in fixture["optimize"].items():
        p = get_op(name).bind().prepared
        for row in case["parse"]:
            ours = optimize.parse(row["raw"], p)
            if row["raises"]:  # its retry loop catches it: nothing parsed
                assert ours == (None, None), (name, row)
            else:
                assert list(ours) == row["parsed"], (name, row)
        for sample, text in case["build_input"]:
            assert optimize.messages(sample["query"], sample["response"], p)[1]["content"] == text


def test_calibrate_mappers_parse_and_prompt_as_data_juicer():
    """Against the fixture Data-Juicer 1.6.1 wrote (tests/llm_corpus.py): no DOTALL in the pair's
    pattern, calibrate_response_mapper's last group of a custom pattern, the prompts."""
    from sparkops.ops.llm import calibrate

    fixture = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_parse.json").read_text(encoding="utf-8"))
    for name, cases in fixture["calibrate"].items():
        for case in cases:
            try:
                p = get_op(name).bind({"output_pattern": case["output_pattern"]}).prepared
            except OpError:  # a one-group pattern for the pair: refused at bind, Data-Juicer fails per row
                assert name == "calibrate_qa_mapper" and case["output_pattern"].count("(") - \
                    case["output_pattern"].count("(?:") < 2
                continue
            assert p["system_prompt"] == case["system_prompt"]
            for row in case["parse"]:
                ours = calibrate.parse(row["raw"], p)
                expected = (None, None) if row["raises"] else tuple(row["parsed"])
                assert ours == expected, (name, case["output_pattern"], row)
            for sample, text in case["build_input"]:
                got = calibrate.messages(sample["text"], sample["query"], sample["response"], p)
                assert got[1]["content"] == text and got[0]["content"] == case["system_prompt"]


def test_pair_preference_mapper_parses_and_prompts_as_data_juicer():
    from sparkops.ops.llm import preference

    fixture = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_parse.json").read_text(encoding="utf-8"))
    for case in fixture["preference"]:
        p = get_op("pair_preference_mapper").bind({"input_template": case["input_template"]}).prepared
        assert p["system_prompt"] == case["system_prompt"]
        for row in case["parse"]:
            ours = preference.parse(row["raw"], p)
            assert ours == (None if row["raises"] else tuple(row["parsed"])), row
            fields, done = preference.answer(row["raw"], p)
            if ours is not None:  # both fields written, asked again unless both are non-empty
                assert fields == {"rejected_response": ours[0], "reason": ours[1]} and done == all(ours)
        for sample, text in case["build_input"]:
            fields = {k: v for k, v in sample.items() if k != "text" or v}
            got = preference.request({**fields, "text": sample["text"]}, p)
            assert got[1]["content"] == text
    with pytest.raises(OpError, match="must contain {query} and {response}"):
        get_op("pair_preference_mapper").bind({"input_template": "{query} {chosen}"})
    with pytest.raises(OpError, match="must differ"):
        get_op("pair_preference_mapper").bind({"rejected_key": "x", "reason_key": "x"})


@pytest.mark.spark
def test_pair_preference_and_calibrate_write_the_record(spark, tmp_path, shared_data):
    """A job: calibrate_qa_mapper, then pair_preference_mapper, against an endpoint that answers
    some rows in the expected markup, some in prose and fails others with 500s: every row comes
    out; parsed rows carry the new fields, the others Data-Juicer's values and the reason."""
    from sparkops.jobs.spec import load
    from sparkops.jobs.runner import run

    def behave(body, n, headers):
        system = body["messages"][0]["content"]
        h = prompt_hash(body)
        if h % 5 == 0:
            return 500, {}, b"overloaded", 0
        if "校准" in system:  # calibrate: a one-line pair, or prose
            text = f"【问题】 CQ{h % 997}? 【回答】 CA{h % 997}." if h % 2 else "Sure, here is a better pair."
        else:
            text = f"【回答】\nR{h % 991}\n【原因】\nopposite" if h % 3 else "no markers"
        return 200, {}, answer_body(text), 0

    src = alpaca_input(shared_data, tmp_path)
    llm = {"api_model": "fake", "query_key": "instruction", "response_key": "output", "try_num": 2,
           "model_params": {"base_url": None, "max_retries": 0}}
    with FakeEndpoint(behave) as fake:
        llm["model_params"]["base_url"] = fake.base_url
        spec = tmp_path / "job.yaml"
        spec.write_text(textwrap.dedent(f"""
            name: prefs
            input: {{format: jsonl, path: {src}, text_key: input}}
            output: {{path: {tmp_path / 'out'}}}
            stages:
              - name: calibrated
                process:
                  - calibrate_qa_mapper: {json.dumps(llm)}
              - name: paired
                process:
                  - pair_preference_mapper: {json.dumps(llm)}
        """), encoding="utf-8")
        run(spark, load(spec), say=lambda m: None)
    calibrated = {r["_line"]: r for r in tables(spark, tmp_path / "out", "calibrated")}
    paired = tables(spark, tmp_path / "out", "paired")
    assert len(paired) == len(calibrated) == 20 and all(r["_dropped_by"] is None for r in paired)
    seen = set()
    for r in paired:
        record, st = json.loads(r["_record"]), r["stats"]
        before = json.loads(calibrated[r["_line"]]["_record"])
        assert {k: v for k, v in record.items() if k not in ("rejected_response", "reason")} == before
        if st.llm_preference_reason is None:
            seen.add("parsed")
            assert record["rejected_response"].startswith("R") and record["reason"] == "opposite"
        elif st.llm_preference_reason.startswith("endpoint"):
            seen.add("failed")  # every request failed: Data-Juicer's initial values
            assert record["rejected_response"] == record["reason"] == "" and st.llm_preference_raw is None
        else:
            seen.add("unparsed")
            assert st.llm_preference_reason == "unparsable answer" and st.llm_requests == 2
            assert record["rejected_response"] == record["reason"] == "" and st.llm_preference_raw == "no markers"
        cst = calibrated[r["_line"]]["stats"]
        if cst.llm_calibrate_reason is None:
            assert before["instruction"].startswith("CQ") and before["output"].startswith("CA")
    assert seen == {"parsed", "failed", "unparsed"}


@pytest.mark.spark
def test_optimize_qa_mapper_rewrites_the_record_and_the_text(spark, tmp_path, shared_data):
    from sparkops.jobs.spec import load
    from sparkops.jobs.runner import export, run
    from sparkops.spark import llm as spark_llm

    def behave(body, n, headers):  # half the pairs get a rewrite in the expected format, half prose
        h = prompt_hash(body)
        text = f"好的\n【问题】\nQ{h % 1000}?\n【回答】\nA{h % 1000}." if h % 2 else "I would rather not."
        return 200, {}, answer_body(text), 0

    src = alpaca_input(shared_data, tmp_path)
    with FakeEndpoint(behave) as fake:
        spec = tmp_path / "job.yaml"
        spec.write_text(textwrap.dedent(f"""
            name: optimize
            input: {{format: jsonl, path: {src}, text_key: instruction}}
            output: {{path: {tmp_path / 'out'}}}
            stages:
              - name: rewritten
                process:
                  - optimize_qa_mapper: {json.dumps({"api_or_hf_model": "fake", "query_key": "instruction",
                                                      "response_key": "output", "try_num": 2,
                                                      "model_params": {"base_url": fake.base_url}})}
        """), encoding="utf-8")
        result = run(spark, load(spec), say=lambda m: None)
        export(spark.read.format("delta").load(str(tmp_path / "out" / "rewritten")), str(tmp_path / "export.jsonl"),
               "instruction")  # the job's export: the record, its text field from the text column
        rows = tables(spark, tmp_path / "out", "rewritten")
        assert len(rows) == 20 == result.input_rows and all(r["_dropped_by"] is None for r in rows)
        originals = {json.dumps(r, sort_keys=True): r for r in
                     json.loads((shared_data / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))[:20]}
        exported = [json.loads(line) for line in (tmp_path / "export.jsonl").read_text(encoding="utf-8").splitlines()]
        changed = 0
        for r, out in zip(sorted(rows, key=lambda r: r["_line"]), exported):
            # the text key's value is the text column, which the rewrite of `instruction` followed;
            # the record holds it null as read, or the current text where the op rewrote it (never
            # a stale copy); the export puts the text column's value back in the record
            assert json.loads(r["_record"])["instruction"] in (None, r["text"])
            record, st = {**json.loads(r["_record"]), "instruction": r["text"]}, r["stats"]
            assert out == record
            if st.llm_optimize_reason is None:
                changed += 1
                assert record["instruction"].startswith("Q") and record["output"].startswith("A")
                assert st.llm_requests == 1
            else:  # no rewrite after try_num answers: the record as it came
                assert st.llm_optimize_reason == "unparsable answer" and st.llm_requests == 2
                assert json.dumps(record, sort_keys=True) in originals
        assert 0 < changed < 20
        asked = len(fake.requests)
        run(spark, load(spec), fresh=True, say=lambda m: None)
        assert len(fake.requests) == asked and spark_llm.SUMMARIES[-1]["requests_sent"] == 0
        again = tables(spark, tmp_path / "out", "rewritten")
        assert sorted(r["_record"] for r in again) == sorted(r["_record"] for r in rows)


@pytest.mark.spark
def test_llm_stats_survive_a_stage_with_other_ops(spark, tmp_path, shared_data):
    from sparkops.jobs.spec import load
    from sparkops.jobs.runner import run

    src = alpaca_input(shared_data, tmp_path)
    with FakeEndpoint(ok()) as fake:
        spec = tmp_path / "job.yaml"
        spec.write_text(textwrap.dedent(f"""
            name: multi
            input: {{format: jsonl, path: {src}, text_key: instruction}}
            output: {{path: {tmp_path / 'out'}}}
            stages:
              - name: s
                process:
                  - text_length_filter: {{min_len: 30}}
                  - llm_quality_score_filter: {json.dumps({"api_or_hf_model": "fake",
                                                           "model_params": {"base_url": fake.base_url}})}
                  - whitespace_normalization_mapper:
        """), encoding="utf-8")
        run(spark, load(spec), say=lambda m: None)
    rows = tables(spark, tmp_path / "out", "s")
    assert len(rows) == 20
    asked = [r for r in rows if r["_dropped_by"] != "text_length_filter"]
    assert asked and all(r["stats"].llm_quality_score == pytest.approx(0.8) for r in asked)


def test_llm_serve_answers_then_stops_cleanly_on_sigterm():
    from llm_server import serve_answer_and_stop

    from sparkops.llm import server

    why = server.available()
    if why:
        pytest.skip(f"needs the local LLM server: {why}")
    serve_answer_and_stop(["--n-ctx", "512"])
