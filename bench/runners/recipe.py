"""The benchmark recipes: 11 Data-Juicer filters (``RECIPE``) and FineWeb's four rule sets
(``RULESETS``, the ``rulesets`` scenario), one parameter set for every tool.

Stdlib only: imported by the harness and bench/runners/spark_job.py (sparkops venv), written as
YAML for Data-Juicer (its own venv) and imported by bench/runners/datatrove_rules_job.py (the
datatrove venv), so every tool runs exactly these entries.

``RECIPE``'s parameters are Data-Juicer 1.6.1's defaults except where noted below. They were fixed
before any timing and are not tuned per tool:

- ``stopwords_filter``: lang ``en`` and ``min_ratio`` 0.0 instead of DJ's 0.3. With 0.3 an
  English stopword list would reject every non-English document *before* the language
  filter sees it; language selection is the job of ``language_id_score_filter`` here.
  The op still computes ``stopwords_ratio`` for every document that reaches it.
- ``flagged_words_filter``: lang ``en`` (DJ's default) stated explicitly.
- ``language_id_score_filter``: lang ``en``, min_score 0.8, and placed last (the brief's
  recipe order), so every other op sees the non-English documents too.
- ``stopwords_dir`` / ``flagged_words_dir`` point Data-Juicer at the same word lists
  sparkops uses (sparkops/assets/wordlists); sparkops uses them by default.

Everything else (text_length min 10, words_num min 10, alphanumeric min 0.25,
special_characters max 0.25, character_repetition rep_len 10 max 0.5, word_repetition
rep_len 10 max 0.5, average/maximum line length min 10, flagged words max 0.045) is the
Data-Juicer default, spelled out so that a change of default in either tool cannot move
the benchmark silently.
"""

from __future__ import annotations

import sys

MAXSIZE = sys.maxsize

RECIPE: list[dict] = [
    {"text_length_filter": {"min_len": 10, "max_len": MAXSIZE}},
    {"words_num_filter": {"min_num": 10, "max_num": MAXSIZE}},
    {"alphanumeric_filter": {"min_ratio": 0.25, "max_ratio": MAXSIZE}},
    {"special_characters_filter": {"min_ratio": 0.0, "max_ratio": 0.25}},
    {"character_repetition_filter": {"rep_len": 10, "min_ratio": 0.0, "max_ratio": 0.5}},
    {"word_repetition_filter": {"rep_len": 10, "min_ratio": 0.0, "max_ratio": 0.5}},
    {"average_line_length_filter": {"min_len": 10, "max_len": MAXSIZE}},
    {"maximum_line_length_filter": {"min_len": 10, "max_len": MAXSIZE}},
    {"stopwords_filter": {"lang": "en", "min_ratio": 0.0, "max_ratio": 1.0}},
    {"flagged_words_filter": {"lang": "en", "min_ratio": 0.0, "max_ratio": 0.045}},
    {"language_id_score_filter": {"lang": "en", "min_score": 0.8}},
]

# Extra parameters only Data-Juicer needs (where to find the word lists offline).
DJ_EXTRA = {
    "stopwords_filter": "stopwords_dir",
    "flagged_words_filter": "flagged_words_dir",
}


def op_names() -> list[str]:
    return [next(iter(e)) for e in RECIPE]


def params(name: str) -> dict:
    for e in RECIPE:
        if name in e:
            return dict(e[name])
    raise KeyError(name)


def _num(v) -> str:
    return repr(float(v)) if isinstance(v, float) else str(int(v))


def _range(expr: str, lo, hi) -> list[str]:
    """Data-Juicer's closed interval [lo, hi]; an unbounded side (sys.maxsize) is omitted."""
    out = [f"{expr} >= {_num(lo)}"]
    if hi != MAXSIZE:
        out.append(f"{expr} <= {_num(hi)}")
    return out


def sql_predicates() -> list[tuple[str, list[str]]]:
    """(op name, SQL predicates) per op: what a SQL user writes with the sparkops functions."""
    p = params
    preds = [
        ("text_length_filter", _range("text_len(text)", p("text_length_filter")["min_len"],
                                      p("text_length_filter")["max_len"])),
        ("words_num_filter", _range("num_words(text)", p("words_num_filter")["min_num"],
                                    p("words_num_filter")["max_num"])),
        ("alphanumeric_filter", _range("alnum_ratio(text)", p("alphanumeric_filter")["min_ratio"],
                                       p("alphanumeric_filter")["max_ratio"])),
        ("special_characters_filter", _range("special_char_ratio(text)",
                                             p("special_characters_filter")["min_ratio"],
                                             p("special_characters_filter")["max_ratio"])),
        ("character_repetition_filter",
         _range(f"char_rep_ratio(text, {p('character_repetition_filter')['rep_len']})",
                p("character_repetition_filter")["min_ratio"], p("character_repetition_filter")["max_ratio"])),
        ("word_repetition_filter",
         _range(f"word_rep_ratio(text, {p('word_repetition_filter')['rep_len']})",
                p("word_repetition_filter")["min_ratio"], p("word_repetition_filter")["max_ratio"])),
        ("average_line_length_filter", _range("avg_line_length(text)", p("average_line_length_filter")["min_len"],
                                              p("average_line_length_filter")["max_len"])),
        ("maximum_line_length_filter", _range("max_line_length(text)", p("maximum_line_length_filter")["min_len"],
                                              p("maximum_line_length_filter")["max_len"])),
        ("stopwords_filter", _range(f"stopwords_ratio(text, '{p('stopwords_filter')['lang']}')",
                                    p("stopwords_filter")["min_ratio"], p("stopwords_filter")["max_ratio"])),
        ("flagged_words_filter", _range(f"flagged_words_ratio(text, '{p('flagged_words_filter')['lang']}')",
                                        p("flagged_words_filter")["min_ratio"],
                                        p("flagged_words_filter")["max_ratio"])),
    ]
    lid = p("language_id_score_filter")
    preds.append(("language_id_score_filter",
                  [f"lang_id(text).lang = '{lid['lang']}'", f"lang_id(text).score >= {_num(lid['min_score'])}"]))
    assert [n for n, _ in preds] == op_names(), "SQL predicates out of recipe order"
    return preds


def sql_where() -> str:
    return "\n  AND ".join(x for _, group in sql_predicates() for x in group)


def dj_process(wordlists_dir: str) -> list[dict]:
    out = []
    for e in RECIPE:
        (name, prm), = e.items()
        prm = dict(prm)
        if name in DJ_EXTRA:
            prm[DJ_EXTRA[name]] = wordlists_dir
        out.append({name: prm})
    return out


def markdown() -> str:
    lines = ["| # | operator | parameters |", "|---|---|---|"]
    for i, e in enumerate(RECIPE, 1):
        (name, prm), = e.items()
        shown = ", ".join(f"{k}={'maxsize' if v == MAXSIZE else v}" for k, v in prm.items())
        lines.append(f"| {i} | `{name}` | {shown} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- FineWeb rule sets

# The `rulesets` scenario: the heuristic rule sets of FineWeb's pipeline, in its order (datatrove's
# examples/fineweb.py), at datatrove 0.10.1's defaults except C4's `filter_no_terminal_punct`
# False, as FineWeb sets it. sparkops' four ops take datatrove's parameter names, so this one
# list is what both tools run: sparkops.fused(df, RULESETS) and, in bench/runners/datatrove_rules_job.py,
# each entry's datatrove class (RULESETS_DATATROVE) called with the same keyword arguments.
RULESETS: list[dict] = [
    {"gopher_repetition_filter": {}},
    {"gopher_quality_filter": {}},
    # keeps a document with >= 5 sentences in its kept lines, and rewrites its text to those lines
    {"c4_quality_filter": {"filter_no_terminal_punct": False}},
    {"fineweb_quality_filter": {}},
]
# the class of each op in datatrove.pipeline.filters
RULESETS_DATATROVE = {
    "gopher_repetition_filter": "GopherRepetitionFilter",
    "gopher_quality_filter": "GopherQualityFilter",
    "c4_quality_filter": "C4QualityFilter",
    "fineweb_quality_filter": "FineWebQualityFilter",
}


def rulesets_names() -> list[str]:
    return [next(iter(e)) for e in RULESETS]


def rulesets_markdown() -> str:
    lines = ["| # | sparkops op | datatrove 0.10.1 class | parameters |", "|---|---|---|---|"]
    for i, e in enumerate(RULESETS, 1):
        (name, prm), = e.items()
        shown = ", ".join(f"`{k}={v}`" for k, v in prm.items()) or "defaults"
        if prm:
            shown += ", the rest defaults"
        lines.append(f"| {i} | `{name}` | `{RULESETS_DATATROVE[name]}` | {shown} |")
    return "\n".join(lines)
