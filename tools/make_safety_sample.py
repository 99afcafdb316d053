"""Build data/safety/safety_sample.jsonl, the input of jobs/safety.yaml, from two MIT-licensed
real sets in the shared data folder (SPARKOPS_SHARED_DATA, default ../shared/data):

- every sentence of presidio-research's synthetic PII set (``pii/presidio_synth_dataset_v2.json``,
  1,500 sentences with Faker-made names, cards, IBANs, phones, ...), ``source: presidio``;
- 500 conversations of Anthropic's HH-RLHF harmless-base test split
  (``sft/hh_rlhf_harmless_test.jsonl.gz``), the ``rejected`` side (the more harmful reply), taken
  every 4th record, ``source: hh_rlhf``.

Deterministic: re-running it gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SPARKOPS_SHARED_DATA") or ROOT.parent / "shared" / "data")
OUT = ROOT / "data" / "safety" / "safety_sample.jsonl"


def main() -> None:
    rows = []
    pii = json.loads((SHARED / "pii" / "presidio_synth_dataset_v2.json").read_text(encoding="utf-8"))
    for i, r in enumerate(pii):
        rows.append({"id": f"presidio-{i}", "source": "presidio", "text": r["full_text"]})
    with gzip.open(SHARED / "sft" / "hh_rlhf_harmless_test.jsonl.gz", "rt", encoding="utf-8") as f:
        hh = [json.loads(line) for line in f]
    for i in range(0, 2000, 4):
        rows.append({"id": f"hh_rlhf-{i}", "source": "hh_rlhf", "text": hh[i]["rejected"].strip()})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{OUT}: {len(rows)} rows, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
