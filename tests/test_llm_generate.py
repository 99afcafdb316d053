"""Data-Juicer's QA synthesis ops: prompts, parsers and verdicts against the fixture Data-Juicer
1.6.1 wrote itself (tests/llm_generate_corpus.py), ROUGE-L against the ``rouge`` package's, the
DataFrame halves against a loopback endpoint that misbehaves on purpose, and one job end to end
against the real local model, re-run from the response cache."""

from __future__ import annotations

import gzip
import json
import textwrap
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body, prompt_hash
from sparkops.core import OpError, bind
from sparkops.ops.llm import generate_qa as g
from sparkops.text.rouge import rouge_l_f

FIXTURE = json.loads(gzip.decompress((Path(__file__).parent / "fixtures" / "dj_generate_qa.json.gz").read_bytes()))
TEXT_OP, EXAMPLES_OP = "generate_qa_from_text_mapper", "generate_qa_from_examples_mapper"


def seed_file(folder: Path, lines=None) -> Path:
    path = folder / "seeds.jsonl"
    path.write_text("\n".join(FIXTURE["examples"]["seed_lines"] if lines is None else lines) + "\n", encoding="utf-8")
    return path


# -- parity with Data-Juicer and the rouge package --------------------------------------------------

def test_text_mapper_requests_and_rows_are_data_juicers():
    cases = FIXTURE["text"]
    assert len(cases) > 100 and {len(c["rows"]) for c in cases} >= {0, 1, 2, 3}
    for case in cases:
        p = bind({TEXT_OP: {"max_num": case["max_num"], "output_pattern": case["output_pattern"]}}).prepared
        assert g.text_messages(case["text"]) == case["messages"]
        assert g.text_pairs(case["answer"], p) == [(r["query"], r["response"]) for r in case["rows"]], case
        assert all(r["text"] == case["text"] for r in case["rows"])  # the document stays in its row


def test_examples_mapper_prompts_and_verdicts_are_data_juicers(tmp_path):
    ex = FIXTURE["examples"]
    path = seed_file(tmp_path)
    seeds = bind({EXAMPLES_OP: {"seed_file": str(path)}}).prepared["seeds"]
    assert [[list(pair) for pair in s] for s in seeds] == ex["samples"]  # the same samples, lines left out alike
    kinds = set()
    for case in ex["cases"]:
        p = bind({EXAMPLES_OP: {"seed_file": str(path), **case["params"]}}).prepared
        chosen = [seeds[i] for i in case["chosen"]]
        assert g.examples_messages(chosen, p) == case["messages"]
        ours = g.examples_verdict(case["answer"], chosen, p)
        if case["raises"]:  # Data-Juicer: TypeError on a drawn seed pair without a question; here it is ""
            assert case["raises"] == "TypeError" and any(q is None for s in chosen for q, _ in s)
            kinds.add("raises")
            continue
        assert (ours["query"], ours["response"], ours["history"]) == (case["query"], case["response"],
                                                                       case["history"]), case
        assert ours["similarity"] == case["similarity"], case  # the same float, bit for bit
        kinds.add(ours["reason"] or ("history" if ours["history"] else "kept"))
    assert kinds == {"raises", g.UNPARSABLE, g.TOO_SIMILAR, "history", "kept"}


def test_rouge_l_equals_the_rouge_package_on_real_and_odd_texts():
    r = FIXTURE["rouge"]
    texts = r["texts"]
    assert any("\u4e00" <= c <= "\u9fff" for c in texts[30]) or any(any("\u4e00" <= c <= "\u9fff" for c in t)
                                                                   for t in texts)
    errors = 0
    for h, f, want in r["pairs"]:
        if isinstance(want, str):  # the package raised (a text without a sentence: "", "...")
            with pytest.raises(ValueError):
                rouge_l_f(texts[h], texts[f])
            errors += 1
        else:
            assert rouge_l_f(texts[h], texts[f]) == want, (texts[h][:80], texts[f][:80])
    assert 0 < errors < len(r["pairs"]) / 2


def test_a_long_sentence_has_no_recursion_limit():
    words = " ".join(f"w{i}" for i in range(3000))  # the package recurses once per word here
    assert rouge_l_f(words, words) == pytest.approx(1.0)


# -- parameters ------------------------------------------------------------------------------------

def test_defaults_are_data_juicers(tmp_path):
    text = bind(TEXT_OP)
    assert (text.params["hf_model"], text.params["max_num"], text.params["try_num"]) == \
        ("alibaba-pai/pai-qwen1_5-7b-doc2qa", None, 1)
    assert (text.prepared["query_key"], text.prepared["response_key"]) == ("query", "response")
    assert text.prepared["api_or_hf_model"] == "alibaba-pai/pai-qwen1_5-7b-doc2qa"  # the model sent
    ex = bind({EXAMPLES_OP: {"seed_file": str(seed_file(tmp_path))}})
    assert (ex.params["hf_model"], ex.params["example_num"], ex.params["similarity_threshold"], ex.params["seed"],
            ex.params["history_key"], ex.params["try_num"]) == ("Qwen/Qwen2.5-7B-Instruct", 3, 0.7, 42, "history", 1)
    assert ex.prepared["pattern"].pattern == g.EXAMPLES_OUTPUT_PATTERN


@pytest.mark.parametrize("params, message", [
    ({}, r"seed_file is required"),
    ({"seed_file": "/nonexistent/seeds.jsonl"}, r"seed_file '/nonexistent/seeds.jsonl': No such file"),
    ({"lines": ['{"messages": []}', "{not json"]}, r"line 2: not JSON"),
    ({"lines": ['{"text": "no messages"}']}, r"line 1: no 'messages' list"),
    ({"lines": ['{"messages": [{"role": "user", "content": "q"}]}']}, r"no question-answer pair .*No QA data was parsed"),
    ({"lines": ['{"messages": [{"content": "q"}]}']}, r"line 1: a message without 'role'"),
    ({"lines": ['{"messages": [{"role": "user", "content": [1]}, {"role": "assistant", "content": "a"}]}']},
     r"line 1: a user or assistant content that is not a string"),
    ({"example_num": 20}, r"example_num 20 is more than the 16 seed sample\(s\)"),
    ({"output_pattern": r"Q:(.*)"}, r"output_pattern needs exactly two groups .* it has 1"),
    ({"output_pattern": r"(unclosed"}, r"output_pattern is not a regular expression"),
    ({"qa_pair_template": "{} {} {}"}, r"qa_pair_template must take 2 positional .*IndexError"),
    ({"input_template": "{name}"}, r"input_template must take 1 positional .*KeyError"),
    ({"enable_vllm": True}, r"enable_vllm: .*serve 'Qwen/Qwen2.5-7B-Instruct'.*OPENAI_BASE_URL"),
])
def test_a_bad_seed_file_or_parameter_is_a_precise_error_at_bind_time(tmp_path, params, message):
    params = dict(params)
    if "lines" in params:
        params["seed_file"] = str(seed_file(tmp_path, params.pop("lines")))
    elif "seed_file" not in params and params:
        params["seed_file"] = str(seed_file(tmp_path))
    with pytest.raises(OpError, match=message):
        bind({EXAMPLES_OP: params}, where="spec.yaml: stage 's'")


def test_text_mapper_refuses_vllm_and_one_group_patterns():
    with pytest.raises(OpError, match="enable_vllm: .*'alibaba-pai/pai-qwen1_5-7b-doc2qa'"):
        bind({TEXT_OP: {"enable_vllm": True}})
    with pytest.raises(OpError, match="exactly two groups"):
        bind({TEXT_OP: {"output_pattern": "Human:(.*)"}})
    with pytest.raises(OpError, match="'max_num' must be > 0"):
        bind({TEXT_OP: {"max_num": 0}})


def test_examples_are_picked_by_a_seeded_rng_per_row():
    first = [g.pick(16, 3, 42, f"row{i}") for i in range(50)]
    assert first == [g.pick(16, 3, 42, f"row{i}") for i in range(50)]  # a re-run: the same prompts
    assert all(len(set(c)) == 3 and all(0 <= i < 16 for i in c) for c in first)
    assert len({tuple(c) for c in first}) > 40  # rows differ
    assert first != [g.pick(16, 3, 7, f"row{i}") for i in range(50)]  # `seed` changes them


# -- DataFrames against a loopback endpoint --------------------------------------------------------

def _doc2qa(body, n, headers):
    """Per document (the user's turn): 3 pairs, prose, a 500, or pairs in Data-Juicer's format."""
    text = body["messages"][-1]["content"]
    if text.startswith("three"):
        pairs = "".join(f"Human: Q{k} of {text[:9]}?\nAssistant: A{k}.\n" for k in range(3))
        return 200, {}, answer_body(f"{text}\n{pairs}"), 0
    if text.startswith("prose"):
        return 200, {}, answer_body("Sorry, I can only write prose."), 0
    if text.startswith("fail"):
        return 500, {}, b"overloaded", 0
    return 200, {}, answer_body("Human: Only one?\nAssistant: Yes."), 0


@pytest.mark.spark
def test_text_mapper_makes_a_row_per_pair_and_loses_no_document(spark):
    from sparkops.core.row import DROPPED_BY, KEEP, ORDER
    from sparkops.spark.fusion import stage_pass

    docs = ["three a", "three b", "prose c", "fail d", "one e", None]
    df = spark.createDataFrame([(d, i) for i, d in enumerate(docs)], "text string, id long")
    with FakeEndpoint(_doc2qa) as fake:
        params = {"model_params": {"base_url": fake.base_url}, "max_num": 2, "max_retries": 0, "try_num": 2}
        out = stage_pass(df, [{TEXT_OP: params}], "text").collect()
    by_doc: dict = {}
    for r in out:
        by_doc.setdefault(r["id"], []).append(r)
    assert sorted(by_doc) == list(range(6))  # nothing lost
    for i in (0, 1):  # three pairs parsed, max_num kept
        rows = sorted(by_doc[i], key=lambda r: r[ORDER])
        assert [(r["query"], r["response"]) for r in rows] == [(f"Q{k} of {docs[i]}?", f"A{k}.") for k in (0, 1)]
        assert all(r[KEEP] and r["text"] == docs[i] and r["stats"].qa_pairs == 3 for r in rows)
        assert [r["stats"].qa_index for r in rows] == [0, 1] and rows[0][ORDER][:-1] == rows[1][ORDER][:-1]
        assert [r[ORDER][-1] for r in rows] == [0, 1] and rows[0]["stats"].llm_requests == 1
    (prose,), (failed,), (one,), (null,) = by_doc[2], by_doc[3], by_doc[4], by_doc[5]
    assert not prose[KEEP] and prose[DROPPED_BY] == f"{TEXT_OP}:no_pairs" and prose["query"] is None
    assert prose["stats"].qa_raw == "Sorry, I can only write prose." and prose["stats"].qa_pairs == 0
    assert prose["stats"].llm_requests == 2  # try_num: asked again, as a new request
    assert failed[DROPPED_BY] == f"error:{TEXT_OP}: endpoint: http_500: overloaded"
    assert failed["stats"].qa_reason.startswith("endpoint: http_500") and failed["stats"].qa_raw is None
    assert one[KEEP] and (one["query"], one["response"]) == ("Only one?", "Yes.")
    assert null[DROPPED_BY] == "null_text" and null["stats"].llm_requests == 0
    assert failed["stats"].llm_requests == 2  # a failed request too is asked again (try_num)
    assert len(fake.requests) == 1 + 1 + 2 + 2 + 1  # the client itself does not retry (max_retries 0)


@pytest.mark.spark
def test_examples_mapper_writes_query_response_history_or_says_why_not(spark, tmp_path):
    from sparkops.core.row import DROPPED_BY, KEEP
    from sparkops.spark.fusion import stage_pass

    seeds = [json.dumps({"messages": [{"role": "user", "content": f"Seed question {k}?"},
                                      {"role": "assistant", "content": f"Seed answer {k}."}]}) for k in range(6)]
    path = seed_file(tmp_path, seeds)

    def behave(body, n, headers):  # per prompt: two new pairs, a copy of a shown seed, prose, or a 500
        prompt = body["messages"][-1]["content"]
        fate = prompt_hash(body) % 4
        if fate == 0:
            return 200, {}, answer_body("【问题】\nNew one?\n【回答】\nFirst.\n【问题】\nNew two?\n【回答】\nSecond."), 0
        if fate == 1:
            copied = prompt[prompt.index("【问题】"):]
            return 200, {}, answer_body(copied[:copied.index("\n如下") if "\n如下" in copied else None]), 0
        if fate == 2:
            return 200, {}, answer_body("no format at all"), 0
        return 503, {}, b"busy", 0

    df = spark.createDataFrame([(f"row {i}",) for i in range(24)], "text string")
    params = {"seed_file": str(path), "example_num": 2, "max_retries": 0}
    with FakeEndpoint(behave) as fake:
        out = stage_pass(df, [{EXAMPLES_OP: {**params, "model_params": {"base_url": fake.base_url}}}], "text").collect()
        prompts = [b["messages"][-1]["content"] for _, b in fake.requests]
        draws = {r["stats"].qa_seed_indices for r in out}
        # nothing lost; a request per distinct draw (rows that drew the same examples share the answer)
        assert len(out) == 24 and len(fake.requests) == len(set(prompts)) == len(draws) > 12
        stage_pass(df, [{EXAMPLES_OP: {**params, "model_params": {"base_url": fake.base_url}}}], "text").collect()
        again = [b["messages"][-1]["content"] for _, b in fake.requests[len(prompts):]]
        assert sorted(again) == sorted(prompts)  # seeded: a re-run asks the same prompts
    seen, by_draw = set(), {}
    for r in out:
        by_draw.setdefault(r["stats"].qa_seed_indices, set()).add((r["query"], r["stats"].qa_raw, r[DROPPED_BY]))
        st = r["stats"]
        shown = json.loads(st.qa_seed_indices)
        assert len(set(shown)) == 2 and all(0 <= k < 6 for k in shown)
        if not r[KEEP]:
            assert r[DROPPED_BY] == f"error:{EXAMPLES_OP}: endpoint: http_503: busy" and st.qa_raw is None
            seen.add("failed")
        elif st.qa_reason is None:
            assert (r["query"], r["response"], r["history"]) == ("New two?", "Second.", [["New one?", "First."]])
            assert st.qa_pairs == 2 and st.qa_similarity <= 0.7
            seen.add("kept")
        else:  # Data-Juicer's empty sample, with the reason, the answer and the score beside it
            assert (r["query"], r["response"], r["history"]) == ("", "", []) and st.qa_raw
            if st.qa_reason == g.TOO_SIMILAR:
                assert st.qa_similarity > 0.7 and st.qa_pairs >= 1
            else:
                assert st.qa_reason == g.UNPARSABLE and st.qa_similarity is None and st.qa_pairs == 0
            seen.add(st.qa_reason)
    assert seen == {"failed", "kept", g.TOO_SIMILAR, g.UNPARSABLE}
    assert all(len(outcomes) == 1 for outcomes in by_draw.values())


@pytest.mark.spark
def test_text_key_names_another_field(spark):
    from sparkops.spark.fusion import stage_pass

    df = spark.createDataFrame([("title a", "one a"), ("title b", None)], "text string, body string")
    with FakeEndpoint(_doc2qa) as fake:
        out = stage_pass(df, [{TEXT_OP: {"model_params": {"base_url": fake.base_url}, "text_key": "body",
                                         "query_key": "q", "response_key": "a"}}], "text").collect()
    assert [b["messages"] for _, b in fake.requests] == [[{"role": "user", "content": "one a"}]]
    rows = {r["text"]: r for r in out}
    assert (rows["title a"]["q"], rows["title a"]["a"], rows["title a"]["_keep"]) == ("Only one?", "Yes.", True)
    assert rows["title b"]["_dropped_by"] == f"missing_field:{TEXT_OP}: body (missing, null or not a string)"


@pytest.mark.spark
def test_examples_mapper_job_writes_the_records_and_a_fresh_run_asks_nothing(spark, tmp_path):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    seeds = [json.dumps({"messages": [{"role": "user", "content": f"Seed question {k}?"},
                                      {"role": "assistant", "content": f"Seed answer {k}."}]}) for k in range(8)]
    path = seed_file(tmp_path, seeds)
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps({"text": "", "n": i}) + "\n" for i in range(6)), encoding="utf-8")

    def behave(body, n, headers):  # a two-turn sample that names its prompt's first shown example
        first = body["messages"][-1]["content"].split("Seed question ")[1].split("?")[0]
        return 200, {}, answer_body(f"【问题】\nWhy {first}?\n【回答】\nBecause.\n【问题】\nAnd then?\n【回答】\nDone {first}."), 0

    with FakeEndpoint(behave) as fake:
        params = {"seed_file": str(path), "model_params": {"base_url": fake.base_url}}
        spec_path = tmp_path / "job.yaml"
        spec_path.write_text(textwrap.dedent(f"""
            name: seeded
            input: {{format: jsonl, path: {src}, text_key: text}}
            output: {{path: {tmp_path / 'out'}, export: {tmp_path / 'qa.jsonl'}}}
            stages:
              - name: qa
                process:
                  - {EXAMPLES_OP}: {json.dumps(params)}
        """), encoding="utf-8")
        spec = load(spec_path)
        run(spark, spec, say=lambda m: None)
        sent = spark_llm.SUMMARIES[-1]["requests_sent"]
        rows = spark.read.format("delta").load(str(tmp_path / "out" / "qa")).collect()
        exported = [json.loads(x) for x in (tmp_path / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(rows) == len(exported) == 6 and sent == len({r["stats"].qa_seed_indices for r in rows})
        for r, e in zip(sorted(rows, key=lambda r: r["_line"]), exported):
            first = json.loads(r["stats"].qa_seed_indices)[0]
            assert json.loads(r["_record"]) == e == {"text": "", "n": e["n"], "query": "And then?",
                                                     "response": f"Done {first}.",
                                                     "history": [[f"Why {first}?", "Because."]]}
            assert r["stats"].qa_similarity <= 0.7 and r["stats"].qa_reason is None
        run(spark, spec, fresh=True, say=lambda m: None)
        assert spark_llm.SUMMARIES[-1]["requests_sent"] == 0 and len(fake.requests) == sent  # the same prompts
        assert [json.loads(x) for x in (tmp_path / "qa.jsonl").read_text(encoding="utf-8").splitlines()] == exported


# -- a job against the real local model ------------------------------------------------------------

DOCS = [
    "Read the text and write two questions with answers about it, each question on a line starting with "
    "'Human:' and its answer on the next line starting with 'Assistant:'.\n\nThe Eiffel Tower is in Paris. "
    "It was finished in 1889 and is 330 metres tall.",
    "Write one question and its answer about this text, as 'Human: <question>' then 'Assistant: <answer>'.\n\n"
    "Water boils at 100 degrees Celsius at sea level.",
    "蒙古国的首都是乌兰巴托。冰岛的首都是雷克雅未克。",
]


@pytest.mark.spark
def test_text_mapper_job_against_the_real_local_model_then_from_the_cache(spark, tmp_path, llm_server):
    from sparkops.jobs.runner import run
    from sparkops.jobs.spec import load
    from sparkops.spark import llm as spark_llm

    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"content": d, "id": i}, ensure_ascii=False) + "\n"
                           for i, d in enumerate(DOCS)), encoding="utf-8")
    # a 135M model seldom writes Data-Juicer's "Human: ... Assistant: ..." (that path is tested on
    # recorded answers above): every non-empty line of its answer is a pair here, so rows are made
    params = {"hf_model": "SmolLM2-135M-Instruct", "model_params": {"base_url": llm_server.base_url},
              "sampling_params": {"temperature": 0, "max_tokens": 128}, "concurrency": 1, "max_num": 2,
              "output_pattern": r"(?m)^([^\n]+)()$"}
    spec_path = tmp_path / "job.yaml"
    spec_path.write_text(textwrap.dedent(f"""
        name: doc2qa
        input: {{format: jsonl, path: {src}, text_key: content}}
        output: {{path: {tmp_path / 'out'}, export: {tmp_path / 'qa.jsonl'}}}
        stages:
          - name: qa
            process:
              - {TEXT_OP}: {json.dumps(params)}
    """), encoding="utf-8")
    spec = load(spec_path)
    first = run(spark, spec, say=lambda m: None)
    s1 = spark_llm.SUMMARIES[-1]
    assert s1["op"] == TEXT_OP and s1["requests_sent"] == 3 and s1["model"] == "SmolLM2-135M-Instruct"
    kept = spark.read.format("delta").load(str(tmp_path / "out" / "qa")).collect()
    rejected = spark.read.format("delta").load(str(tmp_path / "out" / "qa_rejected")).collect()
    per_doc: dict = {}
    for r in [{"_dropped_by": None, **r.asDict()} for r in kept] + [r.asDict() for r in rejected]:
        per_doc.setdefault(json.loads(r["_record"])["id"], []).append(r)
    assert sorted(per_doc) == [0, 1, 2]  # nothing lost
    pattern = bind({TEXT_OP: {"output_pattern": params["output_pattern"]}}).prepared["pattern"]
    for i, rows in per_doc.items():
        raw = rows[0]["stats"].qa_raw
        assert raw is not None and all(r["stats"].qa_raw == raw for r in rows)
        pairs = g.parse_pairs(raw, pattern)  # what the model's own answer gives, parsed again here
        assert rows[0]["stats"].qa_pairs == len(pairs)
        if not pairs:
            assert len(rows) == 1 and rows[0]["_dropped_by"] == f"{TEXT_OP}:no_pairs"
            continue
        assert len(rows) == min(2, len(pairs))  # a row per parsed pair, max_num of them
        assert sorted(r["stats"].qa_index for r in rows) == list(range(len(rows)))
        for r in rows:
            record = json.loads(r["_record"])
            assert (record["query"], record["response"]) == pairs[r["stats"].qa_index]
            assert record["content"] == r["text"] == DOCS[i] and r["_dropped_by"] is None
    assert first.stages[0].rows_out == len(kept) > 0
    assert len(kept) == sum(min(2, len(g.parse_pairs(rows[0]["stats"].qa_raw, pattern))) for rows in per_doc.values())
    exported = [json.loads(line) for line in (tmp_path / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(exported) == len(kept) and all({"content", "id", "query", "response"} <= set(e) for e in exported)
    # in the dataset's order: documents in input order, each one's pairs in answer order
    assert [e["id"] for e in exported] == sorted(e["id"] for e in exported)
    assert [(e["query"], e["response"]) for e in exported] == \
        [p for i in sorted(per_doc) if per_doc[i][0]["_dropped_by"] is None
         for p in g.parse_pairs(per_doc[i][0]["stats"].qa_raw, pattern)[:2]]

    again = run(spark, spec, fresh=True, say=lambda m: None)
    s2 = spark_llm.SUMMARIES[-1]
    assert s2["requests_sent"] == 0 and s2["answers_cached"] == 3  # the cache answered every document
    assert again.stages[0].rows_out == first.stages[0].rows_out
    assert (tmp_path / "qa.jsonl").read_text(encoding="utf-8").splitlines() == \
        [json.dumps(e, ensure_ascii=False) for e in exported]
