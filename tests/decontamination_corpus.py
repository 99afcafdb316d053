"""Inputs of the task-decontamination fixture (``tests/fixtures/nemo_decontamination.json.gz``).

Standard library only: ``tools/nemo_parity/gen_decontamination_fixture.py`` imports it to run
NeMo Curator's ``TaskDecontamination`` itself, and pytest imports it to run sparkops on the same
documents; the fixture pins them by sha256 (``corpus_sha256``).

Documents (each ``{"id", "text", "planted"}``; ``planted`` lists the GSM8K test items, as
``"<kind>:<index>"``, planted in it: the ground truth of the precision/recall measurement):

- ``c4-<k>``: the 300 C4 documents of ``data/c4_sample.jsonl`` as they are;
- ``one-<k>``: 160 C4 documents with one GSM8K test item planted at a random sentence
  boundary: its question, its answer, both, the question of the *socratic* variant or its
  answer (``gsm8k_test_socratic.jsonl``: the same questions, answers with sub-questions);
- ``many-<k>``: 8 texts of four C4 documents each with 12 distinct questions planted
  (more pieces than ``max_splits``);
- ``common-<k>``: 12 C4 documents with the same question planted (more hits than
  ``max_matches``: too common for NeMo to remove);
- ``edge-<k>``: empty, short, a bare question, a question with newlines for spaces, one in
  capitals with extra punctuation, one cut to 12 words.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

PLANT_KINDS = ("question", "answer", "question+answer", "socratic_question", "socratic_answer")
COMMON_ITEM = 7
_SENTENCE = re.compile(r"(?<=[.!?]) ")


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _planted_text(kind: str, item: int, gsm: list[dict], soc: list[dict]) -> str:
    if kind == "question":
        return gsm[item]["question"]
    if kind == "answer":
        return gsm[item]["answer"]
    if kind == "question+answer":
        return gsm[item]["question"] + "\n" + gsm[item]["answer"]
    if kind == "socratic_question":
        return soc[item]["question"]
    return soc[item]["answer"]


def _plant(host: str, piece: str, rng: random.Random) -> str:
    """``piece`` inserted at a random sentence boundary of ``host`` (or at its start or end)."""
    cuts = [0] + [m.start() + 1 for m in _SENTENCE.finditer(host)] + [len(host)]
    at = cuts[rng.randrange(len(cuts))]
    return host[:at] + (" " if at else "") + piece + " " + host[at:]


def documents(c4_path: Path, gsm8k_path: Path, socratic_path: Path) -> list[dict]:
    c4 = [r["text"] for r in _jsonl(c4_path)]
    gsm, soc = _jsonl(gsm8k_path), _jsonl(socratic_path)
    rng = random.Random(21)
    docs = [{"id": f"c4-{k}", "text": t, "planted": []} for k, t in enumerate(c4)]
    for k in range(160):
        kind, item = PLANT_KINDS[k % len(PLANT_KINDS)], rng.randrange(len(gsm))
        text = _plant(c4[rng.randrange(len(c4))], _planted_text(kind, item, gsm, soc), rng)
        docs.append({"id": f"one-{k}", "text": text, "planted": [f"{kind}:{item}"]})
    for k in range(8):
        hosts = [c4[rng.randrange(len(c4))] for _ in range(4)]
        items = rng.sample(range(len(gsm)), 12)
        planted = [f"question:{i}" for i in reversed(items)]
        sentences = _SENTENCE.split("\n\n".join(hosts))
        step = max(1, len(sentences) // 13)
        out = []
        for s, sentence in enumerate(sentences):
            out.append(sentence)
            if s % step == step - 1 and items:
                out.append(gsm[items.pop()]["question"])
        docs.append({"id": f"many-{k}", "text": " ".join(out), "planted": planted[:len(planted) - len(items)]})
    for k in range(12):
        text = _plant(c4[rng.randrange(len(c4))], gsm[COMMON_ITEM]["question"], rng)
        docs.append({"id": f"common-{k}", "text": text, "planted": [f"question:{COMMON_ITEM}"]})
    q = gsm[3]["question"]
    edges = [
        ("", []), ("Short.", []), (q, ["question:3"]),
        (c4[5][:600] + " " + q.replace(" ", "\n") + " " + c4[6][:600], ["question:3"]),
        (c4[7][:600] + " " + q.upper().replace(" ", " -- ") + "!! " + c4[8][:600], ["question:3"]),
        (" ".join(q.split(" ")[:12]), ["question:3"]),
        ("\n" + c4[9][:400] + " " + q + " " + c4[10][:400], ["question:3"]),
    ]
    docs += [{"id": f"edge-{k}", "text": t, "planted": p} for k, (t, p) in enumerate(edges)]
    return docs


def corpus_sha256(docs: list[dict]) -> str:
    blob = "\n".join(json.dumps([d["id"], d["text"]], ensure_ascii=False) for d in docs)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def task_texts(gsm8k_path: Path, fields=("question", "answer")) -> list[str]:
    return [r[f] for r in _jsonl(gsm8k_path) for f in fields]


# the configurations the fixture runs: NeMo TaskDecontamination keyword arguments
CONFIGS = {
    "default": {},
    "tight": {"remove_char_each_side": 50, "min_document_length": 50, "max_splits": 3, "max_matches": 1000},
    "ngram8": {"max_ngram_size": 8},
}
