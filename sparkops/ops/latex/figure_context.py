"""``latex_figure_context_extractor_mapper``: one LaTeX paper in, one row per figure out (a generator).

Data-Juicer 1.6.1 declares it a mapper, but it fans a paper out into rows: each row is the paper's
record (its text unchanged) with the figure's ``images``, ``caption``, ``label``,
``citing_paragraphs``, ``parent_caption`` and ``parent_label`` (keys set by parameters). The
kernel is ``sparkops.text.latex_figures``.
"""

from __future__ import annotations

from sparkops.core import Op, OpError, Param, declare
from sparkops.core.declaration import Example, Stat
from sparkops.ops.latex.cleaners import FAMILY
from sparkops.text.latex_figures import DEFAULT_CITATION_COMMANDS, figure_rows

# the kernel's keys -> the parameter naming each output field
KEY_PARAMS = (("images", "image_key"), ("caption", "caption_key"), ("label", "label_key"),
              ("citing_paragraphs", "context_key"), ("parent_caption", "parent_caption_key"),
              ("parent_label", "parent_label_key"))
_TYPES = {"images": "array<string>", "citing_paragraphs": "array<string>"}
_DOCS = {"images": "The figure's image paths (`\\includegraphics`), in text order.",
         "caption": "The figure's caption ('' without one).",
         "label": "The figure's `\\label` ('' without one).",
         "citing_paragraphs": "The paragraphs (floats and displays removed) that cite the label.",
         "parent_caption": "A subfigure's figure caption ('' for a figure of its own).",
         "parent_label": "A subfigure's figure label ('' for a figure of its own)."}


def expand(texts: list[str], p: dict) -> list[list[dict]]:
    out = []
    for text in texts:
        rows = figure_rows(text, p["commands"], p["paragraph_separator"])
        out.append([{"text": text, **{p[param]: row[key] for key, param in KEY_PARAMS}} for row in rows])
    return out


def _writes(p: dict) -> tuple[Stat, ...]:
    return tuple(Stat(p[param], _TYPES.get(key, "string"), _DOCS[key]) for key, param in KEY_PARAMS)


def _prepare(p: dict, where: str) -> dict:
    if p["paragraph_separator"] == "":
        raise OpError(f"{where}: parameter 'paragraph_separator' must not be empty (Python's str.split "
                      "refuses it; Data-Juicer fails on every paper with figures)")
    keys = [p[param] for _, param in KEY_PARAMS]
    if len(set(keys)) < len(keys) or p.get("text_key") in keys or "text" in keys:
        raise OpError(f"{where}: the output keys {keys} must differ from each other and from the text field")
    commands = p["citation_commands"]
    return dict(p, commands=DEFAULT_CITATION_COMMANDS if commands is None else tuple(commands))


declare(Op(
    name="latex_figure_context_extractor_mapper", kind="generator", family=FAMILY,
    doc="Split a LaTeX paper into one row per figure (or subfigure) with an image: the record with its "
        "text unchanged, plus the figure's image paths, caption, label, the paragraphs citing it and, for "
        "a subfigure, its figure's caption and label. A paper without such a figure is rejected.",
    params=(
        Param("citation_commands", "list[str]", None, "LaTeX commands that cite a label (a leading "
              "backslash is optional); null: `\\ref`, `\\cref`, `\\Cref`, `\\autoref`.", nullable=True),
        Param("paragraph_separator", "str", "\n\n", "Plain text (not a pattern) the source is split at "
              "into paragraphs."),
        Param("caption_key", "str", "caption", "Output field of the caption."),
        Param("label_key", "str", "label", "Output field of the label."),
        Param("context_key", "str", "citing_paragraphs", "Output field of the citing paragraphs."),
        Param("parent_caption_key", "str", "parent_caption", "Output field of a subfigure's figure caption."),
        Param("parent_label_key", "str", "parent_label", "Output field of a subfigure's figure label."),
        Param("image_key", "str", "images", "Output field of the image paths (Data-Juicer's base-op "
              "`image_key`)."),
    ),
    expand=expand, prepare=_prepare, writes=_writes, rejects=("no_figures",),
    sql_name="latex_figure_context", sql_params=("citation_commands", "paragraph_separator"),
    examples=(
        Example("latex_figure_context('See \\\\ref{f}.\\n\\n\\\\begin{figure}\\\\includegraphics{a.png}"
                "\\\\caption{A cat}\\\\label{f}\\\\end{figure}')[0].caption", "A cat",
                "one figure: its caption"),
        Example("latex_figure_context('See \\\\ref{f}.\\n\\n\\\\begin{figure}\\\\includegraphics{a.png}"
                "\\\\caption{A cat}\\\\label{f}\\\\end{figure}')[0].citing_paragraphs", ["See \\ref{f}."],
                "the paragraph that cites its label"),
        Example("size(latex_figure_context('\\\\begin{figure}\\\\subfloat[x]{\\\\includegraphics{a}}"
                "\\\\subfloat[y]{\\\\includegraphics{b}}\\\\end{figure}'))", 2, "a row per subfigure"),
    ),
    notes="Rows: every field of the paper's record is repeated on each figure row, the text unchanged, "
          "the written fields set (an input field of the same name is replaced, as in Data-Juicer); rows "
          "keep input order, figures text order (subfigure environments first, then `\\subfigure`/"
          "`\\subfloat` commands with a caption, then those without, as Data-Juicer lists them). A paper "
          "with no figure holding an `\\includegraphics` gives no row (Data-Juicer drops it with a "
          "warning); sparkops rejects it with `latex_figure_context_extractor_mapper:no_figures`, kept "
          "in the stage's rejected table. `\\input`/`\\include` are not resolved "
          "(latex_merge_tex_mapper first for a project archive). Written fields are top-level "
          "record fields: in a job they are exported with the record; on a DataFrame they fill columns "
          "of those names, added where missing. In SQL, `latex_figure_context(text[, citation_commands"
          "[, paragraph_separator]])` returns the rows as an array of structs.",
))
