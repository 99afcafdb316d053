"""Inputs for the Data-Juicer sentence_split_mapper fixture (tests/fixtures/dj_sentence_split.json.gz).

Standard library only: imported by ``tools/dj_parity/gen_sentence_split_fixture.py`` in
Data-Juicer's venv and by ``tests/test_catalogue_sentence_split.py`` in ours.

``documents(shared_data)`` = (doc_id, text) pairs: the 300 C4 documents of ``data/c4_sample.jsonl``
(``c4:<i>``); the English SFT demos of ``../shared/data/sft`` (alpaca and KTO outputs, DPO chosen
answers, GSM8K questions and answers: ``<file>:<i>``, every k-th record); every UDHR text of
``../shared/data/lid/udhr`` (``udhr:<stem>``: 388 languages and scripts, French, Portuguese and
Spanish among them); the Chinese alpaca demos (``alpaca_zh:<i>``); and the hand-written
``edge:<name>`` texts below. Every case (language model) runs on every document.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
C4_FILE = ROOT / "data" / "c4_sample.jsonl"

EDGE: list[tuple[str, str]] = [
    ("empty", ""),
    ("blank", " \n\t \n"),
    ("one_word", "Hello"),
    ("no_final_period", "First sentence. Second without end"),
    ("abbrev", "Dr. Smith met Mr. Jones at 5 p.m. on Jan. 3. They talked."),
    ("initials", "J. R. R. Tolkien wrote books. E.g. this one. See p. 12."),
    ("numbers", "It costs 3.50 dollars. Version 2.0 is out. The 1. item is first."),
    ("quotes", "He said \"Stop.\" Then he left. 'Why?' she asked. “Hello there.” Bye. «Oui.» Non."),
    ("brackets", "This is it (see above.) Next one. [Done.] Ok."),
    ("ellipsis", "Wait... what? Really?! Yes!!! No?? Fine..."),
    ("newlines_in_sentence", "A sentence\nacross lines. Another\n\none here.\r\nAnd CRLF. End."),
    ("leading_trailing_ws", "   Leading spaces. Trailing spaces.   \n"),
    ("urls_emails", "Visit www.example.com. Mail a.b@example.org. Done."),
    ("lowercase_start", "this is lower. and another one. OK then."),
    ("non_ascii", "Ça va. Él está aquí. Está bem? Sim. 你好。世界！ Добрый день. Всё."),
    ("long_word", "x" * 20000 + ". " + "y" * 20000 + "."),
    ("many_periods", ". . . . ." + "." * 500),
    ("tabs_nbsp", "One.\tTwo.\u00a0Three.\u3000Four.\u2028Five."),
    ("zero_width", "One.\u200bTwo. Three.\ufeff Four."),
    ("surrogate_free_emoji", "I love it 😀. Truly 👍🏽! Next."),
    ("end_run", "Great work!!"),
    ("end_run_space", "Done!!! "),
    ("lone_marks", "x. ?? y . . . z"),
]

SFT_FILES = (  # (file, field(s), step)
    ("alpaca_en_demo.json", ("output",), 3),
    ("kto_en_demo.json", ("messages",), 3),
    ("dpo_en_demo.json", ("chosen",), 3),
    ("gsm8k_test.jsonl", ("question", "answer"), 6),
)


def _read(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def _strings(value) -> list[str]:
    """The text strings of a field: a string, a message's content/value, nested lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        for key in ("content", "value"):
            if isinstance(value.get(key), str):
                return [value[key]]
        return []
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def documents(shared_data: Path) -> list[tuple[str, str]]:
    docs = [(f"c4:{i}", json.loads(line)["text"])
            for i, line in enumerate(C4_FILE.read_text(encoding="utf-8").splitlines())]
    for name, fields, step in SFT_FILES:
        stem = name.split(".")[0]
        for i, rec in enumerate(_read(shared_data / "sft" / name)):
            if i % step:
                continue
            for field in fields:
                texts = _strings(rec.get(field))
                for j, t in enumerate(texts):
                    docs.append((f"{stem}:{i}:{field}:{j}", t))
    for i, rec in enumerate(_read(shared_data / "sft" / "alpaca_zh_demo.json")):
        if i % 10 == 0:
            docs.append((f"alpaca_zh:{i}", rec["output"]))
    for p in sorted((shared_data / "lid" / "udhr").glob("*.txt"), key=lambda p: p.name):
        docs.append((f"udhr:{p.stem}", p.read_bytes().decode("utf-8")))
    docs += [(f"edge:{n}", t) for n, t in EDGE]
    ids = [d for d, _ in docs]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate document ids")
    return docs


CASES: list[dict] = [
    {"id": f"sentence_split/{lang}", "op": "sentence_split_mapper", "params": {"lang": lang}}
    for lang in ("en", "fr", "pt", "es")
]
