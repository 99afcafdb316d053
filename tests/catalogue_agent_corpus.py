"""Cases for the Data-Juicer fixture of general_field_filter and document_line_deduplicator
(standard library only: shared by tools/dj_parity/gen_catalogue_agent_fixture.py and the test).

general_field_filter runs over ``field_filters_corpus.records()`` (real alpaca / GSM8K records
with derived fields, and odd values); document_line_deduplicator over
``parity_corpus.documents()`` (C4, wiki, novels, UDHR, SFT, raw HTML pages, edge cases) plus
the ``LINE_EXTRA`` documents below.
"""

from __future__ import annotations

GENERAL_FIELD_CASES = [
    "10 < meta.words <= 300 and text != 'nothing here'",
    "meta.lang == 'zh' or score > 0.5",
    "meta.input_len == 0",
    "'list' in meta.tags",
    "meta.chars not in ['1584', '0']",
    "not meta.answer",
    "score >= 0.01 and __dj__meta__.lang in ('en', 'zh')",
    "-score < -0.1",
    "meta.stats.depth > 5",
    "1 < 2 < meta.words",
    "meta.words > '5'",
    "text > 'M'",
    "{meta.lang} == {'en'}",
    "meta.missing not in [1, 2]",
    "meta.missing in [None]",
    "not (meta.lang == 'en' and meta.words < 100) or score",
    "__dj__stats__.score_stat >= 0.5",
    "",
]

LINE_CASES = [
    {},
    {"frequency_threshold": 1},
    {"frequency_threshold": 2, "lowercase": True, "ignore_special_character": True},
    {"frequency_threshold": 3, "min_line_length": 0, "skip_brackets": False, "skip_markdown_headers": False,
     "skip_latex_env": False, "skip_html_tags": False},
    {"frequency_threshold": 0, "min_line_length": 10},
]

# boilerplate the way a crawl has it, beside the real documents
LINE_EXTRA = [
    ("line:footer_%d" % i, body + "\n© 2024 Example Corp. All rights reserved.\nPrivacy Policy | Terms of Use\n"
     "# Related\n\\begin{document}\n<div class=\"nav\">\n{ }\n12:30\n--- \n")
    for i, body in enumerate([
        "Weather today is sunny.\nHigh of 25C.",
        "Stock markets rose.\r\nInvestors cheered.",
        "Recipe: pancakes\nMix flour and eggs.",
        "我们的产品很好。\n欢迎光临！",
        "privacy policy | terms of use",
        "",
        "   \n\t\n",
    ])
]

# a dataset of one document, and of two (threshold 0: every countable line is frequent)
LINE_SMALL = [
    ("one", [("a", "Repeated line\nRepeated line\nx")]),
    ("two", [("a", "Repeated line\nonly here"), ("b", "Repeated line\n")]),
]

# python_lambda_mapper / python_file_mapper over python_records(): (op, params)
USER_FUNCTIONS = "tests/fixtures/catalogue_user_functions.py"  # from the project root
PYTHON_CASES = [
    ("python_lambda_mapper", {"lambda_str": "lambda s: {'text': s['text'].strip().lower()}"}),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {**s, 'text': s['output'][::-1], "
                                            "'words': len(s['output'].split())}"}),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {'text': s['text'] + s['input']} if s['input'] "
                                            "else s['text']"}),
    ("python_lambda_mapper", {"lambda_str": "lambda s: {'text': s['text'][:10] + str(1 // len(s['input']))}"}),
    ("python_lambda_mapper", {"lambda_str": "lambda b: {'text': [t.upper() for t in b['text']], "
                                            "'n': [len(o) for o in b['output']]}", "batched": True}),
    ("python_lambda_mapper", {}),
    ("python_file_mapper", {"file_path": USER_FUNCTIONS}),
    ("python_file_mapper", {"file_path": USER_FUNCTIONS, "function_name": "tag_batch", "batched": True}),
    ("python_file_mapper", {"file_path": USER_FUNCTIONS, "function_name": "not_a_dict"}),
]


def python_records(shared_data) -> list[dict]:
    """Alpaca records (every 20th English, every 10th Chinese) as {id, text, input, output},
    plus odd texts."""
    import json
    from pathlib import Path

    out = []
    for lang, step in (("en", 20), ("zh", 10)):
        recs = json.loads((Path(shared_data) / "sft" / f"alpaca_{lang}_demo.json").read_text(encoding="utf-8"))
        for i in range(0, len(recs), step):
            r = recs[i]
            out.append({"id": f"{lang}:{i}", "text": r["instruction"], "input": r["input"], "output": r["output"]})
    for name, text in (("empty", ""), ("space", "   "), ("emoji", "\U0001F600 ok"), ("long", "x" * 5000)):
        out.append({"id": f"odd:{name}", "text": text, "input": "", "output": text})
    return out
