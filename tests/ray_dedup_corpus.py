"""Records and cases of the Ray-dedup fixture (``tests/fixtures/dj_ray_dedup.json.gz``).

Standard library only: ``tools/dj_parity/gen_ray_dedup_fixture.py`` imports it in the
Data-Juicer venv to run Data-Juicer 1.6.1's Ray deduplicators on a local Ray, and
``tests/test_catalogue_ray.py`` imports it to run sparkops on the same records; the fixture
pins them by ``sha256_records``.

Records, in this order (each with a unique ``id`` and a unique integer ``__dj__uid``):

- ``c4:i``: the 300 documents of ``data/c4_sample.jsonl``;
- ``near:i`` (every 5th document): every 40th space-separated word replaced, a near copy
  (Jaccard of 5-word shingles about 0.8);
- ``part:i`` (every 10th from 2): the first 30 % of the words, a document that contains a
  third of the other's shingles and is not a near copy (Jaccard about 0.3);
- ``upper:i`` (every 15th from 1): upper-cased (a copy when lowercase is on);
- ``copy:i`` (every 20th from 3): an exact copy;
- ``pad:i`` / ``lines:i`` / ``digits:i`` (every 25th from 4): spaces around it (an exact copy
  after strip), its line breaks doubled, its digits and punctuation removed;
- ``short:*``, ``empty:*``, ``blank:*``: texts of fewer than 5 words, "" and whitespace only.

``__dj__uid``: 100000 + position, except the near copies, which get their position: they
precede everything else in uid order, as an earlier, already clean dataset would in
Data-Juicer's incremental deduplication.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UID = "__dj__uid"

SHORT = ["hello world", "Hello world again", "short", "a b c d", "one two three four", "x"]


def _c4() -> list[str]:
    with open(ROOT / "data" / "c4_sample.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def _replace_words(text: str, every: int, tag: str) -> str:
    words = text.split(" ")
    return " ".join(f"{tag}{k}" if k % every == every - 1 else w for k, w in enumerate(words))


def records() -> list[dict]:
    docs = _c4()
    rows: list[tuple[str, str]] = [(f"c4:{i}", t) for i, t in enumerate(docs)]
    rows += [(f"near:{i}", _replace_words(docs[i], 40, "zqx")) for i in range(0, len(docs), 5)]
    rows += [(f"part:{i}", " ".join(docs[i].split(" ")[: max(1, int(len(docs[i].split(" ")) * 0.3))]))
             for i in range(2, len(docs), 10)]
    rows += [(f"upper:{i}", docs[i].upper()) for i in range(1, len(docs), 15)]
    rows += [(f"copy:{i}", docs[i]) for i in range(3, len(docs), 20)]
    for i in range(4, len(docs), 25):
        rows += [(f"pad:{i}", f"  {docs[i]} \n"), (f"lines:{i}", docs[i].replace("\n", "\n\n")),
                 (f"digits:{i}", re.sub(r"[0-9.,!?]", "", docs[i]))]
    rows += [(f"short:{k}", t) for k, t in enumerate(SHORT)]
    rows += [("empty:0", ""), ("empty:1", ""), ("blank:0", "   "), ("blank:1", "\n\t ")]
    return [{"id": rid, "text": text, UID: (pos if rid.startswith("near:") else 100000 + pos)}
            for pos, (rid, text) in enumerate(rows)]


def sha256_records(recs: list[dict]) -> str:
    return hashlib.sha256(json.dumps(recs, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


# (case id, Data-Juicer op, params); the minhash cases run on the records with text (a Ray
# minhash op fails on a null text), the exact ones on all
CASES = [
    ("doc/default", "ray_document_deduplicator", {}),
    ("doc/lowercase", "ray_document_deduplicator", {"lowercase": True}),
    ("doc/non_character", "ray_document_deduplicator", {"ignore_non_character": True}),
    ("doc/both", "ray_document_deduplicator", {"lowercase": True, "ignore_non_character": True}),
    ("bts/default", "ray_bts_minhash_deduplicator", {}),
    ("bts/t0.8_k128", "ray_bts_minhash_deduplicator", {"jaccard_threshold": 0.8, "num_permutations": 128,
                                                       "lowercase": False}),
    ("bts/bands", "ray_bts_minhash_deduplicator", {"num_bands": 16, "num_rows_per_band": 8,
                                                   "union_threshold": 2}),
    ("bts_uid/default", "ray_bts_minhash_deduplicator_with_uid", {}),
    ("minhash_uid/default", "document_minhash_deduplicator_with_uid", {}),
    ("minhash/default", "document_minhash_deduplicator", {}),
    ("cpp/default", "ray_bts_minhash_cpp_deduplicator", {}),
]
