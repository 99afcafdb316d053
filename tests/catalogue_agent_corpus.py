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
