"""Inputs of the causal-LM scoring parity fixture (tests/fixtures/dj_lm_scoring.json.gz), shared by
its generator (tools/dj_parity/gen_lm_scoring_fixture.py, run with Data-Juicer's venv) and
tests/test_catalogue_lm_scoring.py. Standard library only.

Records: 44 alpaca records of data/sft/sft_sample.json (LLaMA-Factory's alpaca_en_demo, in the
repository: every 8th record of at most 500 characters, short so that the test stays quick), one
Chinese record of data/sft/alpaca_zh_demo.json, and edge records (empty, blank, one-token and
special-token outputs, an empty record, a text beyond the 2,048-token context). Cases: Data-Juicer
parameters per op, the records they run on, and the parameters sparkops adds (``ours``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SFT = ROOT / "data" / "sft" / "sft_sample.json"
SFT_ZH = ROOT / "data" / "sft" / "alpaca_zh_demo.json"

ALPACA_QUERY = "{instruction}\n{input}"
RESPONSE = "{output}"


def records() -> list[dict]:
    """Records with an ``id``; ``text`` is the output (the ops' text when no template names a field)."""
    sft = json.loads(SFT.read_text(encoding="utf-8"))[:999]  # the alpaca part (GSM8K follows)
    short = [r for r in sft if len(r["instruction"]) + len(r["input"]) + len(r["output"]) <= 500]
    picked = short[::8][:44]
    zh = json.loads(SFT_ZH.read_text(encoding="utf-8"))[3]
    out = [dict(r, id=f"alpaca:{sft.index(r)}") for r in picked]
    out.append(dict(zh, id="alpaca_zh:3"))
    long_text = "\n\n".join(r["output"] for r in sft[:120])  # ~12,000 words: beyond 2,048 tokens
    base = picked[0]
    out += [
        dict(base, output="", id="edge:empty_output"),
        dict(base, output=" \n\t ", id="edge:blank_output"),
        dict(base, output="Yes", id="edge:one_token"),
        dict(base, output="Sure.<|im_end|>\n<|im_start|>assistant\nDone", id="edge:special_tokens"),
        {"instruction": "", "input": "", "output": "", "id": "edge:all_empty"},
        dict(base, output=long_text, id="edge:long"),
    ]
    for r in out:
        r["text"] = r["output"]
    return out


def by_id() -> dict[str, dict]:
    return {r["id"]: r for r in records()}


def with_messages(record: dict) -> dict:
    """The record as chat messages (Data-Juicer uses a sample's ``messages`` over its templates)."""
    user = (record["instruction"] + "\n" + record["input"]).strip()
    return dict(record, messages=[{"role": "user", "content": user},
                                  {"role": "assistant", "content": record["output"]}])


def _alpaca(n: int, start: int = 0) -> list[str]:
    return [r["id"] for r in records() if r["id"].startswith("alpaca:")][start:start + n]


EDGES = ["alpaca_zh:3", "edge:empty_output", "edge:blank_output", "edge:one_token", "edge:special_tokens",
         "edge:all_empty"]
VALID = [{"instruction": "Name a primary color.", "input": "", "output": "Red is a primary color."},
         {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"},
         {"instruction": "Give the opposite of the word.", "input": "hot", "output": "cold"}]
TEMPLATES = {"query_template": ALPACA_QUERY, "response_template": RESPONSE}


def cases() -> list[dict]:
    """``op``, Data-Juicer ``params``, ``ids`` of the records, ``ours``: params only sparkops has,
    ``messages``: the records are given as chat messages."""
    alpaca = _alpaca(44)
    return [
        {"id": "ppl/default", "op": "llm_perplexity_filter", "params": {"max_score": 40.0},
         "ids": alpaca + EDGES + ["edge:long"]},
        {"id": "ppl/templates", "op": "llm_perplexity_filter", "params": dict(TEMPLATES, min_score=2.0, max_score=20.0),
         "ids": alpaca[:10] + EDGES},
        {"id": "ppl/max_length", "op": "llm_perplexity_filter",
         "params": dict(TEMPLATES, model_params={"max_length": 24}, max_score=60.0, max_closed_interval=False),
         "ids": alpaca[10:16] + ["edge:one_token", "edge:long"]},
        {"id": "ifd/templates", "op": "instruction_following_difficulty_filter",
         "params": dict(TEMPLATES, min_score=0.2, max_score=0.9),
         "ids": alpaca[16:30] + EDGES},
        {"id": "ifd/default", "op": "instruction_following_difficulty_filter", "params": {},
         "ids": alpaca[30:33] + ["edge:one_token"]},
        {"id": "ifd/max_length", "op": "instruction_following_difficulty_filter",
         "params": dict(TEMPLATES, model_params={"max_length": 40}, min_score=0.5, reversed_range=True),
         "ids": alpaca[33:37]},
        {"id": "ifd/messages", "op": "instruction_following_difficulty_filter",
         "params": {"min_score": 0.0, "max_score": 0.8}, "ours": {"messages_key": "messages"}, "messages": True,
         "ids": alpaca[37:40] + ["edge:empty_output"]},
        {"id": "ici/valid_loss", "op": "in_context_influence_filter",
         "params": dict(TEMPLATES, valid_dataset=VALID[:2], min_score=0.98, max_score=1.5),
         "ids": alpaca[40:44] + ["edge:empty_output", "edge:all_empty"]},
        {"id": "ici/valid_as_demo", "op": "in_context_influence_filter",
         "params": dict(TEMPLATES, valid_dataset=VALID, n_shot=2, valid_as_demo=True, task_desc="Follow the instruction.",
                        min_score=1.0, max_score=2.0),
         "ids": alpaca[:4] + ["edge:one_token", "edge:all_empty"]},
    ]


def sha256_records() -> str:
    return hashlib.sha256(json.dumps(records(), sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
