"""Cases of the datatrove parity fixture: each a sparkops rule-set filter with its parameters
and the datatrove filter class that should decide the same.

Standard library only: imported by the datatrove venv (``tools/dt_parity/gen_fixture.py``,
which writes ``tests/fixtures/datatrove_parity.json.gz``) and by our pytest suite
(``tests/test_parity_datatrove.py``). Parameter names are the same on both sides except
that datatrove takes n-gram limits as tuples. Besides the defaults, tighter settings make
every rule of a set fire on some document of ``parity_corpus.documents()``.
"""

from __future__ import annotations

DATATROVE_CLASS = {
    "gopher_quality_filter": "GopherQualityFilter",
    "gopher_repetition_filter": "GopherRepetitionFilter",
    "c4_quality_filter": "C4QualityFilter",
    "fineweb_quality_filter": "FineWebQualityFilter",
}

_TIGHT_GOPHER = dict(min_doc_words=20, max_doc_words=400, min_avg_word_length=4, max_avg_word_length=6,
                     max_symbol_word_ratio=0.01, max_bullet_lines_ratio=0.2, max_ellipsis_lines_ratio=0.05,
                     max_non_alpha_words_ratio=0.9, min_stop_words=4)

CASES = [
    ("gopher_quality_filter", {}),
    ("gopher_quality_filter", _TIGHT_GOPHER),
    ("gopher_quality_filter", dict(min_doc_words=None, max_doc_words=None, min_avg_word_length=None,
                                   max_avg_word_length=None, max_symbol_word_ratio=0.02,
                                   max_bullet_lines_ratio=0.1, max_ellipsis_lines_ratio=0.02,
                                   max_non_alpha_words_ratio=0.95, min_stop_words=3)),
    ("gopher_quality_filter", dict(min_doc_words=5, stop_words=["The", "a", "de", "la"], min_stop_words=2)),
    ("gopher_repetition_filter", {}),
    ("gopher_repetition_filter", dict(dup_line_frac=0.05, dup_para_frac=0.05, dup_line_char_frac=0.02,
                                      dup_para_char_frac=0.02)),
    ("gopher_repetition_filter", dict(dup_para_frac=None, dup_para_char_frac=0.01)),
    ("gopher_repetition_filter", dict(dup_line_frac=None, dup_para_frac=None, dup_line_char_frac=None,
                                      dup_para_char_frac=None,
                                      top_n_grams=[[2, 0.05], [3, 0.04], [4, 0.03]], dup_n_grams=[])),
    ("gopher_repetition_filter", dict(dup_line_frac=None, dup_para_frac=None, dup_line_char_frac=None,
                                      dup_para_char_frac=None, top_n_grams=[],
                                      dup_n_grams=[[10, 0.01], [9, 0.01], [8, 0.02], [7, 0.02], [6, 0.03],
                                                   [5, 0.03]])),
    ("c4_quality_filter", {}),
    ("c4_quality_filter", dict(filter_no_terminal_punct=False)),
    ("c4_quality_filter", dict(split_paragraph=False, min_num_sentences=3)),
    ("c4_quality_filter", dict(remove_citations=False, min_num_sentences=-1, min_words_per_line=-1,
                               max_word_length=12, filter_curly_bracket=False)),
    ("fineweb_quality_filter", {}),
    ("fineweb_quality_filter", dict(line_punct_thr=0.5, line_punct_exclude_zero=True, short_line_thr=0.3,
                                    short_line_length=60)),
    ("fineweb_quality_filter", dict(line_punct_thr=0.0, short_line_thr=1.0, char_duplicates_ratio=0.001,
                                    new_line_ratio=0.05)),
    ("fineweb_quality_filter", dict(line_punct_thr=0.0, short_line_thr=1.0, char_duplicates_ratio=1.0,
                                    new_line_ratio=0.01, stop_chars=[".", "!", "?", ":"])),
]


def case_id(op: str, params: dict) -> str:
    if not params:
        return f"{op}[default]"
    return f"{op}[" + ",".join(f"{k}={params[k]}" for k in sorted(params)) + "]"


def datatrove_kwargs(params: dict) -> dict:
    """The same parameters as datatrove's constructor takes them (n-gram limits as tuples)."""
    out = dict(params)
    for key in ("top_n_grams", "dup_n_grams", "stop_chars"):
        if out.get(key) is not None:
            out[key] = tuple(tuple(x) if isinstance(x, list) else x for x in out[key])
    return out
