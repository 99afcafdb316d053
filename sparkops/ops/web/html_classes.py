"""lxml.html's element classes, chosen inside lxml instead of in a Python callback.

An lxml.html parser picks the Python class of every element proxy it hands out (``HtmlElement``,
``FormElement``, ``InputElement`` ...) in ``HtmlElementClassLookup.lookup``, a Python method
that lxml calls each time it wraps a node: about 2,400 calls per page in trafilatura, some 10%
of its extraction time (cProfile on the web bench's pages). lxml's own
``ElementNamespaceClassLookup`` makes the same choice in C: the five form classes by tag
name for elements without a namespace, ``HtmlElement`` for every other element,
``HtmlComment``, ``HtmlProcessingInstruction`` and ``HtmlEntity`` for the other node types.
The Python lookup lowercases the tag first; libxml2's HTML parser has already lowercased
every tag it builds, so the two agree on every parsed page (tests/test_web_html_classes.py
checks every node of real pages).

``install()`` sets the C lookup on the two parsers trafilatura parses with (its
``HTML_PARSER`` and lxml.html's default parser, which ``fromstring`` and
``fragment_fromstring`` use); ``python_lookup()`` puts lxml's own back for a block, for
comparisons with the libraries as they ship.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

_installed: list = []  # the parsers switched, once per process


def c_lookup():
    """An ``ElementNamespaceClassLookup`` giving the classes ``HtmlElementClassLookup()`` gives."""
    from lxml import etree
    from lxml import html

    fallback = etree.ElementDefaultClassLookup(element=html.HtmlElement, comment=html.HtmlComment,
                                               pi=html.HtmlProcessingInstruction, entity=html.HtmlEntity)
    lookup = etree.ElementNamespaceClassLookup(fallback)
    by_tag = lookup.get_namespace(None)
    for tag, cls in html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = cls
    return lookup


def _parsers() -> list:
    from lxml import html

    parsers = [html.html_parser]
    try:
        from trafilatura.utils import HTML_PARSER
        parsers.append(HTML_PARSER)
    except ImportError:
        pass
    return parsers


def install() -> None:
    """Switch the parsers to the C lookup (once per process)."""
    if _installed:
        return
    lookup = c_lookup()
    for parser in _parsers():
        parser.set_element_class_lookup(lookup)
        _installed.append(parser)


@contextmanager
def python_lookup() -> Iterator[None]:
    """lxml.html's own Python lookup on the parsers for the block."""
    from lxml import html

    for parser in _installed:
        parser.set_element_class_lookup(html.HtmlElementClassLookup())
    try:
        yield
    finally:
        if _installed:
            lookup = c_lookup()
            for parser in _installed:
                parser.set_element_class_lookup(lookup)
