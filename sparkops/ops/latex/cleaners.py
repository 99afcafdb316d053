"""remove_comments_mapper, remove_header_mapper, remove_bibliography_mapper, expand_macro_mapper.

Data-Juicer 1.6.1 took these from RedPajama's arXiv cleaner; each is one or two regular
expressions (``regex`` module, as Data-Juicer). The patterns below are Data-Juicer's, quoted as
facts that define the output; their quirks are kept and listed in each op's notes."""

from __future__ import annotations

import regex

from sparkops.core import Example, Op, OpError, Param, declare

FAMILY = "latex"

# Data-Juicer 1.6.1 remove_comments_mapper: the character before an unescaped % is removed with
# the comment (it may be the newline ending the line before); a line starting with % goes whole.
_INLINE_COMMENT = regex.compile(r"[^\\]%.+$", flags=regex.MULTILINE)
_LINE_COMMENT = regex.compile(r"^%.*\n?", flags=regex.MULTILINE)

# Data-Juicer 1.6.1 remove_header_mapper: everything before the first sectioning command whose
# (optional [short]) {title} closes somewhere later in the text (DOTALL: across lines).
_HEADINGS = ("chapter", "part", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
_HEADING = regex.compile(
    "|".join(r"\\\b" + h + r"\b\*?(?:\[(?:.*?)\])?\{(?:.*?)\}" for h in _HEADINGS), flags=regex.DOTALL)

# Data-Juicer 1.6.1 remove_bibliography_mapper: everything from the first of these to the end.
_BIBLIOGRAPHY = regex.compile(
    r"\\appendix|\\begin\{references\}|\\begin\{REFERENCES\}|\\begin\{thebibliography\}|\\bibliography\{.*\}",
    flags=regex.DOTALL)

# Data-Juicer 1.6.1 expand_macro_mapper: one-line definitions without arguments; the value runs
# to the last } of the definition's line (the line must end there).
_NEWCOMMAND = regex.compile(r"\\\bnewcommand\b\*?\{(\\[a-zA-Z0-9]+?)\}\{(.*?)\}$", flags=regex.MULTILINE)
_DEF = regex.compile(r"\\def\s*(\\[a-zA-Z0-9]+?)\s*\{(.*?)\}$", flags=regex.MULTILINE)


def remove_comments(text: str, inline: bool = True, multiline: bool = True) -> str:
    if inline:
        text = _INLINE_COMMENT.sub("", text)
    if multiline:
        text = _LINE_COMMENT.sub("", text)
    return text


def remove_header(text: str, drop_no_head: bool = True) -> str:
    m = _HEADING.search(text)
    if m is None:
        return "" if drop_no_head else text
    return text[m.start():]


def remove_bibliography(text: str) -> str:
    m = _BIBLIOGRAPHY.search(text)
    return text if m is None else text[:m.start()]


def macro_definitions(text: str) -> dict[str, str]:
    """name -> value, \\newcommand definitions first then \\def, in text order; a later definition of
    a name replaces the value but keeps the name's first place (a dict, as Data-Juicer)."""
    macros: dict[str, str] = {}
    for pattern in (_NEWCOMMAND, _DEF):
        for m in pattern.finditer(text):
            macros[m.group(1)] = m.group(2)
    return macros


def expand_macros(text: str) -> str:
    for name, value in macro_definitions(text).items():
        # The character after the name is consumed with it: `\a\a ` expands only the first `\a`,
        # and a name at the very end of the text is not expanded (Data-Juicer's pattern).
        use = regex.compile(regex.escape(name) + r"([^a-zA-Z0-9])")
        text = use.sub(lambda m, v=value: v + m.group(1), text)
    return text


def _doc_type(p, where):
    kinds = p["doc_type"] if isinstance(p["doc_type"], list) else [p["doc_type"]]
    if not kinds or any(k != "tex" for k in kinds):
        raise OpError(f"{where}: parameter 'doc_type' ({p['doc_type']!r}): only 'tex' is supported "
                      "(Data-Juicer 1.6.1 applies its TeX patterns whatever the value)")
    return p


declare(Op(
    name="remove_comments_mapper", kind="mapper", family=FAMILY,
    doc="Remove LaTeX comments: `%` to the end of the line (with the character before it) and lines "
        "starting with `%`.",
    params=(
        Param("doc_type", "str|list[str]", "tex", "Document type; only 'tex' is supported."),
        Param("inline", "bool", True, "Remove comments that follow text on a line."),
        Param("multiline", "bool", True, "Remove lines that start with `%` (and their newline)."),
    ),
    apply=lambda texts, p: [remove_comments(t, p["inline"], p["multiline"]) for t in texts],
    prepare=_doc_type, sql_params=("inline", "multiline"),
    examples=(
        Example("remove_comments('a = 1 % set a\\n% whole line\\nb')", "a = 1\nb",
                "the space before the inline comment goes with it"),
        Example("remove_comments('50\\\\% off')", "50\\% off", "an escaped \\% is text"),
    ),
    notes="Data-Juicer's inline pattern `[^\\\\]%.+$` (multi-line mode) also removes the character "
          "before the `%`: `a% x` -> `` (the `a` goes); for a line starting with `%` that character is the "
          "newline before it, so the line goes with that newline (`x\\n% c\\ny` -> `x\\ny`); a `%` with nothing "
          "after it on its line is kept (`.+`), `\\\\%` (an escaped backslash, then a comment) is kept, "
          "`\\\\%%x` loses `%%x`. The whole-line pattern `^%.*\\n?` then removes what is left of lines "
          "starting with `%`. `\\r` counts as a line's content (a CRLF comment line keeps nothing of "
          "itself). `doc_type` other than 'tex' is refused. Empty text stays empty.",
))

declare(Op(
    name="remove_header_mapper", kind="mapper", family=FAMILY,
    doc="Remove everything before the first LaTeX sectioning command (\\chapter, \\part, \\section, "
        "\\subsection, \\subsubsection, \\paragraph, \\subparagraph); a text without one becomes empty "
        "(or is kept with `drop_no_head: false`).",
    params=(Param("drop_no_head", "bool", True, "Empty the text when it has no sectioning command."),),
    apply=lambda texts, p: [remove_header(t, p["drop_no_head"]) for t in texts],
    examples=(
        Example("remove_header('\\\\documentclass{article}\\n\\\\section{Intro}\\nHi')", "\\section{Intro}\nHi"),
        Example("remove_header('no heading here')", "", "dropped: no sectioning command"),
        Example("remove_header('no heading here', false)", "no heading here"),
    ),
    notes="As Data-Juicer: a command counts when `{` follows it (after an optional `*` and an optional "
          "`[...]`) and a `}` follows somewhere later in the text, even lines away (so `\\section{` "
          "unclosed is no heading); a mention in a comment or in a \\newcommand body counts too "
          "(run remove_comments_mapper first). Only the text before the heading goes; the rest is kept "
          "byte for byte. `\\section` inside a longer name (`\\sectionmark`) does not count. Data-Juicer "
          "drops the text to \"\" (the row stays, empty): so does sparkops.",
))

declare(Op(
    name="remove_bibliography_mapper", kind="mapper", family=FAMILY,
    doc="Remove everything from the first \\appendix, \\begin{references}, \\begin{REFERENCES}, "
        "\\begin{thebibliography} or \\bibliography{...} to the end of the text.",
    params=(),
    apply=lambda texts, p: [remove_bibliography(t) for t in texts],
    examples=(
        Example("remove_bibliography('Text.\\n\\\\bibliography{refs}\\nend')", "Text.\n"),
        Example("remove_bibliography('A\\n\\\\appendix\\n\\\\section{Proofs}')", "A\n", "the appendix goes too"),
    ),
    notes="As Data-Juicer: the first marker anywhere (also in a comment, or `\\appendixname`: `\\appendix` is "
          "matched as a prefix) cuts the text; `\\bibliography{` counts only with a `}` somewhere after "
          "it; `\\bibliographystyle{...}` does not count. Text without a marker is unchanged.",
))

declare(Op(
    name="expand_macro_mapper", kind="mapper", family=FAMILY,
    doc="Expand LaTeX macros defined without arguments (`\\newcommand{\\name}{value}`, "
        "`\\newcommand*{...}{...}`, `\\def\\name{value}`, each on one line) wherever the name is followed "
        "by a character that is not an ASCII letter or digit.",
    params=(),
    apply=lambda texts, p: [expand_macros(t) for t in texts],
    examples=(
        Example("expand_macro('\\\\newcommand{\\\\R}{\\\\mathbb{R}}\\nLet $x \\\\in \\\\R$.')",
                "\\newcommand{\\mathbb{R}}{\\mathbb{R}}\nLet $x \\in \\mathbb{R}$.",
                "the definition's own name is expanded too, as in Data-Juicer"),
        Example("expand_macro('\\\\def\\\\ours{Foo}\\n\\\\ours, \\\\oursx.')", "\\defFoo{Foo}\nFoo, \\oursx.",
                "`\\oursx` is another name; the definition itself is rewritten too"),
    ),
    notes="Data-Juicer's rules, kept: macros with arguments (`[1]`) and multi-line definitions are not "
          "expanded; a definition's value runs to the last `}` of its line, which must end the line "
          "(`\\newcommand{\\a}{x} % c` is not a definition; CRLF lines never are); names are ASCII letters "
          "and digits (`\\a@b` is not one); the definition line's own name is expanded too; the character "
          "after a use is consumed by the match, so in `\\a\\a ` only the first use expands, and a use at "
          "the very end of the text does not; macros are expanded one after the other, \\newcommand ones "
          "before \\def ones, each in order of its first definition, with the value of the last definition "
          "read (\\def ones are read after all \\newcommand ones, so a \\def wins), so a value that uses a "
          "later macro is expanded again and one that uses an earlier macro is not. Values are inserted "
          "verbatim.",
))
