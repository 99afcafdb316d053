"""The input of the Data-Juicer recipe parity test (``tests/test_dj_recipe.py``).

Standard library only: ``tools/dj_parity/gen_recipe_fixture.py`` imports it in the
Data-Juicer venv to produce the fixture, and pytest imports it to run the same recipe with
sparkops; both must build byte-identical input, which the fixture pins by sha256.

The records are the 300 real web documents of ``data/c4_sample.jsonl`` (whose only field is
``text``) given more fields, so the export's handling of other columns is checked too:
``id`` = ``c4:<line>``, ``meta`` = ``{"source": "c4_sample.jsonl", "line": <line>}`` (a nested
object) and ``copy`` (null, or the kind of copy). Copies are mixed in, so that the recipe's
``document_deduplicator`` has work to do:

- ``exact``: every 7th document, verbatim (id ``<id>#exact``);
- ``case``: every 11th document with its first 80 characters upper-cased (id ``<id>#case``),
  a copy for ``lowercase: true`` only.

Each copy is placed 23 records after its original, so a kept copy or a lost original
shows up as an order difference. No whitespace-only variants: sparkops deliberately
collapses whitespace runs before hashing and Data-Juicer does not (documented difference,
tested separately).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from parity_corpus import PROJECT_ROOT

DEMO_C4 = PROJECT_ROOT / "data" / "c4_sample.jsonl"  # ships with the repository

COPY_DISTANCE = 23


def records() -> list[dict]:
    originals = []
    with open(DEMO_C4, encoding="utf-8") as f:
        for line_no, line in enumerate(f):
            rec = json.loads(line)
            originals.append({"id": f"c4:{line_no}", "text": rec["text"],
                              "meta": {"source": "c4_sample.jsonl", "line": line_no}, "copy": None})
    pending: dict[int, list[dict]] = {}
    for i, rec in enumerate(originals):
        if i % 7 == 0:
            pending.setdefault(i + COPY_DISTANCE, []).append(dict(rec, id=rec["id"] + "#exact", copy="exact"))
        if i % 11 == 0:
            text = rec["text"][:80].upper() + rec["text"][80:]
            pending.setdefault(i + COPY_DISTANCE, []).append(dict(rec, id=rec["id"] + "#case", copy="case", text=text))
    out = []
    for i, rec in enumerate(originals):
        out.append(rec)
        out.extend(pending.pop(i, []))
    for i in sorted(pending):
        out.extend(pending[i])
    return out


def write_jsonl(path: Path, recs: list[dict]) -> str:
    """Write the records as JSONL (UTF-8, not ASCII-escaped); return the file's sha256."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode("utf-8")
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()
