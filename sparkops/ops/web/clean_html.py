"""clean_html_mapper: HTML to plain text, as Data-Juicer 1.6.1 does it.

Data-Juicer first rewrites list tags in the raw string (``<li>`` and ``<ol>`` become ``\\n*``,
``</li>`` and ``</ol>`` disappear; only these exact lower-case, attribute-less spellings),
then parses with selectolax's Lexbor engine and returns ``parser.text()``: every text node
of the document concatenated with no separator. Exactness needs the same engine, so the
kernel calls selectolax (pinned in the ``web`` extra) the same way.
"""

from __future__ import annotations

from sparkops.core import Example, Op, declare

# Data-Juicer's replacements, in its order (the order matters for overlapping spellings)
_LIST_TAGS = (("<li>", "\n*"), ("</li>", ""), ("<ol>", "\n*"), ("</ol>", ""))


def clean_html(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser  # the web extra; imported where it runs

    for tag, replacement in _LIST_TAGS:
        html = html.replace(tag, replacement)
    return LexborHTMLParser(html).text()


def _apply(texts, p):
    return [clean_html(t) for t in texts]


declare(Op(
    name="clean_html_mapper", kind="mapper", family="web",
    doc="Convert HTML to plain text: `<li>`/`<ol>` become a new line and `*`, then every text node of "
        "the page is concatenated (selectolax's Lexbor parser, as Data-Juicer does).",
    apply=_apply, requires=("web",),
    notes="Data-Juicer 1.6.1's exact output (selectolax 1.0.2), quirks included: the text of "
          "`<script>`, `<style>`, `<title>`, `<noscript>` and `<textarea>` is kept (and everything after `<plaintext>` as is), comments and "
          "CDATA sections are dropped, block elements get no separator (`<p>a</p><p>b</p>` gives "
          "`ab`; only line breaks already in the source survive); entities are decoded (`&nbsp;` "
          "gives U+00A0, an invalid `&#0;` U+FFFD); NUL characters and lone surrogates are "
          "dropped; `<LI>` or `<li class=x>` are not rewritten to `\\n*` (the rewrite is a plain "
          "string replacement); whitespace at the very start of the document is dropped (the HTML "
          "parser ignores it before `<html>`), so a page starting with `<li>` loses that `\\n`. "
          "Text without tags comes back unchanged except for those entities and that leading "
          "whitespace; `<`/`&` that start no tag or entity are kept. Any nesting depth works.",
    examples=(
        Example("clean_html('<p>Hello&nbsp;<b>world</b> &amp; all</p>')", "Hello\u00a0world & all"),
        Example("clean_html('<ul><li>one</li><li>two</li></ul>')", "\n*one\n*two", "list items on new lines"),
        Example("clean_html('<style>p{}</style><p>a</p><p>b</p>')", "p{}ab", "style text kept, no separator"),
    ),
))
