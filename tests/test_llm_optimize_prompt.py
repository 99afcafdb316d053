"""optimize_prompt_mapper: prompt, parser and chain against what Data-Juicer 1.6.1 itself does
(tests/fixtures/dj_llm_extract.json, written by tests/llm_extract_corpus.py); the Spark rounds
against a loopback endpoint (batches in the data's order, the chain per batch, failures as
rejected rows, keep_original_sample both ways); one tiny job against the REAL local model,
re-run from the cache."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import optimize_prompt as kernel

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_extract.json").read_text(encoding="utf-8"))
OP = "optimize_prompt_mapper"


def prepared(params: dict | None = None) -> dict:
    return get_op(OP).bind({"api_or_hf_model": "m", **(params or {})}).prepared


# -- the pure halves, against Data-Juicer ----------------------------------------------------------


def write_job(tmp_path: Path, src: Path, params: dict) -> Path:
    """A one-stage job (`optimized`) running optimize_prompt_mapper with ``params`` over ``src``."""
    spec = tmp_path / "job.yaml"
    spec.write_text(textwrap.dedent(f"""
        name: prompts
        input: {{format: jsonl, path: {src}, text_key: prompt}}
        output: {{path: {tmp_path / 'out'}}}
        stages:
          - name: optimized
            process:
              - optimize_prompt_mapper: {json.dumps(params, ensure_ascii=False)}
    """), encoding="utf-8")
    return spec

def test_defaults_prompt_and_parser_are_data_juicers():
    dj = FIXTURE["optimize"]
    assert prepared()["batch_size"] == dj["batch_size"] == 10 and prepared()["prompt_key"] == dj["prompt_key"]
    for case in dj["build_input"]:
        assert kernel.build_input(case["examples"], prepared(case["templates"])) == case["input"], case
    for case in dj["parse"]:
        ours = kernel.parse(case["raw"], prepared({"output_pattern": case["output_pattern"]}))
        # a None answer raises there (its API model gives '' instead): nothing parsed either way
        assert ours == case.get("parsed", ""), case


def test_the_chain_is_data_juicers():
    """Given the examples Data-Juicer's random.sample picked and its model's answers, our kernels
    ask the same questions in the same order and make the same rows."""
    for case in FIXTURE["optimize"]["chains"]:
        p = prepared({k: case[k] for k in ("keep_original_sample", "gen_num", "max_example_num", "retry_num")})
        examples, answers, sent, new = list(case["picked"]), iter(case["answers"]), [], []
        for _ in range(p["gen_num"]):
            for _ in range(kernel.attempts(p)):
                sent.append(kernel.messages(examples, p))
                got = kernel.parse(next(answers), p)
                if got:
                    break
            if got:
                new.append(got)
            examples = kernel.advance(examples, got, p)
        assert sent == case["messages"]
        batch, out = case["batch"], case["output"]
        originals = batch["prompt"] if case["keep_original_sample"] else []
        assert out["prompt"] == originals + new
        # the new rows copy the batch's first row
        assert out["id"] == (batch["id"] if case["keep_original_sample"] else []) + [batch["id"][0]] * len(new)


def test_examples_are_seeded_per_batch():
    p = prepared({"max_example_num": 3})
    prompts = [f"p{i}" for i in range(10)]
    first = kernel.pick(prompts, p, 0)
    assert first == kernel.pick(prompts, p, 0) and len(set(first)) == 3 and set(first) <= set(prompts)
    assert len({tuple(kernel.pick(prompts, p, b)) for b in range(6)}) > 1
    assert kernel.pick(["a"], p, 0) == ["a"]
    assert kernel.advance(["a", "b", "c"], "d", p) == ["b", "c", "d"] and kernel.advance(["a"], "", p) == ["a"]


def test_parameters_are_checked():
    with pytest.raises(OpError, match="one group"):
        prepared({"output_pattern": "(a)(b)"})
    with pytest.raises(OpError, match="not a regular expression"):
        prepared({"output_pattern": "(a"})
    with pytest.raises(OpError, match="one '\\{\\}' each"):
        prepared({"example_template": "{} and {}"})
    with pytest.raises(OpError, match="sparkops llm serve"):
        prepared({"is_hf_model": True})
    with pytest.raises(OpError, match="unknown parameter 'try_num'"):
        prepared({"try_num": 2})


# -- Spark ----------------------------------------------------------------------------------------

def answer_for(content: str) -> tuple[int, str | None]:
    """The loopback model: a new prompt, except for the prompts of batch 1 (prose: nothing parses)
    and batch 2 (a 500)."""
    if "b1-" in content:
        return 200, "I have no idea."
    if "b2-" in content:
        return 500, None
    return 200, f"好的。\n【提示词】 new-{hashlib.sha256(content.encode()).hexdigest()[:6]} \n"


def behave(body, n, headers):
    status, text = answer_for(body["messages"][-1]["content"])
    return (status, {}, answer_body(text), 0) if status == 200 else (status, {}, b"boom", 0)


def expected(prompts: list[str | None], p: dict):
    """Per batch, the rounds our kernels make with the loopback model: (round, new prompt or None,
    requests) and every question asked."""
    out, asked = {}, []
    size = p["batch_size"]
    for b in range(0, len(prompts), size):
        texts = [t for t in prompts[b:b + size] if isinstance(t, str)]
        if not texts:
            continue
        examples, rounds = kernel.pick(texts, p, b // size), []
        for k in range(p["gen_num"]):
            n, got = 0, ""
            for _ in range(kernel.attempts(p)):
                msgs = kernel.messages(examples, p)
                asked.append(msgs[-1]["content"])
                n += 1
                status, text = answer_for(msgs[-1]["content"])
                got = kernel.parse(text, p) if status == 200 else ""
                if got:
                    break
            rounds.append((k, got or None, n))
            examples = kernel.advance(examples, got, p)
        out[b // size] = rounds
    return out, asked


@pytest.mark.spark
def test_job_batches_chain_and_failures_then_the_cache(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    prompts = [f"b{i // 10}-prompt {i}: describe item {i}" for i in range(23)]
    src = tmp_path / "prompts.jsonl"
    src.write_text("".join(json.dumps({"prompt": t, "id": i}) + "\n" for i, t in enumerate(prompts)),
                   encoding="utf-8")
    with FakeEndpoint(behave) as fake:
        params = {"api_or_hf_model": "fake", "gen_num": 2, "max_example_num": 2, "retry_num": 2, "max_retries": 0,
                  "model_params": {"base_url": fake.base_url}}
        spec = write_job(tmp_path, src, params)
        result = run(spark, load(spec), say=lambda m: None)
        p = prepared(params)
        want, questions = expected(prompts, p)
        assert sorted(b["messages"][-1]["content"] for _, b in fake.requests) == sorted(questions)
        kept = spark.read.format("delta").load(str(tmp_path / "out" / "optimized")).orderBy("_order").collect()
        rejected = spark.read.format("delta").load(str(tmp_path / "out" / "optimized_rejected")).collect()
        made = [r for r in kept if r.stats.optimize_prompt_generated]
        assert len(kept) - len(made) == 23 == result.input_rows  # keep_original_sample: every row kept
        assert len(made) == sum(1 for rounds in want.values() for _, new, _ in rounds if new)
        assert len(rejected) == sum(1 for rounds in want.values() for _, new, _ in rounds if not new)
        # the data's order: each batch's rows, then its new prompts, round by round
        expected_order = []
        for b, rounds in want.items():
            expected_order += [("orig", i) for i in range(b * 10, min(b * 10 + 10, 23))]
            expected_order += [("new", new) for _, new, _ in rounds if new]
        got_order = [("new", r.text) if r.stats.optimize_prompt_generated else ("orig", json.loads(r._record)["id"])
                     for r in kept]
        assert got_order == expected_order
        for r in made:
            b, k = r.stats.optimize_prompt_batch, r.stats.optimize_prompt_round
            _, new, n = want[b][k]
            record = json.loads(r._record)
            # the batch's first row, its prompt (record and text) replaced
            assert record == {"prompt": new, "id": b * 10} and r.text == new
            assert r.stats.llm_requests == n and r.stats.optimize_prompt_reason is None
            assert r.stats.llm_prompt_tokens == 11 * n and r.stats.llm_cached is False
        for r in rejected:  # a generation that gave nothing: the raw answer and the reason
            b, k = r.stats.optimize_prompt_batch, r.stats.optimize_prompt_round
            assert want[b][k][1] is None and r.stats.optimize_prompt_generated
            assert r.stats.llm_requests == 2 and json.loads(r._record)["id"] == b * 10
            if r._dropped_by == "optimize_prompt_mapper:no_prompt":
                assert r.stats.optimize_prompt_raw == "I have no idea."
                assert r.stats.optimize_prompt_reason == "no prompt in the answer"
            else:
                assert r._dropped_by.startswith("error:optimize_prompt_mapper: endpoint: http_500")
        assert {r._dropped_by.split(":")[0] for r in rejected} == {"optimize_prompt_mapper", "error"}
        assert spark_llm.SUMMARIES[-1]["requests_sent"] == len(fake.requests)

        sent = len(fake.requests)
        run(spark, load(spec), fresh=True, say=lambda m: None)  # the same questions: the cache answers
        failed = sum(1 for r in rejected if r._dropped_by.startswith("error:"))
        assert len(fake.requests) - sent == spark_llm.SUMMARIES[-1]["requests_sent"] == 2 * failed
        again = spark.read.format("delta").load(str(tmp_path / "out" / "optimized")).orderBy("_order").collect()
        assert [r.text for r in again] == [r.text for r in kept]


@pytest.mark.spark
def test_dataframe_without_the_original_rows(spark):
    from sparkops.spark.fusion import stage_pass

    rows = [(i, f"doc {i}", None if i == 1 else f"prompt {i}") for i in range(7)]
    df = spark.createDataFrame(rows, "id long, text string, prompt string")
    with FakeEndpoint(behave) as fake:
        params = {"api_or_hf_model": "fake", "gen_num": 2, "max_example_num": 3, "retry_num": 1, "batch_size": 4,
                  "keep_original_sample": False, "max_retries": 0, "seed": 7,
                  "model_params": {"base_url": fake.base_url}}
        out = stage_pass(df.orderBy("id"), [{OP: params}], order_cols=["id"]).collect()
        want, questions = expected([r[2] for r in rows], prepared(params))
        assert sorted(b["messages"][-1]["content"] for _, b in fake.requests) == sorted(questions)
    originals = [r for r in out if not r.stats.optimize_prompt_generated]
    assert sorted(r.id for r in originals) == list(range(7))
    assert all(not r._keep and r._dropped_by == OP for r in originals)  # keep_original_sample: false
    made = sorted((r for r in out if r._keep), key=lambda r: r._order)
    assert [r.prompt for r in made] == [new for b in sorted(want) for _, new, _ in want[b] if new]
    for r in made:  # the batch's first row (id 0 or 4), its prompt column replaced, its text kept
        first = r.stats.optimize_prompt_batch * 4
        assert r.id == first and r.text == f"doc {first}"


@pytest.mark.spark
def test_job_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    src = tmp_path / "prompts.jsonl"
    src.write_text("".join(json.dumps({"prompt": t}) + "\n" for t in
                           ("Write a haiku about rain.", "Write a haiku about snow.", "Write a haiku about wind.")),
                   encoding="utf-8")
    params = {"api_or_hf_model": "SmolLM2-135M-Instruct", "gen_num": 2, "retry_num": 1,
              "system_prompt": "Write one new prompt like the examples. Start it with 【提示词】.",
              "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 64}}
    spec = write_job(tmp_path, src, params)
    run(spark, load(spec), say=lambda m: None)
    first = spark_llm.SUMMARIES[-1]
    assert first["requests_sent"] == 2 and first["answers_cached"] == 0  # one batch, two rounds
    out = tmp_path / "out"
    rows = (spark.read.format("delta").load(str(out / "optimized")).collect()
            + spark.read.format("delta").load(str(out / "optimized_rejected")).collect())
    made = [r for r in rows if r.stats.optimize_prompt_generated]
    assert len(rows) == 5 and len(made) == 2
    p = prepared(params)
    for r in made:  # the model's answer, parsed as Data-Juicer parses it: a new row, or why not
        new = kernel.parse(r.stats.optimize_prompt_raw, p)
        assert (r.text == new) if new else (r.stats.optimize_prompt_reason == "no prompt in the answer")
    run(spark, load(spec), fresh=True, say=lambda m: None)
    again = spark_llm.SUMMARIES[-1]
    assert again["requests_sent"] == 0 and again["answers_cached"] == 2
