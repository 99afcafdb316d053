"""Inputs for the Data-Juicer LaTeX fixture (tests/fixtures/dj_latex.json.gz).

Standard library only: imported by ``tools/dj_parity/gen_latex_fixture.py`` in Data-Juicer's venv
and by ``tests/test_catalogue_latex.py`` in ours.

``documents()`` = (doc_id, text) pairs:

- ``latex2e:<name>``, ``arxiv_latex_cleaner:<path>``: real LaTeX sources, verbatim, from
  ``tests/fixtures/latex_sources.json.gz`` (which records each file's repository, commit, path
  and licence: LaTeX's own guides and LaTeX News issues from latex3/latex2e, LPPL 1.3c, which
  allows unmodified redistribution; arxiv-latex-cleaner's test documents, Apache-2.0);
- ``crlf:<name>``: the LaTeX News issue with CRLF line ends (Windows-edited sources);
- ``tex:<name>``: hand-written inputs (the cases below: nested braces, macros with arguments,
  ``\\%``, comments at odd places, headings in comments, empty and blank texts, non-ASCII);
- the whole Data-Juicer parity corpus (``parity_corpus.documents()``: plain text of every kind,
  where these cleaners must leave prose alone or, for remove_header_mapper, empty it).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from parity_corpus import documents as parity_documents

SOURCES_FILE = Path(__file__).resolve().parent / "fixtures" / "latex_sources.json.gz"

TEX_CASES: list[tuple[str, str]] = [
    ("empty", ""),
    ("blank", " \n\t\n"),
    ("percent_only", "%"),
    ("percent_end", "50%\nnext"),
    ("escaped_percent", "Save 50\\% now % but not this\n"),
    ("escaped_backslash_percent", "row \\\\% comment\n\\\\%%x\n"),
    ("comment_first_line", "% first\nText\n%second\n% third"),
    ("comment_after_blank", "A\n\n% c\nB"),
    ("comment_crlf", "A % c\r\n% whole\r\nB\r\n"),
    ("two_percents", "a%b%c\n%%\n%"),
    ("heading_star_opt", "pre\n\\section*[Short]{Long \\emph{title}}\nbody"),
    ("heading_unclosed", "pre \\section{unclosed and no brace after"),
    ("heading_in_comment", "% \\section{commented}\nreal text"),
    ("heading_names", "\\sectionmark{x} \\partial{y} \\subsubsection{Z} rest"),
    ("heading_paragraph", "intro\n\\paragraph{P} text\n\\chapter{C}"),
    ("heading_opt_far", "a \\section[x\n]y]{t} z"),
    ("bib_style_only", "\\bibliographystyle{plain}\nText"),
    ("bib_unclosed", "Text \\bibliography{refs"),
    ("bib_appendixname", "Text \\appendixname{A} more"),
    ("bib_thebibliography", "Body.\n\\begin{thebibliography}{9}\n\\bibitem{a} A.\n\\end{thebibliography}\n"),
    ("bib_references_upper", "Body\n\\begin{REFERENCES}\nx\n\\end{REFERENCES}"),
    ("bib_first_of_many", "a \\bibliography{x} b \\appendix c"),
    ("macro_newcommand", "\\newcommand{\\R}{\\mathbb{R}}\n$x\\in\\R$, \\R.\n\\R"),
    ("macro_star", "\\newcommand*{\\eps}{\\varepsilon}\n$\\eps>0$ and $\\eps_1$"),
    ("macro_def", "\\def\\ours{OurMethod}\n\\ours{} beats \\ours.\n\\oursB \\ours"),
    ("macro_def_spaces", "\\def  \\x  {ex}\n\\x!"),
    ("macro_args", "\\newcommand{\\vect}[1]{\\mathbf{#1}}\n$\\vect{v}$"),
    ("macro_nested_braces", "\\newcommand{\\set}{\\{ \\mathbb{N} \\}}\n$\\set$ and $\\set_0$"),
    ("macro_trailing_comment", "\\newcommand{\\a}{A} % note\n\\a."),
    ("macro_consecutive", "\\newcommand{\\a}{A}\n\\a\\a\\a \\a"),
    ("macro_redefined", "\\newcommand{\\b}{one}\n\\def\\b{two}\n\\newcommand{\\b}{three}\n\\b."),
    ("macro_chain", "\\newcommand{\\p}{\\q+1}\n\\newcommand{\\q}{Q}\n\\p."),
    ("macro_chain_reverse", "\\newcommand{\\q}{Q}\n\\newcommand{\\p}{\\q+1}\n\\p."),
    ("macro_backrefs", "\\newcommand{\\g}{\\1 \\g<0> $1 \\\\}\n\\g."),
    ("macro_non_ascii", "\\newcommand{\\zh}{中文 é 😀}\n\\zh\tok"),
    ("macro_crlf", "\\newcommand{\\c}{C}\r\n\\c.\r\n"),
    ("macro_at_name", "\\def\\a@b{x}\n\\a@b."),
    ("macro_renew", "\\renewcommand{\\r}{R}\n\\r."),
    ("macro_multiline", "\\newcommand{\\m}{first\nsecond}\n\\m."),
    ("macro_end_of_text", "\\newcommand{\\e}{E}\n\\e"),
    ("macro_digits_name", "\\newcommand{\\x1}{X1}\n\\x1 \\x12"),
    ("non_ascii_doc", "\\documentclass{ctexart}\n% 注释\n\\section{引言}\n中文内容，50\\% 的样本。% 行内\n"
                      "\\bibliography{参考}"),
    ("long_word", "%" + "x" * 50000 + "\n\\section{" + "y" * 50000),
]


def _real() -> list[tuple[str, str]]:
    with gzip.open(SOURCES_FILE, "rt", encoding="utf-8") as f:
        data = json.load(f)
    return [(d["id"], d["text"]) for d in data["docs"]]


def documents() -> list[tuple[str, str]]:
    """All (doc_id, text) pairs, in a fixed order."""
    real = _real()
    crlf = [("crlf:ltnews44", t.replace("\n", "\r\n")) for i, t in real if i == "latex2e:ltnews44"]
    docs = real + crlf + [(f"tex:{n}", t) for n, t in TEX_CASES] + parity_documents()
    ids = [d for d, _ in docs]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate document ids")
    return docs


CASES: list[dict] = [
    {"id": "remove_comments", "op": "remove_comments_mapper", "params": {}},
    {"id": "remove_comments/inline_only", "op": "remove_comments_mapper", "params": {"multiline": False}},
    {"id": "remove_comments/multiline_only", "op": "remove_comments_mapper", "params": {"inline": False}},
    {"id": "remove_header", "op": "remove_header_mapper", "params": {}},
    {"id": "remove_header/keep", "op": "remove_header_mapper", "params": {"drop_no_head": False}},
    {"id": "remove_bibliography", "op": "remove_bibliography_mapper", "params": {}},
    {"id": "expand_macro", "op": "expand_macro_mapper", "params": {}},
]


# ---------------------------------------------------------------- figures (latex_figure_context_extractor_mapper)

_FIG = "\\begin{figure}[t]\n\\centering\n\\includegraphics[width=.5\\linewidth]{img/a.pdf}\n" \
       "\\caption{A \\textbf{bold \\emph{nested {deep}}} caption.}\n\\label{fig:a}\n\\end{figure}\n"

FIGURE_CASES: list[tuple[str, str]] = [
    ("single", "Intro.\n\nAs Fig.~\\ref{fig:a} shows, it works.\n\n" + _FIG + "\nSee \\cref{fig:a,fig:b} and "
               "\\autoref{fig:ab}.\n\nNo citation here."),
    ("no_image", "\\begin{figure}\\caption{Only a caption}\\label{fig:x}\\end{figure}\n\nSee \\ref{fig:x}."),
    ("no_figure", "Plain text with \\includegraphics{x.png} outside any figure."),
    ("figure_star_wrap", "\\begin{figure*}\\includegraphics{w.png}\\caption*{Wide}\\label{fig:w}\\end{figure*}\n\n"
                         "\\begin{wrapfigure}{r}{0.4\\textwidth}\\includegraphics[scale=2]{ r.png }"
                         "\\captionof{figure}{Wrapped}\\end{wrapfigure}\n\nRefs \\Cref{fig:w}."),
    ("subfigure_envs", "\\begin{figure}\n\\begin{subfigure}[b]{0.45\\textwidth}\\includegraphics{s1.png}"
                       "\\caption{Left}\\label{fig:s1}\\end{subfigure}\n\\begin{subfigure}{0.45\\textwidth}"
                       "\\includegraphics{s2.png}\\subcaption{Right}\\end{subfigure}\n"
                       "\\begin{subfigure}{1cm}\\caption{No image}\\end{subfigure}\n"
                       "\\caption{Parent caption}\\label{fig:p}\n\\end{figure}\n\nParent \\ref{fig:p}.\n\n"
                       "Left \\ref{fig:s1} and parent \\ref{fig:p}.\n\nLeft alone: \\ref{ fig:s1 }."),
    ("subfigure_cmds", "\\begin{figure}\n\\subfloat[First]{\\includegraphics{f1.png}\\label{fig:f1}}\n"
                       "\\subfigure{\\includegraphics{f2.png}}\n\\subfigure[Third {x}]{\\includegraphics{f3.png}}\n"
                       "\\subfloat[Nested]{\\begin{tabular}{c}\\includegraphics{f4.png}\\end{tabular}}\n"
                       "\\caption{Commands}\\label{fig:cmds}\\end{figure}\n\nCites \\ref{fig:f1}, \\ref{fig:cmds}."),
    ("subfigure_mixed_order", "\\begin{figure}\\subfloat{\\includegraphics{bare.png}}"
                              "\\begin{subfigure}{1in}\\includegraphics{env.png}\\end{subfigure}"
                              "\\subfloat[cap]{\\includegraphics{cmd.png}}\\end{figure}"),
    ("minipages", "\\begin{figure}\n\\begin{minipage}{.5\\textwidth}\\includegraphics{m1.png}\\caption{M1}"
                  "\\label{fig:m1}\\end{minipage}\n\\begin{minipage}{.5\\textwidth}\\captionof{table}{T}"
                  "\\includegraphics{t.png}\\end{minipage}\n\\begin{minipage}{.5\\textwidth}\\includegraphics{m3.png}"
                  "\\end{minipage}\n\\end{figure}\n\nSee \\ref{fig:m1}."),
    ("one_minipage", "\\begin{figure}\\begin{minipage}{1in}\\includegraphics{only.png}\\caption{Solo}"
                     "\\end{minipage}\\label{fig:solo}\\end{figure}"),
    ("nested_figure", "\\begin{figure}\\begin{figure}\\includegraphics{in.png}\\end{figure}"
                      "\\includegraphics{out.png}\\end{figure}"),
    ("unclosed", "\\begin{figure}\\includegraphics{u.png}\\caption{never closed}"),
    ("float_stripped", "\\begin{table}See \\ref{fig:a} in a table.\\end{table}\n\n" + _FIG
                       + "\n\n\\begin{equation}x \\ref{fig:a}\\end{equation} and prose \\ref{fig:a}."),
    ("label_regex_chars", "\\begin{figure}\\includegraphics{a.png}\\label{fig:a.b+c}\\end{figure}\n\n"
                          "\\ref{fig:a.b+c} and \\ref{fig:aXb+c}."),
    ("label_prefix", _FIG + "\n\n\\ref{fig:ab} only.\n\n\\ref{fig:a} yes.\n\n\\cref{fig:z, fig:a ,fig:y} list."),
    ("multiple_graphics", "\\begin{figure}\\includegraphics{a.png}\\includegraphics[]{b.png}\\caption{Two}"
                          "\\end{figure}"),
    ("crlf", _FIG.replace("\n", "\r\n") + "\r\n\r\nSee \\ref{fig:a}.\r\n"),
    ("non_ascii", "\\begin{figure}\\includegraphics{图/一.png}\\caption{图一：结果}\\label{fig:中}\\end{figure}\n\n"
                  "如图\\ref{fig:中}所示。"),
    ("empty", ""),
]


def figure_documents() -> list[tuple[str, str]]:
    """The figure extractor's inputs: the real sources and LaTeX cases above, then the figure cases."""
    docs = _real() + [(f"tex:{n}", t) for n, t in TEX_CASES] + [(f"fig:{n}", t) for n, t in FIGURE_CASES]
    ids = [d for d, _ in docs]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate document ids")
    return docs


FIGURE_PARAMS: list[dict] = [
    {"id": "default", "params": {}},
    {"id": "commands_paragraphs", "params": {"citation_commands": ["\\ref", "\\figref", "ref*"],
                                             "paragraph_separator": "\n"}},
]
