"""jobs/sft_refine.yaml end to end on the data it ships with (data/sft): alpaca in, deduplicated,
the leaked GSM8K test problems dropped by decontamination, exported as OpenAI messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkops.jobs.runner import run
from sparkops.jobs.spec import load

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]


def _spec(tmp_path: Path) -> Path:
    text = (ROOT / "jobs" / "sft_refine.yaml").read_text(encoding="utf-8")
    text = (text.replace("../data/sft/sft_sample.json", str(ROOT / "data" / "sft" / "sft_sample.json"))
            .replace("[data/sft/gsm8k_test.jsonl]", f"[{ROOT / 'data' / 'sft' / 'gsm8k_test.jsonl'}]")
            .replace("../warehouse/sft_refine", str(tmp_path / "wh")))
    path = tmp_path / "sft_refine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sft_refine_drops_the_leaked_benchmark_and_exports_messages(spark, tmp_path):
    records = json.loads((ROOT / "data" / "sft" / "sft_sample.json").read_text(encoding="utf-8"))
    with open(ROOT / "data" / "sft" / "gsm8k_test.jsonl", encoding="utf-8") as f:
        benchmark = [json.loads(line) for line in f]
    result = run(spark, load(_spec(tmp_path)), say=lambda m: None)
    assert result.input_rows == len(records) == 1039 and result.quarantined == 0
    out = tmp_path / "wh"
    dropped = spark.read.format("delta").load(str(out / "decontaminate_rejected")).collect()
    # exactly the 40 leaked problems (Socratic rewording of GSM8K test questions), for lack of text
    leaked = {r["instruction"] for r in records[-40:]}
    assert {json.loads(r._record)["instruction"] for r in dropped} == leaked
    # the instruction is a field of the record, not a column: the op's per-row path, where a
    # record left with no piece is the generators' `no_chunks`
    assert {r._dropped_by for r in dropped} == {"task_decontamination_mapper:no_chunks"}
    questions = {" ".join(b["question"].split()) for b in benchmark}
    kept = spark.read.format("delta").load(str(out / "decontaminate")).collect()
    assert not any(" ".join(json.loads(r._record)["instruction"].split()) in questions for r in kept)
    # the export: one OpenAI conversation per kept record, the user's turn = instruction (+ input)
    lines = (out / "sft_messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(kept) == result.stages[-1].rows_out
    for line in lines:
        roles = [m["role"] for m in json.loads(line)["messages"]]
        assert roles[-2:] == ["user", "assistant"]
