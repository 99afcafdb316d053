"""Inputs and cases of the augmentation fixture (tests/fixtures/dj_augment.json.gz):
Data-Juicer 1.6.1's nlpaug_en_mapper and nlpcda_zh_mapper. Standard library only: shared by
the generator (Data-Juicer's venv) and the tests (sparkops' venv).

English: the first C4 documents of data/c4_sample.jsonl; Chinese: the first `output`s of
data/sft/alpaca_zh_demo.json; both cut to ``MAX_CHARS`` (augmentation cost grows with
the text and the outputs are hashed anyway), plus edge cases. ``row_seed`` is the per-row
seed sparkops uses (sparkops.ops.augment.seeding): the generator seeds Data-Juicer's run with it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_REAL = 12
MAX_CHARS = 600
SEED = 7

EDGE = [
    ("edge:empty", ""),
    ("edge:blank", "  \n\t "),
    ("edge:one_word", "Hello"),
    ("edge:long_word", "x" * 300 + " tail"),
    ("edge:non_ascii", "Café naïve résumé — “quoted” 東京 😀 end."),
    ("edge:zh_digits", "这里一共有5种不同的数据增强方法，2023年共12个。"),
    ("edge:zh_short", "你好"),
    ("edge:mixed", "Spark 3.5 处理 1,000 条数据 quickly."),
]

FLAGS_EN = ("delete_random_word", "swap_random_word", "spelling_error_word", "split_random_word",
            "keyboard_error_char", "ocr_error_char", "delete_random_char", "swap_random_char",
            "insert_random_char")
FLAGS_ZH = ("replace_similar_word", "replace_homophone_char", "delete_random_char", "swap_random_char",
            "replace_equivalent_num")

CASES = (
    [{"id": f"en/{f}", "op": "nlpaug_en_mapper", "params": {f: True}} for f in FLAGS_EN]
    + [{"id": "en/two_aug3", "op": "nlpaug_en_mapper",
        "params": {"delete_random_word": True, "keyboard_error_char": True, "aug_num": 3}},
       {"id": "en/sequential", "op": "nlpaug_en_mapper",
        "params": {"sequential": True, "swap_random_word": True, "ocr_error_char": True, "aug_num": 2}},
       {"id": "en/no_original", "op": "nlpaug_en_mapper",
        "params": {"keep_original_sample": False, "split_random_word": True}},
       {"id": "en/none", "op": "nlpaug_en_mapper", "params": {}}]
    + [{"id": f"zh/{f}", "op": "nlpcda_zh_mapper", "params": {f: True, "aug_num": 2}} for f in FLAGS_ZH]
    + [{"id": "zh/all", "op": "nlpcda_zh_mapper", "params": {f: True for f in FLAGS_ZH}},
       {"id": "zh/sequential", "op": "nlpcda_zh_mapper",
        "params": {"sequential": True, "replace_similar_word": True, "swap_random_char": True,
                   "replace_equivalent_num": True, "aug_num": 3}},
       {"id": "zh/no_original", "op": "nlpcda_zh_mapper",
        "params": {"keep_original_sample": False, "delete_random_char": True}},
       {"id": "zh/none_dropped", "op": "nlpcda_zh_mapper", "params": {"keep_original_sample": False}}]
)


def row_seed(seed: int, text: str) -> int:
    """sparkops' per-row seed (written again here: the generator runs without sparkops)."""
    digest = hashlib.sha256(f"{seed}\x00{text}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big")


def documents(lang: str) -> list[tuple[str, str]]:
    """(id, text) of one language's real documents, then every edge case."""
    if lang == "en":
        with open(ROOT / "data" / "c4_sample.jsonl", encoding="utf-8") as f:
            real = [json.loads(line)["text"] for _, line in zip(range(N_REAL), f)]
        prefix = "c4"
    else:
        with open(ROOT / "data" / "sft" / "alpaca_zh_demo.json", encoding="utf-8") as f:
            real = [r["output"] for r in json.load(f)[:N_REAL]]
        prefix = "alpaca_zh"
    return [(f"{prefix}:{i}", t[:MAX_CHARS]) for i, t in enumerate(real)] + EDGE


def digest(rows: list[str]) -> list[str]:
    """What the fixture keeps of a row's outputs: each text itself when short, else its sha256."""
    return [t if len(t) <= 80 else "sha256:" + hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest()[:24]
            for t in rows]
