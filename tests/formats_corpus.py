"""The SFT / preference records of the format parity fixture (standard library only: shared by
``tools/dj_parity/gen_formats_fixture.py`` under Data-Juicer's venv and by pytest).

Real files of ``../shared/data/sft``, at most ``PER_FILE`` records each: every n-th record, plus
the ones whose conversation has an odd number of messages or an empty message (where
converters disagree).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from parity_corpus import SHARED_DATA

SFT = SHARED_DATA / "sft"
PER_FILE = 200
# file -> (our input format, how Data-Juicer 1.6.1 reads it: the converter and its key arguments)
FILES = {
    "alpaca_en_demo.json": ("alpaca", "alpaca"),
    "alpaca_zh_demo.json": ("alpaca", "alpaca"),
    "sharegpt_zh_1k.jsonl": ("sharegpt", "sharegpt"),
    "v1_sft_demo.jsonl": ("messages", "messages"),
    "kto_en_demo.json": ("kto", "messages"),
    "dpo_en_demo.json": ("preference", "sharegpt"),
    "dpo_zh_demo.json": ("preference", "sharegpt"),
    "dpo_zh_500.jsonl": ("preference", "sharegpt"),
}


def load(path: Path) -> list:
    """A JSON array or JSONL file (``.gz`` too)."""
    raw = (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")).read().decode("utf-8")
    if raw.lstrip().startswith("["):
        return json.loads(raw)
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unusual(rec: dict) -> bool:
    conv = rec.get("conversations") or rec.get("messages")
    if not isinstance(conv, list):
        return False
    values = [m.get("value", m.get("content")) for m in conv if isinstance(m, dict)]
    return len(conv) % 2 == 1 or any(isinstance(v, str) and not v.strip() for v in values)


def select(records: list) -> list[int]:
    """Deterministic: the unusual records first (up to half), then every n-th record."""
    unusual = [i for i, r in enumerate(records) if _unusual(r)][:PER_FILE // 2]
    step = max(1, -(-len(records) // (PER_FILE - len(unusual))))
    picked = sorted(set(unusual) | set(range(0, len(records), step)))
    return picked[:PER_FILE]


def digest(obj) -> str:
    """What the fixture keeps of a converted record: a hash of its canonical JSON."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
