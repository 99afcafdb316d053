"""Build data/sft/, the input of jobs/sft_refine.yaml, from real files of the shared data folder
(SPARKOPS_SHARED_DATA, default ../shared/data):

- ``sft_sample.json``: LLaMA-Factory's ``alpaca_en_demo.json`` (999 records) followed by the
  first 40 GSM8K test problems in their Socratic rewording (``gsm8k_test_socratic.jsonl``) as
  alpaca records (instruction = question, output = answer): test data leaked into an SFT set,
  what the job's decontamination step is for;
- ``gsm8k_test.jsonl``: the GSM8K test set itself (1,319 problems), the benchmark.

Deterministic: re-running it gives the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA") or ROOT.parent / "shared" / "data")
OUT = ROOT / "data" / "sft"
LEAKED = 40


def main() -> None:
    records = json.loads((SHARED / "sft" / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    with open(SHARED / "sft" / "gsm8k_test_socratic.jsonl", encoding="utf-8") as f:
        socratic = [json.loads(line) for line, _ in zip(f, range(LEAKED))]
    records += [{"instruction": r["question"], "input": "", "output": r["answer"]} for r in socratic]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sft_sample.json").write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shutil.copyfile(SHARED / "sft" / "gsm8k_test.jsonl", OUT / "gsm8k_test.jsonl")
    print(f"{OUT}: {len(records)} SFT records, the GSM8K test set")


if __name__ == "__main__":
    main()
