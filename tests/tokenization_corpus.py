"""Inputs and cases of the tokenization fixture (tests/fixtures/dj_tokenization.json.gz): Data-Juicer
1.6.1's ops with ``tokenization: true``. Standard library only: shared by the generator
(Data-Juicer's venv) and the tests (sparkops' venv).

English: the 300 C4 documents of data/c4_sample.jsonl plus edge cases; Chinese: the first
``N_ZH`` records of data/sft/alpaca_zh_demo.json (instruction, input and output joined
by newlines) plus edge cases. Both sides load sparkops' own sentencepiece models
(sparkops/assets/perplexity/{lang}.sp.model).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SP_MODELS = ROOT / "sparkops" / "assets" / "perplexity"
N_ZH = 200

EDGE = {
    "en": [
        ("edge:empty", ""),
        ("edge:blank", "  \n\t \u3000 "),
        ("edge:punct", "... --- !!! ??? 123 456"),
        ("edge:long_word", "x" * 500 + " tail " + "Supercalifragilisticexpialidocious" * 20),
        ("edge:non_ascii", "Café naïve résumé — “quoted” 東京 😀 end. ΟΔΟΣ Σίσυφος ΣΑΣ İstanbul"),
        ("edge:urls", "see http://example.com/x and https://www.a.org/b?c=d, href=//cdn.x.com now"),
        ("edge:repeat", "the cat sat on the mat. " * 30),
        ("edge:flagged", "free xxx porn videos here, fuck this shit, sex sex sex"),
        ("edge:marks", "\u2581 \u2581\u2581 x\u2581y \u2581."),
        ("edge:whitespace", "a\r\nb\x0bc\x0cd\u00a0e\u2028f\tg  h\n\n\ni"),
        ("edge:surrogate_free_emoji", "👍🏽 👨‍👩‍👧 🇫🇷 ok ✓ ★"),
    ],
    "zh": [
        ("edge:zh_short", "你好"),
        ("edge:zh_punct", "。，、；：？！“”（）《》"),
        ("edge:zh_mixed", "Spark 3.5 处理 1,000 条数据 quickly，然后写回 HDFS。"),
        ("edge:zh_stop", "我们去了商店，然后回家了。的的的了了了"),
        ("edge:zh_fullwidth", "ＡＢＣ１２３　全角字符　ｈｔｔｐ：／／ｗｗｗ．ｘ．ｃｏｍ"),
        ("edge:zh_empty", ""),
    ],
}

# (id, op, params); lang decides the documents and the model
CASES = [
    ("words_num/en", "words_num_filter", {"lang": "en", "tokenization": True, "min_num": 20, "max_num": 10000}),
    ("word_repetition/en", "word_repetition_filter", {"lang": "en", "tokenization": True, "rep_len": 10,
                                                      "max_ratio": 0.231}),
    ("word_repetition/en_rep3", "word_repetition_filter", {"lang": "en", "tokenization": True, "rep_len": 3,
                                                           "max_ratio": 0.3}),
    ("flagged_words/en", "flagged_words_filter", {"lang": "en", "tokenization": True, "max_ratio": 0.01}),
    ("stopwords/en", "stopwords_filter", {"lang": "en", "tokenization": True, "min_ratio": 0.1}),
    ("remove_words_substrings/en", "remove_words_with_incorrect_substrings_mapper",
     {"lang": "en", "tokenization": True}),
    ("words_num/zh", "words_num_filter", {"lang": "zh", "tokenization": True, "min_num": 20}),
    ("word_repetition/zh", "word_repetition_filter", {"lang": "zh", "tokenization": True, "rep_len": 5}),
    ("flagged_words/zh", "flagged_words_filter", {"lang": "zh", "tokenization": True, "max_ratio": 0.01}),
    ("flagged_words/zh_aug", "flagged_words_filter", {"lang": "zh", "tokenization": True, "use_words_aug": True,
                                                      "words_aug_group_sizes": [2, 3]}),
    ("stopwords/zh_aug", "stopwords_filter", {"lang": "zh", "tokenization": True, "use_words_aug": True,
                                              "min_ratio": 0.2}),
    ("remove_words_substrings/zh", "remove_words_with_incorrect_substrings_mapper",
     {"lang": "zh", "tokenization": True, "substrings": ["http", "的", "//"]}),
]


def lang_of(case_id: str) -> str:
    return case_id.rsplit("/", 1)[1][:2]


def documents(lang: str) -> list[tuple[str, str]]:
    """(id, text) of one language."""
    if lang == "en":
        with open(ROOT / "data" / "c4_sample.jsonl", encoding="utf-8") as f:
            real = [(f"c4:{i}", json.loads(line)["text"]) for i, line in enumerate(f) if line.strip()]
    else:
        with open(ROOT / "data" / "sft" / "alpaca_zh_demo.json", encoding="utf-8") as f:
            rows = json.load(f)[:N_ZH]
        real = [(f"alpaca_zh:{i}", "\n".join(r[k] for k in ("instruction", "input", "output") if r.get(k)))
                for i, r in enumerate(rows)]
    return real + EDGE[lang]


def digest(text: str) -> str:
    """A mapper's output as the fixture stores it: short texts verbatim, long ones as a hash."""
    if len(text) <= 80:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + f":{len(text)}"


def sha256_docs(docs: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for doc_id, text in docs:
        h.update(doc_id.encode() + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()
