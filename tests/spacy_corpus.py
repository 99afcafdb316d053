"""Documents and cases of the spaCy filter fixture (``tests/fixtures/dj_spacy_filters.json.gz``).

Standard library only: ``tools/dj_parity/gen_spacy_filters_fixture.py`` imports it in the
Data-Juicer venv to run Data-Juicer 1.6.1's ``text_action_filter`` and
``text_entity_dependency_filter`` themselves, and ``tests/test_catalogue_spacy.py`` imports it to
run sparkops on the same documents; the fixture pins them by ``sha256_docs``.

Documents (each with a unique id; the texts are not stored in the fixture):

- ``c4:<i>``: the first ``N_C4`` documents of the repository's ``data/c4_sample.jsonl``;
- ``alpaca:<i>:<field>``: the instruction and the output of every ``ALPACA_STEP``-th record of
  ``sft/alpaca_en_demo.json`` (``../shared/data``, or ``SPARKOPS_SHARED_DATA``);
- ``edge:*``: empty, blank, punctuation only, one word, special tokens, non-English scripts,
  emoji, a 200,000-character document and one over spaCy's 1,000,000-character limit.
"""

from __future__ import annotations

import hashlib
import json

from parity_corpus import PROJECT_ROOT, SHARED_DATA

N_C4 = 150
ALPACA_STEP = 20
C4_FILE = PROJECT_ROOT / "data" / "c4_sample.jsonl"
ALPACA_FILE = SHARED_DATA / "sft" / "alpaca_en_demo.json"

# (op, params) per case; the stats do not depend on the thresholds, the keep flags do
CASES = [
    ("text_action_filter", {}),
    ("text_action_filter", {"min_action_num": 5}),
    ("text_action_filter", {"min_action_num": 3, "min_closed_interval": False}),
    ("text_action_filter", {"min_action_num": 3, "reversed_range": True}),
    ("text_entity_dependency_filter", {}),
    ("text_entity_dependency_filter", {"any_or_all": "any"}),
    ("text_entity_dependency_filter", {"min_dependency_num": 2}),
    ("text_entity_dependency_filter", {"min_dependency_num": 2, "any_or_all": "any"}),
    ("text_entity_dependency_filter", {"min_dependency_num": 3, "any_or_all": "any", "reversed_range": True}),
]


def _edge_docs(c4: list[str]) -> list[tuple[str, str]]:
    long_text = ""
    for text in c4:
        if len(long_text) >= 200_000:
            break
        long_text += text + "\n\n"
    return [
        ("edge:empty", ""),
        ("edge:blank", " \n\t "),
        ("edge:punct", "?!... ,;:-- ()"),
        ("edge:one_word", "Run"),
        ("edge:one_noun", "Pizza"),
        ("edge:special_tokens", "<__dj__image> A dog chases a ball. <|__dj__eoc|>"),
        ("edge:only_special", "<__dj__video> <|__dj__eoc|>"),
        ("edge:chinese", "我们今天去公园散步，然后吃了晚饭。"),
        ("edge:mixed", "Café owners in Zürich said: «We open at 7» — then they closed. 😀🎉"),
        ("edge:emoji", "😀😀😀 🎉"),
        ("edge:numbers", "3.14159 2,718 1e10 0x1F"),
        ("edge:url", "See https://example.com/a/b?c=d and email me@example.org now."),
        ("edge:caps", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG."),
        ("edge:no_spaces", "supercalifragilisticexpialidocious" * 50),
        ("edge:newlines", "First line goes here\n\n\nSecond line follows\r\nThird one ends."),
        ("edge:long_200k", long_text[:200_000]),
        ("edge:over_limit", "word " * 200_001),  # 1,000,005 characters: over spaCy's max_length
    ]


def documents() -> list[tuple[str, str]]:
    """(id, text) of every document, in the fixture's order."""
    c4 = [json.loads(line)["text"] for line in C4_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [(f"c4:{i}", t) for i, t in enumerate(c4[:N_C4])]
    records = json.loads(ALPACA_FILE.read_text(encoding="utf-8"))
    for i in range(0, len(records), ALPACA_STEP):
        docs += [(f"alpaca:{i}:instruction", records[i]["instruction"]), (f"alpaca:{i}:output", records[i]["output"])]
    return docs + _edge_docs(c4)


def sha256_docs(docs: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for doc_id, text in docs:
        digest.update(json.dumps([doc_id, text]).encode("utf-8"))
    return digest.hexdigest()
