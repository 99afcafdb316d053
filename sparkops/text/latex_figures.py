"""Figures of a LaTeX source and the paragraphs that cite them, as Data-Juicer 1.6.1's
``latex_figure_context_extractor_mapper`` finds them (the kernel; see ``figure_rows``).

The patterns are Data-Juicer's (``regex`` module: captions with nested braces need its recursive
groups), quoted as facts that define the output. The procedure, with its quirks:

- figures are ``figure``, ``figure*`` and ``wrapfigure`` environments (the first ``\\end`` of the
  same name closes one); a figure without ``\\includegraphics`` is skipped;
- a figure holding subfigures (``subfigure`` environments, ``\\subfigure``/``\\subfloat`` commands
  with or without ``[caption]``) gives one row per subfigure with an image, listed environments
  first, then commands with a caption, then commands without (not in text order); the parent's
  caption and label are looked for in the figure's text with those parts cut out;
- otherwise a figure with two or more ``minipage`` environments gives one row per minipage with an
  image, except minipages holding ``\\captionof{table}``;
- a caption is the first ``\\caption``/``\\caption*`` anywhere in the part, else the first
  ``\\subcaption``, else the first ``\\captionof{figure}`` (stripped); a label the first ``\\label``;
- citing paragraphs: the source without float/display/verbatim environments, split on
  ``paragraph_separator`` (plain text, not a pattern), stripped, non-empty; a paragraph cites a
  label when a citation command names it in its ``{a,b}`` list; a subfigure gets its parent's
  citing paragraphs, then its own, without repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

# Data-Juicer 1.6.1: balanced {...} at any depth (recursive named group).
NESTED = r"(?:[^{}]|(?P<B>\{(?:[^{}]|(?&B))*\}))*"
STRIPPED_ENVS = ("figure", r"figure\*", "wrapfigure", "table", r"table\*", "tabular", r"tabular\*", "equation",
                 r"equation\*", "align", r"align\*", "alignat", r"alignat\*", "gather", r"gather\*", "multline",
                 r"multline\*", "flalign", r"flalign\*", "algorithm", r"algorithm\*", "lstlisting", "verbatim",
                 "minted")
DEFAULT_CITATION_COMMANDS = (r"\ref", r"\cref", r"\Cref", r"\autoref")

_ARGS = r"(?:\[[^\]]*\])*(?:\{[^}]*\})*"
FIGURE_ENV = regex.compile(r"\\begin\{(?P<fig_env>figure\*?|wrapfigure)\}" + _ARGS + r".*?\\end\{(?P=fig_env)\}",
                           regex.DOTALL)
SUBFIGURE_ENV = regex.compile(r"\\begin\{subfigure\}" + _ARGS + r".*?\\end\{subfigure\}", regex.DOTALL)
SUBFIGURE_CMD = regex.compile(r"\\(?:subfigure|subfloat)\[([^\]]*)\]\s*\{(" + NESTED + r")\}")
SUBFIGURE_CMD_BARE = regex.compile(r"\\(?:subfigure|subfloat)(?!\[)\s*\{(" + NESTED + r")\}")
CAPTIONS = (regex.compile(r"\\caption\*?(?:\[[^\]]*\])?\{(" + NESTED + r")\}"),
            regex.compile(r"\\subcaption(?:\[[^\]]*\])?\{(" + NESTED + r")\}"),
            regex.compile(r"\\captionof\{figure\}(?:\[[^\]]*\])?\{(" + NESTED + r")\}"))
TABLE_CAPTION = regex.compile(r"\\captionof\{table\}(?:\[[^\]]*\])?\{(" + NESTED + r")\}")
MINIPAGE = regex.compile(r"\\begin\{minipage\}" + _ARGS + r"(.*?)\\end\{minipage\}", regex.DOTALL)
LABEL = regex.compile(r"\\label\{([^}]+)\}")
INCLUDEGRAPHICS = regex.compile(r"\\includegraphics(?:\[[^\]]*\])?\{([^}]+)\}")
FLOATS = regex.compile(r"\\begin\{(" + "|".join(STRIPPED_ENVS) + r")\}.*?\\end\{\1\}", regex.DOTALL)


@dataclass
class Part:
    caption: str
    label: str
    images: list[str]
    parts: list["Part"] = field(default_factory=list)  # a figure's subfigures


def caption(text: str) -> str:
    for pattern in CAPTIONS:
        m = pattern.search(text)
        if m:
            return m.group(1).strip()
    return ""


def label(text: str) -> str:
    m = LABEL.search(text)
    return m.group(1).strip() if m else ""


def images(text: str) -> list[str]:
    return [m.group(1).strip() for m in INCLUDEGRAPHICS.finditer(text)]


def _figure(text: str) -> list[Part]:
    envs = list(SUBFIGURE_ENV.finditer(text))
    cmds = list(SUBFIGURE_CMD.finditer(text))
    bare = list(SUBFIGURE_CMD_BARE.finditer(text))
    if envs or cmds or bare:
        pieces = ([(caption(m.group(0)), m.group(0)) for m in envs] + [(m.group(1).strip(), m.group(2)) for m in cmds]
                  + [("", m.group(1)) for m in bare])
        subs = [Part(cap, label(body), images(body)) for cap, body in pieces]
        subs = [s for s in subs if s.images]
        if not subs:
            return []
        outside = text
        # cut from the last start backwards, as Data-Juicer (overlapping matches cut oddly there too)
        for m in sorted(envs + cmds + bare, key=lambda m: m.start(), reverse=True):
            outside = outside[:m.start()] + outside[m.end():]
        return [Part(caption(outside), label(outside), [], subs)]
    pages = list(MINIPAGE.finditer(text))
    if len(pages) >= 2:
        out = []
        for m in pages:
            body = m.group(1)
            if TABLE_CAPTION.search(body):
                continue
            found = images(body)
            if found:
                out.append(Part(caption(body), label(body), found))
        return out
    found = images(text)
    return [Part(caption(text), label(text), found)] if found else []


def figures(source: str) -> list[Part]:
    return [part for m in FIGURE_ENV.finditer(source) for part in _figure(m.group(0))]


def paragraphs(source: str, separator: str) -> list[str]:
    return [p.strip() for p in FLOATS.sub("", source).split(separator) if p.strip()]


def citation_pattern(commands_alternation: str, lbl: str):
    return regex.compile(r"\\(?:" + commands_alternation + r")\{(?:[^},]*,\s*)*" + regex.escape(lbl)
                         + r"\s*(?:,[^}]*)?\}")


def commands_alternation(commands) -> str:
    return "|".join(regex.escape(c.lstrip("\\")) for c in commands)


def figure_rows(source: str, commands=DEFAULT_CITATION_COMMANDS, separator: str = "\n\n") -> list[dict]:
    """One dict per figure (or subfigure) with an image: ``images``, ``caption``, ``label``,
    ``citing_paragraphs``, ``parent_caption``, ``parent_label``; [] when there is none."""
    found = figures(source)
    if not found:
        return []
    paras = paragraphs(source, separator)
    alternation = commands_alternation(commands)
    cache: dict[str, list[str]] = {}

    def citing(lbl: str) -> list[str]:
        if not lbl:
            return []
        if lbl not in cache:
            pattern = citation_pattern(alternation, lbl)
            cache[lbl] = [p for p in paras if pattern.search(p)]
        return cache[lbl]

    rows = []
    for fig in found:
        if fig.parts:
            parent = citing(fig.label)
            for sub in fig.parts:
                rows.append({"images": sub.images, "caption": sub.caption, "label": sub.label,
                             "citing_paragraphs": list(dict.fromkeys(parent + citing(sub.label))),
                             "parent_caption": fig.caption, "parent_label": fig.label})
        else:
            rows.append({"images": fig.images, "caption": fig.caption, "label": fig.label,
                         "citing_paragraphs": list(citing(fig.label)), "parent_caption": "", "parent_label": ""})
    return rows
