"""sparkops.ops.web.html_classes: the class lookup done inside lxml gives every node of real
pages the class lxml.html's Python lookup gives it, and trafilatura's text does not change.
Pure Python: no Spark."""

from __future__ import annotations

import pytest

pytest.importorskip("trafilatura")
pytest.importorskip("fastwarc.warc")

from lxml import html as lxml_html  # noqa: E402

from sparkops.ops.web import html_classes  # noqa: E402
from sparkops.ops.web.extract import extract, libraries_as_shipped  # noqa: E402
from tests.test_web_trafilatura_xpath import _shared_pages, _warc_pages  # noqa: E402

FORM_PAGE = """<html><head><title>t</title><!-- c --><?php x ?></head><body><FORM action=x>
<Input name=a value=1><SELECT name=s><option>o</option></SELECT><TEXTAREA>t</TEXTAREA>
<label for=a>A</label><svg><circle/></svg><p>text &amp; more</p></FORM></body></html>"""


def _classes(page: str, lookup) -> list[tuple[str, type]]:
    parser = lxml_html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8")
    parser.set_element_class_lookup(lookup)
    root = lxml_html.fromstring(page.encode("utf-8"), parser=parser)
    return [(node.tag if isinstance(node.tag, str) else node.tag.__name__, type(node)) for node in root.iter()]


def _same_classes(pages: list[str]) -> int:
    nodes = 0
    for page in pages:
        theirs = _classes(page, lxml_html.HtmlElementClassLookup())
        ours = _classes(page, html_classes.c_lookup())
        assert ours == theirs
        nodes += len(ours)
    return nodes


def test_every_node_gets_lxml_htmls_class():
    # upper-case tags, the five form classes, comments, processing instructions, foreign tags
    got = dict(_classes(FORM_PAGE, html_classes.c_lookup()))
    assert got["form"] is lxml_html.FormElement and got["input"] is lxml_html.InputElement
    assert got["select"] is lxml_html.SelectElement and got["textarea"] is lxml_html.TextareaElement
    assert got["label"] is lxml_html.LabelElement and got["p"] is lxml_html.HtmlElement
    assert got["Comment"] is lxml_html.HtmlComment
    assert _same_classes([FORM_PAGE]) > 10
    assert _same_classes(_warc_pages()) > 5_000


def test_shared_pages_same_classes(shared_data):
    assert _same_classes(_shared_pages(shared_data)) > 100_000


def test_installed_on_the_parsers_trafilatura_uses_and_undone_for_a_block():
    from trafilatura.utils import HTML_PARSER

    page = _warc_pages()[0]
    extract(page)  # installs
    assert html_classes._installed and HTML_PARSER in html_classes._installed
    assert lxml_html.html_parser in html_classes._installed
    fast = extract(page, options={"favor_precision": True, "include_comments": False}).text
    with libraries_as_shipped():
        import trafilatura

        assert trafilatura.extract(page, favor_precision=True, include_comments=False) == fast
    assert fast and len(fast) > 100
