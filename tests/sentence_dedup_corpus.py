"""Inputs for the datatrove sentence-dedup fixture (tests/fixtures/dt_sentence_dedup.json).

Standard library only: imported by ``tools/dt_parity/gen_sentence_dedup_fixture.py`` in
datatrove's venv and by ``tests/test_sentence_dedup.py`` in ours.

``documents()`` = (doc_id, text) pairs in corpus order (what "earlier" means): the 300 C4
documents of ``data/c4_sample.jsonl`` (``c4:<i>``), 38 of them with a boilerplate paragraph of
3-4 sentences (or a footer of 4 lines) pasted in at the start, in the middle (at a line break)
or at the end, some copies differing only in case, spacing, punctuation, numbers or accents
(which datatrove's normalisation ignores); then the ``edge:<name>`` documents below (a copied document, a document
of boilerplate only, short documents that lose their boilerplate, an empty and a blank one, a
paragraph repeated inside one document, a document of two sentences).

``CASES``: the SentDedupConfig settings the fixture runs (datatrove's names).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
C4_FILE = ROOT / "data" / "c4_sample.jsonl"

COOKIE = ("We use cookies to give you the best possible experience on our website. By continuing to browse "
          "this site, you give consent for cookies to be used. For more details, please read our cookie policy. "
          "You can change your cookie settings at any time.")
LICENCE = ("This article is licensed under a Creative Commons Attribution 4.0 International License. You are "
           "free to share and adapt the material for any purpose. You must give appropriate credit and indicate "
           "if changes were made. No additional restrictions may be applied.")
NEWSLETTER = ("Sign up for our newsletter to get the latest news delivered to your inbox. We never share your "
              "email address with third parties. You can unsubscribe at any time with one click.")
# a footer of lines (what split_sentences=False compares: 3 consecutive lines)
FOOTER = ("Copyright 2019 Example Media Group. All rights reserved.\nPrivacy Policy | Terms of Use | Contact Us\n"
          "Follow us on Facebook, Twitter and Instagram\nPowered by WordPress")

# copies a normalised comparison treats as the same (datatrove's simplify_text: lower-cased,
# punctuation to spaces, whitespace runs collapsed, numbers to 0, accents dropped)
VARIANTS = {
    "cookie_upper": COOKIE.upper(),
    "cookie_spaced": COOKIE.replace(". ", ".  ").replace(", ", " , "),
    "licence_numbers": LICENCE.replace("4.0", "3.0"),
    "newsletter_accents": NEWSLETTER.replace("latest", "látest").replace("inbox", "ínbox"),
}
TEMPLATES = [COOKIE, LICENCE, NEWSLETTER, VARIANTS["cookie_upper"], COOKIE, LICENCE,
             VARIANTS["cookie_spaced"], NEWSLETTER, VARIANTS["licence_numbers"], VARIANTS["newsletter_accents"],
             COOKIE, LICENCE, FOOTER, FOOTER.replace("2019", "2021")]
POSITIONS = ("start", "middle", "end")
INJECT_EVERY = 8  # C4 documents 3, 11, 19, ... get a boilerplate paragraph (38 of 300)


def _paste(text: str, para: str, where: str) -> str:
    lines = text.split("\n")
    if where == "start":
        return para + "\n" + text
    if where == "end":
        return text + "\n" + para
    cut = max(1, len(lines) // 2)
    if len(lines) < 2:  # one paragraph: glue it after the first half of the sentences' text
        return text + " " + para
    return "\n".join(lines[:cut] + [para] + lines[cut:])


def c4_documents() -> list[str]:
    return [json.loads(line)["text"] for line in C4_FILE.read_text(encoding="utf-8").splitlines()]


def documents() -> list[tuple[str, str]]:
    c4 = c4_documents()
    docs = []
    n = 0
    for i, text in enumerate(c4):
        if i % INJECT_EVERY == 3:
            text = _paste(text, TEMPLATES[n % len(TEMPLATES)], POSITIONS[n % len(POSITIONS)])
            n += 1
        docs.append((f"c4:{i}", text))
    repeated = "The river rose overnight. The bridge was closed at dawn. Crews worked until noon."
    docs += [
        ("edge:copy_of_c4_5", c4[5]),                           # every window seen: all removed, dropped
        ("edge:c4_7_plus_one", c4[7] + " One more sentence here."),
        ("edge:boilerplate_only", COOKIE),
        ("edge:short_with_boilerplate", "A short note about our shop. It opens at nine.\n" + LICENCE),
        ("edge:long_with_boilerplate", " ".join(f"Sentence number {w} talks about topic {w * 7}." for w in
                                                 ("one", "two", "three", "four", "five", "six", "seven", "eight",
                                                  "nine", "ten")) + "\n" + NEWSLETTER),
        ("edge:empty", ""),
        ("edge:blank", "  \n\t "),
        ("edge:two_sentences", "Only two sentences. That is all."),
        ("edge:repeated_inside", f"{repeated}\nSomething else happened later that week in town.\n{repeated}"),
        ("edge:boilerplate_glued", "Our team answers questions. " + NEWSLETTER + " Thanks for reading!"),
        ("edge:leading_space_dup", "   " + COOKIE + "\nA final remark that nobody else makes, ever."),
        ("edge:crlf_lines", c4[11].replace("\n", "\r\n")),
    ]
    ids = [d for d, _ in docs]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate document ids")
    return docs


# SentDedupConfig fields (datatrove 0.10.1), one fixture case each
CASES: list[dict] = [
    {},
    {"split_sentences": False},
    {"n_sentences": 2, "min_doc_words": 0, "min_num_sentences": 0},
    {"n_sentences": 4, "min_doc_words": 20, "min_num_sentences": 5},
    {"min_words_to_remove_span": 40},
]


def case_id(params: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(params.items())) or "defaults"
