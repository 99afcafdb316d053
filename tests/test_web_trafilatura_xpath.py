"""sparkops.ops.web.trafilatura_xpath: trafilatura's XPath expressions evaluated in Python give
the elements lxml's XPath engine gives, element for element, at every place trafilatura uses
them, on real pages; and extraction with them installed is trafilatura's, text for text.
Pure Python: no Spark."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

pytest.importorskip("trafilatura")
fastwarc = pytest.importorskip("fastwarc.warc")

import trafilatura  # noqa: E402
from lxml import html as lxml_html  # noqa: E402
from lxml.etree import XPath  # noqa: E402
from trafilatura import xpaths  # noqa: E402

from sparkops.ops.web import trafilatura_xpath as tx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# the option sets that reach every place trafilatura evaluates an expression: precision (the
# web bench's), the defaults, recall with metadata (title, author, categories, tags), comments
OPTION_SETS = (dict(favor_precision=True, include_comments=False), dict(),
               dict(favor_recall=True, with_metadata=True), dict(include_comments=True, with_metadata=True))


def _warc_pages() -> list[str]:
    """The HTML responses of the WARC files that ship in data/warc."""
    pages = []
    for path in sorted((ROOT / "data" / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            try:
                for rec in fastwarc.ArchiveIterator(f, record_types=fastwarc.WarcRecordType.response):
                    body = rec.reader.read()
                    if b"<html" in body[:5000].lower():
                        pages.append(body.split(b"\r\n\r\n", 1)[-1].decode("utf-8", "replace"))
            except Exception:  # the truncated file: the records before the cut are enough
                pass
    return pages


def _shared_pages(shared: Path) -> list[str]:
    from trafilatura.utils import decode_file

    files = sorted((shared / "html" / "trafilatura" / "pages").glob("*.gz"))
    files += sorted((shared / "html" / "aeb" / "html").glob("*.gz"))
    return [decode_file(gzip.decompress(f.read_bytes())) for f in files]


class _Both:
    """Stands in for one expression: evaluates lxml's and ours on the same tree at the same
    moment, records any difference, and hands trafilatura lxml's answer."""

    def __init__(self, name, lxml_expr, ours, log):
        self.name, self.lxml_expr, self.ours, self.log, self.path = name, lxml_expr, ours, log, lxml_expr.path

    def __call__(self, element, **variables):
        expected = self.lxml_expr(element, **variables)
        got = self.ours(element)
        self.log["calls"][self.name] = self.log["calls"].get(self.name, 0) + 1
        if len(expected) != len(got) or any(a is not b for a, b in zip(expected, got)):
            self.log["differ"].append((self.name, len(expected), len(got)))
        return expected


def _check_every_call(pages: list[str], option_sets=OPTION_SETS) -> dict:
    log = {"calls": {}, "differ": []}
    compiled = tx.compile_all()
    with tx.original_xpaths():
        saved = {name: list(getattr(xpaths, name)) for name in compiled}
        try:
            for name, exprs in compiled.items():
                target = getattr(xpaths, name)
                target[:] = [_Both(f"{name}[{i}]", orig, ours, log) if isinstance(ours, tx.CompiledXPath) else orig
                             for i, (orig, ours) in enumerate(zip(saved[name], exprs))]
            for options in option_sets:
                for page in pages:
                    trafilatura.extract(page, **options)
        finally:
            for name, exprs in saved.items():
                getattr(xpaths, name)[:] = exprs
    return log


def test_same_elements_at_every_call_on_the_shipped_warc_pages():
    pages = _warc_pages()
    assert len(pages) >= 15
    log = _check_every_call(pages)
    assert log["differ"] == []
    # the expressions that decide the text all ran, many times
    for name in ("OVERALL_DISCARD_XPATH[0]", "OVERALL_DISCARD_XPATH[1]", "BODY_XPATH[0]", "COMMENTS_XPATH[0]",
                 "PRECISION_DISCARD_XPATH[1]", "REMOVE_COMMENTS_XPATH[0]", "AUTHOR_XPATHS[1]"):
        assert log["calls"].get(name, 0) >= len(pages) // 2, name


def test_same_elements_at_every_call_on_the_html_benchmarks(shared_data):
    pages = _shared_pages(shared_data)
    assert len(pages) >= 400
    # two of the option sets (the suite's time): precision, and recall with the metadata
    log = _check_every_call(pages, OPTION_SETS[0::2])
    assert log["differ"] == []
    assert sum(log["calls"].values()) > 20 * len(pages)


def test_extraction_with_them_is_trafilaturas_text_for_text(shared_data):
    pages = _warc_pages() + _shared_pages(shared_data)
    tx.install()
    for options in OPTION_SETS[:1]:  # the web bench's (the other sets: the element checks above)
        ours = [trafilatura.extract(p, **options) for p in pages]
        with tx.original_xpaths():
            theirs = [trafilatura.extract(p, **options) for p in pages]
        assert ours == theirs
        assert sum(1 for t in ours if t) > len(pages) * 0.8


# --------------------------------------------------------------------------- XPath semantics


def _ids(elements) -> list[str]:
    return [e.get("name") or e.tag for e in elements]


PAGE = lxml_html.fromstring("""<html><body>
<div name="d1" class="menu" id="content">
  <p name="p1" id="x-nav" class="story">a</p>
  <p name="p2" class="nav">b</p>
  <section name="s1" style="display:none"><h1 name="h">t</h1></section>
</div>
<div name="d2" id="nav-main" class="post-body">
  <span name="sp1" class="Teaser">c</span>
  <p name="p3" class="nav">d</p>
</div>
<main name="m1"></main>
</body></html>""")


@pytest.mark.parametrize("expr, expected", [
    # @id|@class as a string: the attribute written first (d1: class before id; p1: id first)
    (".//*[starts-with(@id|@class, 'menu')]", ["d1"]),
    (".//*[starts-with(@id|@class, 'x-nav')]", ["p1"]),
    (".//*[starts-with(@class|@id, 'x-nav')]", ["p1"]),
    # X[1] in a step: the first match among each parent's children; (X)[1]: the first of all
    (".//p[@class='nav'][1]", ["p2", "p3"]),
    ("(.//p[@class='nav'])[1]", ["p2"]),
    (".//*[self::div or self::p][re:test(@class, 'nav|menu')]", ["d1", "p2", "p3"]),
    # re:test flags, translate
    (".//*[re:test(@class, 'teaser', 'i')]", ["sp1"]),
    (".//*[re:test(@class, 'teaser')]", []),
    (".//*[contains(translate(@class, 'T', 't'), 'teaser')]", ["sp1"]),
    # a pattern that matches the empty string matches elements without the attribute too
    (".//section[re:test(@class, '^$')]", ["s1"]),
    (".//*[not(.//h1) and contains(@style, 'display:none')]", []),
    (".//*[.//h1]", ["d1", "s1"]),
    # a union is in document order, without repeats
    ("(.//main)[1]|(.//div[@class='post-body'])[1]|.//div", ["d1", "d2", "m1"]),
    ("//*[@name='h']", ["h"]),
    # literals with braces and quotes are data, not code
    (".//*[contains(@class, '{x}') or @id=\"it's\"]", []),
])
def test_semantics_match_lxml(expr, expected):
    ours = tx.CompiledXPath(expr)
    from lxml.etree import XPath
    theirs = XPath(expr, namespaces={"re": xpaths.REGEXP_NS})
    context = PAGE.find("body")
    assert _ids(theirs(context)) == expected
    assert _ids(ours(context)) == expected


def test_remembered_answers_follow_attribute_order_and_ignore_other_attributes():
    # an attribute test's answer is remembered per list of the attributes it reads, in their
    # order: the same values in another order can answer differently (@id|@class is the first
    # present), and attributes it does not read (href, data-*) never enter the memo
    page = lxml_html.fromstring("<div>" + "".join(
        f'<p name="a{i}" class="menu" id="x" href="/{i}">a</p><p name="b{i}" id="x" class="menu" data-i="{i}">b</p>'
        f'<p name="c{i}" href="/{i}">c</p>' for i in range(300)) + "</div>")
    expr = ".//*[starts-with(@id|@class, 'menu')]"
    ours = tx.CompiledXPath(expr)
    for _ in range(2):  # the second time every answer comes from the memo
        assert _ids(ours(page)) == [f"a{i}" for i in range(300)] == _ids(XPath(expr)(page))
    pred = tx._pred(tx._Parser("starts-with(@id|@class, 'menu')").or_expr())
    assert [pred(el) for el in page.iter("p")][:3] == [True, False, False]
    assert set(pred.__globals__["_memo"]) == {(("class", "menu"), ("id", "x")), (("id", "x"), ("class", "menu"))}


@pytest.mark.parametrize("expr", [
    ".//div//a[@href]",                         # two steps
    "//*[rel='me']",                            # a child element's string value
    ".//*[local-name()='annotation']",          # other functions
    ".//*[@id|@class]",                         # an attribute union as a boolean
    ".//*[re:test(@id, 'a'",                    # malformed
])
def test_expressions_outside_the_subset_are_refused(expr):
    with pytest.raises(tx.Unsupported):
        tx.CompiledXPath(expr)


def test_install_is_in_place_and_can_be_undone_for_a_block():
    assert tx.install()
    assert all(isinstance(e, tx.CompiledXPath) for e in xpaths.OVERALL_DISCARD_XPATH)
    from trafilatura import main_extractor
    assert main_extractor.OVERALL_DISCARD_XPATH is xpaths.OVERALL_DISCARD_XPATH  # the very list trafilatura reads
    with tx.original_xpaths():
        assert not any(isinstance(e, tx.CompiledXPath) for e in xpaths.OVERALL_DISCARD_XPATH)
    assert all(isinstance(e, tx.CompiledXPath) for e in xpaths.OVERALL_DISCARD_XPATH)
    # the expressions outside the subset stay lxml's, and so do those that call no function
    assert not isinstance(xpaths.TAGS_XPATHS[0], tx.CompiledXPath)
    assert not isinstance(xpaths.TITLE_XPATHS[1], tx.CompiledXPath)  # //*[@class='entry-title' or ...]
    assert not isinstance(xpaths.PRECISION_DISCARD_XPATH[0], tx.CompiledXPath)  # .//header


def test_another_trafilatura_version_is_left_alone(monkeypatch):
    with tx.original_xpaths():
        saved = list(tx._originals.items())
        monkeypatch.setattr(tx, "_originals", {})
        monkeypatch.setattr(tx, "SUPPORTED_TRAFILATURA", "0.0.1")
        assert tx.install() is False
        assert not any(isinstance(e, tx.CompiledXPath) for e in xpaths.BODY_XPATH)
    assert saved  # (restored by monkeypatch)
