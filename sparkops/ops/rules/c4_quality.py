"""c4_quality_filter: C4's line and document rules, with datatrove 0.10.1's definitions; a kept
document is rewritten to the lines it keeps."""

from __future__ import annotations

import re

from sparkops.core import Example, Param, Stat
from sparkops.ops.rules.common import declare_rule_set, language_param
from sparkops.text import spacy_words
from sparkops.text.doc import Doc


_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
_END_PUNCTUATION = (".", "?", "!", '"', "'")
_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")


def c4_stats(doc: Doc, p) -> dict:
    """Walk the lines as datatrove's C4QualityFilter does: drop lines by the line rules, stop at
    the first kept-so-far line that condemns the whole document, count sentences of kept lines."""
    language = p["language"]
    units = doc.text.splitlines() if p["split_paragraph"] else spacy_words.sentences(doc.text, language)
    count_sentences = p["min_num_sentences"] != -1
    sentences, kept, flag = 0, [], None
    for unit in units:
        line = unit.strip()
        words = line.split()
        if p["max_word_length"] != -1 and any(len(w) > p["max_word_length"] for w in words):
            continue
        if p["remove_citations"]:
            line = _CITATION.sub("", line)
        if p["filter_no_terminal_punct"] and (not line.endswith(_END_PUNCTUATION) or line.endswith("...")):
            continue
        if len(words) < p["min_words_per_line"]:
            continue
        lower = line.lower()
        if p["filter_lorem_ipsum"] and "lorem ipsum" in lower:
            flag = "lorem_ipsum"
            break
        if p["filter_javascript"] and "javascript" in lower:
            continue
        if p["filter_curly_bracket"] and "{" in line:
            flag = "curly_bracket"
            break
        if p["filter_policy"] and any(phrase in lower for phrase in _POLICY):
            continue
        if count_sentences:
            sentences += spacy_words.sentence_count(line, language) if p["split_paragraph"] else 1
        kept.append(line)
    joiner = "\n" if p["split_paragraph"] else " "
    return {
        "c4_lines": len(units),
        "c4_lines_kept": len(kept),
        "c4_sentences": sentences if count_sentences else None,
        "c4_doc_flag": flag,
        "text": None if flag else joiner.join(kept).strip(),
    }


C4_KEYS = ("c4_lines", "c4_lines_kept", "c4_sentences", "c4_doc_flag", "text")


def c4_reason(s: dict, p) -> str | None:
    if s["c4_doc_flag"]:
        return s["c4_doc_flag"]
    if s["c4_sentences"] is not None and s["c4_sentences"] < p["min_num_sentences"]:
        return "too_few_sentences"
    return None


declare_rule_set(
    name="c4_quality_filter", sql_name="c4_quality",
    doc="C4's heuristics (Raffel et al. 2020, as datatrove's C4QualityFilter): drops lines without "
        "terminal punctuation, with too few words, a too long word, 'javascript' or cookie/terms-of-use "
        "phrases; drops documents with 'lorem ipsum', a curly bracket or too few sentences. **Rewrites "
        "the text** of the documents it keeps to their kept lines.",
    params=(
        Param("split_paragraph", "bool", True, "Apply the line rules to lines (C4); false: to spaCy sentences, "
              "kept ones joined by spaces."),
        Param("remove_citations", "bool", True, "Remove Wikipedia-style citations: [1], [edit], "
              "[citation needed]."),
        Param("filter_no_terminal_punct", "bool", True, "Drop lines not ending in . ? ! \" ' (or ending "
              "in '...')."),
        Param("min_num_sentences", "int", 5, "Drop documents whose kept lines hold fewer spaCy sentences; "
              "-1 disables (and skips the counting)."),
        Param("min_words_per_line", "int", 3, "Drop lines with fewer whitespace-separated words; -1 "
              "disables."),
        Param("max_word_length", "int", 1000, "Drop lines with a longer word; -1 disables."),
        Param("filter_lorem_ipsum", "bool", True, "Drop documents with 'lorem ipsum' in a kept line."),
        Param("filter_javascript", "bool", True, "Drop lines mentioning 'javascript'."),
        Param("filter_curly_bracket", "bool", True, "Drop documents with '{' in a kept line."),
        Param("filter_policy", "bool", True, "Drop lines with cookie or terms-of-use phrases."),
        language_param(),
    ),
    stats=(
        Stat("c4_lines", "long", "Lines (or sentences) the rules looked at."),
        Stat("c4_lines_kept", "long", "Lines kept, up to a document-level flag."),
        Stat("c4_sentences", "long", "spaCy sentences in the kept lines; null when min_num_sentences is -1."),
        Stat("c4_doc_flag", "string", "lorem_ipsum or curly_bracket when a kept line condemns the document."),
    ),
    stats_of=c4_stats,
    reason=c4_reason,
    sql_params=("split_paragraph", "remove_citations", "filter_no_terminal_punct", "min_words_per_line",
                "max_word_length", "filter_lorem_ipsum", "filter_javascript", "filter_curly_bracket",
                "filter_policy", "language"),
    extra_fields=(("text", "text"),),
    notes="`c4_quality(text)` also returns the rewritten `text` (null when a flag drops the document). In a "
          "fused pass or a job the kept documents continue with the rewritten text, as in datatrove. "
          "Reasons: `lorem_ipsum`, `curly_bracket`, `too_few_sentences` "
          "(`sparkops.ops.rules.c4_quality.c4_reason`).",
    examples=(
        Example("c4_quality('The cat sat on the mat.\\nclick here\\nPlease enable JavaScript now.\\n"
                "It was happy there [1].')",
                {"c4_lines": 4, "c4_lines_kept": 2, "c4_sentences": 2, "c4_doc_flag": None,
                 "text": "The cat sat on the mat.\nIt was happy there ."},
                "a line without terminal punctuation and one with 'javascript' go; the citation is cut"),
        Example("c4_quality('Lorem ipsum dolor sit amet.')", {"c4_doc_flag": "lorem_ipsum", "text": None}),
        Example("c4_quality('Short one.').c4_lines_kept", 0, "2 words, fewer than min_words_per_line = 3"),
        Example("c4_quality('Short one.', true, true, true, 2).c4_lines_kept", 1),
    ),
)
