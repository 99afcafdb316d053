"""text_tagging_by_prompt_mapper: our requests and tags against what Data-Juicer 1.6.1 itself asked
its (stand-in) local model and wrote (tests/fixtures/dj_llm_text_tagging.json, written by
tests/llm_text_tagging_corpus.py), and the Spark half against a misbehaving loopback endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_server import FakeEndpoint, answer_body
from sparkops.core import OpError, get_op
from sparkops.ops.llm import text_tagging as T

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "dj_llm_text_tagging.json").read_text(encoding="utf-8"))
CASES = FIXTURE["cases"]
OP = "text_tagging_by_prompt_mapper"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_requests_and_tags_are_data_juicers(case):
    p = get_op(OP).bind(case["params"]).prepared
    assert [T.messages(t, p) for t in case["texts"]] == [c["messages"] for c in case["calls"]]
    assert [T.parse(a) for a in case["answers"]] == case["tags"]


def test_defaults_and_checks():
    op = get_op(OP)
    assert op.param("prompt").default == T.CLASSIFICATION_PROMPT and op.param("tag_list").default == T.CLASSIFICATION_LIST
    assert op.param("hf_model").default == "Qwen/Qwen2.5-7B-Instruct" and op.param("try_num").default == 1
    assert op.bind({"enable_vllm": True}).prepared["client"]["api_model"] == "Qwen/Qwen2.5-7B-Instruct"
    with pytest.raises(OpError, match="prompt must be a str.format template"):
        op.bind({"prompt": "{document}"})


@pytest.mark.spark
def test_spark_half_tags_rows_and_records_why_not(spark):
    """Rows answered, answered blank, failing (500) and without text: every row comes out; the tag is
    the stripped answer, or null with the reason."""
    from sparkops.spark.fusion import stage_pass

    texts = CASES[0]["texts"]

    def behave(body, n, headers):
        content = body["messages"][0]["content"]
        if texts[2] in content:
            return 500, {}, b"boom", 0
        return 200, {}, answer_body("  数学\n" if texts[0] in content else ""), 0

    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts + [None])], "id long, text string")
    with FakeEndpoint(behave) as fake:
        params = {"hf_model": "m", "model_params": {"base_url": fake.base_url}, "max_retries": 0, "try_num": 2}
        rows = {r.id: r.asDict(recursive=True) for r in stage_pass(df, [{OP: params}]).collect()}
    assert all(r["_keep"] for r in rows.values())
    assert rows[0][T.TEXT_TAGS] == ["数学"] and rows[1][T.TEXT_TAGS] == [""]
    assert rows[2][T.TEXT_TAGS] is None and rows[2]["stats"]["text_tagging_reason"].startswith("endpoint: http_500")
    assert rows[2]["stats"]["llm_requests"] == 2
    assert rows[3][T.TEXT_TAGS] is None and rows[3]["stats"]["text_tagging_reason"] == "no text"
    assert [rows[i]["stats"]["text_tagging_raw"] for i in (0, 1)] == ["  数学\n", ""]
    p = get_op(OP).bind({"hf_model": "m"}).prepared
    assert T.messages(texts[0], p) in [b["messages"] for _, b in fake.requests]
    assert len(fake.requests) == 4  # 1 + 1 + 2 tries, none for the null text
